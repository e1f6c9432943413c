"""``newsmon serve``: every deployment of deploy/prefect.yaml served from one long-running process.

The one-box way to run the schedules: no work pool and no worker, but a Prefect API with a
scheduler is still needed, because the temporary API a flow starts without ``PREFECT_API_URL`` has
no scheduler service (schedules would never produce a run). So when no API is configured, serve
starts ``prefect server start`` on 127.0.0.1 as its own child process (or reuses a server already
answering on that port) and stops it on exit.

The deployments are built from the same prefect.yaml that ``prefect deploy`` reads, so schedules,
tags, parameters and ``concurrency_limit`` cannot drift between the two ways of running: a writer
deployment keeps its server-side limit of 1, so a run that comes due (or is triggered) while
another runs waits in ``AwaitingConcurrencySlot`` instead of overlapping; the monitor's run lock
(``warehouse.database.run_lock``) stays as the second guard against writers outside Prefect.

Shutdown on SIGTERM drains: no new run is started, the run in flight gets ``grace_s`` seconds to
finish, and only then is it cancelled (Prefect sends it SIGTERM and marks it Cancelled). Every
monitor phase commits in its own transaction, so a cancelled run leaves whole phases behind and the
next run closes its ``runs`` row (``loading.close_crashed_runs``).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]
PACKAGED_PREFECT_FILE = Path(__file__).resolve().with_name("prefect.yaml")
"""Where an installed wheel carries deploy/prefect.yaml (pyproject ``force-include``)."""


def default_prefect_file(root: Path = ROOT) -> Path:
    """deploy/prefect.yaml of the checkout when there is one (what ``prefect deploy`` reads and a
    developer edits), else the copy the wheel installed beside this module."""
    checkout = root / "deploy" / "prefect.yaml"
    return checkout if checkout.is_file() else PACKAGED_PREFECT_FILE


DEFAULT_PREFECT_FILE = default_prefect_file()
SERVER_START_TIMEOUT_S = 120.0
_EVERY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class ServeError(Exception):
    """Serving cannot start: bad prefect.yaml, unknown deployment, no Prefect server."""


@dataclass(frozen=True)
class DeploymentSpec:
    """One deployment of prefect.yaml, reduced to what a served deployment needs."""

    name: str
    entrypoint: str
    description: str = ""
    tags: tuple[str, ...] = ()
    parameters: dict[str, Any] = field(default_factory=dict)
    schedules: tuple[dict[str, Any], ...] = ()
    concurrency_limit: int | None = None
    env: dict[str, str] = field(default_factory=dict)
    """``work_pool.job_variables.env``: a worker sets it per run, serve for its whole process."""


def parse_every(text: str) -> timedelta:
    """``5s``, ``2m``, ``1h``, ``1d`` or bare seconds as a positive interval."""
    found = _EVERY.match(text)
    if not found or float(found.group(1)) <= 0:
        raise ValueError(f"--every wants a positive interval such as 5s, 2m or 1h, not {text!r}")
    return timedelta(seconds=float(found.group(1)) * _UNIT_S[found.group(2) or "s"])


def _job_env(entry: Mapping[str, Any]) -> dict[str, str]:
    pool = entry.get("work_pool") or {}
    env = (pool.get("job_variables") or {}).get("env") or {}
    return {str(k): str(v) for k, v in env.items()}


def load_specs(prefect_file: Path) -> list[DeploymentSpec]:
    """The deployments of a prefect.yaml (only the fields serve uses)."""
    try:
        data = yaml.safe_load(prefect_file.read_text("utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ServeError(f"cannot read {prefect_file}: {exc}") from None
    specs: list[DeploymentSpec] = []
    for entry in data.get("deployments") or []:
        try:
            specs.append(
                DeploymentSpec(
                    name=str(entry["name"]),
                    entrypoint=str(entry["entrypoint"]),
                    description=str(entry.get("description") or ""),
                    tags=tuple(str(t) for t in entry.get("tags") or ()),
                    parameters=dict(entry.get("parameters") or {}),
                    schedules=tuple(dict(s) for s in entry.get("schedules") or ()),
                    concurrency_limit=entry.get("concurrency_limit"),
                    env=_job_env(entry),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ServeError(f"{prefect_file}: bad deployment entry {entry!r}: {exc}") from None
    if not specs:
        raise ServeError(f"{prefect_file} defines no deployments")
    return specs


def select_specs(
    specs: Sequence[DeploymentSpec],
    only: Sequence[str] = (),
    every: timedelta | None = None,
    db: Path | None = None,
    sources: Path | None = None,
    group: str | None = None,
) -> list[DeploymentSpec]:
    """The deployments to serve with the command line's overrides applied.

    ``every`` replaces the monitor's schedule (the digest and the weekly report keep theirs);
    ``db`` goes to every flow that takes it, ``sources`` and ``group`` to the monitor.
    """
    names = {s.name for s in specs}
    unknown = sorted(set(only) - names)
    if unknown:
        raise ServeError(f"unknown deployment(s) {unknown}; prefect.yaml has {sorted(names)}")
    chosen: list[DeploymentSpec] = []
    for spec in specs:
        if only and spec.name not in only:
            continue
        params = dict(spec.parameters)
        schedules = spec.schedules
        if spec.name == "monitor":
            if every is not None:
                schedules = ({"interval": every.total_seconds()},)
            if sources is not None:
                params["sources"] = str(sources)
            if group is not None:
                params["group"] = group
        if db is not None:
            params["db"] = str(db)
        chosen.append(
            DeploymentSpec(
                spec.name,
                spec.entrypoint,
                spec.description,
                spec.tags,
                params,
                schedules,
                spec.concurrency_limit,
                spec.env,
            )
        )
    return chosen


def load_flow(entrypoint: str) -> Any:
    """Import ``flows/monitor.py:monitor_flow`` as module ``flows.monitor``: served runs execute
    in a spawned subprocess that re-imports the flow by module, so a file-path load would not do."""
    path, _, name = entrypoint.partition(":")
    module = path.removesuffix(".py").replace("/", ".")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise ServeError(f"entrypoint {entrypoint!r} does not load: {exc}") from None


def _schedule(raw: Mapping[str, Any]) -> Any:
    from prefect.schedules import Cron, Interval

    if "cron" in raw:
        return Cron(str(raw["cron"]), timezone=raw.get("timezone"))
    if "interval" in raw:
        return Interval(timedelta(seconds=float(raw["interval"])), timezone=raw.get("timezone"))
    raise ServeError(f"unsupported schedule {dict(raw)!r} (cron or interval)")


async def build_deployments(specs: Sequence[DeploymentSpec]) -> list[Any]:
    """RunnerDeployments for ``specs`` (concurrency limits enforced by the server)."""
    from prefect.types.entrypoint import EntrypointType

    built = []
    for spec in specs:
        flow = load_flow(spec.entrypoint)
        built.append(
            await flow.ato_deployment(
                spec.name,
                schedules=[_schedule(s) for s in spec.schedules],
                concurrency_limit=spec.concurrency_limit,
                parameters=spec.parameters,
                description=spec.description or None,
                tags=list(spec.tags),
                entrypoint_type=EntrypointType.MODULE_PATH,
            )
        )
    return built


def _draining_runner(grace_s: float) -> Any:
    """A Prefect Runner whose SIGTERM lets the run in flight finish for ``grace_s`` seconds.

    Prefect's own handler cancels in-flight runs at once. This one first stops the poller (no new
    run starts), waits while the process manager still tracks a run, then stops the runner, which
    cancels whatever is left. The poller and process manager are private in Prefect 3.9: if they
    are missing the handler falls back to Prefect's immediate cancel.
    """
    from prefect.runner import Runner

    class DrainingRunner(Runner):
        def handle_sigterm(self, *args: Any, **kwargs: Any) -> None:
            if not self.started or self.stopping or self._loop is None:
                sys.exit(0)
            self._logger.info("SIGTERM: no new runs; waiting up to %.0f s for runs", grace_s)
            self.stopping = True
            self.execute_in_background(self._drain_then_stop)

        async def _drain_then_stop(self) -> None:
            poller = getattr(self, "_scheduled_run_poller", None)
            if poller is not None:
                poller.stopping = True
            manager = getattr(self, "_process_manager", None)
            deadline = time.monotonic() + grace_s
            while manager is not None and manager.flow_run_count() and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
            await self.astop()

    return DrainingRunner(name="newsmon-serve", pause_on_shutdown=True)


async def serve_specs(specs: Sequence[DeploymentSpec], grace_s: float) -> None:
    """Register ``specs`` with the configured Prefect API and serve them until SIGTERM/SIGINT."""
    runner = _draining_runner(grace_s)
    for deployment in await build_deployments(specs):
        await runner.aadd_deployment(deployment)
    await runner.start()


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (for tests and for ``--server-port 0``)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def api_healthy(api_url: str, timeout_s: float = 2.0) -> bool:
    """Whether a Prefect API answers its health check at ``api_url`` (…/api)."""
    try:
        return httpx.get(f"{api_url.rstrip('/')}/health", timeout=timeout_s).status_code == 200
    except httpx.HTTPError:
        return False


def stop_process_group(process: subprocess.Popen[Any], first: int = signal.SIGTERM) -> None:
    """Signal a child started with ``start_new_session=True`` and everything it spawned; SIGKILL
    the group when it has not exited within 10 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, first)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@contextlib.contextmanager
