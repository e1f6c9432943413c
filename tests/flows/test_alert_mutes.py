"""Mutes, message forms and the run lock against real local webhook receivers and a real DuckDB
file: the monitor flow for mute → suppressed → unmute → alert, the outbox functions with an
injected clock for expiry."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from demo.newsite import NewsSite
from demo.receiver import WebhookReceiver
from flows.alert_mutes import MuteError, add_mute, check_rule, lift_mutes, resolve_entity
from flows.alerts import AlertConfig, deliver_due, resend_alert, route_new
from flows.cli import EXIT_DB_BUSY, app
from flows.digest import run_digest
from flows.settings import Settings
from tasks.alert_rules import load_alert_rules, resolve_channels
from tasks.gazetteer import load_gazetteer
from tasks.models import Alert
from tests.flows.conftest import query_rows, run_flow
from warehouse import loading
from warehouse.database import DatabaseBusy, open_writer, run_lock


def _config(urls: list[str]) -> AlertConfig:
    rules = load_alert_rules()
    return AlertConfig(rules, resolve_channels(rules, urls, {}), None)


def _alert(
    alert_id: str, entity: str, created: datetime, rule: str = "alliance_new_story"
) -> Alert:
    return Alert(
        alert_id,
        rule,
        entity,
        f"story-{alert_id}",
        "a1",
        f"{entity}: story {alert_id}",
        f"**{entity}** in story {alert_id}",
        created,
        text=f"{entity} in «story {alert_id}»",
    )


GTAA_STORY = (
    "SK텔레콤과 도이치텔레콤이 참여한 글로벌 텔코 AI 얼라이언스가 통신 특화 거대언어모델의 "
    "두 번째 버전을 내년 봄 공개한다고 밝혔다. 새 모델은 고객센터 상담과 망 운영 자동화에 "
    "먼저 쓰인다. 회원사들은 학습 데이터를 함께 모으고 평가 기준도 통일하기로 했다. 업계는 "
    "통신사 연합이 빅테크 의존을 줄이려는 시도로 보고 있다."
)
_GTAA_ALERTS = "rule <> 'entity_spike' AND (entity_id = 'gtaa' OR entity_id LIKE 'gtaa+%')"


def test_mute_suppresses_then_unmute_lets_the_next_story_alert(
    site: NewsSite, receiver: WebhookReceiver, local_env: None, tmp_path: Path
) -> None:
    sources = tmp_path / "sources.toml"  # the Korean feed only: the GTAA stories, half the work
    blocks = site.render_sources_toml().split("[[sources]]")
    sources.write_text(
        "".join(f"[[sources]]{b}" for b in blocks[1:] if 'name = "demo-ko"' in b),
        encoding="utf-8",
    )
    db = tmp_path / "mute.duckdb"
    cli = CliRunner()
    muted = cli.invoke(
        app, ["alerts", "mute", "gtaa", "--for", "7d", "--reason", "MWC week", "--db", str(db)]
    )
    assert muted.exit_code == 0 and "MWC week" in muted.output, muted.output
    listed = cli.invoke(app, ["alerts", "mutes", "--db", str(db)])
    assert "gtaa" in listed.output and "all rules" in listed.output and "MWC week" in listed.output
    typo = cli.invoke(app, ["alerts", "mute", "gtaaa", "--db", str(db)])
    assert typo.exit_code == 1 and "close matches: gtaa (Global Telco AI Alliance)" in typo.output

    assert run_flow(sources, db).is_completed()
    first = query_rows(
        db, f"SELECT title, status, last_error, muted_until FROM alerts WHERE {_GTAA_ALERTS}"
    )
    assert first and all(r[1] == "suppressed" and r[3] is not None for r in first)
    reasons = {str(r[2]) for r in first}
    assert all(r.startswith("muted until ") and r.endswith("(MWC week)") for r in reasons)
    sent_titles = [str(m.get("title")) for m in receiver.messages]
    assert sent_titles  # other alliances' alerts went out
    assert not {r[0] for r in first} & set(sent_titles)

    shown = asyncio.run(run_digest(Settings(db=db), timedelta(hours=24), send=False))
    (digest,) = shown.digests
    assert "Global Telco AI Alliance" in digest.rendered.markdown
    assert "(muted)" in digest.rendered.markdown and "(muted)" in digest.rendered.text
    hidden = asyncio.run(
        run_digest(Settings(db=db), timedelta(hours=24), send=False, hide_muted=True)
    )
    assert "Global Telco AI Alliance" not in hidden.digests[0].rendered.markdown

    unmuted = cli.invoke(app, ["alerts", "unmute", "gtaa", "--db", str(db)])
    assert unmuted.exit_code == 0 and "lifted" in unmuted.output, unmuted.output
    assert "no alert mutes" in cli.invoke(app, ["alerts", "mutes", "--db", str(db)]).output
    title = "글로벌 텔코 AI 얼라이언스, 통신 LLM 2세대 내년 공개"
    page = (
        f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><article>"
        f"<h1>{title}</h1><p>{GTAA_STORY}</p></article></body></html>"
    )
    site.publish("/mute/gtaa-llm2.html", page, title=title, feed="ko")
    before = len(receiver.messages)
    assert run_flow(sources, db).is_completed()
    second = query_rows(db, f"SELECT title, status FROM alerts WHERE {_GTAA_ALERTS}")
    new = [r for r in second if r[0] not in {f[0] for f in first}]
    assert ("sent" in {r[1] for r in new}) and any("2세대" in str(r[0]) for r in new)
    assert {r[1] for r in second if r[0] in {f[0] for f in first}} == {"suppressed"}
    sent_now = [str(m.get("title")) for m in receiver.messages[before:]]
    assert any("2세대" in t for t in sent_now)
    assert not {r[0] for r in first} & set(sent_now)  # never sent when the mute ended


def test_a_mute_expires_by_the_clock_and_can_be_lifted(
    receiver: WebhookReceiver, tmp_path: Path
) -> None:
    settings = Settings(db=tmp_path / "expiry.duckdb", alert_urls=[receiver.apprise_url])
    config = _config(settings.alert_urls)
    t0 = datetime.now(UTC) - timedelta(days=30)
    with open_writer(settings.db) as con:
        add_mute(con, "gtaa", timedelta(days=7), reason="noisy week", now=t0)
        add_mute(con, "kt", timedelta(days=30), rule="entity_spike", now=t0)
        loading.enqueue_alerts(
            con,
            [
                _alert("during", "gtaa", t0 + timedelta(days=1)),
                _alert("kt-spike", "kt", t0 + timedelta(days=1), rule="entity_spike"),
                _alert("kt-story", "kt", t0 + timedelta(days=1)),
            ],
        )
        route_new(con, config, send_alerts=True, now=t0 + timedelta(days=1))
        loading.enqueue_alerts(con, [_alert("after", "gtaa", t0 + timedelta(days=8))])
        route_new(con, config, send_alerts=True, now=t0 + timedelta(days=8))
        add_mute(con, "gtaa", timedelta(days=7), now=t0 + timedelta(days=9))
        assert [m.entity_id for m in lift_mutes(con, "gtaa", now=t0 + timedelta(days=10))] == [
            "gtaa"
        ]
        loading.enqueue_alerts(con, [_alert("lifted", "gtaa", t0 + timedelta(days=10))])
        route_new(con, config, send_alerts=True, now=t0 + timedelta(days=10))
    assert asyncio.run(deliver_due(settings, config)).sent == 3
    assert asyncio.run(deliver_due(settings, config)).sent == 0
    rows = dict(
        (r[0], r[1:])
        for r in query_rows(
            settings.db, "SELECT alert_id, status, muted_until, last_error FROM alerts"
        )
    )
    assert rows["during"][:2] == ("suppressed", t0 + timedelta(days=7))
    assert str(rows["during"][2]).endswith("(noisy week)")
    assert rows["kt-spike"][0] == "suppressed"  # a rule-scoped mute
    assert {rows[k][0] for k in ("kt-story", "after", "lifted")} == {"sent"}
    titles = {m["title"] for m in receiver.messages}
    assert titles == {"kt: story kt-story", "gtaa: story after", "gtaa: story lifted"}


def test_text_and_markdown_forms_reach_each_receiver(tmp_path: Path) -> None:
    with WebhookReceiver() as chat, WebhookReceiver() as sms:
        urls = [chat.apprise_url, sms.apprise_url + "?format=text"]
        settings = Settings(db=tmp_path / "forms.duckdb", alert_urls=urls)
        config = _config(urls)
        with open_writer(settings.db) as con:
            loading.enqueue_alerts(con, [_alert("one", "gtaa", datetime.now(UTC))])
            route_new(con, config, send_alerts=True)
        assert asyncio.run(deliver_due(settings, config)).sent == 1
        assert chat.messages[-1]["message"] == "**gtaa** in story one"
        assert sms.messages[-1]["message"] == "gtaa in «story one»"
        report = asyncio.run(run_digest(settings, timedelta(hours=1)))
        assert report.sent == 1
        assert "**gtaa**" in chat.messages[-1]["message"]
        text_digest = str(sms.messages[-1]["message"])
        assert "gtaa (1)" in text_digest and "**" not in text_digest
        assert chat.messages[-1]["title"] == sms.messages[-1]["title"]


def test_digest_and_resend_wait_for_the_run_lock(
    receiver: WebhookReceiver, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    db = tmp_path / "locked.duckdb"
    settings = Settings(db=db, alert_urls=[receiver.apprise_url], run_lock_wait_s=0.1)
    config = _config(settings.alert_urls)
    with open_writer(db) as con:
        loading.enqueue_alerts(con, [_alert("one", "gtaa", datetime.now(UTC))])
    monkeypatch.setenv("NEWSMON_RUN_LOCK_WAIT_S", "0.1")
    monkeypatch.setenv("NEWSMON_ALERT_URLS", receiver.apprise_url)
    with run_lock(db, "monitor-under-test"):
        with pytest.raises(DatabaseBusy, match="monitor-under-test"):
            asyncio.run(run_digest(settings, timedelta(hours=1)))
        with pytest.raises(DatabaseBusy, match="monitor-under-test"):
            asyncio.run(resend_alert(settings, config, "one"))
        busy = CliRunner().invoke(app, ["digest", "--db", str(db)])
        assert busy.exit_code == EXIT_DB_BUSY, busy.output
        busy = CliRunner().invoke(app, ["alerts", "resend", "one", "--db", str(db)])
        assert busy.exit_code == EXIT_DB_BUSY, busy.output
    assert receiver.messages == []
    counts = asyncio.run(resend_alert(settings, config, "one"))
    assert counts is not None and counts.sent == 1 and len(receiver.messages) == 1
    assert asyncio.run(resend_alert(settings, config, "nope")) is None


def test_entity_ids_are_checked_against_the_gazetteer() -> None:
    gazetteer = load_gazetteer()
    assert resolve_entity(gazetteer, " gtaa ") == resolve_entity(gazetteer, "GTAA") == "gtaa"
    with pytest.raises(MuteError, match=r"close matches: gtaa \(Global Telco AI Alliance\)"):
        resolve_entity(gazetteer, "Global Telco AI Alliance")  # a name, not an id
    with pytest.raises(MuteError, match="close matches: none"):
        resolve_entity(gazetteer, "zzzzzzzz")
    assert check_rule(None) is None and check_rule("entity_spike") == "entity_spike"
    with pytest.raises(MuteError, match="unknown rule 'spikes'"):
        check_rule("spikes")


def test_a_mute_added_while_an_alert_waits_for_a_retry_stops_it_and_resend_still_sends(
    receiver: WebhookReceiver, tmp_path: Path
) -> None:
    """An alert routed before the mute (pending, e.g. waiting for a retry) is not sent once the
    mute is in force: it is stored as routing would have stored it. An operator's resend of that
    very alert is the exception."""
    settings = Settings(db=tmp_path / "late.duckdb", alert_urls=[receiver.apprise_url])
    config = _config(settings.alert_urls)
    now = datetime.now(UTC)
    with open_writer(settings.db) as con:
        loading.enqueue_alerts(con, [_alert("late1", "gtaa", now), _alert("late2", "kt", now)])
        route_new(con, config, send_alerts=True)
        add_mute(con, "gtaa", timedelta(days=1), reason="noisy week")
    counts = asyncio.run(deliver_due(settings, config))
    assert (counts.sent, counts.muted) == (1, 1)
    assert [m["title"] for m in receiver.messages] == ["kt: story late2"]
    [(status, error, until)] = query_rows(
        settings.db, "SELECT status, last_error, muted_until FROM alerts WHERE alert_id = 'late1'"
    )
    assert status == "suppressed" and until is not None
    assert str(error).startswith("muted until") and "noisy week" in str(error)
    resent = asyncio.run(resend_alert(settings, config, "late1"))
    assert resent is not None and resent.sent == 1
    assert [m["title"] for m in receiver.messages][-1] == "gtaa: story late1"


def test_a_source_health_alert_can_be_muted_by_source_name(
    receiver: WebhookReceiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`alerts mute source:NAME` takes a name from the sources file (a typo names close ones);
    the source's health alert routed meanwhile is stored muted, another source's is sent."""
    sources = tmp_path / "sources.toml"
    sources.write_text(
        "".join(
            f'[[sources]]\nname = "{n}"\nurl = "https://{n}.example.com/rss"\n'
            'kind = "rss"\nlang = "ko"\n\n'
            for n in ("etnews", "zdnet-korea")
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("NEWSMON_SOURCES", str(sources))
    db = tmp_path / "source-mute.duckdb"
    cli = CliRunner()
    muted = cli.invoke(app, ["alerts", "mute", "source:etnews", "--for", "2d", "--db", str(db)])
    assert muted.exit_code == 0 and "etnews" in muted.output, muted.output
    typo = cli.invoke(app, ["alerts", "mute", "source:zdnet", "--db", str(db)])
    assert typo.exit_code == 1 and "close matches: source:zdnet-korea" in typo.output
    settings = Settings(db=db, alert_urls=[receiver.apprise_url])
    config = _config(settings.alert_urls)
    now = datetime.now(UTC)
    with open_writer(db) as con:
        loading.enqueue_alerts(
            con,
            [
                _alert("h1", "source:etnews", now, rule="source_unhealthy"),
                _alert("h2", "source:zdnet-korea", now, rule="source_unhealthy"),
            ],
        )
        routed = route_new(con, config, send_alerts=True)
    assert (routed.suppressed, routed.pending) == (1, 1)
    assert asyncio.run(deliver_due(settings, config)).sent == 1
    assert [m["title"] for m in receiver.messages] == ["source:zdnet-korea: story h2"]
    assert "etnews" in cli.invoke(app, ["alerts", "mutes", "--db", str(db)]).output
    unmuted = cli.invoke(app, ["alerts", "unmute", "source:etnews", "--db", str(db)])
    assert unmuted.exit_code == 0 and "lifted" in unmuted.output, unmuted.output
