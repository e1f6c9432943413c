"""Re-extract and re-tag archived pages without fetching: ``newsmon reprocess [--since DATE]``.

When the extractor, the cleanup rules or the gazetteer improve, history should improve with them.
Every stored article keeps its fetched bytes in ``pages`` (migration 003); this runs the same
``build_article`` and ``Tagger`` as the monitor over those bytes and updates in place:

- ``articles``: the extracted fields (title, body, lead, language, date, author, quality, …),
  the content hash, and the page's identity as re-read from the archived page: canonical link,
  ``og:url``, the portal copy's outlet and ``identity_keys`` (url_key first, as dedupe reads
  them); ``article_signatures`` and ``article_bands``: the MinHash signature and its LSH bands;
  ``feed_items.page_state``. All of one chunk's writes commit or roll back together.
- ``mentions``: replaced, not merged, per reprocessed article, and the membership candidates
  (``relation_candidates``) re-derived from them, in the same transaction.
- The summary tables behind the analyst views (``warehouse.summaries``): the weeks and stories of
  the chunk's articles, before and after (a new date can move an article), recomputed in the same
  transaction.
- Kept as they were: the article's id, url_key, fetch time and run, and its **story assignment**
  (story_id, dup_kind, similarity), also when its identity keys changed: the article stays in
  its story, and a later copy that matches the new keys joins that story. Re-deciding stories
  over changed bodies is dedupe's concern (issue 5); alerts already in the outbox are not
  revisited either.
- Alerts (replay): the chunk's new mentions go through the monitor's alert planning, under the
  monitor's run lock, right after the chunk's write; (rule, entity, story) keys without an outbox
  row are added as ``suppressed`` ("reprocess (replay)"), never sent. ``entity_spike`` is not
  replayed (it is about today's counts).

Idempotent: the same archive and the same code give the same rows, so a second pass changes no
body and leaves the mention count where the first pass put it. Work goes in chunks; the writer is
opened per chunk to read and again to write, so readers can get in between chunks.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from flows.alerts import enqueue_run_alerts
from flows.runner import cpu_map, gazetteer_and_tagger, gazetteer_file
from flows.settings import Settings
from tasks.alert_rules import AlertRules, load_alert_rules
from tasks.archive import PageState, decompress
from tasks.dedupe import signature
from tasks.gazetteer import Gazetteer, GazetteerFile
from tasks.identity import page_keys
from tasks.models import Article, FeedItem, FetchResult, Mention
from tasks.processing import build_article
from tasks.relations import find_membership_events
from tasks.tagging import Tagger
from warehouse import loading, summaries
from warehouse.database import open_writer, query, rollback, run_lock

__all__ = ["ReprocessReport", "reprocess"]

CHUNK_SIZE = 100


@dataclass
class ReprocessReport:
    """What one reprocess pass did (the CLI prints it as a table)."""

    run_id: str
    pages: int = 0
    changed_bodies: int = 0
    changed_titles: int = 0
    changed_quality: int = 0
    mentions_before: int = 0
    mentions_after: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    alerts_suppressed: int = 0


@dataclass(frozen=True, slots=True)
class _Redone:
    article: Article
    signature: list[int]
    mentions: tuple[Mention, ...]


def reprocess(
    db: Path,
    gazetteer: Gazetteer,
    tagger: Tagger,
    *,
    since: datetime | None = None,
    on_total: Callable[[int], None] = lambda _n: None,
    on_advance: Callable[[int], None] = lambda _n: None,
    settings: Settings | None = None,
) -> ReprocessReport:
    """Re-extract and re-tag every archived page fetched at or after ``since`` (all if None).

    ``on_total`` receives the number of pages once known and ``on_advance`` each chunk's size, for
    a progress display. A page whose re-extraction raises keeps its stored rows and is reported.
    With ``settings.task_runner == "dask"`` the CPU work of several chunks runs on the Dask
    cluster at once (each worker builds its own tagger from the text of ``settings.entities``)
    while this process stays the only writer; otherwise it runs here with ``tagger``, one chunk
    at a time.
    """
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-reprocess-") + uuid.uuid4().hex[:8]
    report = ReprocessReport(run_id=run_id)
    rules, lock_wait_s = _replay_config(settings)  # a bad rules file stops before any write
    with open_writer(db) as con:
        loading.start_run(con, run_id, "reprocess")
        ids = [r[0] for r in con.execute(query("reprocess_ids"), {"since": since}).fetchall()]
    on_total(len(ids))
    remote = settings if settings is not None and settings.task_runner == "dask" else None
    entities = gazetteer_file(remote) if remote else None
    step = CHUNK_SIZE * (2 * max(1, remote.dask_workers) if remote else 1)
    with cpu_map(remote) as mapper:
        for start in range(0, len(ids), step):
            chunks = [
                ids[i : i + CHUNK_SIZE]
                for i in range(start, min(start + step, len(ids)), CHUNK_SIZE)
            ]
            with open_writer(db) as con:
                batches = [
                    con.execute(query("reprocess_pages"), {"ids": c}).fetchall() for c in chunks
                ]
            done: Sequence[tuple[list[_Redone], ReprocessReport | None]]
            if remote:
                done = mapper(_redo_remote, [(rows, entities) for rows in batches])
            else:
                done = [(_redo_rows(rows, tagger, report), None) for rows in batches]
            for chunk, rows, (redone, part) in zip(chunks, batches, done, strict=True):
                if part is not None:
                    _add_counts(report, part)
                with open_writer(db) as con:
                    _write(con, redone, gazetteer)
                report.alerts_suppressed += _replay_alerts(
                    db, redone, gazetteer, rules, run_id, lock_wait_s
                )
                report.pages += len(rows)
                report.mentions_after += sum(len(r.mentions) for r in redone)
                on_advance(len(chunk))
    stats = {
        "pages_fetched": report.pages,
        "mentions_new": report.mentions_after,
        "alerts_created": report.alerts_suppressed,
    }
    note = f"reprocessed {report.pages} page(s), {report.changed_bodies} body change(s)"
    with open_writer(db) as con:
        loading.finish_run(con, run_id, "completed", stats, note)
    return report


def _redo_rows(
    rows: Sequence[Sequence[Any]], tagger: Tagger, report: ReprocessReport
) -> list[_Redone]:
    """The CPU work of one chunk: every archived page re-extracted and re-tagged."""
    return [r for r in (_redo(row, tagger, report) for row in rows) if r is not None]


def _redo_remote(
    job: tuple[Sequence[Sequence[Any]], GazetteerFile | None],
) -> tuple[list[_Redone], ReprocessReport]:
    """``_redo_rows`` on a Dask worker: the worker's own tagger, and counters returned (not
    mutated in place) for the writer process to add up."""
    rows, entities = job
    part = ReprocessReport(run_id="")
    return _redo_rows(rows, gazetteer_and_tagger(entities)[1], part), part


def _add_counts(report: ReprocessReport, part: ReprocessReport) -> None:
    """Add a worker's counters and failures to the pass's report."""
    for f in fields(ReprocessReport):
        value = getattr(part, f.name)
        if isinstance(value, int):
            setattr(report, f.name, getattr(report, f.name) + value)
        elif isinstance(value, list):
            getattr(report, f.name).extend(value)


def _redo(row: Sequence[Any], tagger: Tagger, report: ReprocessReport) -> _Redone | None:
    (
        article_id,
        url,
        final_url,
        fetched_at,
        http_status,
        content_type,
        compression,
        content,
        article_url,
        source_name,
        old_body,
        old_title,
        old_quality,
        feed_title,
        feed_published_at,
        feed_summary,
        guid,
        source_lang,
        n_mentions,
    ) = row
    report.mentions_before += int(n_mentions)
    try:
        item = FeedItem(
            source_name=source_name,
            url=article_url,
            title=feed_title,
            published_at=feed_published_at,
            guid=guid,
            summary=feed_summary,
            lang="ko" if source_lang == "ko" else "en",
        )
        fetched = FetchResult(
            url=url,
            final_url=final_url or url,
            source_name=source_name,
            requested_at=fetched_at,
            http_status=http_status,
            content=decompress(bytes(content), compression),
            content_type=content_type,
            elapsed_ms=0,
        )
        article = build_article(item, fetched)
        if article.article_id != article_id:
            raise ValueError(f"archived page maps to {article.article_id}, not {article_id}")
        mentions = tuple(tagger.tag(article_id, article.title, article.body, article.lead))
    except Exception as exc:  # one bad archived page must not stop the pass
        report.failed.append((article_url, f"{type(exc).__name__}: {exc}"[:300]))
        report.mentions_after += int(n_mentions)  # its stored mentions stay
        return None
    report.changed_bodies += article.body != old_body
    report.changed_titles += article.title != old_title
    report.changed_quality += article.quality != old_quality
    return _Redone(article, signature(article.body), mentions)


_MENTION_COLUMN = {"start": "start_pos", "end": "end_pos"}


def _mention_row(mention: Mention, columns: set[str]) -> dict[str, Any]:
    """A mentions row from every field of ``Mention`` that the table stores (the loader's naming),
    so fields added to both later are carried without changes here."""
    row = {_MENTION_COLUMN.get(f.name, f.name): getattr(mention, f.name) for f in fields(mention)}
    return {k: v for k, v in row.items() if k in columns}


def _write(con: Any, redone: Sequence[_Redone], gazetteer: Gazetteer) -> None:
    """Update the chunk's articles, signatures, page states, mentions and membership candidates
    in one transaction."""
    if not redone:
        return
    now = datetime.now(UTC)
    articles = pa.Table.from_pylist(
        [
            {
                "article_id": r.article.article_id,
                "canonical_url": r.article.canonical_url,
                "title": r.article.title,
                "body": r.article.body,
                "lead": r.article.lead,
                "lang": r.article.lang,
                "published_at": r.article.published_at,
                "date_source": r.article.date_source,
                "author": r.article.author,
                "site_name": r.article.site_name,
                "quality": r.article.quality,
                "title_flags": list(r.article.title_flags),
                "content_hash": r.article.content_hash,
                "og_url": r.article.og_url,
                "outlet": r.article.outlet,
                "identity_keys": list(
                    page_keys(r.article.url_key, r.article.canonical_url, r.article.og_url)
                ),
                "signature": [int(x) for x in r.signature],
            }
            for r in redone
        ]
    )
    columns = {
        row[0] for row in con.execute(query("table_columns"), {"table": "mentions"}).fetchall()
    }
    mentions = [
        _mention_row(m, columns)
        for r in redone
        for m in {(m.entity_id, m.field, m.start): m for m in r.mentions}.values()
    ]
    found = find_membership_events([m for r in redone for m in r.mentions], gazetteer)
    relations = list(
        {
            tuple(row[k] for k in loading.RELATION_KEY): row for row in loading.relation_rows(found)
        }.values()
    )
    states = [PageState(r.article.url_key, r.article.quality, None, now) for r in redone]
    ids = [r.article.article_id for r in redone]
    con.execute("BEGIN TRANSACTION")
    try:
        before = summaries.scope_of(con, ids)  # a new date can move an article to another week
        con.register("_reprocessed", articles)
        con.execute(query("reprocess_update_articles")).fetchall()
        con.execute(query("reprocess_update_signatures")).fetchall()
        con.execute(query("reprocess_delete_bands")).fetchall()
        loading.insert_bands(con, {r.article.article_id: r.signature for r in redone})
        con.execute(query("reprocess_delete_mentions")).fetchall()
        if mentions:
            con.register("_mentions", pa.Table.from_pylist(mentions))
            con.execute(query("reprocess_insert_mentions")).fetchall()
        con.execute(query("reprocess_delete_relations")).fetchall()
        if relations:
            con.register("_relations", pa.Table.from_pylist(relations))
            con.execute(query("reprocess_insert_relations")).fetchall()
        loading.update_page_states(con, states)
        summaries.refresh(con, before | summaries.scope_of(con, ids))
        con.execute("COMMIT")
    except Exception:
        rollback(con)
        raise
    finally:
        con.unregister("_reprocessed")
        if mentions:
            con.unregister("_mentions")
        if relations:
            con.unregister("_relations")


REPLAY_REASON = "reprocess (replay)"


def _replay_config(settings: Settings | None) -> tuple[AlertRules, float]:
    """The alert rules to replay (the monitor's, with ``entity_spike`` off) and the run lock wait.

    A spike is about today's counts, not about the re-read history: replaying it would record
    today's spike as suppressed and so keep the next monitor run from sending it.
    """
    rules = load_alert_rules(settings.alert_rules if settings else None)
    spike = rules.rules.entity_spike.model_copy(update={"enabled": False})
    rules = rules.model_copy(
        update={"rules": rules.rules.model_copy(update={"entity_spike": spike})}
    )
    wait = (
        settings.run_lock_wait_s if settings else Settings.model_fields["run_lock_wait_s"].default
    )
    return rules, float(wait)


def _replay_alerts(
    db: Path,
    redone: Sequence[_Redone],
    gazetteer: Gazetteer,
    rules: AlertRules,
    run_id: str,
    lock_wait_s: float,
) -> int:
    """Plan the alerts the rules give for one chunk's new mentions, as the monitor plans them
    (``enqueue_run_alerts``: one row per rule, entity and story, existing rows untouched), and
    add the new ones as ``suppressed`` with ``REPLAY_REASON``, in one insert: history is never
    sent, not now and not by a later delivery, retry or digest. Returns how many rows are new.

    Holds the monitor's run lock (taken before the writer, in the monitor's order): a monitor
    run between loading an article and planning its alerts must plan, and send, them first, or
    this replay would record them as suppressed.
    """
    mentions = [m for r in redone for m in r.mentions]
    if not mentions:
        return 0
    ids = sorted({m.article_id for m in mentions})
    with run_lock(db, run_id, lock_wait_s), open_writer(db) as con:
        story_of = {
            str(r[0]): str(r[1])
            for r in con.execute(query("reprocess_stories"), {"ids": ids}).fetchall()
        }
        return enqueue_run_alerts(
            con, mentions, story_of, gazetteer, rules, suppressed_reason=REPLAY_REASON
        )
