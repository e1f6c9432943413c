"""The monitoring flow: sources → discover → fetch → extract+tag → dedupe → load → alert.

Orchestration only: every stage is a plain function in ``tasks``; this module reads settings once,
owns the HTTP client and the single DuckDB writer, and composes the stages. The writer's connection
is held only while a phase writes, so ``newsmon sql`` can read between phases.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
from prefect import flow
from prefect.client.schemas.objects import State
from prefect.states import Failed

from flows.alerts import deliver_due, enqueue_run_alerts, load_alert_config, route_new
from flows.hooks import notify_failure
from flows.progress import current_reporter
from flows.runner import gazetteer_and_tagger_for, run_chunks
from flows.settings import Settings
from tasks.alert_rules import AlertRulesError, check_rule_entities
from tasks.alerting import alert_id_for
from tasks.archive import ArchivedPage, page_states
from tasks.dedupe import dedupe
from tasks.discovery import Discovery
from tasks.fetching import Fetcher
from tasks.gazetteer import Gazetteer, GazetteerError
from tasks.health import HealthRules, SourceStatus, health_message, next_status
from tasks.models import Alert, Article, FeedItem, FetchResult, Mention, Source, StoryAssignment
from tasks.prefect_tasks import discover_source, fetch_pages
from tasks.relations import find_membership_events
from tasks.sources import SourcesError, load_sources
from tasks.urls import url_key
from warehouse import loading, state
from warehouse.database import DatabaseBusy, DatabaseError, open_writer, query, run_lock
from warehouse.window import load_window


class NothingToRun(Exception):
    """The run could not do anything useful (bad config, every source failed)."""


@dataclass
class RunReport:
    """What one run did; printed by the CLI and stored in the ``runs`` table."""

    run_id: str
    db: str
    sources_total: int = 0
    sources_ok: int = 0
    sources_failed: int = 0
    items_seen: int = 0
    pages_fetched: int = 0
    pages_failed: int = 0
    articles_new: int = 0
    stories_new: int = 0
    stories_merged: int = 0
    mentions_new: int = 0
    alerts_created: int = 0
    alerts_sent: int = 0
    alerts_failed: int = 0
    problems: list[str] = field(default_factory=list)
    failed_sources: list[tuple[str, str]] = field(default_factory=list)

    def stats(self) -> dict[str, int]:
        return {k: v for k, v in self.__dict__.items() if isinstance(v, int)}


def _keyed_items(
    discoveries: Sequence[Discovery], problems: list[str]
) -> list[tuple[str, FeedItem]]:
    """Every discovered item with its url_key; an item whose link has no key is reported."""
    keyed: list[tuple[str, FeedItem]] = []
    for found in discoveries:
        for item in found.items:
            try:
                keyed.append((url_key(item.url), item))
            except ValueError:
                problems.append(f"{found.source.name}: unusable link {item.url[:120]}")
    return keyed


def _new_items(keyed: Sequence[tuple[str, FeedItem]], known: set[str]) -> dict[str, list[FeedItem]]:
    """Items whose url_key is not stored yet, by source; the first source to list one wins."""
    by_source: dict[str, list[FeedItem]] = defaultdict(list)
    taken = set(known)
    for key, item in keyed:
        if key not in taken:
            taken.add(key)
            by_source[item.source_name].append(item)
    return by_source


@dataclass
class _Work:
    """What one run carries from phase to phase (internal to this module)."""

    run_id: str
    report: RunReport
    discoveries: list[Discovery] = field(default_factory=list)
    feed_rows: list[tuple[str, FeedItem]] = field(default_factory=list)
    fetched: list[tuple[FeedItem, FetchResult]] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    signatures: dict[str, list[int]] = field(default_factory=dict)
    mentions: list[Mention] = field(default_factory=list)
    pages: list[ArchivedPage] = field(default_factory=list)
    assignments: list[StoryAssignment] = field(default_factory=list)
    new_per_source: dict[str, int] = field(default_factory=dict)
    recovered_runs: list[str] = field(default_factory=list)

    def fetch_rows(self) -> list[tuple[FetchResult, str]]:
        """Every request of the run for fetch_log; a feed that downloaded but did not parse is
        logged as a ``parse`` error so source health sees it."""
        rows: list[tuple[FetchResult, str]] = []
        for found in self.discoveries:
            first = found.fetch
            if found.error and first.error is None:
                first = replace(first, error="parse", error_detail=found.error[:500])
            rows += [(f, "feed") for f in (first, *found.extra_fetches)]
        return rows + [(f, "article") for _, f in self.fetched]


async def run_monitor(
    settings: Settings, *, group: str | None = None, send_alerts: bool = True
) -> RunReport:
    """One monitoring run; raises NothingToRun when nothing could run (see the CLI's exit codes)."""
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:8]
    work = _Work(run_id, RunReport(run_id=run_id, db=str(settings.db)))
    try:
        sources_file = load_sources(settings.sources, group)
    except SourcesError as exc:
        raise NothingToRun(str(exc)) from exc
    try:  # a bad rules file or gazetteer stops the run before it opens the database
        config = load_alert_config(settings)
        gazetteer, _ = gazetteer_and_tagger_for(settings)
        where = str(settings.alert_rules or "packaged alert_rules.toml")
        check_rule_entities(config.rules, {e.id for e in gazetteer}, where)
    except (AlertRulesError, GazetteerError) as exc:
        raise NothingToRun(str(exc)) from None
    work.report.problems.extend(sources_file.problems)
    work.report.sources_total = len(sources_file.sources)
    with run_lock(settings.db, run_id, settings.run_lock_wait_s):
        with open_writer(settings.db) as con:
            # the lock proves no other run is alive; finish what crashed runs committed
            work.recovered_runs = loading.close_crashed_runs(con, "monitor")
            loading.start_run(con, run_id, "monitor")
            loading.sync_sources(con, sources_file.sources)
            loading.sync_entities(con, gazetteer.entity_rows())

        async with Fetcher(settings.fetch_policy()) as fetcher:
            await _discover(work, fetcher, sources_file.sources, settings)
            await _fetch_new(work, fetcher, settings)
        _extract_and_tag(work, settings)
        _dedupe_and_load(work, settings, gazetteer)
        _update_health(work, settings)
        _enqueue_alerts(work, gazetteer, settings, send_alerts)
        if send_alerts:
            await _deliver_due(settings, work.report)

        report = work.report
        status = "completed" if report.sources_ok else "failed"
        note = f"{report.sources_failed} source(s) failed" if report.sources_failed else "ok"
        with open_writer(settings.db) as con:
            loading.finish_run(con, run_id, status, report.stats(), note)
        await _publish_summary(settings, report)
    return report


