"""The real thing: a `prefect server start`, the deployments of deploy/prefect.yaml on a process
work pool with a worker, and `newsmon serve` on a schedule of a few seconds.

Slow by nature (a server boot, and every flow run is a fresh Python process), so one server serves
both tests and each test runs the fewest flow runs that prove its point. Select them with
``-m prefect_server``; they are part of the default suite. Every subprocess runs in its own process
group and the whole group is killed on teardown.
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from demo.newsite import NewsSite
from flows.serve import free_port, local_server, stop_process_group
from tests.flows.conftest import query_rows

pytestmark = [
    pytest.mark.prefect_server,
    pytest.mark.skipif(
        importlib.util.find_spec("prefect") is None, reason="the prefect CLI is not installed"
    ),
]

ROOT = Path(__file__).resolve().parents[2]
POOL = "newsmon-process"
PREFECT = [sys.executable, "-m", "prefect"]
SERVER_ENV = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_UI_ENABLED": "false",
    "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
    # a run that finds the deployment's slot taken retries after 2 s instead of 30 s
    "PREFECT_SERVER_DEPLOYMENTS_CONCURRENCY_SLOT_WAIT_SECONDS": "2",
    "PREFECT_SERVER_SERVICES_SCHEDULER_RECENT_DEPLOYMENTS_LOOP_SECONDS": "1",
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_FOREMAN_ENABLED": "false",
}


@dataclass
class Api:
    """The test server's REST API (plain httpx: no Prefect client settings in this process)."""

    url: str
    env: dict[str, str]
    home: Path

    def call(self, method: str, path: str, body: Any = None) -> Any:
        """One request; a 503 (SQLite busy on a loaded machine) is retried for up to 10 s."""
        for _ in range(40):
            response = httpx.request(method, self.url + path, json=body, timeout=30)
            if response.status_code != 503:
                break
            time.sleep(0.25)
        response.raise_for_status()
        return response.json() if response.content else None

    def deployment_id(self, flow: str, name: str) -> str:
        return str(self.call("GET", f"/deployments/name/{flow}/{name}")["id"])

    def runs(self, deployment_id: str) -> list[dict[str, Any]]:
        body = {"flow_runs": {"deployment_id": {"any_": [deployment_id]}}, "limit": 200}
        return list(self.call("POST", "/flow_runs/filter", body))

    def state_names(self, run_id: str) -> list[str]:
        return [s["name"] for s in self.call("GET", f"/flow_run_states/?flow_run_id={run_id}")]

    def wait_final(self, run_id: str, timeout_s: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            run = self.call("GET", f"/flow_runs/{run_id}")
            if run["state_type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
                return dict(run)
            time.sleep(0.3)
        raise AssertionError(f"flow run {run_id} not final after {timeout_s} s: {run['state']}")


def _tail(path: Path, lines: int = 40) -> str:
    text = path.read_text("utf-8", errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


@contextlib.contextmanager
def _spawn(
    command: list[str], env: Mapping[str, str], log: Path, stop: int = signal.SIGTERM
) -> Iterator[subprocess.Popen[bytes]]:
    """A child in its own process group, output to ``log``; the group is killed on exit."""
    with log.open("ab") as sink:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            # a worker starts each flow run in a process group of its own: collect them first
            others = {pid: _started(pid) for pid in _descendants(process.pid)}
            stop_process_group(process, stop)
            for pid, started in others.items():
                if started is not None and _started(pid) == started:  # not a reused pid
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(pid, signal.SIGKILL)


def _descendants(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (Linux /proc; empty elsewhere)."""
    found: set[int] = set()
    stack = [pid]
    while stack:
        for children in Path(f"/proc/{stack.pop()}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                for child in map(int, children.read_text().split()):
                    if child not in found:
                        found.add(child)
                        stack.append(child)
    return found


def _started(pid: int) -> str | None:
    """The process's start time in clock ticks (field 22 of /proc/PID/stat), None if gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """One real `prefect server start` (SQLite in a temporary PREFECT_HOME) for this module."""
    home = tmp_path_factory.mktemp("prefect-home")
    env = {"PREFECT_HOME": str(home)}
    with local_server(free_port(), {**SERVER_ENV, **env}, log=home / "server.log") as url:
        client_env = {
            **env,
            "PREFECT_API_URL": url,
            "PREFECT_LOGGING_LEVEL": "INFO",
            "PREFECT_RUNNER_POLL_FREQUENCY": "1",
            "PREFECT_WORKER_QUERY_SECONDS": "1",
            "NEWSMON_HOME": str(ROOT),
            "NEWSMON_ALLOW_PRIVATE_NETWORKS": "true",
            "NEWSMON_MIN_HOST_INTERVAL_S": "0",
            "NEWSMON_TIMEOUT_S": "10",
            "NEWSMON_ALERT_URLS": "",
        }
        yield Api(url, client_env, home)


@pytest.fixture(scope="module")
def site() -> Iterator[NewsSite]:
    with NewsSite() as running:
        yield running


def _sources(site: NewsSite, tmp_path: Path) -> Path:
    """The site's English feed only: these tests are about Prefect, and Korean pages would load
    Kiwi (~3 s of CPU and ~500 MB) in every flow-run process."""
    path = tmp_path / "sources.toml"
    path.write_text(
        f'[[sources]]\nname = "demo-en"\nurl = "{site.url("/feeds/en.atom")}"\n'
        'kind = "atom"\nlang = "en"\n',
        encoding="utf-8",
    )
    return path


def test_worker_runs_the_deployed_monitor(prefect_api: Api, site: NewsSite, tmp_path: Path) -> None:
    """`prefect deploy --all` of deploy/prefect.yaml, a process worker, one triggered run."""
    from prefect.workers.process import ProcessWorker

    db = tmp_path / "worker.duckdb"
    env = {
        **prefect_api.env,
        "NEWSMON_DB": str(db),
        "NEWSMON_SOURCES": str(_sources(site, tmp_path)),
    }
    template = ProcessWorker.get_default_base_job_template()
    prefect_api.call(
        "POST", "/work_pools/", {"name": POOL, "type": "process", "base_job_template": template}
    )
    worker_log = tmp_path / "worker.log"
    worker = [*PREFECT, "worker", "start", "--pool", POOL]
    # the process worker ignores SIGTERM for a long time; SIGINT stops it
    with _spawn(worker, env, worker_log, stop=signal.SIGINT) as worker_process:
        deploy = subprocess.run(
            [*PREFECT, "--no-prompt", "deploy", "--prefect-file", "deploy/prefect.yaml", "--all"],
            cwd=ROOT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert deploy.returncode == 0, deploy.stdout[-2000:] + deploy.stderr[-2000:]
        for flow, name in [
            ("newsmon-monitor", "monitor"),
            ("newsmon-digest", "digest"),
            ("newsmon-trends-report", "trends-report"),
        ]:
            found = prefect_api.call("GET", f"/deployments/name/{flow}/{name}")
            assert found["work_pool_name"] == POOL
        monitor = prefect_api.deployment_id("newsmon-monitor", "monitor")
        limit = prefect_api.call("GET", f"/deployments/{monitor}")["global_concurrency_limit"]
        assert limit["limit"] == 1
        run = prefect_api.call("POST", f"/deployments/{monitor}/create_flow_run", {})
        final = prefect_api.wait_final(run["id"], timeout_s=120)
        assert final["state_type"] == "COMPLETED", _tail(worker_log)
        [(articles,)] = query_rows(db, "SELECT count(*) FROM articles")
        assert articles > 0
        assert query_rows(db, "SELECT status FROM runs WHERE flow = 'monitor'") == [("completed",)]
        _kill_a_worker_run_and_check_the_message(
            prefect_api, site, worker_process, monitor, worker_log
        )


def _kill_and_collect(
    prefect_api: Api, receiver: Any, run_id: str, victims: list[int], log: Path, deadline: float
) -> list[dict[str, Any]]:
    """SIGKILL the run's processes, wait for ``Crashed``, then for the messages the crash hook
    sends (and one more second, for a second message if one were coming)."""
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    final = prefect_api.wait_final(run_id, timeout_s=60)
    assert final["state_type"] == "CRASHED", _tail(log)
    while not receiver.messages and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)
    return list(receiver.messages)


def _kill_a_worker_run_and_check_the_message(
    prefect_api: Api, site: NewsSite, worker: subprocess.Popen[bytes], deployment: str, log: Path
) -> None:
    """Under a worker too, a flow-run process killed by SIGKILL ends Crashed and the flow's
    on_crashed hook (run by the worker, which loads the flow from the deployment) sends exactly
    one message. The alert channel is a job variable of this run only."""
    from demo.receiver import WebhookReceiver

    site.set_fault("/feeds/en.atom", "timeout", seconds=30.0)  # the run waits on its feed
    try:
        with WebhookReceiver() as receiver:
            variables = {"env": {"NEWSMON_ALERT_URLS": receiver.apprise_url}}
            run_id = prefect_api.call(
                "POST", f"/deployments/{deployment}/create_flow_run", {"job_variables": variables}
            )["id"]
            deadline = time.monotonic() + 90
            victims: list[int] = []
            while not victims:
                assert worker.poll() is None and time.monotonic() < deadline, _tail(log)
                time.sleep(0.3)
                if prefect_api.call("GET", f"/flow_runs/{run_id}")["state_type"] == "RUNNING":
                    victims = _flow_run_pids(worker.pid, run_id)
            messages = _kill_and_collect(prefect_api, receiver, run_id, victims, log, deadline)
    finally:
        site.clear_faults()
    assert len(messages) == 1, (messages, _tail(log))
    assert "crashed" in str(messages[0]["title"])
    assert run_id in str(messages[0]["message"])


def test_serve_runs_the_schedule_and_a_triggered_run_waits(
    prefect_api: Api, site: NewsSite, tmp_path: Path
) -> None:
    """`newsmon serve --every 5s`: two scheduled runs complete; a run triggered while one runs
    waits for the deployment's slot (AwaitingConcurrencySlot) and runs after it; a SIGTERM while
    that run is in flight lets it finish and serve exits 0; no two runs overlap in the database."""
    site.set_fault("/feeds/en.atom", "timeout", seconds=4.0)  # every run lasts ≥ 4 s
    try:
        _serve_and_check(prefect_api, site, tmp_path)
    finally:
        site.clear_faults()


def _serve_and_check(prefect_api: Api, site: NewsSite, tmp_path: Path) -> None:
    db = tmp_path / "serve.duckdb"
    log = tmp_path / "serve.log"
    newsmon = str(Path(sys.executable).with_name("newsmon"))
    command = [newsmon, "serve", "--every", "5s", "--only", "monitor", "--grace", "60"]
    command += ["--db", str(db), "--sources", str(_sources(site, tmp_path))]
    with _spawn(command, prefect_api.env, log) as serve:
        deadline = time.monotonic() + 150
        deployment = ""
        while not deployment:
            assert serve.poll() is None and time.monotonic() < deadline, _tail(log)
            with contextlib.suppress(httpx.HTTPStatusError):
                deployment = prefect_api.deployment_id("newsmon-monitor", "monitor")
            time.sleep(0.3)
        running: dict[str, Any] | None = None
        while running is None:  # the second scheduled run has just started
            assert serve.poll() is None and time.monotonic() < deadline, _tail(log)
            runs = prefect_api.runs(deployment)
            done = [r for r in runs if r["state_type"] == "COMPLETED" and r["auto_scheduled"]]
            fresh = [r for r in runs if r["state_type"] == "RUNNING" and _age_s(r) < 2.5]
            if done and fresh:
                running = fresh[0]
            time.sleep(0.2)
        third = prefect_api.call("POST", f"/deployments/{deployment}/create_flow_run", {})
        # no more scheduled runs: drop the ones already queued behind the slot, to stay lean
        prefect_api.call("POST", f"/deployments/{deployment}/pause_deployment")
        for run in prefect_api.runs(deployment):
            if run["state_type"] == "SCHEDULED" and run["auto_scheduled"]:
                with contextlib.suppress(httpx.HTTPStatusError):  # started meanwhile
                    prefect_api.call("DELETE", f"/flow_runs/{run['id']}")
        while prefect_api.call("GET", f"/flow_runs/{third['id']}")["state_type"] != "RUNNING":
            assert serve.poll() is None and time.monotonic() < deadline, _tail(log)
            time.sleep(0.2)
        serve.send_signal(signal.SIGTERM)  # what systemd sends: the run in flight may finish
        final = prefect_api.wait_final(third["id"], timeout_s=60)
        assert final["state_type"] == "COMPLETED", _tail(log)
        assert serve.wait(timeout=60) == 0, _tail(log)
        second = prefect_api.wait_final(running["id"], 5)
        assert second["state_type"] == "COMPLETED"
        assert "AwaitingConcurrencySlot" in prefect_api.state_names(third["id"])
        assert _at(third["created"]) < _at(second["end_time"]) <= _at(final["start_time"])
        scheduled = [r for r in prefect_api.runs(deployment) if r["auto_scheduled"]]
        assert sum(r["state_type"] == "COMPLETED" for r in scheduled) >= 2
    rows = query_rows(db, "SELECT status, started_at, finished_at FROM runs ORDER BY started_at")
    assert len(rows) >= 3
    assert all(status == "completed" for status, _, _ in rows), rows
    for (_, _, previous_end), (_, start, _) in itertools.pairwise(rows):
        assert previous_end <= start, "two monitor runs overlapped"


def _at(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp)


def _age_s(run: dict[str, Any]) -> float:
    return time.time() - _at(run["state"]["timestamp"]).timestamp()


def _flow_run_pids(root: int, run_id: str) -> list[int]:
    """Descendants of ``root`` that execute flow run ``run_id`` (the runner passes its id in the
    child's environment)."""
    found = []
    for pid in _descendants(root):
        with contextlib.suppress(OSError):
            if (
                f"PREFECT__FLOW_RUN_ID={run_id}".encode()
                in Path(f"/proc/{pid}/environ").read_bytes()
            ):
                found.append(pid)
    return found


def test_a_killed_flow_run_process_is_marked_crashed_and_someone_is_told(
    prefect_api: Api, site: NewsSite, tmp_path: Path
) -> None:
    """The run's own process dies (SIGKILL, as the OOM killer does): no hook can run inside it, so
    `newsmon serve`'s runner marks the run Crashed and runs the flow's on_crashed hook itself,
    which sends one message with the exit status and the run's id to the default alert channel."""
    from demo.receiver import WebhookReceiver

    site.set_fault("/feeds/en.atom", "timeout", seconds=30.0)  # the run waits on its feed
    newsmon = str(Path(sys.executable).with_name("newsmon"))
    command = [newsmon, "serve", "--every", "1h", "--only", "monitor", "--grace", "5"]
    command += ["--db", str(tmp_path / "crash.duckdb"), "--sources", str(_sources(site, tmp_path))]
    log = tmp_path / "serve-crash.log"
    try:
        with WebhookReceiver() as receiver:
            env = {**prefect_api.env, "NEWSMON_ALERT_URLS": receiver.apprise_url}
            with _spawn(command, env, log) as serve:
                deadline = time.monotonic() + 150
                deployment, run_id, victims = "", "", []
                while not victims:
                    assert serve.poll() is None and time.monotonic() < deadline, (
                        _tail(log),
                        deployment and [r["state_type"] for r in prefect_api.runs(deployment)],
                        run_id,
                        _descendants(serve.pid),
                    )
                    time.sleep(0.3)
                    if not deployment:
                        with contextlib.suppress(httpx.HTTPStatusError):
                            deployment = prefect_api.deployment_id("newsmon-monitor", "monitor")
                        continue
                    if not run_id:  # the hourly schedule's runs lie ahead: start one now
                        run_id = prefect_api.call(
                            "POST", f"/deployments/{deployment}/create_flow_run", {}
                        )["id"]
                    if prefect_api.call("GET", f"/flow_runs/{run_id}")["state_type"] != "RUNNING":
                        continue
                    victims = _flow_run_pids(serve.pid, run_id)
                messages = _kill_and_collect(prefect_api, receiver, run_id, victims, log, deadline)
                assert serve.poll() is None, _tail(log)  # the schedule goes on
    finally:
        site.clear_faults()
    assert len(messages) == 1, messages
    assert "crashed" in str(messages[0]["title"])
    assert run_id in str(messages[0]["message"])
    assert "-9" in str(messages[0]["message"]) or "SIGKILL" in str(messages[0]["message"])
