"""A failed scheduled run tells someone: one message through the alert channels."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from demo.receiver import WebhookReceiver
from flows.hooks import failure_message
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
