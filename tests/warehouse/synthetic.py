"""A small synthetic warehouse with dates relative to now, for the view, CLI and report tests.

Rows go in through plain parameterized INSERTs into a real DuckDB file opened by ``open_writer`` (so
migrations and views are the real ones); after each article the summary tables are refreshed for
it, as the loader does (``warehouse.summaries``), so the views see it. Timestamps are computed from
the current time, never fixed, so the views' "last 7 days" logic is tested without absolute dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import duckdb

from warehouse import summaries

NOW = datetime.now(UTC)

ARTICLE_SQL = (
    "INSERT INTO articles (article_id, url, url_key, source_name, title, body, lang, published_at,"
    " site_name, fetched_at, quality, content_hash, story_id, dup_kind, similarity, run_id)"
    " VALUES (?, ?, ?, ?, ?, ?, 'ko', ?, ?, ?, 'ok', ?, ?, ?, 1.0, ?)"
)
MENTION_SQL = (
    "INSERT INTO mentions (article_id, entity_id, field, start_pos, end_pos, surface, sentence,"
    " in_title, in_lead, collective) VALUES (?, ?, 'body', ?, ?, ?, 's', false, false, false)"
)
ENTITY_SQL = "INSERT INTO entities VALUES (?, ?, ?, ?, NULL, '{}', ?)"


@dataclass
class Warehouse:
    """Builder: add articles with mentions; ``run_id`` tags the rows (for the run artifact).

    With ``auto_refresh`` off the summaries are refreshed only by ``refresh()`` (for many rows)."""

    con: duckdb.DuckDBPyConnection
    run_id: str = "run-1"
    n: int = field(default=0)
    auto_refresh: bool = True
    pending: list[str] = field(default_factory=list)

    def refresh(self) -> None:
        summaries.refresh(self.con, summaries.scope_of(self.con, self.pending))
        self.pending.clear()

    def entity(self, entity_id: str, kind: str = "company", members: Sequence[str] = ()) -> None:
        member_json = "[" + ", ".join(f'{{"id": "{m}"}}' for m in members) + "]"
        name = entity_id.replace("_", " ").title()
        self.con.execute(ENTITY_SQL, [entity_id, kind, name, None, member_json]).fetchall()
        summaries.ensure(self.con)

    def article(
        self,
        story: str,
        at: datetime,
        entities: Sequence[str],
        *,
        outlet: str = "outlet-a",
        title: str | None = None,
        dup_kind: str = "original",
        body: str = "본문",
        mentions_each: int = 1,
    ) -> str:
        self.n += 1
        article_id = f"a{self.n}"
        self.con.execute(
            ARTICLE_SQL,
            [
                article_id,
                f"https://news.example/{self.n}",
                f"news.example/{self.n}",
                "src",
                title or f"title {story}",
                body,
                at,
                outlet,
                at,
                f"h{self.n}",
                story,
                dup_kind,
                self.run_id,
            ],
        ).fetchall()
        for entity_id in entities:
            for k in range(mentions_each):
                self.con.execute(
                    MENTION_SQL, [article_id, entity_id, k * 10, k * 10 + 3, entity_id]
                ).fetchall()
        self.pending.append(article_id)
        if self.auto_refresh:
            self.refresh()
        return article_id


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)
