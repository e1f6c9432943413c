"""``newsmon reprocess`` replays the alert rules over history: what a better gazetteer finds in
old stories is recorded in the outbox as ``suppressed``, and never reaches a channel."""

from __future__ import annotations

from pathlib import Path

import pytest

from demo.newsite import NewsSite
from demo.receiver import WebhookReceiver
from flows.reprocess import REPLAY_REASON, reprocess
from flows.runner import gazetteer_and_tagger
from flows.settings import Settings
from tests.flows.conftest import BLIND_GAZETTEER, query_rows, run_flow

ORAN_ALERTS = (
    "SELECT rule, story_id, status, last_error FROM alerts "
    "WHERE entity_id = 'o_ran_alliance' ORDER BY ALL"
)


def test_reprocess_records_newly_found_alerts_as_suppressed_and_sends_nothing(
    site: NewsSite,
    receiver: WebhookReceiver,
    local_env: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(site.render_sources_toml(), encoding="utf-8")
    blind = tmp_path / "blind.toml"
    blind.write_text(BLIND_GAZETTEER, encoding="utf-8")
    db = tmp_path / "replay.duckdb"
    monkeypatch.setenv("NEWSMON_ENTITIES", str(blind))
    assert run_flow(sources, db).is_completed()
    assert receiver.messages  # the run delivered its own alerts
    sent = len(receiver.messages)
    assert query_rows(db, ORAN_ALERTS) == []
    before = query_rows(db, "SELECT * FROM alerts ORDER BY alert_id")

    monkeypatch.delenv("NEWSMON_ENTITIES")
    gazetteer, tagger = gazetteer_and_tagger(None)
    first = reprocess(db, gazetteer, tagger, settings=Settings())
    oran = query_rows(db, ORAN_ALERTS)
    assert ("alliance_new_story", "suppressed", REPLAY_REASON) in {(r[0], r[2], r[3]) for r in oran}
    assert {r[2] for r in oran} == {"suppressed"}
    new_rows = query_rows(
        db, "SELECT status, last_error, attempts, sent_at FROM alerts ORDER BY alert_id"
    )
    replayed = [r for r in new_rows if r[1] == REPLAY_REASON]
    assert first.alerts_suppressed == len(replayed) == len(new_rows) - len(before) >= 1
    assert set(replayed) == {("suppressed", REPLAY_REASON, 0, None)}  # never attempted
    after = {r[0]: r for r in query_rows(db, "SELECT * FROM alerts ORDER BY alert_id")}
    assert all(after[r[0]] == r for r in before)  # the monitor's own alerts are untouched
    assert len(receiver.messages) == sent

    second = reprocess(db, gazetteer, tagger, settings=Settings())
    assert second.alerts_suppressed == 0
    assert query_rows(db, "SELECT count(*) FROM alerts")[0][0] == len(after)

    assert run_flow(sources, db).is_completed()  # a later run delivers nothing of the replay
    assert len(receiver.messages) == sent
    assert query_rows(db, ORAN_ALERTS) == oran
