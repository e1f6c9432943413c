from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from demo.receiver import WebhookReceiver
from tasks.alerting import (
    RULE_ALLIANCE_NEW_STORY,
    StoryContext,
    alert_id_for,
    deliver,
    highlight,
    next_attempt_at,
    plan_alliance_alerts,
    redact_url,
    render_message,
)
from tasks.models import Mention

NOW = datetime(2026, 11, 27, 0, 0, tzinfo=UTC)


def _mention(article: str, entity: str, *, title: bool = False, start: int = 10) -> Mention:
    return Mention(
        article_id=article,
        entity_id=entity,
        surface="글로벌 텔코 AI 얼라이언스",
        field="title" if title else "body",
        start=start,
        end=start + 5,
        sentence="SK텔레콤은 글로벌 텔코 AI 얼라이언스 합작법인을 세웠다.",
        in_title=title,
        in_lead=False,
    )


STORY = StoryContext(
    story_id="s1",
    title="GTAA 합작법인 출범",
    url="https://news.example/a/1",
    outlets=("가상일보", "테크데일리"),
    n_articles=3,
    published_at=datetime(2026, 11, 20, 0, 0, tzinfo=UTC),
)


def test_one_alert_per_alliance_and_story_however_many_copies() -> None:
    mentions = [_mention("a1", "gtaa"), _mention("a2", "gtaa", title=True), _mention("a3", "gtaa")]
    story_of = {"a1": "s1", "a2": "s1", "a3": "s1"}
    alerts = plan_alliance_alerts(mentions, story_of, {"gtaa": "GTAA"}, {"s1": STORY}, set(), NOW)
    assert len(alerts) == 1
    assert (
        alerts[0].article_id == "a1"
    )  # a body sentence, earliest first; the title is quoted anyway
    assert alerts[0].alert_id == alert_id_for(RULE_ALLIANCE_NEW_STORY, "gtaa", "s1")


def test_quote_comes_from_the_representative_article_when_it_mentions_the_alliance() -> None:
    story = replace(STORY, representative_article_id="a3")
    mentions = [_mention("a1", "gtaa", start=1), _mention("a3", "gtaa", start=50)]
    story_of = {"a1": "s1", "a3": "s1"}
    alerts = plan_alliance_alerts(mentions, story_of, {"gtaa": "GTAA"}, {"s1": story}, set(), NOW)
    assert alerts[0].article_id == "a3"


def test_existing_outbox_key_and_non_alliances_do_not_alert() -> None:
    mentions = [_mention("a1", "gtaa"), _mention("a1", "sk_telecom")]
    already = {(RULE_ALLIANCE_NEW_STORY, "gtaa", "s1")}
    alerts = plan_alliance_alerts(
        mentions, {"a1": "s1"}, {"gtaa": "GTAA"}, {"s1": STORY}, already, NOW
    )
    assert alerts == []


def test_message_says_what_happened_in_kst() -> None:
    title, body = render_message("Global Telco AI Alliance", STORY, _mention("a1", "gtaa"))
    assert title.startswith("Global Telco AI Alliance: GTAA 합작법인 출범")
    assert "**글로벌 텔코 AI 얼라이언스**" in body
    assert "2026-11-20 09:00 KST" in body
    assert "2 outlet(s) so far: 가상일보, 테크데일리" in body
    assert STORY.url in body


@pytest.mark.parametrize(
    ("sentence", "surface", "expected"),
    [("a KT b", "KT", "a **KT** b"), ("none", "KT", "none"), ("x", "", "x")],
)
def test_highlight(sentence: str, surface: str, expected: str) -> None:
    assert highlight(sentence, surface) == expected


@pytest.mark.parametrize(
    "url",
    [
        "slack://T1234ABCD/B5678EFGH/abcdefghijklmnopqrstuvwx",
        "json://user:supersecretpassword@hooks.example:8443/x",
        "tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/12345",
    ],
)
def test_redact_url_hides_secrets(url: str) -> None:
    redacted = redact_url(url)
    for secret in (
        "abcdefghijklmnopqrstuvwx",
        "supersecretpassword",
        "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
    ):
        assert secret not in redacted


def test_backoff_grows_and_is_capped() -> None:
    gaps = [next_attempt_at(n, NOW) - NOW for n in (1, 2, 3, 20)]
    assert gaps[0] < gaps[1] < gaps[2]
    assert gaps[3] == timedelta(hours=6)


def test_deliver_to_a_real_receiver_and_report_failures() -> None:
    with WebhookReceiver() as receiver:
        ok = deliver([("id1", "t", "**body**")], [receiver.apprise_url])
        assert ok[0].ok and ok[0].error is None
        assert len(receiver.messages) == 1
        receiver.fail_next(1, status=500)
        failed = deliver([("id2", "t", "b")], [receiver.apprise_url])
        assert not failed[0].ok and "not accepted" in (failed[0].error or "")


def test_deliver_with_bad_or_no_channel() -> None:
    result = deliver([("id", "t", "b")], ["notascheme://x"])
    assert not result[0].ok
    assert "invalid channel" in (result[0].error or "")
    assert "no usable alert channel" in (deliver([("id", "t", "b")], [])[0].error or "")
