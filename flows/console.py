"""Terminal output: rich progress for long work, tables for results."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from flows.monitor import RunReport
from warehouse.database import open_reader, query

console = Console()
err_console = Console(stderr=True)


class RichReporter:
    """Progress bars per phase of a run (discover, fetch, extract+tag, dedupe+load, alerts)."""

    def __init__(self, target: Console | None = None) -> None:
        self._progress = Progress(
            TextColumn("[bold]{task.description:<12}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=target or err_console,
            transient=False,
        )
        self._task: Any = None

    def __enter__(self) -> RichReporter:
        self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._finish_current()
        self._progress.stop()

    def _finish_current(self) -> None:
        if self._task is not None:
            task = self._progress.tasks[self._task]
            total = task.total if task.total is not None else max(task.completed, 1)
            self._progress.update(self._task, total=total, completed=total)

    def phase(self, name: str, total: int | None = None) -> None:
        self._finish_current()
        self._task = self._progress.add_task(name, total=total)

    def advance(self, step: int = 1) -> None:
        if self._task is not None:
            self._progress.advance(self._task, step)

    def note(self, message: str) -> None:
        self._progress.console.print(message)


def print_run_report(report: RunReport) -> None:
    """The run's own counts, then its failed sources and problems (if any)."""
    table = Table(title=f"run {report.run_id}", show_header=True, header_style="bold")
    table.add_column("what")
    table.add_column("count", justify="right")
    for label, value in [
        ("sources ok / total", f"{report.sources_ok} / {report.sources_total}"),
        ("feed items seen", report.items_seen),
        ("pages fetched", report.pages_fetched),
        ("pages failed", report.pages_failed),
        ("new articles", report.articles_new),
        ("new stories", report.stories_new),
        ("new mentions", report.mentions_new),
        ("alerts created", report.alerts_created),
        ("alerts sent", report.alerts_sent),
        ("alerts failed", report.alerts_failed),
    ]:
        table.add_row(label, str(value))
    console.print(table)
    if report.failed_sources:
        failed = Table(title="failed sources", header_style="bold red")
        failed.add_column("source")
        failed.add_column("reason")
        for name, why in report.failed_sources:
            failed.add_row(name, why)
        console.print(failed)
    for problem in report.problems[:20]:
        console.print(f"[yellow]warning:[/yellow] {problem}")


def print_db_summary(db: Path, top: int = 10) -> None:
    """Totals in the database and the entities in most stories."""
    with open_reader(db) as con:
        totals = con.execute(query("summary")).fetchall()[0]
        rows = con.execute(query("top_entities"), {"limit": top}).fetchall()
    assert totals is not None
    table = Table(title=f"database {db}", header_style="bold")
    for name in ("articles", "stories", "mentions", "alerts sent", "pending", "failed"):
        table.add_column(name, justify="right")
    table.add_row(*(str(v) for v in totals))
    console.print(table)
    ents = Table(title="top entities (by stories)", header_style="bold")
    ents.add_column("entity", no_wrap=True)
    ents.add_column("name")
    ents.add_column("kind")
    ents.add_column("stories", justify="right")
    ents.add_column("articles", justify="right")
    for entity_id, kind, name_en, name_ko, stories, articles in rows:
        name = name_en if not name_ko or name_ko == name_en else f"{name_en} / {name_ko}"
        ents.add_row(entity_id, name, kind or "", str(stories), str(articles))
    console.print(ents)


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def render_rows(columns: Sequence[str], rows: Sequence[Sequence[object]], fmt: str) -> str | Table:
    """Query results as a rich table, CSV text or JSON lines-free array text."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows([[_plain(v) for v in row] for row in rows])
        return buffer.getvalue()
    if fmt == "json":
        records = [dict(zip(columns, (_plain(v) for v in row), strict=True)) for row in rows]
        return json.dumps(records, ensure_ascii=False, indent=2)
    table = Table(header_style="bold", show_lines=False)
    for name in columns:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else str(_plain(v)) for v in row))
    return table
