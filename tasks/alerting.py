"""Alerts: decide which (rule, entity, story) deserve one, render the message, deliver via Apprise.

The outbox (the ``alerts`` table) makes delivery safe to repeat: an alert is a row keyed by
(rule, entity, story) before it is a message. Delivery is at-least-once: a crash after Apprise
accepted a message but before the row was marked ``sent`` sends that one message again on the next
run, and nothing else is ever sent twice. Rows remember which channels accepted them, so a retry
after one of two channels failed goes to the failed one only.

Every message exists in two forms, Markdown (Slack, Teams, Discord) and plain text, and in the
story's language (Korean or English); both are rendered here, from plain values, so the templates
are table-tested without a database.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import apprise

from tasks.alert_rules import RULE_ALLIANCE_NEW_STORY, RULE_ENTITY_SPIKE, RULE_MEMBER_CANDIDATE
from tasks.models import Alert, Mention

__all__ = ["RULE_ALLIANCE_NEW_STORY", "RULE_ENTITY_SPIKE", "RULE_MEMBER_CANDIDATE"]

KST = ZoneInfo("Asia/Seoul")
MAX_OTHER_COPIES = 5
Lang = Literal["en", "ko"]


@dataclass(frozen=True, slots=True)
class StoryContext:
    """What the message says about a story, read back from the warehouse after loading."""

    story_id: str
    title: str
    url: str
    outlets: tuple[str, ...]
    n_articles: int
    published_at: datetime | None
    representative_article_id: str | None = None
    lang: str = "en"
    other_urls: tuple[str, ...] = ()
    """Links to other copies of the story (not the representative), newest outlets last."""


@dataclass(frozen=True, slots=True)
class Rendered:
    """One message in both forms: ``markdown`` for chat services, ``text`` for plain channels."""

    title: str
    markdown: str
    text: str


@dataclass(frozen=True, slots=True)
class Delivery:
    """The outcome of delivering one alert to every URL of a channel."""

    alert_id: str
    ok: bool
    error: str | None


def alert_id_for(rule: str, entity_id: str, story_id: str) -> str:
    """Deterministic id: the same (rule, entity, story) is the same alert on every run."""
    return hashlib.sha256(f"{rule}\x1f{entity_id}\x1f{story_id}".encode()).hexdigest()[:20]


def highlight(sentence: str, surface: str, mark: tuple[str, str] = ("**", "**")) -> str:
    """The sentence with the first occurrence of the mention marked (Markdown bold by default)."""
    index = sentence.find(surface)
    if index < 0 or not surface:
        return sentence
    left, right = mark
    return f"{sentence[:index]}{left}{surface}{right}{sentence[index + len(surface) :]}"


def highlight_all(sentence: str, surfaces: Iterable[str], mark: tuple[str, str]) -> str:
    """Each surface marked at its first occurrence; longer surfaces first so none splits another."""
    out = sentence
    for surface in sorted(set(surfaces), key=len, reverse=True):
        if surface and surface in out and f"{mark[0]}{surface}" not in out:
            out = highlight(out, surface, mark)
    return out


_MD_SPECIAL = re.compile(r"([\[\]*_`])")
TEXT_MARK = ("«", "»")


def _md(text: str) -> str:
    """Text safe inside Markdown: brackets, emphasis and code markers escaped."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def message_lang(lang: str | None) -> Lang:
    return "ko" if lang == "ko" else "en"


def kst_time(when: datetime | None, lang: Lang) -> str:
    if when is None:
        return "날짜 미상" if lang == "ko" else "date unknown"
    return when.astimezone(KST).strftime("%Y-%m-%d %H:%M KST")


_STORY_TEXT: dict[Lang, dict[str, str]] = {
    "en": {
        "headline": "{name} appears in a new story.",
        "published": "Published {when} · {n} outlet(s) so far: {outlets}",
        "others": "Other copies:",
        "footer": "Story {story} · {n} article(s)",
    },
    "ko": {
        "headline": "{name} 관련 새 기사입니다.",
        "published": "{when} 게재 · 지금까지 {n}개 매체: {outlets}",
        "others": "다른 기사:",
        "footer": "스토리 {story} · 기사 {n}건",
    },
}


