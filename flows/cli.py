"""The ``newsmon`` command line.

Exit codes: 0 the command did its job (a run with some failed sources included); 1 nothing could
run (bad config, every source failed, a failed query); 3 the database is held by another process.
Heavy imports (Prefect, DuckDB, Kiwi) happen inside the commands so ``--help`` stays instant.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from flows.alert_mutes import mute_app

for _key, _value in {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_LOGGING_LEVEL": "CRITICAL",
    "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
}.items():
    os.environ.setdefault(_key, _value)

app = typer.Typer(
    name="newsmon",
    help="Telecom news monitoring in Korean and English: feeds → stories → mentions → alerts.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)

EXIT_NOTHING_RAN = 1
EXIT_DB_BUSY = 3


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def _fail(message: str, code: int = EXIT_NOTHING_RAN) -> typer.Exit:
    from rich.text import Text

    from flows.console import err_console

    err_console.print(Text.assemble(("newsmon: ", "bold red"), message), soft_wrap=True)
    return typer.Exit(code)


def execute_run(sources: Path | None, db: Path | None, group: str | None, send_alerts: bool) -> Any:
    """Run the monitor flow under Prefect with rich progress; returns the RunReport."""
    import asyncio

    from flows.console import RichReporter
    from flows.monitor import RunReport, monitor_flow
    from flows.progress import current_reporter
    from flows.runner import gazetteer_and_tagger_for
    from flows.settings import Settings
    from tasks.gazetteer import GazetteerError

    settings = Settings()
    try:  # built once per process (the flow reuses it); a bad gazetteer is one line
        gazetteer_and_tagger_for(settings)
    except GazetteerError as exc:
        raise _fail(str(exc)) from None
    with RichReporter() as reporter:
        token = current_reporter.set(reporter)
        try:
            state: Any = asyncio.run(
                monitor_flow(  # type: ignore[arg-type]
                    sources=str(sources) if sources else None,
                    db=str(db) if db else None,
                    group=group,
                    send_alerts=send_alerts,
                    return_state=True,
                )
            )
        finally:
            current_reporter.reset(token)
    result = state.result(raise_on_failure=False)
    if state.is_completed() and isinstance(result, RunReport):
        return result
    if isinstance(result, RunReport):
        from flows.console import print_run_report

        print_run_report(result)
    message = state.message or (f"{type(result).__name__}: {result}" if result else "run failed")
    code = EXIT_DB_BUSY if "in use by" in message else EXIT_NOTHING_RAN
    raise _fail(message, code)


@app.command()
def run(
    sources: Annotated[
        Path | None,
        typer.Option(help="sources TOML (default: NEWSMON_SOURCES or the packaged one)"),
    ] = None,
    db: Annotated[Path | None, typer.Option(help="DuckDB file (default: NEWSMON_DB)")] = None,
    group: Annotated[str | None, typer.Option(help="only sources of this group")] = None,
    no_alerts: Annotated[
        bool, typer.Option("--no-alerts", help="create outbox rows as suppressed, send nothing")
    ] = False,
) -> None:
    """Run the monitor once: discover, fetch, extract, dedupe, tag, load, alert.

    Example: [bold]newsmon run --sources my-sources.toml --db data/newsmon.duckdb[/bold]
    """
    from flows.console import print_run_report

    report = execute_run(sources, db, group, not no_alerts)
    print_run_report(report)


@app.command()
def demo(
    db: Annotated[Path, typer.Option(help="DuckDB file for the demo")] = Path("data/demo.duckdb"),
    keep_db: Annotated[
        bool, typer.Option("--keep-db", help="keep the previous demo database")
    ] = False,
) -> None:
    """Serve a synthetic telecom news site on 127.0.0.1, monitor it, print alerts and a summary.

    Example: [bold]newsmon demo[/bold]
    """
    from flows.demo import run_demo

    run_demo(db, keep_db=keep_db)


@app.command()
def sql(
    query_text: Annotated[str, typer.Argument(metavar="QUERY", help="SQL to run (read-only)")],
    db: Annotated[Path | None, typer.Option(help="DuckDB file (default: NEWSMON_DB)")] = None,
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
    max_rows: Annotated[int, typer.Option(help="print at most this many rows")] = 1000,
) -> None:
    """Run a query against the database, opened read-only.

    Example: [bold]newsmon sql "SELECT * FROM stories ORDER BY n_articles DESC" -f csv[/bold]
    """
    import duckdb

    from flows.console import console, render_rows
    from flows.settings import Settings
    from warehouse.database import DatabaseBusy, DatabaseError, open_reader

    target = db or Settings().db
    try:
        with open_reader(target) as con:
            # read-only protects the database; this also stops COPY … TO, ATTACH and file readers
            con.execute("SET enable_external_access = false").fetchall()
            cursor = con.execute(query_text)
            columns = [d[0] for d in cursor.description or []]
            rows = cursor.fetchmany(max_rows)
    except DatabaseBusy as exc:
        raise _fail(str(exc), EXIT_DB_BUSY) from None
    except DatabaseError as exc:
        raise _fail(str(exc)) from None
    except duckdb.Error as exc:
        raise _fail(f"query failed: {exc}") from None
    output = render_rows(columns, rows, format.value)
    if isinstance(output, str):
        sys.stdout.write(output if output.endswith("\n") else output + "\n")
    else:
        console.print(output)


@app.command()
def summary(
    db: Annotated[Path | None, typer.Option(help="DuckDB file (default: NEWSMON_DB)")] = None,
    top: Annotated[int, typer.Option(help="how many entities to list")] = 10,
) -> None:
    """Totals in the database and the entities in most stories.

    Example: [bold]newsmon summary --db data/demo.duckdb[/bold]
    """
    from flows.console import print_db_summary
    from flows.settings import Settings
    from warehouse.database import DatabaseBusy, DatabaseError

    try:
        print_db_summary(db or Settings().db, top)
    except DatabaseBusy as exc:
        raise _fail(str(exc), EXIT_DB_BUSY) from None
    except DatabaseError as exc:
        raise _fail(str(exc)) from None


@app.command()
def check(
    db: Annotated[Path | None, typer.Option(help="DuckDB file (default: NEWSMON_DB)")] = None,
) -> None:
    """Check the database's consistency (orphan rows, duplicate keys or alerts, stories that do
    not match their articles, unfinished runs, migrations); exit 1 when a check finds anything.

    Example: [bold]newsmon check --db data/newsmon.duckdb[/bold]
    """
    from flows.console import console, render_rows
    from flows.settings import Settings
    from warehouse.consistency import check_names, violations
    from warehouse.database import DatabaseBusy, DatabaseError, open_reader

    try:
        with open_reader(db or Settings().db) as con:
            found = violations(con)
    except DatabaseBusy as exc:
        raise _fail(str(exc), EXIT_DB_BUSY) from None
    except DatabaseError as exc:
        raise _fail(str(exc)) from None
    if found:
        console.print(render_rows(["check", "key", "detail"], found, "table"))
        raise _fail(f"{len(found)} inconsistencies")
    console.print(f"consistent: {len(check_names())} checks, no violation")


@app.command()
def reprocess(
    since: Annotated[
        str | None,
        typer.Option(help="only pages fetched on or after this day (YYYY-MM-DD, Korean time)"),
    ] = None,
    db: Annotated[Path | None, typer.Option(help="DuckDB file (default: NEWSMON_DB)")] = None,
) -> None:
    """Re-extract and re-tag archived pages without fetching; articles and mentions are updated in
    place, story assignments are kept. Alerts the new mentions give are recorded as suppressed
    (never sent).

    Example: [bold]newsmon reprocess --since 2026-11-01 --db data/newsmon.duckdb[/bold]
    """
    from datetime import date, datetime, time, timedelta, timezone

    from rich.table import Table

    from flows.console import RichReporter, console
    from flows.reprocess import reprocess as run_reprocess
    from flows.runner import gazetteer_and_tagger_for
    from flows.settings import Settings
    from tasks.alert_rules import AlertRulesError
    from warehouse.database import DatabaseBusy, DatabaseError

    start: datetime | None = None
    if since:
        try:
            day = date.fromisoformat(since)
        except ValueError:
            raise _fail(f"--since wants a day as YYYY-MM-DD, not {since!r}") from None
        start = datetime.combine(day, time(), timezone(timedelta(hours=9)))
    settings = Settings()
    target = db or settings.db
    if not target.exists():
        raise _fail(f"no database at {target} (run `newsmon run` or `newsmon demo` first)")
    gazetteer, tagger = gazetteer_and_tagger_for(settings)
    try:
        with RichReporter() as reporter:
            result = run_reprocess(
                target,
                gazetteer,
                tagger,
                since=start,
                on_total=lambda n: reporter.phase("reprocess", n),
                on_advance=reporter.advance,
                settings=settings,
            )
    except DatabaseBusy as exc:
        raise _fail(str(exc), EXIT_DB_BUSY) from None
    except (DatabaseError, AlertRulesError) as exc:
        raise _fail(str(exc)) from None
    table = Table(title="reprocess")
    for column in ("pages", "changed bodies", "changed titles", "changed quality"):
        table.add_column(column, justify="right")
    table.add_column("mentions before → after", justify="right")
    table.add_column("failed", justify="right")
    table.add_column("alerts replayed (suppressed)", justify="right")
    table.add_row(
        str(result.pages),
        str(result.changed_bodies),
        str(result.changed_titles),
        str(result.changed_quality),
        f"{result.mentions_before} → {result.mentions_after}",
        str(len(result.failed)),
        str(result.alerts_suppressed),
    )
    console.print(table)
    for url, why in result.failed[:10]:
        console.print(f"[red]failed[/red] {url}: {why}", soft_wrap=True)


@app.command("rebuild-summaries")
def rebuild_summaries(
    db: Annotated[Path | None, typer.Option(help="DuckDB file (default: NEWSMON_DB)")] = None,
) -> None:
    """Recompute the summary tables behind the analyst views (entity_daily, entity_weekly,
    entity_rising, co_mentions, alliance_timeline) from articles and mentions. Loads keep them up
    to date; this is for after a manual edit of the base tables.

    Example: [bold]newsmon rebuild-summaries --db data/newsmon.duckdb[/bold]
    """
    from flows.console import console
    from flows.settings import Settings
    from warehouse.database import DatabaseBusy, DatabaseError
    from warehouse.summaries import rebuild_file

    target = db or Settings().db
    if not target.exists():
        raise _fail(f"no database at {target} (run `newsmon run` or `newsmon demo` first)")
    try:
        counts = rebuild_file(target)
    except DatabaseBusy as exc:
        raise _fail(str(exc), EXIT_DB_BUSY) from None
    except DatabaseError as exc:
        raise _fail(str(exc)) from None
    console.print(", ".join(f"{name}: {n:,} rows" for name, n in counts.items()))


@app.command()
def trends(
    entity: Annotated[
        str | None, typer.Option(help="one entity id (e.g. gtaa): its weeks in detail")
    ] = None,
    weeks: Annotated[int, typer.Option(min=1, max=260, help="ISO weeks (KST) to show")] = 8,
    top: Annotated[int, typer.Option(help="how many entities to list")] = 20,
    db: Annotated[Path | None, typer.Option(help="DuckDB file (default: NEWSMON_DB)")] = None,
) -> None:
    """Stories per entity and ISO week (KST), with the rising score from entity_rising.

    Example: [bold]newsmon trends --entity gtaa --weeks 12 --db data/demo.duckdb[/bold]
    """
    from rich.table import Table

    from flows.analytics import entity_name, entity_weeks
    from flows.analytics import trends as read_trends
    from flows.console import console
    from flows.settings import Settings
    from warehouse.database import DatabaseBusy, DatabaseError, open_reader

    try:
        with open_reader(db or Settings().db) as con:
            if entity is not None:
                name = entity_name(con, entity)
                if name is None:
                    raise _fail(f"unknown entity {entity!r} (see: newsmon sql 'FROM entities')")
                columns, rows = entity_weeks(con, entity, weeks)
                found = read_trends(con, weeks, entity=entity, limit=1)
            else:
                found = read_trends(con, weeks, limit=top)
    except DatabaseBusy as exc:
        raise _fail(str(exc), EXIT_DB_BUSY) from None
    except DatabaseError as exc:
        raise _fail(str(exc)) from None
    if entity is not None:
        score = found.rows[0].rising_score if found.rows else None
        title = f"{name} ({entity}) — last {weeks} weeks"
        title += f", rising score {score}" if score is not None else ", not rising"
        table = Table(title=title, header_style="bold")
        for column in columns:
            table.add_column(column, justify="left" if column.endswith("week") else "right")
        for row in rows:
            table.add_row(*(str(v) for v in row))
        console.print(table)
        return
    table = Table(title=f"stories per week (KST), last {weeks} weeks", header_style="bold")
    table.add_column("entity", no_wrap=True)
    table.add_column("name", no_wrap=True, max_width=22, overflow="ellipsis")
    for week in found.weeks:
        table.add_column(week.strftime("%m-%d"), justify="right")
    table.add_column("total", justify="right", style="bold")
    table.add_column("rising", justify="right")
    for r in found.rows:
        cells = [str(n) if n else "·" for n in r.per_week]
        rising = "" if r.rising_score is None else f"{r.rising_score:.2f}"
        table.add_row(r.entity_id, r.name, *cells, str(r.n_stories), rising)
    console.print(table)
    if not found.rows:
        console.print(f"no entity mentioned in the last {weeks} weeks")


class ExportFormat(StrEnum):
    parquet = "parquet"
    csv = "csv"


@app.command()
def export(
    out: Annotated[Path, typer.Option(help="output folder (each table's folder is replaced)")],
    format: Annotated[ExportFormat, typer.Option("--format", "-f")] = ExportFormat.parquet,
    db: Annotated[Path | None, typer.Option(help="DuckDB file (default: NEWSMON_DB)")] = None,
) -> None:
    """Export the tables to Parquet or CSV files, partitioned by month (KST, hive layout).

    Example: [bold]newsmon export --format parquet --out exports/ --db data/demo.duckdb[/bold]
    """
    import duckdb
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.table import Table

    from flows.analytics import MONTHLY_EXPORTS, WHOLE_EXPORTS, export_warehouse
    from flows.console import console, err_console
    from flows.settings import Settings
    from warehouse.database import DatabaseBusy, DatabaseError

    names = (*MONTHLY_EXPORTS, *WHOLE_EXPORTS)
    progress = Progress(
        TextColumn("[bold]export"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[at]}"),
        console=err_console,
    )
    try:
        with progress:
            task = progress.add_task("export", total=len(names), at="")
            result = export_warehouse(
                db or Settings().db,
                out,
                format.value,
                on_table=lambda name: progress.update(task, advance=1, at=name),
            )
    except DatabaseBusy as exc:
        raise _fail(str(exc), EXIT_DB_BUSY) from None
    except DatabaseError as exc:
        raise _fail(str(exc)) from None
    except (duckdb.Error, OSError) as exc:
        raise _fail(f"export failed: {exc}") from None
    table = Table(title=f"exported to {result.out}", header_style="bold")
    table.add_column("table")
    table.add_column("rows", justify="right")
    table.add_column("files", justify="right")
    table.add_column("months", justify="right")
    for name in names:
        files = [
            p for p in result.files if p.relative_to(result.out).parts[0].split(".")[0] == name
        ]
        months = {p.parent.name for p in files if p.parent.name.startswith("month=")}
        table.add_row(name, str(result.rows[name]), str(len(files)), str(len(months)))
    console.print(table)


@app.command()
def report(
    out: Annotated[Path, typer.Option(help="the HTML file to write")] = Path("report.html"),
    weeks: Annotated[int, typer.Option(min=1, max=260, help="ISO weeks for the trend chart")] = 12,
    db: Annotated[Path | None, typer.Option(help="DuckDB file (default: NEWSMON_DB)")] = None,
) -> None:
    """Write a self-contained HTML page of charts (opens offline): weekly stories per alliance,
    top rising entities, entities mentioned together, source health.

    Example: [bold]newsmon report --out report.html --db data/demo.duckdb[/bold]
    """
    import duckdb
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from flows.console import console, err_console
    from flows.report import build_report
    from flows.settings import Settings
    from warehouse.database import DatabaseBusy, DatabaseError

    try:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=err_console) as p:
            p.add_task("reading views and drawing charts", total=None)
            data = build_report(db or Settings().db, out, weeks)
    except DatabaseBusy as exc:
        raise _fail(str(exc), EXIT_DB_BUSY) from None
    except DatabaseError as exc:
        raise _fail(str(exc)) from None
    except (duckdb.Error, OSError) as exc:
        raise _fail(f"report failed: {exc}") from None
    size_kb = out.stat().st_size // 1024
    console.print(
        f"wrote {out} ({size_kb} KB, self-contained): {len(data.rising)} rising entities, "
        f"{len(data.pairs)} entity pairs ({data.pairs_source}), {len(data.health)} sources"
    )


sources_app = typer.Typer(help="Check and list the sources file.", no_args_is_help=True)
app.add_typer(sources_app, name="sources")


@sources_app.command("check")
def sources_check(
    sources: Annotated[
        Path | None, typer.Option(help="sources TOML (default: NEWSMON_SOURCES or packaged)")
    ] = None,
) -> None:
    """Validate the sources file, probe every source and print a verdict per source.

    Verdicts: ok, stale, empty, blocked (robots, 401/403/429), dead (network, 404/410, 5xx,
    unreadable). Exit code 1 when an entry is invalid or no source is usable.

    Example: [bold]newsmon sources check --sources my-sources.toml[/bold]
    """
    import asyncio
    from zoneinfo import ZoneInfo

    from rich.table import Table

    from flows.console import RichReporter, console
    from flows.progress import current_reporter
    from flows.settings import Settings
    from flows.sources_check import check_sources
    from tasks.sources import SourcesError, load_sources

    settings = Settings()
    try:
        parsed = load_sources(sources or settings.sources)
    except SourcesError as exc:
        raise _fail(str(exc)) from None
    for problem in parsed.problems:
        console.print(f"[red]invalid:[/red] {problem}", markup=True, highlight=False)
    with RichReporter() as reporter:
        token = current_reporter.set(reporter)
        try:
            results = asyncio.run(check_sources(parsed.sources, settings))
        finally:
            current_reporter.reset(token)
    colours = {"ok": "green", "stale": "yellow", "empty": "yellow", "blocked": "red", "dead": "red"}
    table = Table(header_style="bold", title="sources")
    for column in ("source", "kind", "items", "newest item (KST)", "HTTP", "ms", "verdict"):
        table.add_column(column, justify="right" if column in ("items", "HTTP", "ms") else "left")
    kst = ZoneInfo("Asia/Seoul")
    for r in results:
        newest = r.newest.astimezone(kst).strftime("%Y-%m-%d %H:%M") if r.newest else ""
        verdict = f"[{colours[r.verdict]}]{r.verdict}[/]"
        if r.reason and r.verdict != "ok":
            verdict += f" ({r.reason[:60]})"
        table.add_row(
            r.source.name,
            r.kind or "",
            str(r.items),
            newest,
            str(r.http_status or ""),
            str(r.latency_ms),
            verdict,
        )
    console.print(table)
    usable = sum(1 for r in results if r.verdict in ("ok", "stale", "empty"))
    if parsed.problems or not usable:
        raise typer.Exit(EXIT_NOTHING_RAN)


@app.command()
def digest(
    since: Annotated[str, typer.Option(help="how far back: 24h, 2d, 1w")] = "24h",
    db: Annotated[Path | None, typer.Option(help="DuckDB file (default: NEWSMON_DB)")] = None,
    send: Annotated[
        bool, typer.Option("--send/--dry-run", help="deliver to the channels, or only print")
    ] = True,
    hide_muted: Annotated[
        bool, typer.Option("--hide-muted", help="leave out alerts that a mute suppressed")
    ] = False,
) -> None:
    """One message per alert channel with the period's stories by alliance, plus the alerts
    that quiet hours held (those count as delivered once their channel accepted the digest).

    Example: [bold]newsmon digest --since 24h --db data/demo.duckdb[/bold]
    """
    import asyncio

    from rich.markdown import Markdown
    from rich.panel import Panel
    from rich.table import Table

    from flows.console import console
    from flows.digest import parse_since, run_digest
    from flows.settings import Settings
    from tasks.alert_rules import KST, AlertRulesError
    from warehouse.database import DatabaseBusy, DatabaseError

    try:
        span = parse_since(since)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    settings = Settings(**({"db": db} if db else {}))  # type: ignore[arg-type]
    try:
        report = asyncio.run(run_digest(settings, span, send=send, hide_muted=hide_muted))
    except DatabaseBusy as exc:
        raise _fail(str(exc), EXIT_DB_BUSY) from None
    except (DatabaseError, AlertRulesError) as exc:
        raise _fail(str(exc)) from None
    if not report.digests:
        since_kst = report.since.astimezone(KST)
        console.print(f"No alerts routed to a channel since {since_kst:%Y-%m-%d %H:%M} KST.")
    for item in report.digests:
        table = Table(header_style="bold", title=f"channel {item.channel}")
        for column in ("rule", "entity", "title", "outlets", "created (KST)"):
            table.add_column(column, justify="right" if column == "outlets" else "left")
        for entry in item.items:
            table.add_row(
                entry.rule + (" (muted)" if entry.muted else ""),
                entry.entity_name,
                entry.title,
                str(entry.n_outlets or ""),
                entry.created_at.astimezone(KST).strftime("%m-%d %H:%M"),
            )
        console.print(table)
        state = "sent" if item.sent else ("not sent: " + item.error if item.error else "dry run")
        console.print(
            Panel(Markdown(item.rendered.markdown), title=item.rendered.title, subtitle=state)
        )
    if send and report.failed:
        raise typer.Exit(EXIT_NOTHING_RAN)


@app.command()
def serve(
    every: Annotated[
        str | None, typer.Option(help="run the monitor at this interval (5s, 2m, 1h), not its cron")
    ] = None,
    db: Annotated[Path | None, typer.Option(help="DuckDB file for every flow")] = None,
    sources: Annotated[Path | None, typer.Option(help="sources TOML for the monitor")] = None,
    group: Annotated[str | None, typer.Option(help="the monitor runs only this group")] = None,
    only: Annotated[
        list[str] | None, typer.Option(help="serve only this deployment (repeatable)")
    ] = None,
    prefect_file: Annotated[Path | None, typer.Option(help="deployments file")] = None,
    server_port: Annotated[
        int, typer.Option(help="port of the Prefect server started when PREFECT_API_URL is unset")
    ] = 4200,
    grace: Annotated[
        float, typer.Option(help="seconds a run in flight may finish after SIGTERM")
    ] = 120.0,
    log_level: Annotated[str, typer.Option(help="Prefect log level of the served runs")] = "INFO",
) -> None:
    """Serve every deployment of deploy/prefect.yaml (monitor every 15 min, digest 08:30 KST,
    weekly report) from this process until SIGTERM; starts a local Prefect server on 127.0.0.1 when
    PREFECT_API_URL is unset.

    Example: [bold]newsmon serve --every 5m --db data/newsmon.duckdb[/bold]
    """
    os.environ["PREFECT_LOGGING_LEVEL"] = log_level.upper()
    from flows.serve import main as serve_main

    serve_main(every, db, sources, group, only or [], prefect_file, server_port, grace)


alerts_app = typer.Typer(help="Operate the alert outbox.", no_args_is_help=True)
app.add_typer(alerts_app, name="alerts")
alerts_app.add_typer(mute_app)  # alerts mute | unmute | mutes


@alerts_app.command("list")
def alerts_list(
    status: Annotated[
        str | None, typer.Option(help="pending, sent, failed, suppressed or held")
    ] = None,
    limit: Annotated[int, typer.Option(help="how many rows")] = 30,
    db: Annotated[Path | None, typer.Option(help="DuckDB file (default: NEWSMON_DB)")] = None,
) -> None:
    """The newest outbox rows: status, attempts, channels, outlets and the last error.

    Example: [bold]newsmon alerts list --status pending --db data/demo.duckdb[/bold]
    """
    from rich.table import Table

    from flows.console import console
    from flows.settings import Settings
    from tasks.alert_rules import KST
    from warehouse.database import DatabaseBusy, DatabaseError, open_reader, query

    try:
        with open_reader(db or Settings().db) as con:
            rows = con.execute(query("alert_list"), {"status": status, "limit": limit}).fetchall()
    except DatabaseBusy as exc:
        raise _fail(str(exc), EXIT_DB_BUSY) from None
    except DatabaseError as exc:
        raise _fail(str(exc)) from None
    table = Table(header_style="bold", title="alerts")
    for column in ("id", "rule", "entity", "status", "tries", "channels", "outlets", "title"):
        table.add_column(column, justify="right" if column in ("tries", "outlets") else "left")
    for r in rows:
        channels = ", ".join(f"{c}{'' if c in (r[6] or []) else '?'}" for c in (r[5] or []))
        when = r[10].astimezone(KST).strftime("%m-%d %H:%M")
        status_text = r[3] + (f" ({r[9][:60]})" if r[9] and r[3] != "sent" else "")
        table.add_row(
            r[0], r[1], r[2], status_text, str(r[4]), channels, str(r[7] or ""), f"{when} {r[8]}"
        )
    console.print(table)
    console.print("channels marked ? have not accepted the alert yet")


@alerts_app.command("resend")
def alerts_resend(
    alert_id: Annotated[str, typer.Argument(help="the alert_id (see newsmon alerts list)")],
    db: Annotated[Path | None, typer.Option(help="DuckDB file (default: NEWSMON_DB)")] = None,
) -> None:
    """Deliver one alert again, to all its channels, now.

    Waits for a running monitor run or digest to finish first: they share the run lock.

    Example: [bold]newsmon alerts resend 3f2a9c0d1e2b4a5c6d7e[/bold]
    """
    import asyncio

    from flows.alerts import load_alert_config, resend_alert
    from flows.console import console
    from flows.settings import Settings
    from tasks.alert_rules import AlertRulesError
    from warehouse.database import DatabaseBusy, DatabaseError

    settings = Settings(**({"db": db} if db else {}))  # type: ignore[arg-type]
    try:
        config = load_alert_config(settings)
        counts = asyncio.run(resend_alert(settings, config, alert_id))
        if counts is None:
            raise _fail(f"no alert {alert_id!r}")
    except DatabaseBusy as exc:
        raise _fail(str(exc), EXIT_DB_BUSY) from None
    except (DatabaseError, AlertRulesError) as exc:
        raise _fail(str(exc)) from None
    console.print(f"delivered {counts.sent}, failed {counts.failed}")
    for error in counts.errors:
        console.print(f"[red]{error}[/red]", highlight=False)
    if counts.failed:
        raise typer.Exit(EXIT_NOTHING_RAN)


@alerts_app.command("test")
def alerts_test(
    target: Annotated[
        str, typer.Argument(help="an Apprise URL, or the name of a configured channel")
    ],
) -> None:
    """Send a test message to one Apprise URL or channel and say whether it was accepted.

    Example: [bold]newsmon alerts test json://127.0.0.1:8080/alerts[/bold]
    """
    from flows.alerts import load_alert_config
    from flows.console import console
    from flows.settings import Settings
    from tasks.alert_rules import AlertRulesError
    from tasks.alerting import deliver, redact_url

    try:
        config = load_alert_config(Settings())
    except AlertRulesError as exc:
        raise _fail(str(exc)) from None
    channel = config.channels.get(target)
    urls = list(channel.urls) if channel else [target]
    fmt = channel.format if channel else "markdown"
    if not urls:
        raise _fail(f"channel {target!r} has no URL configured")
    title = "newsmon test alert"
    body = "**newsmon** can reach this channel." if fmt == "markdown" else "newsmon can reach it."
    plain = {"test": "newsmon can reach this channel."}  # for text-only services
    (result,) = deliver([("test", title, body)], urls, fmt, plain)
    names = ", ".join(redact_url(u) for u in urls)
    if not result.ok:
        raise _fail(f"{names}: {result.error}")
    console.print(f"[green]accepted[/green] by {names}", highlight=False)


@alerts_app.command("feed")
def alerts_feed(
    out: Annotated[Path, typer.Option(help="where to write the Atom XML")] = Path("alerts.xml"),
    limit: Annotated[int, typer.Option(help="newest alerts to include")] = 200,
    db: Annotated[Path | None, typer.Option(help="DuckDB file (default: NEWSMON_DB)")] = None,
) -> None:
    """Write an Atom feed of the newest alerts (suppressed ones left out) for feed readers.

    Example: [bold]newsmon alerts feed --out alerts.xml --db data/demo.duckdb[/bold]
    """
    from datetime import UTC, datetime

    from flows.console import console
    from flows.settings import Settings
    from tasks.alerting import FeedEntry, render_atom
    from warehouse.database import DatabaseBusy, DatabaseError, open_reader, query

    try:
        with open_reader(db or Settings().db) as con:
            rows = con.execute(query("alert_feed"), {"limit": limit}).fetchall()
    except DatabaseBusy as exc:
        raise _fail(str(exc), EXIT_DB_BUSY) from None
    except DatabaseError as exc:
        raise _fail(str(exc)) from None
    entries = [FeedEntry(r[0], r[1], r[2], r[3], r[4], r[5], r[6] or r[5]) for r in rows]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(render_atom(entries, datetime.now(UTC)))
    console.print(f"{len(entries)} alert(s) → {out}", highlight=False)


if __name__ == "__main__":
    app()
