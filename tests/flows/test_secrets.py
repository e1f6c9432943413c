"""Secrets never leave the alert channel: grep everything runs leave behind for the token.

Three runs with Apprise URLs holding one password/token (a working channel, one whose server is
down and comes from a Prefect Secret block, one Apprise rejects): in-process with every log
record captured, as a ``newsmon run`` subprocess with Prefect's DEBUG logging, and a run where
every source fails (so the failure hook delivers too). Then the token is searched in the logs,
stdout/stderr, every column of every table and view, the Prefect API's logs, artifacts, flow and
task runs, CLI output, and every file in the data directory.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from prefect.blocks.system import Secret
from prefect.client.orchestration import get_client
from prefect.settings import PREFECT_API_URL
from pydantic import SecretStr
from typer.testing import CliRunner

from demo.newsite import NewsSite
from demo.receiver import WebhookReceiver
from flows.cli import app
from tests.flows.conftest import run_flow

pytestmark = pytest.mark.e2e

TOKEN = "s3cr3tTOK"
"""Short on purpose: below the 12-character length that redact_url masks by pattern."""
BLOCK = "newsmon-test-alert-urls"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """caplog at DEBUG on the root logger and on Prefect's (which does not propagate)."""
    caplog.set_level(logging.DEBUG)
    prefect_logger = logging.getLogger("prefect")
    prefect_logger.addHandler(caplog.handler)
    try:
        yield caplog
    finally:
        prefect_logger.removeHandler(caplog.handler)


