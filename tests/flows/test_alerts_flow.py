"""Alerts end to end: the real monitor flow against the local news site, delivering to real local
webhook receivers, into a real DuckDB file."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from demo.manifest import load_manifest
from demo.newsite import NewsSite
from demo.receiver import WebhookReceiver
from flows.alerts import AlertConfig, load_alert_config
from flows.cli import app
from flows.digest import run_digest
from flows.settings import Settings
from tasks.alert_rules import AlertRulesError
from tasks.urls import url_key
from tests.flows.conftest import run_flow

MANIFEST = load_manifest()


def _rows(db: Path, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or {}).fetchall()
    finally:
        con.close()


def _sources(site: NewsSite, tmp_path: Path) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(site.render_sources_toml(), encoding="utf-8")
    return path


def _rules(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "alert_rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def receivers() -> Iterator[tuple[WebhookReceiver, WebhookReceiver]]:
    with WebhookReceiver() as first, WebhookReceiver() as second:
        yield first, second


def test_three_copies_in_two_runs_alert_once_and_count_outlets(
    site: NewsSite, receiver: WebhookReceiver, local_env: None, tmp_path: Path
) -> None:
    wire = MANIFEST.page("ko-gtaa-wire")
    original = MANIFEST.page("ko-gtaa-techdaily")
    site.set_fault(wire.path, "status", status=503)  # the third copy arrives on the next run
    sources, db = _sources(site, tmp_path), tmp_path / "copies.duckdb"
    assert run_flow(sources, db).is_completed()
    story = _rows(
        db,
        "SELECT story_id FROM articles WHERE url_key = $k",
        {"k": url_key(site.url(original.feed_link))},
    )[0][0]
    query = (
        "SELECT alert_id, status, attempts, n_outlets, n_articles, last_updated_at, lang "
        "FROM alerts WHERE rule = 'alliance_new_story' AND entity_id = 'gtaa' AND story_id = $s"
    )
    (first,) = _rows(db, query, {"s": story})
    assert (first[1], first[2], first[4], first[5], first[6]) == ("sent", 1, 2, None, "ko")
    sent_after_first = len(receiver.messages)
    assert sum(1 for m in receiver.messages if "텔코 LLM" in str(m.get("title"))) == 1

    site.clear_faults()
    assert run_flow(sources, db).is_completed()
    (second,) = _rows(db, query, {"s": story})
    assert second[0] == first[0] and second[1:3] == ("sent", 1)
    assert second[4] == 3 and second[3] == first[3] + 1  # a new outlet, counted
    assert second[5] is not None
    assert len(receiver.messages) == sent_after_first  # and nothing sent again
    counts = _rows(db, "SELECT rule, entity_id, story_id, count(*) FROM alerts GROUP BY ALL")
    assert all(r[3] == 1 for r in counts)
    out = tmp_path / "feed" / "alerts.xml"
    fed = CliRunner().invoke(app, ["alerts", "feed", "--out", str(out), "--db", str(db)])
    assert fed.exit_code == 0, fed.output
    assert out.read_bytes().count(b"<entry>") == len(counts)


ROUTED = """
[channels.gtaa]
[channels.ops]
format = "text"
[[routes]]
entities = ["gtaa"]
channel = "gtaa"
[[routes]]
rules = ["source_unhealthy", "source_recovered"]
channel = "ops"
"""


def test_routes_quiet_hours_and_digest(
    site: NewsSite,
    receivers: tuple[WebhookReceiver, WebhookReceiver],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    default, gtaa = receivers
    with WebhookReceiver() as ops:
        monkeypatch.setenv("NEWSMON_ALLOW_PRIVATE_NETWORKS", "true")
        monkeypatch.setenv("NEWSMON_TIMEOUT_S", "2")
        monkeypatch.setenv("NEWSMON_ALERT_URLS", default.apprise_url)
        monkeypatch.setenv(
            "NEWSMON_ALERT_CHANNELS", json.dumps({"gtaa": gtaa.apprise_url, "ops": ops.apprise_url})
        )
        monkeypatch.setenv("NEWSMON_ALERT_RULES", str(_rules(tmp_path, ROUTED)))
        monkeypatch.setenv("NEWSMON_QUIET_HOURS", "0-24")  # always quiet
        monkeypatch.setenv("NEWSMON_UNHEALTHY_AFTER_FAILURES", "1")
        site.set_fault("/feeds/en.atom", "status", status=500)
        db = tmp_path / "routed.duckdb"
        assert run_flow(_sources(site, tmp_path), db).is_completed()

        rows = _rows(db, "SELECT rule, entity_id, status, channels, urgent FROM alerts")
        stories = [r for r in rows if r[0] == "alliance_new_story"]
        assert stories and all(r[2] == "held" for r in stories)  # not urgent: held
        assert {tuple(r[3]) for r in stories if r[1] == "gtaa"} == {("gtaa",)}
        assert {tuple(r[3]) for r in stories if r[1] != "gtaa"} == {("default",)}
        (health,) = [r for r in rows if r[0] == "source_unhealthy"]
        assert (health[2], health[3]) == ("held", ["ops"])
        members = [r for r in rows if r[0] == "alliance_new_member_candidate"]
        assert members and all(r[2] == "sent" and r[4] for r in members)  # urgent: sent
        for name, rx in (("default", default), ("gtaa", gtaa), ("ops", ops)):
            routed = [r for r in rows if r[2] == "sent" and name in r[3]]
            assert len(rx.messages) == len(routed), name

        printed = CliRunner().invoke(app, ["digest", "--db", str(db), "--dry-run"])
        assert printed.exit_code == 0, printed.output
        assert "channel gtaa" in printed.output and "dry run" in printed.output
        before = [len(rx.messages) for rx in (default, gtaa, ops)]
        report = asyncio.run(run_digest(Settings(db=db), timedelta(hours=24)))
        assert report.sent == 3 and not report.failed
        assert [len(rx.messages) for rx in (default, gtaa, ops)] == [n + 1 for n in before]
        gtaa_digest = str(gtaa.messages[-1]["message"])
        assert "Global Telco AI Alliance" in gtaa_digest and "O-RAN" not in gtaa_digest
        default_digest = str(default.messages[-1]["message"])
        assert "O-RAN Alliance" in default_digest and "텔코 LLM" not in default_digest
        ops_digest = str(ops.messages[-1]["message"])
        assert "Source demo-en is failing" in ops_digest and "**" not in ops_digest
        after = _rows(db, "SELECT status, digested_at FROM alerts WHERE digested_at IS NOT NULL")
        assert len(after) == len(stories) + 1 and {r[0] for r in after} == {"sent"}
        assert not _rows(db, "SELECT 1 FROM alerts WHERE status = 'held'")


PARTIAL = """
[rules.alliance_new_story]
watch = ["gtaa"]
[rules.alliance_new_member_candidate]
enabled = false
[channels.backup]
[[routes]]
channel = "default"
[[routes]]
channel = "backup"
"""


def test_a_failed_channel_is_retried_alone(
    site: NewsSite,
    receivers: tuple[WebhookReceiver, WebhookReceiver],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    main, backup = receivers
    monkeypatch.setenv("NEWSMON_ALLOW_PRIVATE_NETWORKS", "true")
    monkeypatch.setenv("NEWSMON_TIMEOUT_S", "2")
    monkeypatch.setenv("NEWSMON_ALERT_URLS", main.apprise_url)
    monkeypatch.setenv("NEWSMON_ALERT_CHANNELS", json.dumps({"backup": backup.apprise_url}))
    monkeypatch.setenv("NEWSMON_ALERT_RULES", str(_rules(tmp_path, PARTIAL)))
    backup.fail_next(1000, status=500)
    sources, db = _sources(site, tmp_path), tmp_path / "partial.duckdb"
    assert run_flow(sources, db).is_completed()
    rows = _rows(
        db, "SELECT rule, entity_id, status, attempts, delivered_to, last_error FROM alerts"
    )
    assert {(r[0], r[1]) for r in rows} == {("alliance_new_story", "gtaa")}  # watch list, switch
    assert all(r[2:5] == ("pending", 1, ["default"]) for r in rows)
    assert all("[backup]" in r[5] and "[default]" not in r[5] for r in rows)
    assert len(main.messages) == len(rows) and backup.messages == []
    listed = CliRunner().invoke(app, ["alerts", "list", "--status", "pending", "--db", str(db)])
    assert listed.exit_code == 0 and "backup?" in listed.output, listed.output
    refused = CliRunner().invoke(app, ["alerts", "test", "backup"])
    assert refused.exit_code == 1 and "not accepted" in refused.output

    backup.fail_next(0)
    con = duckdb.connect(str(db))
    con.execute("UPDATE alerts SET next_attempt_at = now() - INTERVAL 1 MINUTE").fetchall()
    con.close()
    assert run_flow(sources, db).is_completed()
    rows = _rows(db, "SELECT status, attempts, delivered_to, last_error FROM alerts")
    assert all(r == ("sent", 2, ["default", "backup"], None) for r in rows)
    assert len(main.messages) == len(rows) == len(backup.messages)  # nothing twice

    (alert_id,) = _rows(db, "SELECT alert_id FROM alerts LIMIT 1")[0]
    resent = CliRunner().invoke(app, ["alerts", "resend", alert_id, "--db", str(db)])
    assert resent.exit_code == 0 and "delivered 1" in resent.output, resent.output
    assert (len(main.messages), len(backup.messages)) == (len(rows) + 1, len(rows) + 1)
    tested = CliRunner().invoke(app, ["alerts", "test", "default"])
    assert tested.exit_code == 0 and "accepted" in tested.output
    assert main.messages[-1]["title"] == "newsmon test alert"


SECRET_USER_PASSWORD = "Hunter2-Very-Secret-Pass"
SECRET_PATH = "T0KENinThePath9f8e7d"


def test_the_secret_in_a_channel_url_never_reaches_tables_or_logs(
    site: NewsSite,
    receiver: WebhookReceiver,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    url = f"json://newsmon:{SECRET_USER_PASSWORD}@127.0.0.1:{receiver.port}/alerts/{SECRET_PATH}"
    monkeypatch.setenv("NEWSMON_ALLOW_PRIVATE_NETWORKS", "true")
    monkeypatch.setenv("NEWSMON_ALERT_URLS", url)
    receiver.fail_next(1000, status=500)
    db = tmp_path / "secret.duckdb"
    assert run_flow(_sources(site, tmp_path), db).is_completed()
    rows = _rows(db, "SELECT status, last_error FROM alerts")
    assert rows and all(r[0] == "pending" and "json://127.0.0.1" in r[1] for r in rows)
    assert receiver.deliveries  # it was really tried
    dumped = [
        str(row)
        for table in ("alerts", "runs", "fetch_log", "source_status")
        for row in _rows(db, f"SELECT * FROM {table}")
    ]
    captured = capsys.readouterr()
    for secret in (SECRET_USER_PASSWORD, SECRET_PATH):
        assert not any(secret in row for row in dumped)
        assert secret not in caplog.text
        assert secret not in captured.out + captured.err


def test_channel_urls_from_a_prefect_secret_block(
    receiver: WebhookReceiver, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from prefect.blocks.system import Secret

    Secret(value=f"{receiver.apprise_url}, json://127.0.0.1:9/other").save(
        "newsmon-test-alerts", overwrite=True
    )
    monkeypatch.setenv("NEWSMON_ALERT_URLS", "prefect-secret:newsmon-test-alerts")
    settings = Settings(db=tmp_path / "unused.duckdb")

    async def inside_a_flow() -> AlertConfig:  # the monitor resolves it in its event loop
        return load_alert_config(settings)

    config = asyncio.run(inside_a_flow())
    assert config.channels["default"].urls == (receiver.apprise_url, "json://127.0.0.1:9/other")
    monkeypatch.setenv("NEWSMON_ALERT_URLS", "prefect-secret:no-such-block")
    with pytest.raises(AlertRulesError, match="'no-such-block'"):
        load_alert_config(Settings(db=tmp_path / "unused.duckdb"))


_SPIKE_BODIES = (
    "KT는 오늘 서울 광화문 사옥에서 기업용 인공지능 상담 서비스를 새로 선보였다. 회사는 콜센터 "
    "상담 시간을 절반으로 줄였다고 설명했다. 이 서비스는 중소기업 고객을 먼저 겨냥한다. "
    "KT 관계자는 내년 상반기까지 적용 업종을 열 곳으로 늘릴 계획이라고 밝혔다.",
    "KT가 강원 지역 산간 마을에 위성 기반 비상 통신망을 구축했다고 발표했다. 산불과 폭설로 "
    "유선망이 끊겨도 주민이 구조 요청을 할 수 있게 하려는 조치다. KT는 군청과 협약을 맺고 "
    "장비 유지보수도 맡기로 했다. 시범 운영은 다음 달 둘째 주부터 시작된다.",
    "KT 노동조합과 경영진이 올해 임금 협상을 마무리했다. 기본급 인상률은 전년과 비슷한 "
    "수준에서 정해졌고 복지 포인트가 늘었다. 협상 과정에서 쟁점이던 성과급 지급 기준도 "
    "새로 손봤다. KT는 조합원 찬반 투표를 거쳐 이달 말 최종 서명할 예정이다.",
)


def test_entity_spike_once_per_entity_and_day(
    site: NewsSite, receiver: WebhookReceiver, local_env: None, tmp_path: Path
) -> None:
    for index, body in enumerate(_SPIKE_BODIES):
        title = f"KT 소식 {index + 1}: " + body.split(".")[0][:30]
        page = (
            f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><article>"
            f"<h1>{title}</h1><p>{body}</p></article></body></html>"
        )
        site.publish(f"/spike/{index}.html", page, title=title, feed="ko")
    sources, db = _sources(site, tmp_path), tmp_path / "spike.duckdb"
    assert run_flow(sources, db).is_completed()
    spikes = _rows(
        db, "SELECT entity_id, story_id, status, title FROM alerts WHERE rule = 'entity_spike'"
    )
    assert ("kt", "sent") in {(r[0], r[2]) for r in spikes}
    (kt,) = [r for r in spikes if r[0] == "kt"]
    assert kt[1].startswith("day:") and "3" in kt[3]
    site.publish(
        "/spike/3.html",
        "<html><body><article><h1>KT 추가</h1><p>"
        + "KT가 또 다른 발표를 했다. 통신 요금 개편안이 나왔다. " * 8
        + "</p></article></body></html>",
        title="KT 추가 소식",
        feed="ko",
    )
    assert run_flow(sources, db).is_completed()
    assert _rows(
        db, "SELECT count(*) FROM alerts WHERE rule = 'entity_spike' AND entity_id = 'kt'"
    ) == [(1,)]


def _crash_setup(receiver: WebhookReceiver, tmp_path: Path) -> tuple[Settings, AlertConfig]:
    import flows.alerts as alerts_module
    from tasks.alert_rules import load_alert_rules, resolve_channels
    from tasks.models import Alert
    from warehouse import loading
    from warehouse.database import open_writer

    settings = Settings(db=tmp_path / "crash.duckdb", alert_urls=[receiver.apprise_url])
    rules = load_alert_rules()
    config = AlertConfig(rules, resolve_channels(rules, settings.alert_urls, {}), None)
    now = datetime.now(UTC)
    with open_writer(settings.db) as con:
        alerts = [
            Alert(
                f"crash{i}", "alliance_new_story", "gtaa", f"s{i}", f"a{i}", f"GTAA: t{i}", "m", now
            )
            for i in range(3)
        ]
        loading.enqueue_alerts(con, alerts)
        alerts_module.route_new(con, config, send_alerts=True)
    return settings, config


def test_a_crash_between_send_and_its_record_resends_only_that_alert(
    receiver: WebhookReceiver, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Killed after the second alert was accepted but before it was recorded: the first stays
    delivered, the second is the one duplicate, the third goes once."""
    import flows.alerts as alerts_module

    settings, config = _crash_setup(receiver, tmp_path)
    record = alerts_module._record_channel

    def recorder(journal: Any, channel: str) -> Any:
        inner = record(journal, channel)

        def crash_on_second(result: Any) -> None:
            if result.alert_id == "crash1":
                raise RuntimeError("process killed after the channel accepted")
            inner(result)

        return crash_on_second

    with monkeypatch.context() as patched:
        patched.setattr(alerts_module, "_record_channel", recorder)
        with pytest.raises(RuntimeError):
            asyncio.run(alerts_module.deliver_due(settings, config))
    assert [m["title"] for m in receiver.messages] == ["GTAA: t0", "GTAA: t1"]
    journal = settings.db.with_name(settings.db.name + ".deliveries")
    assert journal.read_text(encoding="utf-8") == "crash0\tdefault\n"  # t1 was not recorded
    assert asyncio.run(alerts_module.deliver_due(settings, config)).sent == 3
    assert asyncio.run(alerts_module.deliver_due(settings, config)).sent == 0
    assert [m["title"] for m in receiver.messages][2:] == ["GTAA: t1", "GTAA: t2"]
    assert not journal.exists()  # the outbox holds it all now
    assert _rows(settings.db, "SELECT DISTINCT status, delivered_to FROM alerts") == [
        ("sent", ["default"])
    ]


