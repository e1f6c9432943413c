"""Bulk loading: one transaction per batch, idempotent keys, Arrow instead of row-by-row inserts.

Each batch is deduplicated on its keys before it is inserted (DuckDB's conflict handling with a key
repeated inside one statement is not what one expects), then inserted with ``INSERT OR IGNORE``, so
re-loading the same batch adds nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa

from tasks.archive import ArchivedPage, PageState
from tasks.dedupe import band_values
from tasks.identity import page_keys
from tasks.models import (
    Alert,
    Article,
    FeedItem,
    FetchResult,
    Mention,
    RelationCandidate,
    Source,
    StoryAssignment,
    StoryMerge,
)
from tasks.urls import without_credentials
from warehouse import summaries
from warehouse.database import query, rollback


@dataclass(frozen=True, slots=True)
class Batch:
    """Everything one chunk of work wants stored, written in one transaction."""

    run_id: str
    fetches: Sequence[tuple[FetchResult, str]] = ()
    feed_items: Sequence[tuple[str, FeedItem]] = ()
    articles: Sequence[Article] = ()
    assignments: Sequence[StoryAssignment] = ()
    signatures: Mapping[str, Sequence[int]] = field(default_factory=dict)
    mentions: Sequence[Mention] = ()
    pages: Sequence[ArchivedPage] = ()
    page_states: Sequence[PageState] = ()
    merges: Sequence[StoryMerge] = ()
    relations: Sequence[RelationCandidate] = ()


_SLICE_ROWS = 500


def _insert(
    con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[dict[str, Any]], key: Sequence[str]
) -> int:
    """Insert rows not yet present; returns how many were new.

    In slices of ``_SLICE_ROWS``: one Arrow table of a whole large run (pages are ~33 KiB of
    compressed bytes each) doubled the batch in memory and DuckDB took several times the data
    inserting it at once (3,000 archived pages, 99 MB: +709 MB RSS in one insert, +289 MB in
    slices of 200; measured with a bare DuckDB file)."""
    unique: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        unique.setdefault(tuple(row[k] for k in key), row)
    if not unique:
        return 0
    values = list(unique.values())
    before = _count(con, table)
    for start in range(0, len(values), _SLICE_ROWS):
        arrow = pa.Table.from_pylist(values[start : start + _SLICE_ROWS])
        con.register("_batch_rows", arrow)
        try:
            con.execute(
                f"INSERT OR IGNORE INTO {table} BY NAME SELECT * FROM _batch_rows"
            ).fetchall()
        finally:
            con.unregister("_batch_rows")
    return _count(con, table) - before


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    rows = con.execute(f"SELECT count(*) FROM {table}").fetchall()
    return int(rows[0][0])


def _append(con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    con.register("_batch_rows", pa.Table.from_pylist(list(rows)))
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _batch_rows").fetchall()
    finally:
        con.unregister("_batch_rows")


def fetch_rows(run_id: str, fetches: Iterable[tuple[FetchResult, str]]) -> list[dict[str, Any]]:
    """fetch_log rows; the log is append-only (every request of every run leaves one row)."""
    return [
        {
            "run_id": run_id,
            "url": without_credentials(f.url),
            "final_url": without_credentials(f.final_url) if f.final_url else f.final_url,
            "source_name": f.source_name,
            "purpose": purpose,
            "requested_at": f.requested_at,
            "http_status": f.http_status,
            "error": f.error,
            "error_detail": f.error_detail,
            "bytes": f.size,
            "elapsed_ms": f.elapsed_ms,
            "not_modified": f.not_modified,
        }
        for f, purpose in fetches
    ]


def write_batch(con: duckdb.DuckDBPyConnection, batch: Batch) -> dict[str, int]:
    """Write one batch atomically; returns the number of new rows per table."""
    assigned = {a.article_id: a for a in batch.assignments}
    missing = [a.article_id for a in batch.articles if a.article_id not in assigned]
    if missing:
        raise ValueError(f"articles without a story assignment: {missing[:3]}")
    now = datetime.now(UTC)
    article_rows = [
        {
            "article_id": a.article_id,
            "url": a.url,
            "url_key": a.url_key,
            "canonical_url": a.canonical_url,
            "source_name": a.source_name,
            "title": a.title,
            "body": a.body,
            "lead": a.lead,
            "lang": a.lang,
            "published_at": a.published_at,
            "date_source": a.date_source,
            "author": a.author,
            "site_name": a.site_name,
            "fetched_at": a.fetched_at,
            "quality": a.quality,
            "title_flags": list(a.title_flags),
            "content_hash": a.content_hash,
            "story_id": assigned[a.article_id].story_id,
            "dup_kind": assigned[a.article_id].dup_kind,
            "similarity": assigned[a.article_id].similarity,
            "matched_article_id": assigned[a.article_id].matched_article_id,
            "run_id": batch.run_id,
            "og_url": a.og_url,
            "outlet": a.outlet,
            "identity_keys": list(page_keys(a.url_key, a.canonical_url, a.og_url)),
        }
        for a in batch.articles
    ]
    signature_rows = [
        {"article_id": k, "signature": [int(x) for x in v]} for k, v in batch.signatures.items()
    ]
    feed_rows = [
        {
            "url_key": key,
            "url": item.url,
            "source_name": item.source_name,
            "guid": item.guid,
            "title": item.title,
            "published_at": item.published_at,
            "summary": item.summary,
            "first_seen_at": now,
        }
        for key, item in batch.feed_items
    ]
    mention_rows = [
        {
            "article_id": m.article_id,
            "entity_id": m.entity_id,
            "field": m.field,
            "start_pos": m.start,
            "end_pos": m.end,
            "surface": m.surface,
            "sentence": m.sentence,
            "in_title": m.in_title,
            "in_lead": m.in_lead,
            "collective": m.collective,
            "sentence_index": m.sentence_index,
            "ambiguous": m.ambiguous,
        }
        for m in batch.mentions
    ]
    counts: dict[str, int] = {}
    con.execute("BEGIN TRANSACTION")
    try:
        _append(con, "fetch_log", fetch_rows(batch.run_id, batch.fetches))
        counts["feed_items"] = _insert(con, "feed_items", feed_rows, ["url_key"])
        counts["articles"] = _insert(con, "articles", article_rows, ["article_id"])
        apply_story_merges(con, batch.merges, batch.run_id)
        counts["signatures"] = _insert(con, "article_signatures", signature_rows, ["article_id"])
        insert_bands(con, batch.signatures)
        counts["mentions"] = _insert(
            con, "mentions", mention_rows, ["article_id", "entity_id", "field", "start_pos"]
        )
        counts["pages"] = _insert(con, "pages", page_rows(batch.pages), ["article_id"])
        counts["relations"] = _insert(
            con, "relation_candidates", relation_rows(batch.relations), RELATION_KEY
        )
        update_page_states(con, batch.page_states)
        summaries.refresh(con, batch_scope(con, batch))
        con.execute("COMMIT")
    except Exception:
        rollback(con)
        raise
    return counts


def batch_scope(con: duckdb.DuckDBPyConnection, batch: Batch) -> summaries.Scope:
    """What the batch changed for the summary tables: its articles, the articles its mentions
    belong to (they may arrive in a later batch), and both sides of its story merges."""
    touched = {a.article_id for a in batch.articles} | {m.article_id for m in batch.mentions}
    merged = {m.merged_story_id for m in batch.merges} | {m.into_story_id for m in batch.merges}
    return summaries.scope_of(con, touched, merged)


RELATION_KEY = ("article_id", "field", "sentence_index", "company_id", "alliance_id")


def relation_rows(relations: Iterable[RelationCandidate]) -> list[dict[str, Any]]:
    """relation_candidates rows (the columns are the record's fields)."""
    return [
        {
            "article_id": r.article_id,
            "field": r.field,
            "sentence_index": r.sentence_index,
            "company_id": r.company_id,
            "alliance_id": r.alliance_id,
            "event": r.event,
            "trigger": r.trigger,
            "sentence": r.sentence,
            "known_member": r.known_member,
            "collective": r.collective,
        }
        for r in relations
    ]


def insert_bands(con: duckdb.DuckDBPyConnection, signatures: Mapping[str, Sequence[int]]) -> None:
    """File each signature under its LSH band values (``article_bands``, migration 004)."""
    keys: list[int] = []
    ids: list[str] = []
    for article_id, sig in signatures.items():
        values = band_values(sig)
        keys += values
        ids += [article_id] * len(values)
    if not keys:
        return
    con.register("_bands", pa.table({"band_key": pa.array(keys, pa.uint64()), "article_id": ids}))
    try:
        con.execute(query("insert_bands")).fetchall()
    finally:
        con.unregister("_bands")


def backfill_bands(con: duckdb.DuckDBPyConnection) -> int:
    """Band rows for stored signatures that have none (stored before migration 004); returns how
    many articles were filled in. A no-op after the first run."""
    missing = con.execute(query("signatures_without_bands")).fetchall()
    if missing:
        con.execute("BEGIN TRANSACTION")
        try:
            insert_bands(con, {r[0]: [int(x) for x in r[1]] for r in missing})
            con.execute("COMMIT")
        except Exception:
            rollback(con)
            raise
    return len(missing)


def apply_story_merges(
    con: duckdb.DuckDBPyConnection, merges: Sequence[StoryMerge], run_id: str
) -> None:
    """Record story merges and move the absorbed stories' articles to their survivors.

    Call inside the batch's transaction, so an article and the merge it caused are stored together
    (a crash in between would lose the merge: the article is not fetched again). A chain within
    the batch (A into B, then B into C) moves A's articles straight to C.
    """
    if not merges:
        return
    into = {m.merged_story_id: m.into_story_id for m in merges}

    def final(story_id: str) -> str:
        seen: set[str] = set()
        while story_id in into and story_id not in seen:
            seen.add(story_id)
            story_id = into[story_id]
        return story_id

    now = datetime.now(UTC)
    rows = [
        {
            "merged_story_id": m.merged_story_id,
            "into_story_id": m.into_story_id,
            "final_story_id": final(m.into_story_id),
            "article_id": m.article_id,
            "similarity": m.similarity,
            "merged_at": now,
            "run_id": run_id,
        }
        for m in merges
    ]
    con.register("_merges", pa.Table.from_pylist(rows))
    try:
        con.execute(query("apply_story_merges")).fetchall()
        con.execute(query("repoint_merged_articles")).fetchall()
    finally:
        con.unregister("_merges")


def page_rows(pages: Iterable[ArchivedPage]) -> list[dict[str, Any]]:
    """Rows of the raw page archive (migration 003); headers as a JSON list of [name, value]."""
    return [
        {
            "article_id": p.article_id,
            "url_key": p.url_key,
            "url": p.url,
            "final_url": p.final_url,
            "fetched_at": p.fetched_at,
            "http_status": p.http_status,
            "content_type": p.content_type,
            "headers": json.dumps([list(h) for h in p.headers], ensure_ascii=False),
            "encoding": p.encoding,
            "compression": p.compression,
            "raw_bytes": p.raw_bytes,
            "content": p.content,
        }
        for p in pages
    ]


def update_page_states(con: duckdb.DuckDBPyConnection, states: Sequence[PageState]) -> None:
    """Set each fetched item's latest page state on its feed_items row (the last one wins)."""
    latest = {s.url_key: s for s in states}
    if not latest:
        return
    rows = [
        {
            "url_key": s.url_key,
            "page_state": s.state,
            "page_error": s.error,
            "page_checked_at": s.checked_at,
        }
        for s in latest.values()
    ]
    con.register("_page_states", pa.Table.from_pylist(rows))
    try:
        con.execute(query("update_page_states")).fetchall()
    finally:
        con.unregister("_page_states")


def sync_sources(con: duckdb.DuckDBPyConnection, sources: Sequence[Source]) -> None:
    """Record the configured sources (upsert by name) so views can join on them."""
    now = datetime.now(UTC)
    rows = [
        {
            "source_name": s.name,
            "url": without_credentials(s.url),
            "kind": s.kind,
            "lang": s.lang,
            "source_group": s.group,
            "updated_at": now,
        }
        for s in sources
    ]
    if not rows:
        return
    con.register("_src", pa.Table.from_pylist(rows))
    try:
        con.execute(query("upsert_sources")).fetchall()
    finally:
        con.unregister("_src")


def sync_entities(con: duckdb.DuckDBPyConnection, rows: Sequence[Sequence[Any]]) -> None:
    """Replace the entities table with the gazetteer's rows, atomically."""
    records = [
        {
            "entity_id": r[0],
            "kind": r[1],
            "name_en": r[2],
            "name_ko": r[3],
            "country": r[4],
            "aliases": r[5] if isinstance(r[5], str) else json.dumps(r[5], ensure_ascii=False),
            "members": r[6] if isinstance(r[6], str) else json.dumps(r[6], ensure_ascii=False),
        }
        for r in rows
    ]
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM entities").fetchall()
        if records:
            con.register("_ent", pa.Table.from_pylist(records))
            con.execute("INSERT INTO entities BY NAME SELECT * FROM _ent").fetchall()
            con.unregister("_ent")
        con.execute("COMMIT")
    except Exception:
        rollback(con)
        raise
    summaries.ensure(con)  # new alliances or members: alliance_story_stats follows


def enqueue_alerts(
    con: duckdb.DuckDBPyConnection, alerts: Sequence[Alert], suppressed_reason: str | None = None
) -> int:
    """Add outbox rows; a (rule, entity, story) that already has one is left untouched. With
    ``suppressed_reason`` the new rows are born ``suppressed`` (in the same insert, so no crash
    can leave them pending for a later run to send): replayed history is recorded, never sent."""
    rows = [
        {
            "alert_id": a.alert_id,
            "rule": a.rule,
            "entity_id": a.entity_id,
            "story_id": a.story_id,
            "article_id": a.article_id,
            "title": a.title,
            "message": a.message,
            "status": "suppressed" if suppressed_reason else "pending",
            **({"last_error": suppressed_reason} if suppressed_reason else {}),
            "attempts": 0,
            "created_at": a.created_at,
            "lang": a.lang,
            "message_text": a.text,
            "n_outlets": a.n_outlets,
            "n_articles": a.n_articles,
        }
        for a in alerts
    ]
    con.execute("BEGIN TRANSACTION")
    try:
        new = _insert(con, "alerts", rows, ["rule", "entity_id", "story_id"])
        con.execute("COMMIT")
    except Exception:
        rollback(con)
        raise
    return new


RUN_STAT_COLUMNS = (
    "sources_total",
    "sources_ok",
    "sources_failed",
    "items_seen",
    "pages_fetched",
    "articles_new",
    "mentions_new",
    "alerts_created",
    "alerts_sent",
    "alerts_failed",
)


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, flow: str) -> None:
    """Record a run as running (its row stays 'running' if the process dies)."""
    con.execute(
        query("start_run"), {"run_id": run_id, "flow": flow, "now": datetime.now(UTC)}
    ).fetchall()


