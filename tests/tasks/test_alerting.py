from __future__ import annotations

import socket
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from demo.receiver import WebhookReceiver
from tasks.alerting import (
    RULE_ALLIANCE_NEW_STORY,
    RULE_ENTITY_SPIKE,
    RULE_MEMBER_CANDIDATE,
    CandidateKind,
    DigestItem,
    FeedEntry,
    MemberEvidence,
    SpikeCount,
    StoryContext,
    alert_id_for,
    deliver,
    highlight,
    is_spike,
    member_entity_key,
    next_attempt_at,
    plan_alliance_alerts,
    plan_member_candidates,
    plan_spikes,
    redact_url,
    render_atom,
    render_digest,
    render_member_candidate,
    render_message,
    scrub,
    text_only,
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
    rendered = render_message("Global Telco AI Alliance", STORY, _mention("a1", "gtaa"), "en")
    title, body = rendered.title, rendered.markdown
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


KO_STORY = replace(
    STORY,
    lang="ko",
    other_urls=tuple(f"https://copy.example/{i}" for i in range(7)),
)


def test_korean_story_gets_the_korean_template_in_both_forms() -> None:
    rendered = render_message("글로벌 텔코 AI 얼라이언스", KO_STORY, _mention("a1", "gtaa"))
    assert "관련 새 기사입니다" in rendered.markdown
    assert "지금까지 2개 매체: 가상일보, 테크데일리" in rendered.markdown
    assert "2026-11-20 09:00 KST 게재" in rendered.text
    # plain text: no Markdown, the mention marked with guillemets, the link on its own line
    assert "**" not in rendered.text and "](" not in rendered.text
    assert "«글로벌 텔코 AI 얼라이언스»" in rendered.text
    assert f"\n{STORY.url}" in rendered.text


def test_other_copies_are_linked_up_to_five() -> None:
    rendered = render_message("GTAA", KO_STORY, _mention("a1", "gtaa"))
    linked = [u for u in KO_STORY.other_urls if u in rendered.markdown]
    assert linked == list(KO_STORY.other_urls[:5])
    assert [u for u in KO_STORY.other_urls if u in rendered.text] == linked


def test_english_template_and_markdown_escaping_of_titles() -> None:
    story = replace(STORY, title="[속보] GTAA *expands*", lang="en")
    rendered = render_message("GTAA", story, _mention("a1", "gtaa"))
    assert "appears in a new story" in rendered.markdown
    assert "[\\[속보\\] GTAA \\*expands\\*](" in rendered.markdown
    assert "[속보] GTAA *expands*" in rendered.text


def test_alerts_carry_language_text_and_outlet_counts() -> None:
    alerts = plan_alliance_alerts(
        [_mention("a1", "gtaa")],
        {"a1": "s1"},
        {"gtaa": "Global Telco AI Alliance"},
        {"s1": KO_STORY},
        set(),
        NOW,
        names_ko={"gtaa": "글로벌 텔코 AI 얼라이언스"},
    )
    (alert,) = alerts
    assert (alert.lang, alert.n_outlets, alert.n_articles) == ("ko", 2, 3)
    assert alert.title.startswith("글로벌 텔코 AI 얼라이언스:")
    assert alert.text and "**" not in alert.text


def _evidence(kind: CandidateKind, company: str = "kt", story: str = "s1") -> MemberEvidence:
    return MemberEvidence(
        "gtaa", company, kind, "a1", story, "KT가 GTAA에 합류했다.", ("KT", "GTAA"), "합류"
    )


def test_member_candidates_one_per_pair_and_kind_ever() -> None:
    names = {"gtaa": "GTAA", "kt": "KT", "nokia": "Nokia"}
    stories = {"s1": STORY, "s2": STORY}
    evidence = [
        _evidence("join"),
        _evidence("join", story="s2"),
        _evidence("co_mention"),  # the same pair with an event: the event wins
        _evidence("co_mention", company="nokia"),
    ]
    alerts = plan_member_candidates(evidence, names, stories, set(), NOW)
    assert [(a.entity_id, a.story_id) for a in alerts] == [
        (member_entity_key("gtaa", "kt", "join"), "s1"),
        (member_entity_key("gtaa", "nokia", "co_mention"), "s1"),
    ]
    assert "**KT**가 **GTAA**에 합류했다." in alerts[0].message
    assert all(a.rule == RULE_MEMBER_CANDIDATE for a in alerts)
    already = {member_entity_key("gtaa", "kt", "join")}
    again = plan_member_candidates([_evidence("join", story="s3")], names, {"s3": STORY}, already)
    assert again == []


def test_member_candidate_korean_message_for_a_leave() -> None:
    story = replace(STORY, lang="ko")
    rendered = render_member_candidate(_evidence("leave"), "GTAA", "KT", story)
    assert rendered.title == "GTAA: KT 탈퇴 가능성"
    assert "알려진 회원사입니다" in rendered.markdown
    assert "«KT»" in rendered.text


@pytest.mark.parametrize(
    ("today", "baseline", "spike"),
    [
        (3, 0, True),  # a newcomer needs min_stories
        (2, 0, False),
        (10, 28, True),  # 1 a day usually: 10 ≥ 4 × (28 + 4) / 28
        (4, 28, False),
        (50, 280, True),
        (30, 280, False),
    ],
)
def test_spike_threshold(today: int, baseline: int, spike: bool) -> None:
    count = SpikeCount("kt", today, baseline)
    assert is_spike(count, min_stories=3, factor=4.0, baseline_days=28) is spike


def test_spike_once_per_entity_and_day() -> None:
    counts = [SpikeCount("kt", 5, 0, (("KT 신사업", "https://n.example/1"),))]
    day = date(2026, 11, 27)
    alerts = plan_spikes(counts, {"kt": "KT"}, day, 3, 4.0, 28, set(), lang="ko", now=NOW)
    (alert,) = alerts
    assert (alert.rule, alert.story_id) == (RULE_ENTITY_SPIKE, "day:2026-11-27")
    assert alert.title == "KT: 오늘 기사 5건"
    assert "[KT 신사업](https://n.example/1)" in alert.message
    key = (RULE_ENTITY_SPIKE, "kt", "day:2026-11-27")
    assert plan_spikes(counts, {"kt": "KT"}, day, 3, 4.0, 28, {key}) == []


def test_digest_groups_stories_by_alliance() -> None:
    def item(rule: str, entity: str, name: str, title: str, n: int | None = 1) -> DigestItem:
        return DigestItem(
            rule, entity, name, f"{name}: {title}", "https://x.example/" + title, n, NOW
        )

    items = [
        item(RULE_ALLIANCE_NEW_STORY, "gtaa", "GTAA", "LLM 공개", 3),
        item(RULE_ALLIANCE_NEW_STORY, "o_ran_alliance", "O-RAN", "plugfest"),
        item(RULE_ALLIANCE_NEW_STORY, "gtaa", "GTAA", "JV", 1),
        item(RULE_ENTITY_SPIKE, "kt", "KT", "5 stories today", None),
    ]
    rendered = render_digest(items, NOW - timedelta(hours=24))
    assert rendered.title.startswith("newsmon digest: 4 alert(s) since 2026-11-26 09:00 KST")
    md = rendered.markdown
    assert md.index("**GTAA** (2)") < md.index("LLM 공개") < md.index("**O-RAN** (1)")
    assert "· 3 outlet(s)" in md
    assert md.index("**Other alerts**") < md.index("KT: 5 stories today")
    assert "GTAA (2)\n- LLM 공개 (3 outlet(s)) https://x.example/LLM 공개" in rendered.text
    ko = render_digest([], NOW, lang="ko")
    assert "새 소식이 없습니다" in ko.markdown


def test_scrub_masks_every_secret_part_of_a_url() -> None:
    url = "json://bot:Pa55word-xyz@hooks.example:8443/T0K3N/abc?token=QueryS3cret&x=1"
    text = f"failed {url} with user bot:Pa55word-xyz token QueryS3cret path T0K3N"
    out = scrub(text, [url])
    for secret in ("Pa55word-xyz", "QueryS3cret", "T0K3N"):
        assert secret not in out


def test_deliver_records_a_timeout_from_a_receiver_that_never_answers() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(4)
        port = server.getsockname()[1]
        url = f"json://user:TimeoutS3cretValue@127.0.0.1:{port}/hook?rto=0.3&cto=0.3"
        (result,) = deliver([("id", "t", "b")], [url])
    assert not result.ok
    assert "timeout" in (result.error or "")
    assert "TimeoutS3cretValue" not in (result.error or "")


def test_deliver_plain_text_form() -> None:
    with WebhookReceiver() as receiver:
        (result,) = deliver([("id", "t", "plain «text»")], [receiver.apprise_url], "text")
        assert result.ok
        assert receiver.messages[0]["message"] == "plain «text»"


def test_atom_feed_of_alerts_reads_back() -> None:
    import feedparser

    entries = [
        FeedEntry(
            "a1", RULE_ALLIANCE_NEW_STORY, "GTAA: <new> & more", "text «GTAA»", STORY.url, NOW, NOW
        ),
        FeedEntry("a2", RULE_ENTITY_SPIKE, "KT: 5 stories today", "KT", None, NOW, NOW),
    ]
    parsed = feedparser.parse(render_atom(entries, NOW))
    assert not parsed.bozo
    assert [e.id for e in parsed.entries] == ["urn:newsmon:alert:a1", "urn:newsmon:alert:a2"]
    assert parsed.entries[0].title == "GTAA: <new> & more"
    assert parsed.entries[0].link == STORY.url
    assert parsed.entries[1].tags[0].term == RULE_ENTITY_SPIKE


def test_digest_marks_muted_alerts_in_both_forms() -> None:
    items = [
        DigestItem(
            RULE_ALLIANCE_NEW_STORY, "gtaa", "GTAA", "GTAA: JV", "https://x/1", 2, NOW, True
        ),
        DigestItem(RULE_ENTITY_SPIKE, "kt", "KT", "KT: 5 stories today", None, None, NOW, True),
        DigestItem(RULE_ALLIANCE_NEW_STORY, "o_ran_alliance", "O-RAN", "O-RAN: fest", None, 1, NOW),
    ]
    rendered = render_digest(items, NOW)
    assert "- [JV](https://x/1) · 2 outlet(s) (muted)" in rendered.markdown
    assert "- KT: 5 stories today (muted)" in rendered.markdown
    assert "- JV (2 outlet(s)) https://x/1 (muted)" in rendered.text
    assert "fest" in rendered.text and rendered.text.count("(muted)") == 2
    assert "(알림 끔)" in render_digest(items, NOW, lang="ko").text


@pytest.mark.parametrize(
    ("url", "plain"),
    [
        ("json://127.0.0.1:9/hook", False),
        ("json://127.0.0.1:9/hook?format=text", True),
        ("mailto://user:pass@mail.example", False),  # HTML: Apprise converts the Markdown
        ("mailto://user:pass@mail.example?format=text", True),
        ("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ", False),
        ("sns://T1JJ3T3L2A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/us-west-2/12223334444", True),
    ],
)
def test_text_only_services_are_told_apart(url: str, plain: bool) -> None:
    import apprise

    instance = apprise.Apprise()
    assert instance.add(url)
    assert text_only(instance) is plain


def test_deliver_sends_each_url_the_form_its_service_renders() -> None:
    with WebhookReceiver() as chat, WebhookReceiver() as sms:
        urls = [chat.apprise_url, sms.apprise_url + "?format=text"]
        texts = {"id": "GTAA: «JV»"}
        (result,) = deliver([("id", "t", "**GTAA**: JV")], urls, "markdown", texts)
        assert result.ok
        assert chat.messages[0]["message"] == "**GTAA**: JV"
        assert sms.messages[0]["message"] == "GTAA: «JV»"
        deliver([("other", "t", "**x**")], urls)  # no text form given: the body goes as it is
        assert sms.messages[1]["message"] == "**x**"