def test_a_crash_before_the_batch_marks_resends_nothing(
    receiver: WebhookReceiver, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Every alert was accepted and recorded, then the process died before the final marks: the
    next run marks them sent without sending any again."""
    import flows.alerts as alerts_module

    settings, config = _crash_setup(receiver, tmp_path)

    def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("process killed before the batch marks")

    with monkeypatch.context() as patched:
        patched.setattr(alerts_module, "_mark", crash)
        with pytest.raises(RuntimeError):
            asyncio.run(alerts_module.deliver_due(settings, config))
    assert len(receiver.messages) == 3
    assert asyncio.run(alerts_module.deliver_due(settings, config)).sent == 3
    assert len(receiver.messages) == 3
    assert _rows(settings.db, "SELECT DISTINCT status, delivered_to FROM alerts") == [
        ("sent", ["default"])
    ]


def test_digest_flow_runs_under_prefect(tmp_path: Path) -> None:
    from flows.digest import digest_flow

    db = str(tmp_path / "empty.duckdb")
    state = asyncio.run(digest_flow(since="2d", db=db, return_state=True))  # type: ignore[call-overload]
    assert state.is_completed() and state.result().digests == []
    bad = asyncio.run(digest_flow(since="yesterday", db=db, return_state=True))  # type: ignore[call-overload]
    assert bad.is_failed() and "24h" in str(bad.message)