def close_crashed_runs(con: duckdb.DuckDBPyConnection, flow: str) -> list[str]:
    """Mark runs of ``flow`` still 'running' as 'crashed' and return their ids; call only while
    holding the run lock, which proves their processes are gone (killed, out of memory, machine
    restarted)."""
    rows = con.execute(
        query("close_crashed_runs"), {"flow": flow, "now": datetime.now(UTC)}
    ).fetchall()
    return sorted(str(r[0]) for r in rows)


def finish_run(
    con: duckdb.DuckDBPyConnection, run_id: str, status: str, stats: Mapping[str, int], note: str
) -> None:
    """Close a run's row with its status and counters."""
    params: dict[str, object] = {c: int(stats.get(c, 0)) for c in RUN_STAT_COLUMNS}
    params.update(run_id=run_id, status=status, note=note, now=datetime.now(UTC))
    con.execute(query("finish_run"), params).fetchall()


def suppress_pending(con: duckdb.DuckDBPyConnection, reason: str) -> None:
    """Mark never-attempted pending alerts as suppressed (delivery is off for this run)."""
    con.execute(query("suppress_pending"), {"reason": reason}).fetchall()


def mark_alert(
    con: duckdb.DuckDBPyConnection,
    alert_id: str,
    status: str,
    attempts: int,
    error: str | None,
    next_at: datetime | None,
) -> None:
    """Record one delivery attempt's outcome on the outbox row."""
    con.execute(
        query("mark_alert"),
        {
            "alert_id": alert_id,
            "status": status,
            "attempts": attempts,
            "error": error,
            "next_at": next_at,
            "now": datetime.now(UTC),
        },
    ).fetchall()
