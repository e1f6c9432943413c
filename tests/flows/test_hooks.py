"""A failed scheduled run tells someone: one message through the alert channels."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from demo.receiver import WebhookReceiver
from flows.hooks import failure_channel, failure_message, notify_failure
from flows.settings import Settings
from tests.flows.conftest import run_flow


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_failed_run_sends_one_failure_message(
    receiver: WebhookReceiver, local_env: None, tmp_path: Path
) -> None:
    sources = tmp_path / "s.toml"
    sources.write_text(
        f'[[sources]]\nname = "down"\nurl = "http://127.0.0.1:{_closed_port()}/rss"\nlang = "ko"\n',
        encoding="utf-8",
    )
    state = run_flow(sources, tmp_path / "f.duckdb")
    assert state.is_failed()
    assert receiver.wait_for(1, timeout=10)
    [message] = receiver.messages
    assert "newsmon-monitor run failed" in str(message["title"])
    assert "every source failed" in str(message["message"])
    assert "json://" not in str(message["message"])


class _State:
    def __init__(self, message: str, crashed: bool) -> None:
        self.message = message
        self._crashed = crashed

    def is_crashed(self) -> bool:
        return self._crashed


@pytest.mark.parametrize(("crashed", "word"), [(False, "failed"), (True, "crashed")])
def test_failure_message(crashed: bool, word: str) -> None:
    title, body = failure_message(
        "newsmon-monitor", "brave-fox", "abc-123", _State("boom", crashed)
    )
    assert title == f"newsmon: newsmon-monitor run {word}"
    assert "`brave-fox`" in body and "boom" in body and "abc-123" in body


class _Named:
    def __init__(self, name: str, id_: str = "") -> None:
        self.name = name
        self.id = id_


def test_hook_sends_one_message_with_the_error_and_a_link_to_the_run(
    receiver: WebhookReceiver, local_env: None
) -> None:
    from prefect.settings import PREFECT_UI_URL, temporary_settings

    run = _Named("calm-otter", "0f1e2d3c")
    with temporary_settings(updates={PREFECT_UI_URL: "http://127.0.0.1:4200"}):
        notify_failure(_Named("newsmon-monitor"), run, _State("disk full", crashed=True))
    assert receiver.wait_for(1, timeout=10)
    [message] = receiver.messages
    assert str(message["title"]) == "newsmon: newsmon-monitor run crashed"
    assert "disk full" in str(message["message"])
    assert "http://127.0.0.1:4200/runs/flow-run/0f1e2d3c" in str(message["message"])


def test_hook_resolves_the_default_channel_and_never_raises(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NEWSMON_ALERT_URLS", "prefect-secret:missing-block json://127.0.0.1:9/x")
    monkeypatch.setenv("NEWSMON_ALERT_RULES", str(tmp_path / "missing.toml"))
    urls, body_format = failure_channel(Settings())
    assert urls == ["json://127.0.0.1:9/x"] and body_format == "markdown"
    notify_failure(_Named("f"), _Named("r", "1"), _State("boom", crashed=False))  # no raise