def _outlets(outlets: Sequence[str]) -> str:
    return ", ".join(outlets[:8]) + (" …" if len(outlets) > 8 else "")


def render_message(
    entity_name: str, story: StoryContext, mention: Mention, lang: str | None = None
) -> Rendered:
    """An ``alliance_new_story`` alert in the story's language (``lang`` overrides it)."""
    lang_ = message_lang(lang or story.lang)
    t = _STORY_TEXT[lang_]
    title = f"{entity_name}: {story.title}"[:250]
    when = kst_time(story.published_at, lang_)
    published = t["published"].format(
        when=when, n=len(story.outlets), outlets=_outlets(story.outlets)
    )
    footer = t["footer"].format(story=story.story_id, n=story.n_articles)
    others = story.other_urls[:MAX_OTHER_COPIES]
    md = [
        f"**{_md(t['headline'].format(name=entity_name))}**",
        f"[{_md(story.title)}]({story.url})",
        f"> {highlight(mention.sentence, mention.surface)}",
        published,
    ]
    text = [
        t["headline"].format(name=entity_name),
        f"{story.title}\n{story.url}",
        f"“{highlight(mention.sentence, mention.surface, TEXT_MARK)}”",
        published,
    ]
    if others:
        md.append(t["others"] + " " + " · ".join(f"[{i}]({u})" for i, u in enumerate(others, 1)))
        text.append(t["others"] + "\n" + "\n".join(others))
    md.append(footer)
    text.append(footer)
    return Rendered(title, "\n\n".join(md), "\n\n".join(text))


def _best_mention(mentions: Sequence[Mention], representative: str | None) -> Mention:
    """The sentence to quote: a body sentence (the title is in the message already), from the
    story's representative article if it has one, earliest in the lead first."""
    return min(
        mentions,
        key=lambda m: (
            m.field == "title",
            m.article_id != representative,
            not m.in_lead,
            m.start,
            m.article_id,
        ),
    )


def story_alert(
    rule: str,
    entity_id: str,
    story: StoryContext,
    article_id: str,
    rendered: Rendered,
    created: datetime,
) -> Alert:
    """A story-level outbox row: keyed by (rule, entity, story), counts taken from the story."""
    return Alert(
        alert_id=alert_id_for(rule, entity_id, story.story_id),
        rule=rule,
        entity_id=entity_id,
        story_id=story.story_id,
        article_id=article_id,
        title=rendered.title,
        message=rendered.markdown,
        created_at=created,
        lang=message_lang(story.lang),
        text=rendered.text,
        n_outlets=len(story.outlets),
        n_articles=story.n_articles,
    )


def plan_alliance_alerts(
    mentions: Iterable[Mention],
    story_of: Mapping[str, str],
    alliance_names: Mapping[str, str],
    stories: Mapping[str, StoryContext],
    already: set[tuple[str, str, str]],
    now: datetime | None = None,
    names_ko: Mapping[str, str] | None = None,
) -> list[Alert]:
    """One ``alliance_new_story`` alert per (alliance, story) that has none yet.

    ``story_of`` maps article ids to story ids; ``alliance_names`` maps the watched alliance
    entity ids to display names (only these entities alert), ``names_ko`` to Korean names for
    Korean stories; ``already`` holds existing outbox keys.
    """
    created = now or datetime.now(UTC)
    grouped: dict[tuple[str, str], list[Mention]] = {}
    for mention in mentions:
        if mention.entity_id not in alliance_names or mention.article_id not in story_of:
            continue
        story_id = story_of[mention.article_id]
        grouped.setdefault((mention.entity_id, story_id), []).append(mention)
    alerts: list[Alert] = []
    for (entity_id, story_id), found in sorted(grouped.items()):
        if (RULE_ALLIANCE_NEW_STORY, entity_id, story_id) in already or story_id not in stories:
            continue
        story = stories[story_id]
        best = _best_mention(found, story.representative_article_id)
        name = alliance_names[entity_id]
        if names_ko and message_lang(story.lang) == "ko":
            name = names_ko.get(entity_id) or name
        rendered = render_message(name, story, best)
        alerts.append(
            story_alert(
                RULE_ALLIANCE_NEW_STORY, entity_id, story, best.article_id, rendered, created
            )
        )
    return alerts


