"""Contract: every deployment in deploy/prefect.yaml loads its entrypoint and its parameters
validate against the flow's signature, so `prefect deploy --all` cannot ship a broken one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from prefect.flows import load_flow_from_entrypoint

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
