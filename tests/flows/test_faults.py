"""A broken source (500, timeout, malformed feed) or a failing page never stops the others."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from demo.manifest import load_manifest
from demo.newsite import NewsSite
from demo.receiver import WebhookReceiver
from tasks.urls import url_key
from tests.flows.conftest import query_rows as _rows
from tests.flows.conftest import run_flow

MANIFEST = load_manifest()


def test_broken_sources_and_pages_do_not_stop_the_run(
    site: NewsSite,
    receiver: WebhookReceiver,
    local_env: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("NEWSMON_TIMEOUT_S", "0.5")
    failing_page = MANIFEST.page("ko-airan-jeonja")
    site.set_fault("/feeds/en.atom", "status", status=500)
    site.set_fault("/feeds/ko-euckr.rss", "timeout", seconds=5)
    site.set_fault(failing_page.path, "status", status=503)
    site.add_page("/feeds/garbage.xml", b"\x00\xff<<not xml", "application/rss+xml")
    sources = tmp_path / "sources.toml"
    sources.write_text(
        site.render_sources_toml(include_broken=True)
        + f'\n[[sources]]\nname = "demo-garbage"\nurl = "{site.base_url}/feeds/garbage.xml"\n'
        'kind = "rss"\nlang = "ko"\n'
        '\n[[sources]]\nname = "bad entry"\nurl = "gopher://x"\nlang = "ko"\n',
        encoding="utf-8",
    )
    db = tmp_path / "faults.duckdb"

    state = run_flow(sources, db)
    assert state.is_completed(), state.message
    report = state.result()
    # the truncated feed is recovered (one item, with a warning); garbage, 500 and timeout fail
    assert (report.sources_ok, report.sources_failed) == (2, 3)
    assert any("demo-broken" in p and "malformed" in p for p in report.problems)
    assert any("bad entry" in p and "url" in p for p in report.problems)
    assert report.pages_failed == 2  # the 503 page and the truncated feed's missing page

    errors = dict(
        _rows(db, "SELECT source_name, error FROM fetch_log WHERE purpose = 'feed' ORDER BY 1")
    )
    assert errors == {
        "demo-broken": None,
        "demo-en": "http_5xx",
        "demo-garbage": "parse",
        "demo-ko": None,
        "demo-ko-euckr": "timeout",
    }
    page_errors = _rows(
        db,
        "SELECT error, http_status FROM fetch_log "
        "WHERE purpose = 'article' AND error IS NOT NULL ORDER BY 2",
    )
    assert page_errors == [("http_4xx", 404), ("http_5xx", 503)]
    ko_pages = [p for p in MANIFEST.pages_in_feed("ko") if p.id != failing_page.id]
    keys = {r[0] for r in _rows(db, "SELECT url_key FROM articles")}
    assert keys == {url_key(site.url(p.feed_link)) for p in ko_pages}
    health = dict(_rows(db, "SELECT source_name, consecutive_failures FROM source_health"))
    assert health["demo-en"] == 1 and health["demo-ko"] == 0

    site.clear_faults()
    state = run_flow(sources, db)
    assert state.is_completed(), state.message
    keys = {r[0] for r in _rows(db, "SELECT url_key FROM articles")}
    assert keys >= {url_key(site.url(p.feed_link)) for p in MANIFEST.pages}
    alerts = _rows(db, "SELECT rule, entity_id, story_id, count(*) FROM alerts GROUP BY ALL")
    assert all(r[3] == 1 for r in alerts)
    assert len(receiver.messages) == len(alerts)
    health = dict(_rows(db, "SELECT source_name, consecutive_failures FROM source_health"))
    assert health["demo-en"] == 0


def test_failed_alert_delivery_stays_pending_and_is_retried(
    site: NewsSite, receiver: WebhookReceiver, local_env: None, tmp_path: Path
) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(site.render_sources_toml(), encoding="utf-8")
    db = tmp_path / "alerts.duckdb"
    receiver.fail_next(1000, status=500)
    state = run_flow(sources, db)
    assert state.is_completed()
    report = state.result()
    assert report.alerts_created > 0 and report.alerts_sent == 0
    pending = _rows(db, "SELECT status, attempts, last_error FROM alerts")
    assert {r[0] for r in pending} == {"pending"}
    assert all(r[1] == 1 and "not accepted" in str(r[2]) for r in pending)
    assert "json://127.0.0.1" in str(pending[0][2])

    receiver.fail_next(0)
    con = duckdb.connect(str(db))
    con.execute("UPDATE alerts SET next_attempt_at = now() - INTERVAL 1 MINUTE").fetchall()
    con.close()
    state = run_flow(sources, db)
    assert state.result().alerts_sent == report.alerts_created
    assert {r[0] for r in _rows(db, "SELECT status FROM alerts")} == {"sent"}
    assert len(receiver.messages) == report.alerts_created


def test_no_alerts_flag_suppresses_and_never_sends_later(
    site: NewsSite, receiver: WebhookReceiver, local_env: None, tmp_path: Path
) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(site.render_sources_toml(), encoding="utf-8")
    db = tmp_path / "quiet.duckdb"
    assert run_flow(sources, db, send_alerts=False).is_completed()
    assert {r[0] for r in _rows(db, "SELECT status FROM alerts")} == {"suppressed"}
    assert run_flow(sources, db).is_completed()
    assert receiver.messages == []
