"""The local webhook receiver, driven by real Apprise deliveries over 127.0.0.1."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import apprise
import httpx
import pytest
from rich.console import Console

from demo.receiver import WebhookReceiver, parse_body, rich_printer


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as running:
        yield running


def notifier(receiver: WebhookReceiver) -> apprise.Apprise:
    sender = apprise.Apprise()
    assert sender.add(receiver.apprise_url)
    return sender


def test_apprise_url_points_at_the_receiver(receiver: WebhookReceiver) -> None:
    assert receiver.apprise_url == f"json://127.0.0.1:{receiver.port}/alerts"
    assert receiver.url == f"http://127.0.0.1:{receiver.port}/alerts"


def test_apprise_delivery_is_recorded(receiver: WebhookReceiver) -> None:
    ok = notifier(receiver).notify(title="GTAA 새 기사", body="SK텔레콤은 [사진=SK텔레콤] e&")
    assert ok
    assert receiver.wait_for(1, timeout=2)
    [message] = receiver.messages
    assert message["title"] == "GTAA 새 기사"
    assert message["message"] == "SK텔레콤은 [사진=SK텔레콤] e&"
    assert message["type"] == "info"
    assert {"version", "attachments"} <= message.keys()
    [delivery] = receiver.deliveries
    assert delivery.method == "POST" and delivery.path == "/alerts" and delivery.status == 200


def test_fail_next_makes_notify_return_false_then_recovers(receiver: WebhookReceiver) -> None:
    sender = notifier(receiver)
    receiver.fail_next(2, status=503)
    assert not sender.notify(title="1", body="x")
    assert not sender.notify(title="2", body="x")
    assert sender.notify(title="3", body="x")
    assert [m["title"] for m in receiver.messages] == ["3"]
    assert [d.status for d in receiver.deliveries] == [503, 503, 200]


def test_on_message_is_called_and_its_errors_do_not_fail_the_delivery() -> None:
    seen: list[dict[str, Any]] = []

    def record(message: dict[str, Any]) -> None:
        seen.append(message)
        raise RuntimeError("printer broke")

    with WebhookReceiver(on_message=record) as receiver:
        assert notifier(receiver).notify(title="t", body="b")
    assert seen and seen[0]["title"] == "t"


def test_plain_http_posts_of_json_forms_and_text(receiver: WebhookReceiver) -> None:
    httpx.post(receiver.url, json={"title": "j"})
    httpx.post(receiver.url, json=[1, 2])
    httpx.post(receiver.url, data={"title": "폼", "tag": "a"})
    httpx.post(receiver.url, content=b"plain words", headers={"Content-Type": "text/plain"})
    httpx.post(receiver.url, content=b"{broken", headers={"Content-Type": "application/json"})
    assert receiver.messages == [
        {"title": "j"},
        {"payload": [1, 2]},
        {"title": "폼", "tag": "a"},
        {"raw": "plain words"},
        {"raw": "{broken"},
    ]
    assert httpx.get(receiver.url).json() == {"ok": True, "messages": 5}
    receiver.clear()
    assert receiver.messages == [] and receiver.deliveries == []


def test_wait_for_times_out(receiver: WebhookReceiver) -> None:
    assert not receiver.wait_for(1, timeout=0.05)


def test_fail_next_validates_its_arguments(receiver: WebhookReceiver) -> None:
    with pytest.raises(ValueError):
        receiver.fail_next(1, status=200)
    with pytest.raises(ValueError):
        receiver.fail_next(-1)


def test_parse_body_form_with_repeated_keys() -> None:
    body = b"a=1&a=2&b="
    assert parse_body(body, "application/x-www-form-urlencoded") == {"a": ["1", "2"], "b": ""}
    assert parse_body(json.dumps({"k": "v"}).encode(), "") == {"k": "v"}


def test_rich_printer_prints_text_literally() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=100, color_system=None)
    show = rich_printer(console)
    show({"title": "[bold]GTAA[/bold]", "message": "[사진=SK텔레콤] 본문", "type": "info"})
    output = buffer.getvalue()
    assert "[사진=SK텔레콤] 본문" in output
    assert "[bold]GTAA[/bold]" in output