async def _publish_summary(settings: Settings, report: RunReport) -> None:
    """The run's Prefect markdown artifact; best effort, it never fails the run."""
    from flows.analytics import publish_run_artifact

    stats = [
        ("sources ok / total", f"{report.sources_ok} / {report.sources_total}"),
        ("new articles", report.articles_new),
        ("new stories", report.stories_new),
        ("new mentions", report.mentions_new),
        ("alerts created", report.alerts_created),
    ]
    await publish_run_artifact(
        settings.db, report.run_id, report.alerts_sent, report.failed_sources, stats
    )


async def _discover(
    work: _Work, fetcher: Fetcher, sources: Sequence[Source], settings: Settings
) -> None:
    """Phase 1: read every source's feed concurrently (a Prefect task per source), sending back
    the validators of the last response so an unchanged feed costs a 304."""
    reporter, report = current_reporter.get(), work.report
    with open_writer(settings.db) as con:
        known = state.load_validators(con, [s.url for s in sources])
    reporter.phase("discover", len(sources))
    for pending in asyncio.as_completed(
        [
            discover_source(
                fetcher, s, settings.max_items_per_source, *known.get(s.url, (None, None))
            )
            for s in sources
        ]
    ):
        work.discoveries.append(await pending)
        reporter.advance()
    work.discoveries.sort(key=lambda d: d.source.name)
    for found in work.discoveries:
        if found.warning:
            report.problems.append(f"{found.source.name}: {found.warning}")
        if found.ok:
            report.sources_ok += 1
        else:
            report.sources_failed += 1
            report.failed_sources.append((found.source.name, found.error or "?"))
    report.items_seen = sum(len(d.items) for d in work.discoveries)
    work.feed_rows = _keyed_items(work.discoveries, report.problems)