CandidateKind = Literal["join", "leave", "sign", "co_mention"]


@dataclass(frozen=True, slots=True)
class MemberEvidence:
    """A sentence suggesting ``company_id`` is (or stops being) a member of ``alliance_id``."""

    alliance_id: str
    company_id: str
    kind: CandidateKind
    article_id: str
    story_id: str
    sentence: str
    surfaces: tuple[str, ...] = ()
    trigger: str | None = None


def member_entity_key(alliance_id: str, company_id: str, kind: str) -> str:
    """The outbox ``entity_id`` of a member candidate: one alert per pair and kind, ever."""
    return f"{alliance_id}+{company_id}:{kind}"


_MEMBER_TEXT: dict[Lang, dict[str, str]] = {
    "en": {
        "join": "may have joined",
        "sign": "may have signed with",
        "leave": "may have left",
        "co_mention": "is named with",
        "headline": "{company} {verb} {alliance}",
        "note_new": "{company} is not a known member of {alliance}.",
        "note_leave": "{company} is a known member of {alliance}.",
        "note_first": "First time the two are named in one sentence.",
    },
    "ko": {
        "join": "가입 가능성",
        "sign": "서명 가능성",
        "leave": "탈퇴 가능성",
        "co_mention": "첫 동시 언급",
        "headline": "{alliance}: {company} {verb}",
        "note_new": "{company}은(는) {alliance}의 알려진 회원사가 아닙니다.",
        "note_leave": "{company}은(는) {alliance}의 알려진 회원사입니다.",
        "note_first": "두 이름이 한 문장에 처음 함께 나왔습니다.",
    },
}


def render_member_candidate(
    evidence: MemberEvidence, alliance: str, company: str, story: StoryContext
) -> Rendered:
    lang = message_lang(story.lang)
    t = _MEMBER_TEXT[lang]
    headline = t["headline"].format(company=company, verb=t[evidence.kind], alliance=alliance)
    note = t["note_leave"] if evidence.kind == "leave" else t["note_new"]
    if evidence.kind == "co_mention":
        note = f"{note} {t['note_first']}"
    note = note.format(company=company, alliance=alliance)
    when = kst_time(story.published_at, lang)
    md = [
        f"**{_md(headline)}**",
        f"> {highlight_all(evidence.sentence, evidence.surfaces, ('**', '**'))}",
        f"[{_md(story.title)}]({story.url}) · {when}",
        _md(note),
    ]
    text = [
        headline,
        f"“{highlight_all(evidence.sentence, evidence.surfaces, TEXT_MARK)}”",
        f"{story.title}\n{story.url}\n{when}",
        note,
    ]
    return Rendered(headline[:250], "\n\n".join(md), "\n\n".join(text))


