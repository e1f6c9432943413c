"""Analyst-facing reads of the warehouse: trends, exports and the per-run Prefect artifact.

Everything here reads through named queries and views (``warehouse/queries``, ``warehouse/views``),
so the same numbers are available to anyone with the DuckDB file and plain SQL. Nothing here writes
the database: exports write files, the artifact goes to Prefect.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import duckdb

from warehouse.database import open_reader, query

ExportFormat = Literal["parquet", "csv"]

MONTHLY_EXPORTS = ("articles", "mentions", "feed_items", "fetch_log", "alerts", "runs")
"""Tables exported partitioned by KST month (``month=YYYY-MM/``); each has ``export_<name>.sql``."""

WHOLE_EXPORTS = ("entities", "sources", "story_merges", "relation_candidates", "source_status")
"""Reference and state tables exported as one file each (skipped when the file predates them).
Not exported: ``pages`` (the raw page archive, large and binary) and ``article_signatures``."""

VIEW_EXPORTS = (
    "stories",
    "entity_daily",
    "entity_weekly",
    "entity_rising",
    "co_mentions",
    "alliance_timeline",
    "source_health",
)
"""The analyst views, one file each as they read at export time (they are small: the
summary tables behind them; ``entity_rising`` is relative to the export's date), so a notebook or
BI tool gets the trends without DuckDB. ``story_entities`` and ``article_roles`` are left out:
they are as large as mentions and articles, which are exported."""


@dataclass(frozen=True, slots=True)
class TrendRow:
    """One entity over the trend window: stories per ISO week (oldest first), its rising score."""

    entity_id: str
    name: str
    kind: str | None
    n_stories: int
    per_week: tuple[int, ...]
    rising_score: float | None


@dataclass(frozen=True, slots=True)
class Trends:
    """The weeks of the window (Mondays, KST) and the entities with the most stories in it."""

    weeks: tuple[date, ...]
    rows: tuple[TrendRow, ...]


def trends(
    con: duckdb.DuckDBPyConnection, weeks: int, entity: str | None = None, limit: int = 20
) -> Trends:
    """Stories per entity and ISO week (KST) over the last ``weeks`` weeks, this week included."""
    span = max(1, weeks)
    week_list = tuple(r[0] for r in con.execute(query("trends_weeks"), {"weeks": span}).fetchall())
    rows = con.execute(
        query("trends_top"), {"weeks": span, "entity": entity, "limit": limit}
    ).fetchall()
    out = [
        TrendRow(
            entity_id=r[0],
            name=r[1],
            kind=r[2],
            n_stories=int(r[3]),
            per_week=tuple(int(r[4].get(w, 0)) for w in week_list),
            rising_score=None if r[5] is None else float(r[5]),
        )
        for r in rows
    ]
    return Trends(weeks=week_list, rows=tuple(out))


def entity_weeks(
    con: duckdb.DuckDBPyConnection, entity: str, weeks: int
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """One entity's weekly counts (zeros for quiet weeks): column names and rows, oldest first."""
    cursor = con.execute(query("trends_entity"), {"entity": entity, "weeks": max(1, weeks)})
    columns = [d[0] for d in cursor.description or []]
    return columns, cursor.fetchall()


def entity_name(con: duckdb.DuckDBPyConnection, entity: str) -> str | None:
    """The display name of a known entity, else None (so the CLI can say the id is unknown)."""
    rows = con.execute(query("entity_name"), {"entity": entity}).fetchall()
    return str(rows[0][1]) if rows else None


@dataclass
class ExportResult:
    """What ``export_warehouse`` wrote: rows per table and the files under the output folder."""

    out: Path
    rows: dict[str, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


def export_warehouse(
    db: Path,
    out: Path,
    fmt: ExportFormat,
    on_table: Callable[[str], None] | None = None,
) -> ExportResult:
    """Export the warehouse tables to ``out``: time tables partitioned by KST month (hive layout,
    ``out/articles/month=2026-11/data_0.parquet``), reference tables and the analyst views as one
    file each.

    Opens the database read-only, so it can run between a monitor run's write phases. Each table's
    folder is replaced, so re-exporting never leaves a stale month or the other format behind; a
    table folder holding anything but ``month=…`` partitions is refused rather than deleted.
    """
    out.mkdir(parents=True, exist_ok=True)
    for name in MONTHLY_EXPORTS:
        target = out / name
        if target.exists():
            foreign = [p.name for p in target.iterdir() if not p.name.startswith("month=")]
            if foreign or not target.is_dir():
                raise OSError(f"{target} holds files that are not a newsmon export: {foreign[:3]}")
            shutil.rmtree(target)
    result = ExportResult(out=out)
    with open_reader(db) as con:
        for name in MONTHLY_EXPORTS:
            relation = con.sql(query(f"export_{name}"))
            result.rows[name] = int(con.table(name).count("*").fetchall()[0][0])
            target = out / name
            if fmt == "parquet":
                relation.write_parquet(str(target), partition_by=["month"], overwrite=True)
            else:
                relation.write_csv(str(target), partition_by=["month"], overwrite=True)
            if on_table:
                on_table(name)
        for name in (*WHOLE_EXPORTS, *VIEW_EXPORTS):
            if not con.execute(query("view_exists"), {"name": name}).fetchall():
                result.rows[name] = 0
                if on_table:
                    on_table(name)
                continue
            relation = con.table(name)
            result.rows[name] = int(relation.count("*").fetchall()[0][0])
            target = out / f"{name}.{fmt}"
            if fmt == "parquet":
                relation.write_parquet(str(target))
            else:
                relation.write_csv(str(target))
            if on_table:
                on_table(name)
    result.files = sorted(p for p in out.rglob(f"*.{fmt}") if p.is_file())
    return result


def _md_cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def run_markdown(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    alerts_sent: int,
    failed_sources: Sequence[tuple[str, str]],
    stats: Sequence[tuple[str, object]] = (),
) -> str:
    """The per-run summary published as a Prefect markdown artifact: new stories by alliance, the
    alerts sent during the run, and the sources that failed."""
    lines = [f"# newsmon run `{run_id}`", ""]
    if stats:
        lines += ["| what | count |", "| --- | ---: |"]
        lines += [f"| {_md_cell(k)} | {_md_cell(v)} |" for k, v in stats]
        lines.append("")
    by_alliance = con.execute(query("run_new_stories_by_alliance"), {"run_id": run_id}).fetchall()
    lines += ["## New stories by alliance", ""]
    if by_alliance:
        lines += ["| alliance | new stories | titles |", "| --- | ---: | --- |"]
        for alliance, n, titles in by_alliance:
            shown = "; ".join(_md_cell(t) for t in sorted(titles)[:5])
            lines.append(f"| {_md_cell(alliance)} | {n} | {shown} |")
    else:
        lines.append("No new story mentions an alliance.")
    started = con.execute(query("run_started_at"), {"run_id": run_id}).fetchall()
    sent = (
        con.execute(query("run_alerts_sent"), {"since": started[0][0]}).fetchall()
        if started
        else []
    )
    lines += ["", f"## Alerts sent ({alerts_sent})", ""]
    if sent:
        lines += ["| rule | entity | title | sent at (UTC) |", "| --- | --- | --- | --- |"]
        for rule, entity_id, title, sent_at in sent:
            when = sent_at.strftime("%Y-%m-%d %H:%M") if isinstance(sent_at, datetime) else sent_at
            lines.append(f"| {rule} | {entity_id} | {_md_cell(title)} | {when} |")
    else:
        lines.append("None.")
    lines += ["", f"## Sources failing ({len(failed_sources)})", ""]
    if failed_sources:
        lines += ["| source | reason |", "| --- | --- |"]
        lines += [f"| {_md_cell(n)} | {_md_cell(why)} |" for n, why in failed_sources]
    else:
        lines.append("None.")
    return "\n".join(lines) + "\n"


async def publish_run_artifact(
    db: Path,
    run_id: str,
    alerts_sent: int,
    failed_sources: Sequence[tuple[str, str]],
    stats: Sequence[tuple[str, object]] = (),
) -> bool:
    """Publish the run summary as a Prefect markdown artifact on the current flow run.

    Best effort by design: the run's data is already committed, so a missing flow context, a busy
    database or a Prefect API error is swallowed and reported as False, never raised.
    """
    try:
        from prefect.artifacts import acreate_markdown_artifact
        from prefect.context import FlowRunContext

        if FlowRunContext.get() is None:
            return False
        with open_reader(db) as con:
            markdown = run_markdown(con, run_id, alerts_sent, failed_sources, stats)
        await acreate_markdown_artifact(
            markdown=markdown,
            key="newsmon-run-summary",
            description=f"newsmon run {run_id}: new stories by alliance, alerts, failing sources",
        )
    except Exception:
        return False
    return True
