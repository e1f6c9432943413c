"""Fixtures for flow tests: one Prefect test harness per session, a site, a receiver, a database."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from prefect.testing.utilities import prefect_test_harness

from demo.newsite import NewsSite
from demo.receiver import WebhookReceiver
from flows.monitor import monitor_flow


@pytest.fixture(scope="session", autouse=True)
def prefect_harness() -> Iterator[None]:
    """A temporary Prefect API and database for the whole session (it takes ~10 s to start)."""
    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite() as running:
        yield running


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as running:
        yield running


def run_flow(sources: Path, db: Path, **kwargs: Any) -> Any:
    """Run the real monitor flow under the harness and return its final state."""
    return asyncio.run(monitor_flow(sources=str(sources), db=str(db), return_state=True, **kwargs))


@pytest.fixture
def local_env(monkeypatch: pytest.MonkeyPatch, receiver: WebhookReceiver) -> None:
    """Settings for a run against 127.0.0.1: private networks allowed, alerts to the receiver."""
    monkeypatch.setenv("NEWSMON_ALLOW_PRIVATE_NETWORKS", "true")
    monkeypatch.setenv("NEWSMON_ALERT_URLS", receiver.apprise_url)
    monkeypatch.setenv("NEWSMON_TIMEOUT_S", "2")


def query_rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    """Rows of a query against a finished run's database, opened read-only."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


# O-RAN Alliance is named by one story of the demo site; this gazetteer knows it only by a name
# no page uses, so the monitor run finds no O-RAN mention and plans no O-RAN alert.
BLIND_GAZETTEER = """\
extends = "packaged"

[[entity]]
id = "o_ran_alliance"
kind = "alliance"
name_en = "O-RAN Alliance"
aliases_en = ["Zyxwv Placeholder Alliance"]
"""
