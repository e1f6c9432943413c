"""``newsmon demo``: the whole pipeline against a bundled synthetic news site, on this machine only.

It serves ``demo/content`` on 127.0.0.1, points a sources file at it, delivers alerts to a local
webhook receiver that prints them, runs the real monitor flow (Prefect without a server) into a
DuckDB file, and prints what happened. Nothing leaves the machine.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.panel import Panel
from rich.text import Text

from demo.newsite import NewsSite
from demo.receiver import WebhookReceiver
from flows.console import console, print_db_summary, print_run_report


def _print_alert(message: dict[str, Any]) -> None:
    """Print an alert as received; its text is shown literally (``[사진=…]`` is not markup)."""
    title = str(message.get("title") or "alert")
    body = str(message.get("message") or message.get("body") or message)
    console.print(
        Panel(
            Text(body), title=Text(f"alert · {title}"), border_style="magenta", title_align="left"
        )
    )


def run_demo(db: Path, keep_db: bool = False) -> None:
    """Run the demo end to end and print the run report, alerts and a database summary."""
    from flows.cli import execute_run

    if not keep_db:
        for suffix in ("", ".wal"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    started = time.monotonic()
    with (
        NewsSite() as site,
        WebhookReceiver(on_message=_print_alert) as receiver,
        tempfile.TemporaryDirectory(prefix="newsmon-demo-") as tmp,
    ):
        sources = Path(tmp) / "sources.toml"
        sources.write_text(site.render_sources_toml(), encoding="utf-8")
        console.print(f"demo news site at [bold]{site.base_url}[/bold]; alerts go to a receiver")
        saved = {
            k: os.environ.get(k) for k in ("NEWSMON_ALLOW_PRIVATE_NETWORKS", "NEWSMON_ALERT_URLS")
        }
        os.environ["NEWSMON_ALLOW_PRIVATE_NETWORKS"] = "true"
        os.environ["NEWSMON_ALERT_URLS"] = receiver.apprise_url
        try:
            report = execute_run(sources, db, None, True)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        received = len(receiver.messages)
    print_run_report(report)
    print_db_summary(db)
    console.print(
        f"alerts received by the local webhook: [bold]{received}[/bold] · "
        f"wall time {time.monotonic() - started:.1f} s · database {db}"
    )
