"""Loading the part of the dedupe window that can matter to a run's new articles.

A 14-day window holds ~100,000 articles at Korean press volumes; loading and indexing all of them
on every 15-minute run cost seconds. Instead (``bench/dedupe_eval.py``, section 8):

1. the new articles' LSH band values select the stored articles sharing a band
   (``article_bands``), with their signatures only;
2. ``tasks.dedupe.window_candidates`` keeps those whose signature estimate can pass;
3. those, plus the stored articles sharing a content hash or an identity key with a new article,
   are read in full, with the earliest date of each one's whole story.

Every stored article left out can never match a new article, so dedupe gives the same result as
with the whole window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import duckdb

from tasks.dedupe import StoredDoc, window_candidates, window_from_arrow, window_lookup
from tasks.models import Article
from warehouse.database import query


def load_window(
    con: duckdb.DuckDBPyConnection,
    articles: Sequence[Article],
    signatures: Mapping[str, Sequence[int]],
    since: datetime,
) -> list[StoredDoc]:
    """The stored articles fetched since ``since`` that ``articles`` could join (see above)."""
    if not articles:
        return []
    lookup = window_lookup(articles, signatures)
    stored = con.sql(
        query("window_candidates"), params={"since": since, "band_keys": lookup["band_keys"]}
    ).to_arrow_table()
    ids = window_candidates(articles, signatures, stored)
    params = {
        "since": since,
        "article_ids": ids,
        "hashes": lookup["hashes"],
        "keys": lookup["keys"],
    }
    return window_from_arrow(con.sql(query("window_docs"), params=params).to_arrow_table())