def plan_member_candidates(
    evidence: Iterable[MemberEvidence],
    names: Mapping[str, str],
    stories: Mapping[str, StoryContext],
    already_entities: set[str],
    now: datetime | None = None,
    names_ko: Mapping[str, str] | None = None,
) -> list[Alert]:
    """One ``alliance_new_member_candidate`` alert per (alliance, company, kind), ever.

    ``already_entities`` holds the member-candidate entity keys already in the outbox (for any
    story): the first story that shows a pair is the news, its copies and follow-ups are not.
    Membership events win over a co-mention of the same pair in the same batch.
    """
    created = now or datetime.now(UTC)
    order = {"leave": 0, "join": 1, "sign": 2, "co_mention": 3}
    best: dict[tuple[str, str, str], MemberEvidence] = {}
    for item in sorted(
        evidence, key=lambda e: (order[e.kind], e.story_id, e.article_id, e.sentence)
    ):
        if item.story_id not in stories:
            continue
        best.setdefault((item.alliance_id, item.company_id, item.kind), item)
    pairs_with_event = {(a, c) for a, c, k in best if k != "co_mention"}
    alerts: list[Alert] = []
    for (alliance_id, company_id, kind), item in sorted(best.items()):
        key = member_entity_key(alliance_id, company_id, kind)
        if key in already_entities:
            continue
        if kind == "co_mention" and (alliance_id, company_id) in pairs_with_event:
            continue
        story = stories[item.story_id]
        local = {**names, **(names_ko or {})} if message_lang(story.lang) == "ko" else names
        rendered = render_member_candidate(
            item, local.get(alliance_id, alliance_id), local.get(company_id, company_id), story
        )
        alerts.append(
            story_alert(RULE_MEMBER_CANDIDATE, key, story, item.article_id, rendered, created)
        )
    return alerts


@dataclass(frozen=True, slots=True)
class SpikeCount:
    """An entity's stories today (KST) and in the baseline window before it."""

    entity_id: str
    today: int
    baseline_total: int
    stories: tuple[tuple[str, str], ...] = field(default=())
    """(title, url) of today's stories, for the message."""


def spike_expected(baseline_total: int, baseline_days: int) -> float:
    """Expected stories per day: the baseline's daily mean with one pseudo-story a week, so an
    entity never seen before still needs ``factor`` / 7 stories per day of evidence."""
    return (baseline_total + baseline_days / 7) / baseline_days


def is_spike(count: SpikeCount, min_stories: int, factor: float, baseline_days: int) -> bool:
    """Far above baseline: at least ``min_stories`` today and ``factor`` × the expected count."""
    expected = spike_expected(count.baseline_total, baseline_days)
    return count.today >= min_stories and count.today >= factor * expected


_SPIKE_TEXT: dict[Lang, dict[str, str]] = {
    "en": {
        "title": "{name}: {n} stories today",
        "body": "{name} is in {n} stories today ({day} KST); usually {mean:.1f} a day.",
    },
    "ko": {
        "title": "{name}: 오늘 기사 {n}건",
        "body": "{name} 관련 스토리가 오늘({day} KST) {n}건입니다. 평소 하루 {mean:.1f}건.",
    },
}


def plan_spikes(
    counts: Iterable[SpikeCount],
    names: Mapping[str, str],
    day: date,
    min_stories: int,
    factor: float,
    baseline_days: int,
    already: set[tuple[str, str, str]],
    lang: str = "en",
    now: datetime | None = None,
) -> list[Alert]:
    """One ``entity_spike`` alert per entity and KST day (the outbox story key is ``day:DATE``)."""
    created = now or datetime.now(UTC)
    lang_ = message_lang(lang)
    t = _SPIKE_TEXT[lang_]
    story_key = f"day:{day.isoformat()}"
    alerts: list[Alert] = []
    for count in sorted(counts, key=lambda c: c.entity_id):
        if (RULE_ENTITY_SPIKE, count.entity_id, story_key) in already:
            continue
        if not is_spike(count, min_stories, factor, baseline_days):
            continue
        name = names.get(count.entity_id, count.entity_id)
        mean = count.baseline_total / baseline_days
        body = t["body"].format(name=name, n=count.today, day=day.isoformat(), mean=mean)
        listed = count.stories[:MAX_OTHER_COPIES]
        md = [f"**{_md(body)}**", *(f"- [{_md(title)}]({url})" for title, url in listed)]
        text = [body, *(f"- {title} {url}" for title, url in listed)]
        title = t["title"].format(name=name, n=count.today)
        alerts.append(
            Alert(
                alert_id=alert_id_for(RULE_ENTITY_SPIKE, count.entity_id, story_key),
                rule=RULE_ENTITY_SPIKE,
                entity_id=count.entity_id,
                story_id=story_key,
                article_id="",
                title=title,
                message="\n".join(md),
                created_at=created,
                lang=lang_,
                text="\n".join(text),
            )
        )
    return alerts


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One alert row as the digest lists it."""

    rule: str
    entity_id: str
    entity_name: str
    title: str
    url: str | None
    n_outlets: int | None
    created_at: datetime
    muted: bool = False
    """Suppressed by an operator's mute: listed, marked, never sent on its own."""


