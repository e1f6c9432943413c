"""Contract: every deployment in deploy/prefect.yaml loads its entrypoint and its parameters
validate against the flow's signature, so `prefect deploy --all` cannot ship a broken one; and
`newsmon serve` builds the same deployments from the same file, with its overrides valid too."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from prefect.flows import load_flow_from_entrypoint

from flows.serve import (
    ServeError,
    build_deployments,
    load_flow,
    load_specs,
    parse_every,
    select_specs,
)

ROOT = Path(__file__).resolve().parents[1]
SPEC: dict[str, Any] = yaml.safe_load((ROOT / "deploy" / "prefect.yaml").read_text("utf-8"))
DEPLOYMENTS: list[dict[str, Any]] = SPEC["deployments"]


@pytest.mark.parametrize("deployment", DEPLOYMENTS, ids=lambda d: str(d["name"]))
def test_entrypoint_loads_and_parameters_validate(deployment: dict[str, Any]) -> None:
    flow = load_flow_from_entrypoint(str(ROOT / deployment["entrypoint"]))
    flow.validate_parameters(deployment.get("parameters") or {})


@pytest.mark.parametrize("deployment", DEPLOYMENTS, ids=lambda d: str(d["name"]))
def test_schedules_are_in_seoul_and_writers_do_not_overlap(deployment: dict[str, Any]) -> None:
    for schedule in deployment.get("schedules") or []:
        assert schedule.get("timezone") == "Asia/Seoul"
    if "writer" in (deployment.get("tags") or []):
        assert deployment.get("concurrency_limit") == 1


def test_the_monitor_runs_every_15_minutes() -> None:
    monitor = next(d for d in DEPLOYMENTS if d["name"] == "monitor")
    assert monitor["schedules"][0]["cron"] == "*/15 * * * *"


def test_serve_builds_the_deployments_of_prefect_yaml() -> None:
    """`newsmon serve` reads the same file: same names, parameters, schedules and limits."""
    specs = select_specs(load_specs(ROOT / "deploy" / "prefect.yaml"))
    assert [s.name for s in specs] == [d["name"] for d in DEPLOYMENTS]
    for spec, raw in zip(specs, DEPLOYMENTS, strict=True):
        assert spec.concurrency_limit == raw.get("concurrency_limit")
        assert list(spec.schedules) == raw.get("schedules", [])
        load_flow(spec.entrypoint).validate_parameters(spec.parameters)


def test_serve_overrides_apply_where_the_flow_takes_them(tmp_path: Path) -> None:
    db, sources = tmp_path / "x.duckdb", tmp_path / "s.toml"
    specs = select_specs(
        load_specs(ROOT / "deploy" / "prefect.yaml"),
        every=parse_every("5s"),
        db=db,
        sources=sources,
        group="korean",
    )
    by_name = {s.name: s for s in specs}
    assert by_name["monitor"].schedules == ({"interval": 5.0},)
    assert by_name["monitor"].parameters["sources"] == str(sources)
    assert by_name["monitor"].parameters["group"] == "korean"
    assert by_name["digest"].schedules[0]["cron"] == "30 8 * * *"
    assert "sources" not in by_name["digest"].parameters
    for spec in specs:
        assert spec.parameters["db"] == str(db)
        load_flow(spec.entrypoint).validate_parameters(spec.parameters)
    runner_deployments = asyncio.run(build_deployments(specs))
    limits = {d.name: d.concurrency_limit for d in runner_deployments}
    assert limits == {"monitor": 1, "digest": 1, "trends-report": None}
    with pytest.raises(ServeError, match="unknown deployment"):
        select_specs(specs, only=["nightly"])


@pytest.mark.parametrize(
    ("text", "seconds"), [("5s", 5), ("5", 5), ("2m", 120), ("1.5h", 5400), ("1d", 86400)]
)
def test_parse_every(text: str, seconds: float) -> None:
    assert parse_every(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["", "0s", "-1m", "5 weeks", "soon"])
def test_parse_every_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="--every"):
        parse_every(text)


def test_systemd_unit_serves_and_drains_on_stop() -> None:
    """The unit sends SIGTERM to serve alone and waits longer than serve's grace period."""
    unit = (ROOT / "deploy" / "newsmon.service").read_text("utf-8")
    settings = dict(
        line.split("=", 1) for line in unit.splitlines() if "=" in line and line[:1].isalpha()
    )
    assert " serve " in settings["ExecStart"] + " "
    assert settings["KillMode"] == "mixed"
    grace = float(settings["ExecStart"].split("--grace", 1)[1].split()[0])
    assert float(settings["TimeoutStopSec"]) > grace


def test_writers_wait_for_each_other_instead_of_failing() -> None:
    """Monitor and digest have separate limits: the run lock decides between them, and both
    wait long enough for the other (a worker sets the env per run, serve for its process)."""
    for spec in load_specs(ROOT / "deploy" / "prefect.yaml"):
        if "writer" in spec.tags:
            assert float(spec.env["NEWSMON_RUN_LOCK_WAIT_S"]) >= 600


def test_serve_command_has_help_with_an_example_and_refuses_bad_options(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from typer.testing import CliRunner

    from flows.cli import app

    # serve sets the Prefect log level of its process: keep that out of this one
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", os.environ.get("PREFECT_LOGGING_LEVEL", "WARNING"))
    runner = CliRunner()
    result = runner.invoke(app, ["serve", "--help"])
    assert result.exit_code == 0 and "Example" in result.output
    result = runner.invoke(app, ["serve", "--every", "0s"])
    assert result.exit_code == 1 and "--every" in result.output
    result = runner.invoke(app, ["serve", "--only", "nightly"])
    assert result.exit_code == 1 and "unknown deployment" in result.output


def test_serve_finds_prefect_yaml_in_a_checkout_and_in_an_installed_wheel(tmp_path: Path) -> None:
    """A checkout's deploy/prefect.yaml wins; without one (a wheel install) serve reads the copy
    that pyproject's force-include puts beside flows/serve.py."""
    import tomllib

    from flows.serve import PACKAGED_PREFECT_FILE, ROOT, default_prefect_file

    assert default_prefect_file() == ROOT / "deploy" / "prefect.yaml"
    assert default_prefect_file(tmp_path) == PACKAGED_PREFECT_FILE
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    included = project["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    packaged = PACKAGED_PREFECT_FILE.relative_to(ROOT).as_posix()
    assert included["deploy/prefect.yaml"] == packaged
