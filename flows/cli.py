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


if __name__ == "__main__":
    app()
