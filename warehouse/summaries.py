"""The summary tables behind the analyst views (migration 008), kept exact by recomputing.

entity_daily, entity_weekly, entity_rising, co_mentions and alliance_timeline read small summary
tables instead of joining millions of mentions to articles. Their rows are never incremented: every
change to the base tables (a load, a story merge, a reprocess) names the articles and stories it
touched, and the summary rows of every KST week those articles fall in and of every story they
belong to are deleted and computed again from the base tables, inside the same transaction
(``warehouse/queries/summary_refresh.sql``). So a merge that turns two stories into one, or a
reprocess that moves an article to another day or drops a mention, leaves the summaries equal to
the full-scan definitions kept in ``warehouse/reference/`` (the tests check that they are).

``rebuild`` recomputes everything (``newsmon rebuild-summaries``); a database migrated to 008 is
rebuilt on its first write-open, and so is one whose ``summary_state.needs_rebuild`` was set.
Which entities are alliances and who their members are is read from ``entities`` when
alliance_story_stats is computed; a change there recomputes that table on the next write-open
(and at once after ``loading.sync_entities``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

import duckdb

from warehouse.database import open_writer, query, rollback

__all__ = [
    "SUMMARY_VIEWS",
    "TABLES",
    "Scope",
    "create_reference_views",
    "ensure",
    "rebuild",
    "rebuild_file",
    "refresh",
    "scope_of",
]

TABLES = (
    "entity_day_stats",
    "entity_week_stats",
    "entity_day_stories",
    "co_mention_week_stats",
    "alliance_story_stats",
    "story_stats",
)
"""The summary tables of migrations 008 and 010, in the order the refresh writes them."""

SUMMARY_VIEWS = (
    "entity_daily",
    "entity_weekly",
    "entity_rising",
    "co_mentions",
    "alliance_timeline",
    "stories",
)
"""The views that read the summary tables; each has its full-scan definition in
``warehouse/reference/<view>.sql``."""


def create_reference_views(con: duckdb.DuckDBPyConnection) -> None:
    """Create ``reference_<view>`` temp views: the full-scan definitions the summary-backed views
    must equal (tests compare them; the bench times both)."""
    root = resources.files("warehouse").joinpath("reference")
    for name in SUMMARY_VIEWS:
        con.execute(root.joinpath(f"{name}.sql").read_text(encoding="utf-8")).fetchall()


@dataclass
class Scope:
    """The KST weeks (Mondays) and stories whose summary rows must be recomputed."""

    weeks: set[date] = field(default_factory=set)
    stories: set[str] = field(default_factory=set)

    def __or__(self, other: Scope) -> Scope:
        return Scope(self.weeks | other.weeks, self.stories | other.stories)

    def __bool__(self) -> bool:
        return bool(self.weeks or self.stories)


def scope_of(
    con: duckdb.DuckDBPyConnection, article_ids: Iterable[str], story_ids: Iterable[str] = ()
) -> Scope:
    """The weeks and stories of the given articles and of every article of the given stories, as
    the base tables hold them now. Call it before a change that moves articles between weeks (a
    reprocess may change the date) and again after; refresh the union. Story ids that no longer
    have articles (merged away) are kept in the scope so their rows are deleted."""
    ids = sorted(set(article_ids))
    stories = sorted(set(story_ids))
    if not ids and not stories:
        return Scope()
    rows = con.execute(query("summary_scope"), {"ids": ids, "stories": stories}).fetchall()
    return Scope({r[0] for r in rows}, {r[1] for r in rows} | set(stories))


def refresh(con: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    """Recompute the summary rows of ``scope``; call inside the transaction that changed the base
    tables, so readers never see the two disagree."""
    if not scope:
        return
    _set_scope(con, scope)
    con.execute(query("summary_refresh")).fetchall()
    # Not in a ``finally``: after a failure the transaction is aborted, a DROP would raise and hide
    # the real error, and the rollback removes the temp tables anyway.
    con.execute("DROP TABLE _summary_weeks").fetchall()
    con.execute("DROP TABLE _summary_stories").fetchall()


def _set_scope(con: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _summary_weeks AS"
        " SELECT unnest(CAST($weeks AS DATE[])) AS week_kst",
        {"weeks": sorted(scope.weeks)},
    ).fetchall()
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _summary_stories AS"
        " SELECT unnest(CAST($stories AS VARCHAR[])) AS story_id",
        {"stories": sorted(scope.stories)},
    ).fetchall()


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute every summary table from the base tables, in one transaction of its own."""
    con.execute("BEGIN TRANSACTION")
    try:
        _rebuild(con)
        con.execute("COMMIT")
    except Exception:
        rollback(con)
        raise


def rebuild_file(path: Path) -> dict[str, int]:
    """``newsmon rebuild-summaries``: rebuild the file's summaries; returns rows per table."""
    with open_writer(path) as con:
        rebuild(con)
        return {t: int(con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]) for t in TABLES}


def _rebuild(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(query("summary_clear")).fetchall()
    rows = con.execute(query("summary_scope_all")).fetchall()
    refresh(con, Scope({r[0] for r in rows}, {r[1] for r in rows}))
    con.execute(
        query("summary_mark_built"), {"now": datetime.now(UTC), "alliances": _alliances(con)}
    ).fetchall()


def _alliances(con: duckdb.DuckDBPyConnection) -> str:
    return str(con.execute(query("summary_alliances")).fetchall()[0][0])


def ensure(con: duckdb.DuckDBPyConnection) -> str | None:
    """Bring the summaries up to date with what a write-open may find: a rebuild when
    ``needs_rebuild`` is set (migration 008 sets it, so existing databases are backfilled), else
    alliance_story_stats recomputed when the gazetteer's alliances or members changed. Returns
    what was done ("rebuild", "alliances") or None; costs two small queries when nothing is due."""
    state = con.execute(query("summary_state")).fetchall()
    if not state:
        return None
    needs_rebuild, stored = state[0]
    current = _alliances(con)
    if not needs_rebuild and stored == current:
        return None
    con.execute("BEGIN TRANSACTION")
    try:
        if needs_rebuild:
            _rebuild(con)
        else:
            stories = con.execute(query("summary_all_stories")).fetchall()
            refresh(con, Scope(stories={r[0] for r in stories}))
            con.execute(query("summary_mark_alliances"), {"alliances": current}).fetchall()
        con.execute("COMMIT")
    except Exception:
        rollback(con)
        raise
    return "rebuild" if needs_rebuild else "alliances"