_DIGEST_TEXT: dict[Lang, dict[str, str]] = {
    "en": {
        "title": "newsmon digest: {n} alert(s) since {since}",
        "outlets": "{n} outlet(s)",
        "other": "Other alerts",
        "empty": "Nothing new.",
        "muted": "muted",
    },
    "ko": {
        "title": "newsmon 요약: {since} 이후 알림 {n}건",
        "outlets": "{n}개 매체",
        "other": "기타 알림",
        "empty": "새 소식이 없습니다.",
        "muted": "알림 끔",
    },
}


def render_digest(items: Sequence[DigestItem], since: datetime, lang: str = "en") -> Rendered:
    """The period's stories by alliance, then the other alerts (spikes, members, sources); an
    alert a mute suppressed ends with ``(muted)``."""
    lang_ = message_lang(lang)
    t = _DIGEST_TEXT[lang_]
    muted = f" ({t['muted']})"
    title = t["title"].format(n=len(items), since=kst_time(since, lang_))
    by_alliance: dict[str, list[DigestItem]] = {}
    others: list[DigestItem] = []
    # per alliance, the stories most outlets carry first
    for item in sorted(
        items, key=lambda i: (i.entity_name, -(i.n_outlets or 0), i.created_at, i.title)
    ):
        if item.rule == RULE_ALLIANCE_NEW_STORY:
            by_alliance.setdefault(item.entity_name, []).append(item)
        else:
            others.append(item)
    md: list[str] = []
    text: list[str] = []
    for name, group in by_alliance.items():
        md += ["", f"**{_md(name)}** ({len(group)})"]
        text += ["", f"{name} ({len(group)})"]
        for item in group:
            headline = item.title.split(": ", 1)[-1]
            outlets = t["outlets"].format(n=item.n_outlets) if item.n_outlets else ""
            link = f"[{_md(headline)}]({item.url})" if item.url else _md(headline)
            mark = muted if item.muted else ""
            md.append(f"- {link}" + (f" · {outlets}" if outlets else "") + mark)
            suffix = (f" ({outlets})" if outlets else "") + (f" {item.url}" if item.url else "")
            text.append(f"- {headline}{suffix}{mark}")
    if others:
        md += ["", f"**{t['other']}**"]
        text += ["", t["other"]]
        md.extend(f"- {_md(i.title)}{muted if i.muted else ''}" for i in others)
        text.extend(f"- {i.title}{muted if i.muted else ''}" for i in others)
    if not items:
        md.append(t["empty"])
        text.append(t["empty"])
    return Rendered(title, "\n".join(md).strip(), "\n".join(text).strip())


_SECRET_RE = re.compile(r"[A-Za-z0-9_\-]{12,}")


