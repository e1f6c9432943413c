"""Alerts: decide which (rule, entity, story) deserve one, render the message, deliver via Apprise.

The outbox (the ``alerts`` table) makes delivery safe to repeat: an alert is a row keyed by
(rule, entity, story) before it is a message. Delivery is at-least-once: a crash after Apprise
accepted a message but before the row was marked ``sent`` sends that one message again on the next
run, and nothing else is ever sent twice.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import apprise

from tasks.models import Alert, Mention

RULE_ALLIANCE_NEW_STORY = "alliance_new_story"
KST = ZoneInfo("Asia/Seoul")


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


@dataclass(frozen=True, slots=True)
class Delivery:
    """The outcome of delivering one alert to every channel."""

    alert_id: str
    ok: bool
    error: str | None


def alert_id_for(rule: str, entity_id: str, story_id: str) -> str:
    """Deterministic id: the same (rule, entity, story) is the same alert on every run."""
    return hashlib.sha256(f"{rule}\x1f{entity_id}\x1f{story_id}".encode()).hexdigest()[:20]


def highlight(sentence: str, surface: str) -> str:
    """The sentence with the first occurrence of the mention in bold (Markdown)."""
    index = sentence.find(surface)
    if index < 0 or not surface:
        return sentence
    return f"{sentence[:index]}**{surface}**{sentence[index + len(surface) :]}"


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


def render_message(entity_name: str, story: StoryContext, mention: Mention) -> tuple[str, str]:
    """Title and Markdown body of an alliance alert (readable as plain text too)."""
    title = f"{entity_name}: {story.title}"[:250]
    when = (
        story.published_at.astimezone(KST).strftime("%Y-%m-%d %H:%M KST")
        if story.published_at
        else "date unknown"
    )
    outlets = ", ".join(story.outlets[:8]) + (" …" if len(story.outlets) > 8 else "")
    lines = [
        f"**{entity_name}** appears in a new story.",
        f"[{story.title}]({story.url})",
        f"> {highlight(mention.sentence, mention.surface)}",
        f"Published {when} · {len(story.outlets)} outlet(s) so far: {outlets}",
        f"Story {story.story_id} · {story.n_articles} article(s)",
    ]
    return title, "\n\n".join(lines)


def plan_alliance_alerts(
    mentions: Iterable[Mention],
    story_of: Mapping[str, str],
    alliance_names: Mapping[str, str],
    stories: Mapping[str, StoryContext],
    already: set[tuple[str, str, str]],
    now: datetime | None = None,
) -> list[Alert]:
    """One ``alliance_new_story`` alert per (alliance, story) that has none yet.

    ``story_of`` maps article ids to story ids; ``alliance_names`` maps the alliance entity ids to
    display names (only these entities alert); ``already`` holds existing outbox keys.
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
        best = _best_mention(found, stories[story_id].representative_article_id)
        title, message = render_message(alliance_names[entity_id], stories[story_id], best)
        alerts.append(
            Alert(
                alert_id=alert_id_for(RULE_ALLIANCE_NEW_STORY, entity_id, story_id),
                rule=RULE_ALLIANCE_NEW_STORY,
                entity_id=entity_id,
                story_id=story_id,
                article_id=best.article_id,
                title=title,
                message=message,
                created_at=created,
            )
        )
    return alerts


_SECRET_RE = re.compile(r"[A-Za-z0-9_\-]{12,}")


def redact_url(url: str) -> str:
    """An Apprise URL safe for logs: credentials dropped, token-like segments masked.

    Parsed by hand because Apprise URLs are not always valid URLs (``tgram://bot:token/chat``
    has a "port" that is a token).
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        return "<unparseable url>"
    netloc = rest.split("/", 1)[0]
    host = netloc.rsplit("@", 1)[-1].split(":", 1)[0]
    path = rest[len(netloc) :]
    return f"{scheme}://{_SECRET_RE.sub('***', host)}{_SECRET_RE.sub('***', path)}"


def next_attempt_at(attempts: int, now: datetime, base_s: float = 60.0) -> datetime:
    """Exponential backoff between delivery attempts across runs (1, 2, 4 … minutes, max 6 h)."""
    return now + timedelta(seconds=min(base_s * (2 ** max(attempts - 1, 0)), 6 * 3600))


def deliver(alerts: Sequence[tuple[str, str, str]], urls: Sequence[str]) -> list[Delivery]:
    """Send (alert_id, title, markdown) to every channel; an alert is ok only if all accepted it.

    Apprise reports failure by a falsy return, not an exception; both are turned into a Delivery
    with an error that names the channel by its redacted URL, never by its secret.
    """
    channels: list[tuple[str, apprise.Apprise]] = []
    bad: list[str] = []
    for url in urls:
        instance = apprise.Apprise()
        if instance.add(url):
            channels.append((redact_url(url), instance))
        else:
            bad.append(redact_url(url))
    results: list[Delivery] = []
    for alert_id, title, body in alerts:
        errors = [f"invalid channel {name}" for name in bad]
        for name, instance in channels:
            try:
                ok = bool(
                    instance.notify(
                        title=title, body=body, body_format=apprise.NotifyFormat.MARKDOWN
                    )
                )
            except Exception as exc:  # a plugin bug must not lose the other alerts
                ok = False
                errors.append(f"{name}: {type(exc).__name__}")
                continue
            if not ok:
                errors.append(f"{name}: not accepted")
        if not channels:
            errors.append("no usable alert channel")
        results.append(Delivery(alert_id, not errors, "; ".join(errors) or None))
    return results