async def _fetch_new(work: _Work, fetcher: Fetcher, settings: Settings) -> None:
    """Phase 2: fetch the pages of items not stored yet (a Prefect task per source), plus pages
    whose fetch failed in an earlier run (retried even when their feed is unchanged)."""
    reporter = current_reporter.get()
    ok_sources = {d.source.name: d.source.lang for d in work.discoveries if d.ok}
    since = datetime.now(UTC) - timedelta(days=settings.retry_window_days)
    with open_writer(settings.db) as con:
        keys = [key for key, _ in work.feed_rows]
        rows = con.execute(query("known_url_keys"), {"keys": keys}).fetchall()
        rows += con.execute(  # failed NEWSMON_MAX_PAGE_ATTEMPTS times: listed, never refetched
            query("exhausted_url_keys"),
            {"keys": keys, "max_attempts": settings.max_page_attempts},
        ).fetchall()
        retries = state.retry_items(con, since, ok_sources, settings.max_page_attempts)
    by_source = _new_items([*work.feed_rows, *retries], {r[0] for r in rows})
    work.new_per_source = {name: len(items) for name, items in by_source.items()}
    reporter.phase("fetch", sum(len(v) for v in by_source.values()))
    for done in asyncio.as_completed(
        [fetch_pages(fetcher, name, items) for name, items in sorted(by_source.items())]
    ):
        pairs = await done
        work.fetched.extend(pairs)
        reporter.advance(len(pairs))
    work.fetched.sort(key=lambda p: (p[0].source_name, p[0].url))
    good = sum(1 for _, f in work.fetched if f.ok)
    work.report.pages_fetched = good
    work.report.pages_failed = len(work.fetched) - good


def _update_health(work: _Work, settings: Settings) -> None:
    """Phase 6: per-source health; a source failing N runs in a row raises one
    ``source_unhealthy`` alert, and one ``source_recovered`` when it answers again."""
    now = datetime.now(UTC)
    rules = HealthRules(failures_for_unhealthy=settings.unhealthy_after_failures)
    statuses: list[SourceStatus] = []
    alerts: list[Alert] = []
    with open_writer(settings.db) as con:
        previous = state.load_source_status(con)
        for found in work.discoveries:
            name = found.source.name
            dates = [i.published_at for i in found.items if i.published_at is not None]
            status, event = next_status(
                previous.get(name),
                name,
                ok=found.ok,
                error=found.error,
                new_items=work.new_per_source.get(name, 0),
                item_dates=dates,
                now=now,
                rules=rules,
            )
            statuses.append(status)
            if event is not None:
                title, message = health_message(event, status, found.source.url)
                episode = f"{name}@{(status.unhealthy_since or now).isoformat()}"
                key = f"source:{name}"
                alerts.append(
                    Alert(
                        alert_id_for(event, key, episode),
                        event,
                        key,
                        episode,
                        "",
                        title,
                        message,
                        now,
                    )
                )
        state.save_source_status(con, statuses)
        work.report.alerts_created += loading.enqueue_alerts(con, alerts)


def _extract_and_tag(work: _Work, settings: Settings) -> None:
    """Phase 3: extract, fingerprint and tag fetched pages (a Prefect task per chunk) on the
    configured task runner (``flows.runner``); results are taken in chunk order."""
    reporter = current_reporter.get()
    good = [(item, f) for item, f in work.fetched if f.usable]  # empty/binary: feed item
    reporter.phase("extract+tag", len(good))
    size = max(1, settings.chunk_size)
    chunks = [good[start : start + size] for start in range(0, len(good), size)]
    for chunk in run_chunks(settings, chunks, reporter.advance):
        work.articles.extend(chunk.articles)
        work.signatures.update(chunk.signatures)
        work.mentions.extend(chunk.mentions)
        work.pages.extend(chunk.pages)
        work.report.problems.extend(f"extract {url}: {why}" for url, why in chunk.failures)
    del chunks, good
    # extracted and archived: the raw bytes are not needed any more (a 10,000-page run held
    # about 1.5 GB of them through dedupe and load)
    work.fetched = [(item, fetched.without_content()) for item, fetched in work.fetched]