def local_server(
    port: int, env: Mapping[str, str] | None = None, log: Path | None = None
) -> Iterator[str]:
    """A ``prefect server start`` on 127.0.0.1:``port`` for as long as the block runs; yields its
    API URL. A server already healthy on that port is reused and left running.

    The server runs in its own session, so a Ctrl-C in the terminal reaches serve first and the
    server stays up while the run in flight reports its final state; it is stopped (its whole
    process group) when the block ends. Healthy after 10–60 s here (migrations; machine load).
    """
    url = f"http://127.0.0.1:{port}/api"
    if api_healthy(url):
        yield url
        return
    sink = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1"]
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        stdout=sink,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not api_healthy(url, 1.0):
            if process.poll() is not None:
                where = f"; see {log}" if log else ""
                raise ServeError(f"prefect server exited with {process.returncode}{where}")
            if time.monotonic() > deadline:
                raise ServeError(f"prefect server not healthy at {url} after 120 s")
            time.sleep(0.25)
        yield url
    finally:
        stop_process_group(process)
        if log:
            sink.close()  # type: ignore[union-attr]


def configured_api_url() -> str | None:
    """``PREFECT_API_URL`` from the environment or the active Prefect profile."""
    from prefect.settings import get_current_settings

    return get_current_settings().api.url


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(0)


