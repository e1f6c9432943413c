"""A local webhook receiver: the far end of alert delivery for the demo and for tests.

Apprise's ``json://host:port/path`` posts ``{"version", "title", "message", "attachments",
"type"}``; this server records every such POST so a test can assert on what people would have
received, and ``fail_next`` makes deliveries fail on purpose, because the alert outbox must keep a
failed alert pending (Apprise reports a 500 as a falsy result, not as an exception).
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, cast
from urllib.parse import parse_qs

if TYPE_CHECKING:
    from rich.console import Console

Message = dict[str, Any]
OnMessage = Callable[[Message], None]

_MAX_BODY = 10_000_000


@dataclass(frozen=True, slots=True)
class Delivery:
    """One POST attempt as received, including those answered with an injected failure."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes
    status: int
    at: datetime


def parse_body(body: bytes, content_type: str) -> Message:
    """Turn a webhook body into a dict: JSON objects as they are, forms as a dict, else raw text.

    Non-object JSON is wrapped as ``{"payload": value}`` so that every message is a dict.
    """
    text = body.decode("utf-8", errors="replace")
    ctype = content_type.split(";", 1)[0].strip().lower()
    if ctype == "application/x-www-form-urlencoded":
        form = parse_qs(text, keep_blank_values=True)
        return {key: values[0] if len(values) == 1 else values for key, values in form.items()}
    if ctype.endswith("json") or text.lstrip().startswith(("{", "[")):
        try:
            value = json.loads(text)
        except ValueError:
            return {"raw": text}
        return cast(Message, value) if isinstance(value, dict) else {"payload": value}
    return {"raw": text}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], receiver: WebhookReceiver) -> None:
        self.receiver = receiver
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up are not worth a traceback on stderr."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "NewsmonDemoReceiver/1.0"
    sys_version = ""
    timeout = 15.0
    # headers and body go out in separate writes; with Nagle on, each response waits ~40 ms
    # for a delayed ACK on loopback
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: what arrived is in ``WebhookReceiver.messages``."""

    def do_POST(self) -> None:
        self._receive()

    def do_PUT(self) -> None:
        self._receive()

    def do_GET(self) -> None:
        receiver = cast(_Server, self.server).receiver
        self._reply(200, {"ok": True, "messages": len(receiver.messages)})

    def _receive(self) -> None:
        receiver = cast(_Server, self.server).receiver
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY:
            self._reply(413, {"ok": False, "error": "too large"})
            return
        body = self.rfile.read(length) if length else b""
        status = receiver._accept(
            self.command,
            self.path,
            {k.lower(): v for k, v in self.headers.items()},
            body,
        )
        self._reply(status, {"ok": status < 400})

    def _reply(self, status: int, payload: Mapping[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class WebhookReceiver:
    """An HTTP server on 127.0.0.1 that records JSON (or form) POSTs, in a background thread.

    ``on_message`` is called with each recorded message, in the server thread; its exceptions are
    swallowed so a faulty printer cannot turn a delivery into a failure.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        path: str = "/alerts",
        on_message: OnMessage | None = None,
    ) -> None:
        self.host = host
        self.path = path
        self.on_message = on_message
        self._requested_port = port
        self._cond = threading.Condition()
        self._messages: list[Message] = []
        self._deliveries: list[Delivery] = []
        self._fail_remaining = 0
        self._fail_status = 500
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        """Bind and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("WebhookReceiver is already running")
        self._server = _Server((self.host, self._requested_port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"receiver-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        server = self._server
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound port (only while running)."""
        if self._server is None:
            raise RuntimeError("WebhookReceiver is not running")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Plain HTTP URL of the endpoint, for clients other than Apprise."""
        return f"http://{self.host}:{self.port}{self.path}"

    @property
    def apprise_url(self) -> str:
        """The Apprise URL that delivers to this receiver: ``json://127.0.0.1:PORT/alerts``."""
        return f"json://{self.host}:{self.port}{self.path}"

    @property
    def messages(self) -> list[Message]:
        """Successfully received messages, oldest first (a copy)."""
        with self._cond:
            return list(self._messages)

    @property
    def deliveries(self) -> list[Delivery]:
        """Every POST/PUT attempt, failed ones included (a copy)."""
        with self._cond:
            return list(self._deliveries)

    def fail_next(self, n: int = 1, status: int = 500) -> None:
        """Answer the next ``n`` deliveries with ``status`` and do not record them as messages."""
        if n < 0 or not 400 <= status <= 599:
            raise ValueError("n must be >= 0 and status a 4xx/5xx code")
        with self._cond:
            self._fail_remaining = n
            self._fail_status = status

    def wait_for(self, count: int, timeout: float = 5.0) -> bool:
        """Block until at least ``count`` messages arrived; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: len(self._messages) >= count, timeout=timeout)

    def clear(self) -> None:
        """Forget messages, deliveries and pending failures."""
        with self._cond:
            self._messages.clear()
            self._deliveries.clear()
            self._fail_remaining = 0

    def _accept(self, method: str, path: str, headers: dict[str, str], body: bytes) -> int:
        with self._cond:
            if self._fail_remaining > 0:
                self._fail_remaining -= 1
                status = self._fail_status
            else:
                status = 200
            self._deliveries.append(
                Delivery(method, path, headers, body, status, datetime.now(UTC))
            )
            if status != 200:
                return status
            message = parse_body(body, headers.get("content-type", ""))
            self._messages.append(message)
            self._cond.notify_all()
        callback = self.on_message
        if callback is not None:
            with contextlib.suppress(Exception):
                callback(message)
        return status


def rich_printer(console: Console | None = None) -> OnMessage:
    """An ``on_message`` callback that prints each alert as a rich panel (used by the demo)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.panel import Panel
    from rich.text import Text

    out = console or Console()

    def show(message: Message) -> None:
        title = str(message.get("title") or "(no title)")
        body = str(message.get("message") or message.get("raw") or json.dumps(message))
        kind = str(message.get("type") or "info")
        # alert text is data, not markup: "[사진=SK텔레콤]" must print as it is
        heading = f"[bold]{escape(title)}[/bold]"
        out.print(Panel(Text(body), title=heading, subtitle=escape(kind), expand=False))

    return show
