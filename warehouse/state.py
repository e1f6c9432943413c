"""Fetch state kept between runs: conditional-GET validators, source health, pages to retry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from tasks.fetching import Validators
from tasks.health import SourceStatus
from tasks.models import FeedItem, Lang, Mention
from tasks.urls import without_credentials
from warehouse.database import query


def load_validators(
    con: duckdb.DuckDBPyConnection, urls: Sequence[str]
) -> dict[str, tuple[Validators, str | None]]:
    """Per URL: the validators to send back and the body hash of the last full response (stored
    under the URL without credentials, see ``tasks.urls.without_credentials``)."""
    stored = {without_credentials(u): u for u in urls}
    rows = con.execute(query("load_validators"), {"urls": list(stored)}).fetchall()
    return {stored[r[0]]: (Validators(etag=r[1], last_modified=r[2]), r[3]) for r in rows}


def save_validators(
    con: duckdb.DuckDBPyConnection, rows: Sequence[tuple[str, str | None, str | None, str | None]]
) -> None:
    """Upsert (url, etag, last_modified, body_sha256) rows."""
    if not rows:
        return
    now = datetime.now(UTC)
    table = pa.Table.from_pylist(
        [
            {
                "url": without_credentials(u),
                "etag": e,
                "last_modified": m,
                "body_sha256": h,
                "updated_at": now,
            }
            for u, e, m, h in rows
        ]
    )
    con.register("_validators", table)
    try:
        con.execute(query("save_validators")).fetchall()
    finally:
        con.unregister("_validators")


def load_source_status(con: duckdb.DuckDBPyConnection) -> dict[str, SourceStatus]:
    rows = con.execute(query("load_source_status")).fetchall()
    return {r[0]: SourceStatus(*r) for r in rows}


def save_source_status(con: duckdb.DuckDBPyConnection, statuses: Sequence[SourceStatus]) -> None:
    if not statuses:
        return
    now = datetime.now(UTC)
    table = pa.Table.from_pylist([{**asdict(s), "updated_at": now} for s in statuses])
    con.register("_status", table)
    try:
        con.execute(query("save_source_status")).fetchall()
    finally:
        con.unregister("_status")


def retry_items(
    con: duckdb.DuckDBPyConnection,
    since: datetime,
    langs: Mapping[str, Lang],
    max_attempts: int,
) -> list[tuple[str, FeedItem]]:
    """Stored feed items of the given sources whose page fetch failed and may be retried."""
    rows = con.execute(
        query("retry_items"),
        {"since": since, "sources": sorted(langs), "max_attempts": max_attempts},
    ).fetchall()
    return [(r[0], FeedItem(r[2], r[1], r[4], r[5], r[3], r[6], langs[r[2]])) for r in rows]


def run_mentions(
    con: duckdb.DuckDBPyConnection, run_ids: Sequence[str]
) -> tuple[list[Mention], dict[str, str]]:
    """The mentions that ``run_ids`` loaded and their articles' stories: what a crashed run had
    committed but never planned alerts for (alert planning is idempotent per rule, entity, story,
    so planning them again is safe)."""
    if not run_ids:
        return [], {}
    rows = con.execute(query("run_mentions"), {"run_ids": list(run_ids)}).fetchall()
    mentions = [
        Mention(
            article_id=r[0],
            entity_id=r[1],
            surface=r[2],
            field=r[3],
            start=int(r[4]),
            end=int(r[5]),
            sentence=r[6],
            in_title=bool(r[7]),
            in_lead=bool(r[8]),
            collective=bool(r[9]),
            sentence_index=r[10],
            ambiguous=bool(r[11]),
        )
        for r in rows
    ]
    return mentions, {r[0]: r[12] for r in rows}