def redact_url(url: str) -> str:
    """An Apprise URL safe for logs: credentials and query dropped, every path segment that
    ``url_secrets`` counts as a possible secret masked, and a host that is not a host name
    (``slack://TokenA/…``, ``discord://webhook_id/…``) masked too.

    Parsed by hand because Apprise URLs are not always valid URLs (``tgram://bot:token/chat``
    has a "port" that is a token). Short tokens count: a 9-character password in a path segment
    once reached ``alerts.last_error`` through this function.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        return "<unparseable url>"
    netloc = rest.split("/", 1)[0]
    host = netloc.rsplit("@", 1)[-1].split(":", 1)[0]
    path = rest[len(netloc) :].split("?", 1)[0]
    if "." not in host and host != "localhost":
        host = _mask_segment(host)
    masked = "/".join(_mask_segment(segment) for segment in path.split("/"))
    return f"{scheme}://{_SECRET_RE.sub('***', host)}{masked}"


def _mask_segment(segment: str) -> str:
    return "***" if len(segment) > 3 and not segment.isdigit() else segment


def url_secrets(url: str) -> set[str]:
    """Every part of an Apprise URL that may be a secret: user, password, port-like tokens, path
    segments and query values (each also URL-decoded), whatever their length above 3."""
    _, _, rest = url.partition("://")
    netloc, _, tail = rest.partition("/")
    path, _, query_string = tail.partition("?")
    parts: list[str] = []
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        parts += userinfo.split(":")
    else:
        host = netloc
    parts += host.split(":")[1:]
    parts += path.split("/")
    parts += [p.partition("=")[2] for p in query_string.split("&")]
    out = {p for p in parts if len(p) > 3 and not p.isdigit()}
    return out | {unquote(p) for p in out}


def scrub(text: str, urls: Iterable[str]) -> str:
    """``text`` with every URL and every secret-looking part of it masked."""
    for url in urls:
        text = text.replace(url, redact_url(url))
        for secret in sorted(url_secrets(url), key=len, reverse=True):
            text = text.replace(secret, "***")
    return text


def next_attempt_at(attempts: int, now: datetime, base_s: float = 60.0) -> datetime:
    """Exponential backoff between delivery attempts across runs (1, 2, 4 … minutes, max 6 h)."""
    return now + timedelta(seconds=min(base_s * (2 ** max(attempts - 1, 0)), 6 * 3600))


class _ScrubSecrets(logging.Filter):
    """Masks channel secrets in records of the libraries that deliver (Apprise logs its target
    URL at DEBUG level, path tokens included, and urllib3 logs every request line)."""

    LOGGERS = ("apprise", "urllib3.connectionpool")

    def __init__(self, urls: Sequence[str]) -> None:
        super().__init__()
        self.urls = list(urls)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message, self.urls)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True

    def __enter__(self) -> _ScrubSecrets:
        for name in self.LOGGERS:
            logging.getLogger(name).addFilter(self)
        return self

    def __exit__(self, *exc: object) -> None:
        for name in self.LOGGERS:
            logging.getLogger(name).removeFilter(self)


def _failure_detail(why: str, logged: Sequence[str], urls: Sequence[str]) -> str:
    """Why Apprise refused, from its own log: the last warning, and ``timeout`` when a socket
    timed out (Apprise words a timeout as a connection error), every secret masked."""
    warnings = [line.split(" ", 1)[-1] for line in logged if not line.startswith("DEBUG")]
    detail = why or (warnings[-1] if warnings else "")
    timed_out = any(re.search(r"timed out|timeout", line, re.IGNORECASE) for line in logged)
    parts = [p for p in ("timeout" if timed_out else "", scrub(detail, urls)[:200]) if p]
    return f" ({': '.join(parts)})" if parts else ""


def deliver(
    alerts: Sequence[tuple[str, str, str]],
    urls: Sequence[str],
    body_format: Literal["markdown", "text"] = "markdown",
    texts: Mapping[str, str] | None = None,
    on_result: Callable[[Delivery], None] | None = None,
) -> list[Delivery]:
    """Send (alert_id, title, body) to every URL of one channel; ok only if all accepted it.

    With ``body_format="markdown"`` the body is Markdown and ``texts`` maps alert ids to their
    plain-text form: a URL whose service renders only text (SMS, ``ntfy://``, any URL with
    ``?format=text``; see ``text_only``) gets that form, the others the Markdown (which Apprise
    turns into HTML for e-mail). With ``"text"`` every URL gets the body as plain text.

    Apprise reports failure by a falsy return, not an exception; both become a Delivery whose
    error names the URL by its redacted form and quotes Apprise's own warning (a timeout, an HTTP
    status) with every secret part of every URL masked.

    ``on_result`` is called with each alert's outcome as soon as it is known, before the next
    alert is sent: the caller records it durably there, so a crash mid-batch can repeat only the
    alert in flight, not every alert already accepted.
    """
    with _ScrubSecrets(urls):
        return _deliver(alerts, urls, body_format, texts or {}, on_result)


def text_only(instance: apprise.Apprise) -> bool:
    """Whether the (single) service of ``instance`` would render a Markdown body as plain text:
    Apprise has no Markdown-to-text conversion, so such a service would show the ``**`` marks."""
    plugin = instance[0]
    return bool(plugin.resolve_format(apprise.NotifyFormat.MARKDOWN) == apprise.NotifyFormat.TEXT)


def _deliver(
    alerts: Sequence[tuple[str, str, str]],
    urls: Sequence[str],
    body_format: Literal["markdown", "text"],
    texts: Mapping[str, str],
    on_result: Callable[[Delivery], None] | None = None,
) -> list[Delivery]:
    channels: list[tuple[str, apprise.Apprise, bool]] = []
    bad: list[str] = []
    for url in urls:
        instance = apprise.Apprise()
        if instance.add(url):
            plain = body_format == "text" or text_only(instance)
            channels.append((redact_url(url), instance, plain))
        else:
            bad.append(redact_url(url))
    results: list[Delivery] = []
    for alert_id, title, body in alerts:
        errors = [f"invalid channel {name}" for name in bad]
        for name, instance, plain in channels:
            text = texts.get(alert_id, body) if plain and body_format == "markdown" else body
            fmt = apprise.NotifyFormat.TEXT if plain else apprise.NotifyFormat.MARKDOWN
            with apprise.LogCapture(  # type: ignore[no-untyped-call]
                level=logging.DEBUG, fmt="%(levelname)s %(message)s"
            ) as captured:
                try:
                    ok = bool(instance.notify(title=title, body=text, body_format=fmt))
                    why = ""
                except Exception as exc:  # a plugin bug must not lose the other alerts
                    ok, why = False, type(exc).__name__
                logged = captured.getvalue().splitlines()
            if not ok:
                errors.append(f"{name}: not accepted{_failure_detail(why, logged, urls)}")
        if not channels:
            errors.append("no usable alert channel")
        results.append(Delivery(alert_id, not errors, "; ".join(errors) or None))
        if on_result is not None:
            on_result(results[-1])
    return results


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One alert as an Atom entry."""

    alert_id: str
    rule: str
    title: str
    text: str
    url: str | None
    created_at: datetime
    updated_at: datetime


ATOM_NS = "http://www.w3.org/2005/Atom"


def render_atom(
    entries: Sequence[FeedEntry], now: datetime, title: str = "newsmon alerts"
) -> bytes:
    """An Atom 1.0 feed of alerts (newest first), for feed readers and tools that poll.

    Built with ElementTree so every title and text is escaped; ids are stable ``urn:`` ids, so a
    reader shows an alert once however often the feed is regenerated.
    """
    import xml.etree.ElementTree as ET

    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    sub(feed, "id", "urn:newsmon:alerts")
    sub(feed, "title", title)
    sub(feed, "updated", max((e.updated_at for e in entries), default=now).isoformat())
    sub(sub(feed, "author"), "name", "newsmon")
    for entry in entries:
        item = sub(feed, "entry")
        sub(item, "id", f"urn:newsmon:alert:{entry.alert_id}")
        sub(item, "title", entry.title)
        sub(item, "updated", entry.updated_at.isoformat())
        sub(item, "published", entry.created_at.isoformat())
        sub(item, "category", term=entry.rule)
        if entry.url:
            sub(item, "link", href=entry.url, rel="alternate")
        sub(item, "content", entry.text, type="text")
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body