def serve(specs: Sequence[DeploymentSpec], *, server_port: int, grace_s: float) -> str:
    """Serve ``specs`` against the configured API, or against a local server started for it;
    returns the API URL that was used once serving stops."""
    # until the runner installs its own handler, SIGTERM must still unwind (and stop the server)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    for spec in specs:  # the spawned flow-run processes inherit it; explicit settings win
        for key, value in spec.env.items():
            os.environ.setdefault(key, value)
    url = configured_api_url()
    if url:
        asyncio.run(serve_specs(specs, grace_s))
        return url
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    log = Path(get_current_settings().home) / "newsmon-server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with local_server(server_port or free_port(), log=log) as started:
        os.environ["PREFECT_API_URL"] = started  # the spawned flow-run processes read it
        with temporary_settings(updates={PREFECT_API_URL: started}):
            asyncio.run(serve_specs(specs, grace_s))
    return started


def main(
    every: str | None,
    db: Path | None,
    sources: Path | None,
    group: str | None,
    only: Sequence[str],
    prefect_file: Path | None,
    server_port: int,
    grace_s: float,
) -> None:
    """The ``newsmon serve`` command: validate the options, say what is served, serve."""
    import typer
    from rich.console import Console
    from rich.table import Table

    console, err_console = Console(), Console(stderr=True)

    try:
        interval = parse_every(every) if every else None
        specs = select_specs(
            load_specs(prefect_file or DEFAULT_PREFECT_FILE), only, interval, db, sources, group
        )
    except (ServeError, ValueError) as exc:
        err_console.print(f"[bold red]newsmon:[/] {exc}", highlight=False)
        raise typer.Exit(1) from None
    table = Table(title="newsmon serve", header_style="bold")
    for column in ("deployment", "schedule", "concurrency limit", "parameters"):
        table.add_column(column)
    for spec in specs:
        when = ", ".join(
            f"{s['cron']} {s.get('timezone', '')}".strip()
            if "cron" in s
            else f"every {s['interval']:g} s"
            for s in spec.schedules
        )
        limit = str(spec.concurrency_limit or "")
        table.add_row(
            spec.name, when, limit, ", ".join(f"{k}={v}" for k, v in spec.parameters.items())
        )
    console.print(table)
    try:
        url = serve(specs, server_port=server_port, grace_s=grace_s)
    except ServeError as exc:
        err_console.print(f"[bold red]newsmon:[/] {exc}", highlight=False)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        url = "interrupted"
    console.print(f"newsmon serve stopped ({url})", highlight=False)