def _db_text(db: Path) -> dict[str, str]:
    """Every table and view as text, all columns."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [
            str(r[0])
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
            ).fetchall()
        ]
        return {n: repr(con.execute(f'SELECT * FROM "{n}"').fetchall()) for n in names}
    finally:
        con.close()


async def _prefect_text() -> dict[str, str]:
    async with get_client() as client:
        logs = await client.read_logs()
        artifacts = await client.read_artifacts()
        flow_runs = await client.read_flow_runs()
        task_runs = await client.read_task_runs()
    return {
        "prefect logs": "\n".join(log.message for log in logs),
        "prefect artifacts": repr([(a.key, a.description, a.data) for a in artifacts]),
        "prefect flow runs": repr(
            [(r.name, r.parameters, r.state and r.state.message) for r in flow_runs]
        ),
        "prefect task runs": repr([(r.name, r.state and r.state.message) for r in task_runs]),
    }


def test_alert_secrets_appear_nowhere_a_run_leaves(
    site: NewsSite,
    receiver: WebhookReceiver,
    tmp_path: Path,
    all_logs: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    working = f"json://alice:{TOKEN}@127.0.0.1:{receiver.port}/hook/{TOKEN}"
    down = f"json://bob:{TOKEN}@127.0.0.1:{_closed_port()}/in/{TOKEN}?token={TOKEN}"
    rejected = f"nosuchservice://{TOKEN}@example.com/{TOKEN}"
    Secret(value=SecretStr(down)).save(BLOCK, overwrite=True)
    urls = f"{working} prefect-secret:{BLOCK} {rejected}"
    env = {
        "NEWSMON_ALLOW_PRIVATE_NETWORKS": "true",
        "NEWSMON_ALERT_URLS": urls,
        "NEWSMON_TIMEOUT_S": "2",
        "NEWSMON_FETCH_RETRIES": "0",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    data = tmp_path / "data"
    data.mkdir()
    db = data / "newsmon.duckdb"
    sources = tmp_path / "sources.toml"
    sources.write_text(site.render_sources_toml(), encoding="utf-8")

    first = run_flow(sources, db)
    assert first.is_completed(), first.message
    assert receiver.messages, "the working channel must have received the alerts"

    site.publish(
        "/news/secret-2.html",
        "<html><body><article><h1>SK텔레콤, 글로벌 텔코 AI 얼라이언스 새 협력</h1>"
        + "<p>SK텔레콤은 글로벌 텔코 AI 얼라이언스 회원사와 새 모델을 공개했다.</p>" * 20
        + "</article></body></html>",
        title="SK텔레콤, 글로벌 텔코 AI 얼라이언스 새 협력",
    )
    child_env = {
        **env,
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "PREFECT_LOGGING_LEVEL": "DEBUG",
    }
    child = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", "--sources", str(sources), "--db", str(db)],
        env=child_env,
        capture_output=True,
        timeout=120,
    )
    assert child.returncode == 0, child.stderr.decode()[-2000:]

    dead = tmp_path / "dead.toml"
    dead.write_text(
        f'[[sources]]\nname = "dead"\nurl = "http://127.0.0.1:{_closed_port()}/feed.xml"\n'
        'kind = "rss"\nlang = "ko"\n',
        encoding="utf-8",
    )
    failed = run_flow(dead, data / "failed.duckdb")
    assert failed.is_failed()

    cli = CliRunner()
    outputs = [
        cli.invoke(app, ["alerts", "list", "--db", str(db)]).output,
        cli.invoke(app, ["alerts", "test", down]).output,
        cli.invoke(app, ["alerts", "test", rejected]).output,
    ]

    captured = capfd.readouterr()
    haystacks: dict[str, str] = {
        "log records": "\n".join(
            f"{r.getMessage()} {r.exc_text or ''} {r.args!r}" for r in all_logs.records
        ),
        "stdout/stderr in process": captured.out + captured.err,
        "subprocess stdout": child.stdout.decode("utf-8", "replace"),
        "subprocess stderr": child.stderr.decode("utf-8", "replace"),
        "failed state": str(failed.message),
        "cli output": "\n".join(outputs),
        **{f"table {k}": v for k, v in _db_text(db).items()},
        **asyncio.run(_prefect_text()),
    }
    for path in data.rglob("*"):
        if path.is_file():
            haystacks[f"file {path.name}"] = path.read_bytes().decode("latin-1")

    # the grep is not vacuous: failures were recorded and Apprise logged its requests
    assert "not accepted" in haystacks["table alerts"]
    assert "invalid channel" in haystacks["table alerts"]
    assert "JSON POST" in haystacks["log records"] + haystacks["subprocess stderr"]
    leaks = sorted(name for name, text in haystacks.items() if TOKEN in text)
    assert leaks == [], "\n".join(f"{name}: {_around(haystacks[name])!r}" for name in leaks)


def _around(text: str) -> str:
    at = text.find(TOKEN)
    return text[max(0, at - 200) : at + 100]


def test_credentials_in_a_source_url_are_used_but_never_stored_or_logged(
    site: NewsSite,
    tmp_path: Path,
    all_logs: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A feed behind basic auth (`https://user:secret@host/feed`): the fetch sends the
    credentials, the database, logs and output show `***@` instead; a second source with a
    password whose host is down leaves its error without it; the rerun still sends the stored
    validators back (the feed answers 304)."""
    monkeypatch.setenv("NEWSMON_ALLOW_PRIVATE_NETWORKS", "true")
    monkeypatch.setenv("NEWSMON_ALERT_URLS", "")
    monkeypatch.setenv("NEWSMON_TIMEOUT_S", "2")
    feed = site.url("/feeds/en.atom").replace("://", f"://reader:{TOKEN}@", 1)
    down = f"http://reader:{TOKEN}@127.0.0.1:{_closed_port()}/feed.xml"
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f'[[sources]]\nname = "private-en"\nurl = "{feed}"\nkind = "atom"\nlang = "en"\n\n'
        f'[[sources]]\nname = "private-down"\nurl = "{down}"\nkind = "rss"\nlang = "en"\n',
        encoding="utf-8",
    )
    db = tmp_path / "creds.duckdb"
    assert run_flow(sources, db, send_alerts=False).is_completed()
    assert run_flow(sources, db, send_alerts=False).is_completed()
    out, err = capfd.readouterr()
    places = {**_db_text(db), "logs": all_logs.text, "stdout": out, "stderr": err}
    leaks = {name: _around(text) for name, text in places.items() if TOKEN in text}
    assert not leaks, leaks
    con = duckdb.connect(str(db), read_only=True)
    try:
        stored = con.execute("SELECT url FROM sources ORDER BY source_name").fetchall()
        feed_fetches = con.execute(
            "SELECT not_modified FROM fetch_log WHERE source_name = 'private-en'"
            " AND purpose = 'feed' ORDER BY requested_at"
        ).fetchall()
        articles = con.execute("SELECT count(*) FROM articles").fetchall()[0][0]
    finally:
        con.close()
    assert [str(u).split("@")[0] for (u,) in stored] == ["http://***", "http://***"]
    assert articles > 0  # the credentials were sent: the feed was read
    assert feed_fetches[-1] == (True,)  # validators found under the stored URL: a 304