def _dedupe_and_load(work: _Work, settings: Settings, gazetteer: Gazetteer) -> None:
    """Phase 4: assign stories against the recent window and write everything in one transaction."""
    current_reporter.get().phase("dedupe+load", None)
    since = datetime.now(UTC) - timedelta(days=settings.dedupe_window_days)
    states = page_states(work.articles, work.fetched, datetime.now(UTC))
    relations = find_membership_events(work.mentions, gazetteer)
    with open_writer(settings.db) as con:
        loading.backfill_bands(con)
        window = load_window(con, work.articles, work.signatures, since)
        result = (
            dedupe(work.articles, window, signatures=work.signatures) if work.articles else None
        )
        work.assignments = result.assignments if result else []
        merges = result.merges if result else []
        batch = loading.Batch(
            run_id=work.run_id,
            fetches=work.fetch_rows(),
            feed_items=work.feed_rows,
            articles=work.articles,
            assignments=work.assignments,
            signatures=work.signatures,
            mentions=work.mentions,
            pages=work.pages,
            page_states=states,
            merges=merges,
            relations=relations,
        )
        counts = loading.write_batch(con, batch)
        # Only now: saved earlier, a crash before this load would leave the feeds answering 304
        # on the rerun and their new items would never be fetched (found by bench/kill_test.py).
        state.save_validators(
            con,
            [
                (d.source.url, d.fetch.etag, d.fetch.last_modified, d.body_sha256)
                for d in work.discoveries
                if d.ok and not d.unchanged
            ],
        )
    work.report.articles_new = counts["articles"]
    work.report.mentions_new = counts["mentions"]
    new_ids = {a.article_id for a in work.articles}
    work.report.stories_new = len({a.story_id for a in work.assignments if a.story_id in new_ids})
    work.report.stories_merged = len(merges)


def _enqueue_alerts(
    work: _Work, gazetteer: Gazetteer, settings: Settings, send_alerts: bool
) -> None:
    """Phase 7: plan this run's alerts into the outbox (one row per rule, entity and story), then
    route every new row, the health alerts of phase 6 included (see ``flows.alerts``)."""
    config = load_alert_config(settings)
    story_of = {a.article_id: a.story_id for a in work.assignments}
    with open_writer(settings.db) as con:
        # a run killed after loading its articles never planned their alerts: plan them now
        recovered, recovered_story_of = state.run_mentions(con, work.recovered_runs)
        work.report.alerts_created += enqueue_run_alerts(
            con,
            [*recovered, *work.mentions],
            {**recovered_story_of, **story_of},
            gazetteer,
            config.rules,
        )
        route_new(con, config, send_alerts)
        if not send_alerts:
            loading.suppress_pending(con, "alerts disabled for this run (--no-alerts)")


async def _deliver_due(settings: Settings, report: RunReport) -> None:
    """Deliver every due outbox row to its channels: send first, then mark (at-least-once)."""
    config = load_alert_config(settings)
    if not config.any_channel:
        return
    current_reporter.get().phase("alerts", None)
    counts = await deliver_due(settings, config)
    report.alerts_sent += counts.sent
    report.alerts_failed += counts.failed


@flow(
    name="newsmon-monitor",
    log_prints=False,
    on_failure=[notify_failure],
    on_crashed=[notify_failure],
)
async def monitor_flow(
    sources: str | None = None,
    db: str | None = None,
    group: str | None = None,
    send_alerts: bool = True,
) -> RunReport | State:
    """Scheduled entry point: settings from the environment, overridable per deployment.

    A run that could do nothing (bad sources file, database held by another run, every source
    failed) ends in a Failed state with a one-line message, so schedules and the CLI see it.
    """
    overrides: dict[str, object] = {}
    if sources:
        overrides["sources"] = Path(sources)
    if db:
        overrides["db"] = Path(db)
    settings = Settings(**overrides)  # type: ignore[arg-type]
    try:
        report = await run_monitor(settings, group=group, send_alerts=send_alerts)
    except (NothingToRun, DatabaseBusy, DatabaseError) as exc:
        return Failed(message=str(exc))
    except duckdb.Error as exc:  # disk full, file size limit, I/O error: committed data stays
        return Failed(message=f"writing {settings.db} failed ({type(exc).__name__}: {exc})")
    if report.sources_total and not report.sources_ok:
        classes = Counter(why.split(":", 1)[0] for _, why in report.failed_sources)
        summary = ", ".join(f"{name} ×{n}" for name, n in classes.most_common())
        hint = "; is this machine offline?" if set(classes) <= {"dns", "connect"} else ""
        return Failed(
            message=f"every source failed ({summary}{hint}); see fetch_log for run {report.run_id}",
            data=report,
        )
    return report
