"""The CLI's contract: exit codes, one-line reasons instead of tracebacks, read-only SQL."""

from __future__ import annotations

import json
import multiprocessing
import socket
from multiprocessing.synchronize import Event
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from demo.newsite import NewsSite
from flows.cli import app
from warehouse.database import open_writer

runner = CliRunner()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("command", ["run", "demo", "sql", "summary"])
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output


def test_run_exits_1_with_one_line_when_every_source_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSMON_ALLOW_PRIVATE_NETWORKS", "true")
    monkeypatch.setenv("NEWSMON_TIMEOUT_S", "1")
    sources = tmp_path / "s.toml"
    sources.write_text(
        f'[[sources]]\nname = "down"\nurl = "http://127.0.0.1:{_closed_port()}/rss"\nlang = "ko"\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["run", "--sources", str(sources), "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 1
    assert "every source failed" in result.output
    assert "Traceback" not in result.output
    con = duckdb.connect(str(tmp_path / "x.db"), read_only=True)
    rows = con.execute("SELECT error FROM fetch_log").fetchall()
    status = con.execute("SELECT status FROM runs").fetchall()
    con.close()
    assert rows == [("connect",)] and status == [("failed",)]


def test_run_with_unusable_sources_file_exits_1(tmp_path: Path) -> None:
    sources = tmp_path / "s.toml"
    sources.write_text("[[sources]]\nname = 'x'\n", encoding="utf-8")
    result = runner.invoke(app, ["run", "--sources", str(sources), "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 1
    assert "no usable source" in result.output


def test_run_prints_report_and_exits_0_when_some_sources_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSMON_ALLOW_PRIVATE_NETWORKS", "true")
    with NewsSite() as site:
        site.set_fault("/feeds/en.atom", "status", status=500)
        sources = tmp_path / "s.toml"
        sources.write_text(site.render_sources_toml(), encoding="utf-8")
        db = tmp_path / "cli.duckdb"
        result = runner.invoke(
            app, ["run", "--sources", str(sources), "--db", str(db), "--no-alerts"]
        )
    assert result.exit_code == 0, result.output
    assert "failed sources" in result.output and "demo-en" in result.output
    out = runner.invoke(
        app, ["sql", "SELECT count(*) AS n FROM articles", "--db", str(db), "-f", "json"]
    )
    assert out.exit_code == 0
    assert json.loads(out.output)[0]["n"] > 0


@pytest.fixture
def small_db(tmp_path: Path) -> Path:
    db = tmp_path / "s.duckdb"
    with open_writer(db) as con:
        con.execute(
            "INSERT INTO sources VALUES ('a', 'https://x', 'rss', 'ko', 'g', now())"
        ).fetchall()
    return db


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("csv", "source_name,lang\na,ko\n"), ("json", '"source_name": "a"'), ("table", "a")],
)
def test_sql_formats(small_db: Path, fmt: str, expected: str) -> None:
    result = runner.invoke(
        app, ["sql", "SELECT source_name, lang FROM sources", "--db", str(small_db), "-f", fmt]
    )
    assert result.exit_code == 0
    assert expected in result.output


def test_sql_is_read_only_and_errors_are_one_line(small_db: Path) -> None:
    result = runner.invoke(app, ["sql", "DELETE FROM sources", "--db", str(small_db)])
    assert result.exit_code == 1
    assert "query failed" in result.output and "read-only" in result.output.lower()
    missing = runner.invoke(app, ["sql", "SELECT 1", "--db", str(small_db.parent / "none.db")])
    assert missing.exit_code == 1 and "no database" in missing.output


def _hold(path: str, ready: Event, release: Event) -> None:
    con = duckdb.connect(path)
    ready.set()
    release.wait(30)
    con.close()


def test_sql_while_another_process_writes_exits_3_naming_it(small_db: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold, args=(str(small_db), ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        result = runner.invoke(app, ["sql", "SELECT 1", "--db", str(small_db)])
        assert result.exit_code == 3
        assert f"in use by process {holder.pid}" in result.output
    finally:
        release.set()
        holder.join(30)


def test_sources_check_prints_verdicts_and_flags_invalid_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSMON_ALLOW_PRIVATE_NETWORKS", "true")
    monkeypatch.setenv("COLUMNS", "200")
    with NewsSite() as site:
        site.set_fault("/feeds/en.atom", "status", status=403)
        sources = tmp_path / "s.toml"
        sources.write_text(
            site.render_sources_toml()
            + f'\n[[sources]]\nname = "down"\nurl = "http://127.0.0.1:{_closed_port()}/x"\n'
            'lang = "en"\n',
            encoding="utf-8",
        )
        result = runner.invoke(app, ["sources", "check", "--sources", str(sources)])
        assert result.exit_code == 0, result.output
        rows = {
            line.split("│")[1].strip(): line for line in result.output.splitlines() if "│" in line
        }
        assert "ok" in rows["demo-ko"] and "rss" in rows["demo-ko"]
        assert "blocked" in rows["demo-en"] and "403" in rows["demo-en"]
        assert "dead" in rows["down"]
        sources.write_text(sources.read_text() + '\n[[sources]]\nname = "bad"\nurl = "x"\n')
        invalid = runner.invoke(app, ["sources", "check", "--sources", str(sources)])
        assert invalid.exit_code == 1
        assert "sources[5] (bad)" in invalid.output and "lang" in invalid.output


def test_sql_cannot_write_or_read_other_files(small_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "leak.csv"
    result = runner.invoke(app, ["sql", f"COPY sources TO '{target}'", "--db", str(small_db)])
    assert result.exit_code == 1 and not target.exists()
    read = runner.invoke(
        app, ["sql", "SELECT * FROM read_text('/etc/hostname')", "--db", str(small_db)]
    )
    assert read.exit_code == 1 and "disabled" in read.output
