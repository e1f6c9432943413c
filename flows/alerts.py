"""Alert orchestration over the outbox: plan, route, deliver, digest.

The monitor flow calls three steps after loading: ``enqueue_run_alerts`` (plan this run's alerts
from its mentions and the warehouse, add them to the outbox, refresh outlet counts), then
``route_new`` (every new row — health alerts included — gets its channels and first status:
pending, ``held`` in quiet hours, or ``suppressed`` with the reason, an operator's mute included),
then ``deliver_due``. The rules and channel URLs are read once at the flow's edge
(``load_alert_config``) and passed down.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, BinaryIO

from tasks.alert_rules import (
    KST,
    RULE_ALLIANCE_NEW_STORY,
    RULE_ENTITY_SPIKE,
    AlertRules,
    AlertRulesError,
    MemberCandidateRule,
    Mute,
    QuietHours,
    ResolvedChannel,
    SpikeRule,
    alert_entities,
    find_mute,
    load_alert_rules,
    mute_reason,
    resolve_channels,
)
from tasks.alerting import (
    Delivery,
    DigestItem,
    MemberEvidence,
    Rendered,
    SpikeCount,
    StoryContext,
    deliver,
    next_attempt_at,
    plan_alliance_alerts,
    plan_member_candidates,
    plan_spikes,
    render_digest,
)
from tasks.gazetteer import Gazetteer
from tasks.models import Alert, Mention
from tasks.relations import find_membership_events
from warehouse import loading
from warehouse.database import open_writer, query, run_lock

if TYPE_CHECKING:
    from pathlib import Path

    import duckdb

    from flows.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AlertConfig:
    """Rules, channels with their URLs, and quiet hours: everything alerting reads from settings."""

    rules: AlertRules
    channels: dict[str, ResolvedChannel]
    quiet: QuietHours | None
    max_attempts: int = 8

    @property
    def any_channel(self) -> bool:
        return any(c.urls for c in self.channels.values())


SECRET_PREFIX = "prefect-secret:"


def _secret_urls(urls: Sequence[str]) -> list[str]:
    """URLs with every ``prefect-secret:NAME`` replaced by the Apprise URLs stored in that Prefect
    Secret block (a string, whitespace- or comma-separated, or a list of strings).

    The error names the block, never its value.
    """
    out: list[str] = []
    for url in urls:
        if not url.startswith(SECRET_PREFIX):
            out.append(url)
            continue
        from prefect.blocks.system import Secret

        name = url[len(SECRET_PREFIX) :]
        try:
            block: Any = Secret.load(name, _sync=True)  # type: ignore[call-arg]
            value = block.get()
        except Exception as exc:
            raise AlertRulesError(
                f"cannot load the Prefect Secret block {name!r} ({type(exc).__name__})"
            ) from None
        items = value.replace(",", " ").split() if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise AlertRulesError(f"Prefect Secret block {name!r} holds no Apprise URLs")
        out.extend(items)
    return out


def load_alert_config(settings: Settings) -> AlertConfig:
    """The alert configuration for a run; raises ``AlertRulesError`` on a bad rules file or an
    unreadable Prefect Secret block."""
    rules = load_alert_rules(settings.alert_rules)
    channels = resolve_channels(
        rules,
        _secret_urls(settings.alert_urls),
        {name: _secret_urls(urls) for name, urls in settings.alert_channels.items()},
    )
    quiet = QuietHours.parse(settings.quiet_hours) if settings.quiet_hours else None
    return AlertConfig(rules, channels, quiet, settings.alert_max_attempts)


def _story_contexts(
    con: duckdb.DuckDBPyConnection, story_ids: Sequence[str]
) -> dict[str, StoryContext]:
    rows = con.execute(query("alert_story_context"), {"story_ids": list(story_ids)}).fetchall()
    return {
        r[0]: StoryContext(
            story_id=r[0],
            title=r[1] or "(untitled)",
            url=r[2],
            n_articles=int(r[3]),
            outlets=tuple(sorted(o for o in r[7] if o)),
            published_at=r[5],
            representative_article_id=r[6],
            lang=r[8] or "en",
            other_urls=tuple(dict.fromkeys(u for u in (r[9] or []) if u and u != r[2])),
        )
        for r in rows
    }


SentenceKey = tuple[str, str, int | str]


def _sentence_key(mention: Mention) -> SentenceKey:
    """Mentions that share this share a sentence (by its index, else its text)."""
    index = mention.sentence_index
    return (mention.article_id, mention.field, index if index is not None else mention.sentence)


def _member_evidence(
    mentions: Sequence[Mention],
    story_of: Mapping[str, str],
    gazetteer: Gazetteer,
    rule: MemberCandidateRule,
    con: duckdb.DuckDBPyConnection,
) -> list[MemberEvidence]:
    """Membership events (join/sign by a non-member, leave by a member) and, when the rule asks,
    first-ever same-sentence co-mentions of a watched alliance and a non-member company."""
    kinds = {e.id: e.kind for e in gazetteer}
    surfaces: dict[tuple[str, str, int | str, str], str] = {}
    sentences: dict[SentenceKey, set[str]] = defaultdict(set)
    for m in mentions:
        key = _sentence_key(m)
        if not m.collective:  # 통신 3사 names no company in particular
            sentences[key].add(m.entity_id)
        surfaces.setdefault((*key, m.entity_id), m.surface)
    out: list[MemberEvidence] = []
    for event in find_membership_events(mentions, gazetteer):
        if kinds.get(event.alliance_id) != "alliance" or not rule.watches(event.alliance_id):
            continue
        if event.article_id not in story_of or event.known_member != (event.event == "leave"):
            continue
        key3: SentenceKey = (event.article_id, event.field, event.sentence_index)
        out.append(
            MemberEvidence(
                event.alliance_id,
                event.company_id,
                event.event,
                event.article_id,
                story_of[event.article_id],
                event.sentence,
                tuple(
                    s
                    for e in (event.alliance_id, event.company_id)
                    if (s := surfaces.get((*key3, e)))
                ),
                event.trigger,
            )
        )
    if not rule.co_mentions:
        return out
    sentence_of = {_sentence_key(m): m for m in mentions}
    pairs: list[tuple[str, str, SentenceKey]] = []
    for key, entities in sentences.items():
        if key[0] not in story_of:
            continue
        for alliance in entities:
            if kinds.get(alliance) != "alliance" or not rule.watches(alliance):
                continue
            if rule.co_mention_alliances and alliance not in rule.co_mention_alliances:
                continue
            members = gazetteer.alliance_members(alliance)
            pairs += [
                (alliance, c, key)
                for c in entities
                if kinds.get(c) == "company" and c not in members
            ]
    if not pairs:
        return out
    seen = {
        (r[0], r[1])
        for r in con.execute(
            query("alert_pairs_seen"),
            {
                "alliances": sorted({a for a, _, _ in pairs}),
                "companies": sorted({c for _, c, _ in pairs}),
                "article_ids": sorted({k[0] for _, _, k in pairs}),
            },
        ).fetchall()
    }
    for alliance, company, key in pairs:
        if (alliance, company) in seen:
            continue
        out.append(
            MemberEvidence(
                alliance,
                company,
                "co_mention",
                key[0],
                story_of[key[0]],
                sentence_of[key].sentence,
                tuple(s for e in (alliance, company) if (s := surfaces.get((*key, e)))),
            )
        )
    return out


def _spike_counts(
    con: duckdb.DuckDBPyConnection, rule: SpikeRule, entity_ids: Iterable[str], today: date
) -> list[SpikeCount]:
    wanted = sorted(e for e in entity_ids if rule.watches(e))
    if not wanted:
        return []
    params = {
        "entities": wanted,
        "today": today,
        "days": rule.baseline_days,
        "min_stories": rule.min_stories,
    }
    rows = con.execute(query("alert_spike_counts"), params).fetchall()
    if not rows:
        return []
    stories: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for entity_id, _, title, url in con.execute(
        query("alert_spike_stories"), {"entities": [r[0] for r in rows], "today": today}
    ).fetchall():
        stories[entity_id].append((title or "(untitled)", url))
    return [SpikeCount(r[0], int(r[1]), int(r[2]), tuple(stories[r[0]])) for r in rows]


def enqueue_run_alerts(
    con: duckdb.DuckDBPyConnection,
    mentions: Sequence[Mention],
    story_of: Mapping[str, str],
    gazetteer: Gazetteer,
    rules: AlertRules,
    now: datetime | None = None,
    *,
    suppressed_reason: str | None = None,
) -> int:
    """Plan this run's alerts (switched-off rules plan nothing), add the new ones to the outbox,
    and refresh the outlet counts of earlier alerts whose stories gained copies. Returns how many
    outbox rows are new. ``suppressed_reason`` (reprocess's replay) adds them as ``suppressed``
    with that reason, unrouted and never sent."""
    now = now or datetime.now(UTC)
    touched = sorted(set(story_of.values()))
    mentioned = sorted({story_of[m.article_id] for m in mentions if m.article_id in story_of})
    already = {
        (r[0], r[1], r[2])
        for r in con.execute(query("alerted_keys"), {"story_ids": mentioned}).fetchall()
    }
    contexts = _story_contexts(con, mentioned) if mentioned else {}
    names = {e.id: e.name_en for e in gazetteer}
    names_ko = {e.id: e.name_ko for e in gazetteer if e.name_ko}
    alerts: list[Alert] = []
    story_rule = rules.rule(RULE_ALLIANCE_NEW_STORY)
    if story_rule.enabled:
        watched = {
            e.id: e.name_en for e in gazetteer if e.kind == "alliance" and story_rule.watches(e.id)
        }
        alerts += plan_alliance_alerts(
            mentions, story_of, watched, contexts, already, now, names_ko
        )
    member_rule = rules.rules.alliance_new_member_candidate
    if member_rule.enabled and mentions:
        evidence = _member_evidence(mentions, story_of, gazetteer, member_rule, con)
        if evidence:
            keys = {r[0] for r in con.execute(query("alert_member_keys")).fetchall()}
            alerts += plan_member_candidates(evidence, names, contexts, keys, now, names_ko)
    spike_rule = rules.rules.entity_spike
    if spike_rule.enabled and mentions:
        today = now.astimezone(KST).date()
        counts = _spike_counts(con, spike_rule, {m.entity_id for m in mentions}, today)
        spiked = {(RULE_ENTITY_SPIKE, c.entity_id, f"day:{today.isoformat()}") for c in counts}
        existing = {
            (r[0], r[1], r[2])
            for r in con.execute(
                query("alerted_keys"), {"story_ids": sorted({k[2] for k in spiked})}
            ).fetchall()
        }
        alerts += plan_spikes(
            counts,
            names,
            today,
            spike_rule.min_stories,
            spike_rule.factor,
            spike_rule.baseline_days,
            existing,
            now=now,
        )
    created = loading.enqueue_alerts(con, alerts, suppressed_reason)
    if touched:
        con.execute(query("alert_update_outlets"), {"story_ids": touched, "now": now}).fetchall()
    return created


@dataclass
class RouteCounts:
    pending: int = 0
    held: int = 0
    suppressed: int = 0


def active_mutes(con: duckdb.DuckDBPyConnection, now: datetime) -> list[Mute]:
    """The operators' mutes in force at ``now`` (see ``flows.alert_mutes``)."""
    rows = con.execute(query("alert_mutes_active"), {"now": now}).fetchall()
    return [Mute(r[0], r[1], r[2], r[3]) for r in rows]


def route_new(
    con: duckdb.DuckDBPyConnection,
    config: AlertConfig,
    send_alerts: bool,
    now: datetime | None = None,
) -> RouteCounts:
    """Give every unrouted outbox row its channels and first status.

    In order: a switched-off rule or an entity off the rule's watch list → ``suppressed``; a run
    with ``--no-alerts`` → ``suppressed``; a mute in force at ``now`` on one of its entities →
    ``suppressed`` as ``muted until …`` with ``muted_until`` set (never sent, not when the mute
    ends either; the digest still lists it); none of its channels has a URL → ``suppressed`` (so
    turning delivery on later does not flood a channel with old news); a non-urgent alert created
    in quiet hours → ``held`` for the next digest; else ``pending``.
    """
    counts = RouteCounts()
    decisions: list[dict[str, Any]] = []
    unrouted = con.execute(query("alert_unrouted")).fetchall()
    mutes: dict[str, list[Mute]] = defaultdict(list)  # by entity: a lookup per alert, not a scan
    for mute_row in active_mutes(con, now or datetime.now(UTC)) if unrouted else []:
        mutes[mute_row.entity_id].append(mute_row)
    for alert_id, rule, entity_id, created_at, attempts in unrouted:
        rule_config = config.rules.rule(rule)
        targets = config.rules.route(rule, entity_id)
        usable = [c for c in targets if c in config.channels and config.channels[c].urls]
        reason: str | None = None
        status = "suppressed"
        parts = alert_entities(entity_id)
        mute = find_mute([m for e in parts for m in mutes.get(e, ())], rule, entity_id)
        if attempts and usable:  # already being retried before routing existed: keep going
            status = "pending"
        elif not rule_config.enabled:
            reason = f"rule {rule} is switched off"
        elif rule_config.watch and not any(rule_config.watches(e) for e in parts):
            reason = f"{entity_id} is not on the {rule} watch list"
        elif not send_alerts:
            reason = "alerts disabled for this run (--no-alerts)"
        elif mute is not None:
            reason = mute_reason(mute)
        elif not usable:
            reason = "no alert channel configured (" + ", ".join(targets) + ")"
        elif config.quiet and not rule_config.urgent and config.quiet.contains(created_at):
            status, reason = "held", "quiet hours: held for the next digest"
        else:
            status = "pending"
        decisions.append(
            {
                "alert_id": alert_id,
                "channels": usable or list(targets),
                "urgent": rule_config.urgent,
                "status": status,
                "reason": reason,
                "muted_until": mute.until if mute is not None and status == "suppressed" else None,
            }
        )
        setattr(counts, status, getattr(counts, status) + 1)
    if decisions:  # one UPDATE for the batch: a row at a time costs ~3 ms each
        import pyarrow as pa

        schema = pa.schema(
            [
                ("alert_id", pa.string()),
                ("channels", pa.list_(pa.string())),
                ("urgent", pa.bool_()),
                ("status", pa.string()),
                ("reason", pa.string()),
                ("muted_until", pa.timestamp("us", tz="UTC")),
            ]
        )
        con.register("_alert_routes", pa.Table.from_pylist(decisions, schema=schema))
        try:
            con.execute(query("alert_route")).fetchall()
        finally:
            con.unregister("_alert_routes")
    return counts


@dataclass
class DeliveryCounts:
    sent: int = 0
    failed: int = 0
    muted: int = 0
    errors: list[str] = field(default_factory=list)


def _mark(
    con: duckdb.DuckDBPyConnection,
    alert_id: str,
    status: str,
    attempts: int,
    error: str | None,
    next_at: datetime | None,
    delivered: Sequence[str],
    *,
    digested: bool = False,
) -> None:
    con.execute(
        query("alert_mark_delivery"),
        {
            "alert_id": alert_id,
            "status": status,
            "attempts": attempts,
            "error": error,
            "next_at": next_at,
            "delivered": list(delivered),
            "digested": digested,
            "now": datetime.now(UTC),
        },
    ).fetchall()


def _drop_muted(
    con: duckdb.DuckDBPyConnection,
    due: list[Any],
    now: datetime,
    exempt: frozenset[str],
    counts: DeliveryCounts,
) -> list[Any]:
    """The due rows no mute in force silences; the others are stored as muted (``route_new``'s
    reason and ``muted_until``) and counted in ``counts.muted``."""
    mutes = active_mutes(con, now)
    if not mutes:
        return due
    kept = []
    for row in due:
        alert_id, rule, entity_id = str(row[0]), str(row[1]), str(row[2])
        mute = None if alert_id in exempt else find_mute(mutes, rule, entity_id)
        if mute is None:
            kept.append(row)
            continue
        con.execute(
            query("alert_mute_pending"),
            {"alert_id": alert_id, "reason": mute_reason(mute), "until": mute.until},
        ).fetchall()
        counts.muted += 1
    return kept


class DeliveryJournal:
    """``<db>.deliveries``: one line per (alert, channel) a channel accepted, appended and synced
    to disk before the next alert is sent, so a crash mid-batch re-sends only the alert in flight.

    The outbox itself is marked once per batch (a DuckDB write-open costs ~30 ms with its
    checkpoint; one per accepted alert made delivery 17× slower than sending alone, see
    bench/alerts_bench.py), and the writer is not held while a webhook is slow. The journal costs
    a line and an fsync (~0.2 ms). ``deliver_due`` replays it into ``alerts.delivered_to`` before
    reading what is due and removes it once the batch is marked; replaying twice is harmless.
    Only ``deliver_due`` touches it, under the run lock."""

    def __init__(self, db: Path) -> None:
        self.path = db.with_name(db.name + ".deliveries")
        self._file: BinaryIO | None = None

    def replay(self, con: duckdb.DuckDBPyConnection) -> int:
        """Record every journalled acceptance in the outbox; how many lines were applied."""
        if not self.path.exists():
            return 0
        applied = 0
        for line in self.path.read_text("utf-8", errors="replace").splitlines():
            alert_id, tab, channel = line.partition("\t")
            if tab and alert_id and channel:  # a line cut short by a crash is skipped
                con.execute(
                    query("alert_mark_channel"), {"alert_id": alert_id, "channel": channel}
                ).fetchall()
                applied += 1
        return applied

    def record(self, alert_id: str, channel: str) -> None:
        if self._file is None:
            self._file = self.path.open("ab")
        self._file.write(f"{alert_id}\t{channel}\n".encode())
        self._file.flush()
        os.fsync(self._file.fileno())

    def clear(self) -> None:
        """Close and remove the journal: the outbox now holds everything it said."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self.path.unlink(missing_ok=True)


def _record_channel(journal: DeliveryJournal, channel: str) -> Callable[[Delivery], None]:
    """A callback that journals "``channel`` accepted this alert" as soon as it did. A journal
    that cannot be written (disk full) is logged and skipped: the batch's marks record the alert
    anyway, and the worst case is a re-send after a crash, never a lost alert."""

    def record(result: Delivery) -> None:
        if not result.ok:
            return
        try:
            journal.record(result.alert_id, channel)
        except OSError as exc:
            log.warning("could not journal delivery of %s to %s: %s", result.alert_id, channel, exc)

    return record


async def deliver_due(
    settings: Settings, config: AlertConfig, exempt: frozenset[str] = frozenset()
) -> DeliveryCounts:
    """Deliver every due routed row to the channels that have not accepted it yet: send, record
    each accepted alert at once, then mark the batch (at-least-once; a crash repeats at most the
    alert in flight; see ``tasks.alerting``). The writer is not held while sending.
    Each URL gets the Markdown or the plain-text form, whichever its service renders.

    A due row whose entity is muted now (the mute came after it was routed, while it waited for a
    retry) is not sent but stored ``suppressed`` as routing would have stored it; ``exempt`` ids
    (an operator's explicit resend) are sent regardless."""
    now = datetime.now(UTC)
    counts = DeliveryCounts()
    journal = DeliveryJournal(settings.db)
    with open_writer(settings.db) as con:
        journal.replay(con)  # what a crashed delivery had sent before it could mark the batch
        due = con.execute(query("alert_due"), {"now": now}).fetchall()
        if due:
            due = _drop_muted(con, due, now, exempt, counts)
    if not due:
        journal.clear()
        return counts
    delivered: dict[str, list[str]] = {r[0]: list(r[8]) for r in due}
    errors: dict[str, list[str]] = defaultdict(list)
    by_channel: dict[str, list[Any]] = defaultdict(list)
    for row in due:
        for name in row[7]:
            if name not in delivered[row[0]]:
                by_channel[name].append(row)
    for name, rows in sorted(by_channel.items()):
        channel = config.channels.get(name)
        if channel is None or not channel.urls:
            for row in rows:
                errors[str(row[0])].append(f"channel {name} has no URL configured")
            continue
        column = 5 if channel.format == "text" else 4
        payload = [(str(r[0]), str(r[3]), str(r[column])) for r in rows]
        texts = {str(r[0]): str(r[5]) for r in rows}
        results = await asyncio.to_thread(
            deliver,
            payload,
            channel.urls,
            channel.format,
            texts,
            _record_channel(journal, name),
        )
        for result in results:
            if result.ok:
                delivered[result.alert_id].append(name)
            else:
                errors[result.alert_id].append(f"[{name}] {result.error}")
    with open_writer(settings.db) as con:
        for row in due:
            alert_id, tries = str(row[0]), int(row[6]) + 1
            if not errors.get(alert_id):
                _mark(con, alert_id, "sent", tries, None, None, delivered[alert_id])
                counts.sent += 1
                continue
            final = tries >= config.max_attempts
            error = "; ".join(errors[alert_id])[:1000]
            _mark(
                con,
                alert_id,
                "failed" if final else "pending",
                tries,
                error,
                None if final else next_attempt_at(tries, now),
                delivered[alert_id],
            )
            counts.failed += 1
            counts.errors.append(error)
    journal.clear()
    return counts


@dataclass
class ChannelDigest:
    channel: str
    rendered: Rendered
    items: list[DigestItem]
    held_ids: list[str]
    sent: bool = False
    error: str | None = None


def build_digests(
    con: duckdb.DuckDBPyConnection,
    config: AlertConfig,
    since: datetime,
    *,
    hide_muted: bool = False,
) -> list[ChannelDigest]:
    """One digest per channel that has alerts since ``since`` (or held ones): the day's stories
    by alliance, then the other alerts, in the channel's language; alerts a mute suppressed are
    listed as muted unless ``hide_muted``."""
    params = {"since": since, "hide_muted": hide_muted}
    rows = con.execute(query("alert_digest"), params).fetchall()
    per_channel: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        for name in row[10]:
            per_channel[name].append(row)
    digests: list[ChannelDigest] = []
    for name, picked in sorted(per_channel.items()):
        lang = config.channels[name].lang if name in config.channels else "en"
        items = [
            DigestItem(
                rule=str(r[1]),
                entity_id=str(r[2]),
                entity_name=str(r[4] if lang == "ko" else r[3]),
                title=str(r[5]),
                url=str(r[6]) if r[6] else None,
                n_outlets=int(r[7]) if r[7] is not None else None,
                created_at=r[8],
                muted=bool(r[13]),
            )
            for r in picked
        ]
        held = [str(r[0]) for r in picked if r[9] == "held" and name not in (r[11] or [])]
        digests.append(ChannelDigest(name, render_digest(items, since, lang), items, held))
    return digests


async def send_digests(
    settings: Settings,
    config: AlertConfig,
    since: datetime,
    send: bool = True,
    *,
    hide_muted: bool = False,
) -> list[ChannelDigest]:
    """Build the digests and send each to its channel (Markdown or plain text per URL, as alerts);
    held alerts a channel's digest carried count as delivered to that channel (``sent`` once
    every channel of theirs had its digest). The caller holds the run lock (``run_digest``)."""
    with open_writer(settings.db) as con:
        digests = build_digests(con, config, since, hide_muted=hide_muted)
    if not send:
        return digests
    for digest in digests:
        channel = config.channels.get(digest.channel)
        if channel is None or not channel.urls:
            digest.error = f"channel {digest.channel} has no URL configured"
            continue
        body = digest.rendered.text if channel.format == "text" else digest.rendered.markdown
        results = await asyncio.to_thread(
            deliver,
            [("digest", digest.rendered.title, body)],
            channel.urls,
            channel.format,
            {"digest": digest.rendered.text},
        )
        digest.sent, digest.error = results[0].ok, results[0].error
    done = {d.channel for d in digests if d.sent}
    held = {i for d in digests if d.sent for i in d.held_ids}
    if not held:
        return digests
    with open_writer(settings.db) as con:
        params = {"since": since, "hide_muted": hide_muted}
        for row in con.execute(query("alert_digest"), params).fetchall():
            if str(row[0]) not in held:
                continue
            got = list(dict.fromkeys([*(row[11] or []), *(c for c in row[10] if c in done)]))
            status = "sent" if set(row[10]) <= set(got) else "held"
            _mark(con, str(row[0]), status, int(row[12]), None, None, got, digested=True)
    return digests


async def resend_alert(
    settings: Settings, config: AlertConfig, alert_id: str
) -> DeliveryCounts | None:
    """An operator's resend: the row is made due again (routed first if it never was) and every
    due row is delivered, under the run lock so it never races a monitor run or a digest.
    None when there is no such alert."""
    owner = f"resend {alert_id[:20]}"
    with run_lock(settings.db, owner, settings.run_lock_wait_s):
        with open_writer(settings.db) as con:
            found = con.execute(query("alert_resend"), {"alert_id": alert_id}).fetchall()
            if found and found[0][1] is None:
                route_new(con, config, send_alerts=True)
        if not found:
            return None
        return await deliver_due(settings, config, exempt=frozenset({alert_id}))
