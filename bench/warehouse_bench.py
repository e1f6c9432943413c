"""Warehouse load rates and view query times, as ratios and against the 300 ms goal.

Run from the repository root::

    uv run python bench/warehouse_bench.py [--articles 1000000] [--mentions-per-article 5]
                                           [--load-articles 20000] [--refresh-articles 1000]
                                           [--dir /tmp/newsmon-bench] [--keep]

1. Load: rows per second for articles and mentions through the bulk path
   (``warehouse.loading.write_batch``: Arrow + ``INSERT OR IGNORE`` in one transaction) against
   row-by-row ``executemany`` inserts of the same columns, in the same run, into fresh files.
2. Views: a synthetic warehouse (1 M articles, 5 M mentions by default) generated with SQL inside
   DuckDB, then every view read in full into Arrow (``SELECT * FROM view``), cold once and then the
   best of three; the file size after a checkpoint. Synthetic shape: two years of news, 60 sources,
   200 outlets, 60 % of articles start a story and the rest copy one (near in time), five mentions
   per article over 150 entities with a skewed (squared-uniform) popularity, 8 alliances of middling
   popularity (e40–e47, as in real news: operators are named far more often than alliances) with
   five of the most-named companies as members each, 512-character bodies. No real text is used.
   The rows go in with SQL, so the summary tables (migration 008) are then rebuilt, timed: the
   backfill an existing database gets on its first open. Each summary-backed view is also read once
   through its old full-scan definition (warehouse/reference/) for the speed-up.
3. Refresh: one monitor-sized batch (``--refresh-articles``, default 1,000, all dated within the
   last day) loaded into the big warehouse through ``write_batch``, whose transaction recomputes the
   summary rows of the weeks and stories it touched; then that refresh alone.
"""

from __future__ import annotations

import argparse
import shutil
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

from tasks.models import Article, Mention, StoryAssignment
from warehouse import loading, summaries
from warehouse.database import open_writer

console = Console(width=150)
NOW = datetime.now(UTC)

ROW_ARTICLE_SQL = (
    "INSERT INTO articles (article_id, url, url_key, source_name, title, body, lang, published_at,"
    " fetched_at, quality, content_hash, story_id, dup_kind, similarity, run_id)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
ROW_MENTION_SQL = (
    "INSERT INTO mentions (article_id, entity_id, field, start_pos, end_pos, surface, sentence,"
    " in_title, in_lead, collective) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _records(n: int, per_article: int) -> tuple[list[Article], list[Mention]]:
    articles = [
        Article(
            article_id=f"a{i}",
            url=f"https://bench.example/{i}",
            url_key=f"bench.example/{i}",
            canonical_url=None,
            source_name=f"src{i % 60}",
            title=f"title {i}",
            body=f"body {i} " * 60,
            lead=None,
            lang="ko",
            published_at=NOW - timedelta(minutes=i),
            date_source="feed",
            author=None,
            site_name=f"outlet{i % 200}",
            fetched_at=NOW,
            quality="ok",
            content_hash=f"h{i}",
        )
        for i in range(n)
    ]
    mentions = [
        Mention(
            article_id=f"a{i}",
            entity_id=f"e{(i * 7 + j) % 150}",
            surface="SK텔레콤",
            field="body",
            start=j * 100,
            end=j * 100 + 5,
            sentence=f"SK텔레콤은 {i} 번째 문장에서 {j} 을 말했다.",
            in_title=False,
            in_lead=j == 0,
        )
        for i in range(n)
        for j in range(per_article)
    ]
    return articles, mentions


def bench_load(folder: Path, n_bulk: int, per_article: int) -> None:
    """Bulk path vs executemany, articles and mentions, in fresh files."""
    n_rows = max(500, n_bulk // 10)
    articles, mentions = _records(n_bulk, per_article)
    assignments = [
        StoryAssignment(a.article_id, f"s{a.article_id}", "original", 1.0) for a in articles
    ]
    bulk_db = folder / "load-bulk.duckdb"
    row_db = folder / "load-rows.duckdb"
    for old in (bulk_db, row_db):
        old.unlink(missing_ok=True)
    with open_writer(bulk_db) as con:
        started = time.perf_counter()
        loading.write_batch(
            con, loading.Batch(run_id="bench", articles=articles, assignments=assignments)
        )
        bulk_articles_s = time.perf_counter() - started
        started = time.perf_counter()
        loading.write_batch(con, loading.Batch(run_id="bench", mentions=mentions))
        bulk_mentions_s = time.perf_counter() - started
        started = time.perf_counter()
        con.execute("BEGIN TRANSACTION")
        summaries.refresh(con, summaries.scope_of(con, [a.article_id for a in articles]))
        con.execute("COMMIT")
        refresh_s = time.perf_counter() - started
    few_articles = articles[:n_rows]
    few_mentions = mentions[: n_rows * per_article]
    with open_writer(row_db) as con:
        started = time.perf_counter()
        con.execute("BEGIN TRANSACTION")
        con.executemany(
            ROW_ARTICLE_SQL,
            [
                [
                    a.article_id,
                    a.url,
                    a.url_key,
                    a.source_name,
                    a.title,
                    a.body,
                    a.lang,
                    a.published_at,
                    a.fetched_at,
                    a.quality,
                    a.content_hash,
                    f"s{a.article_id}",
                    "original",
                    1.0,
                    "bench",
                ]
                for a in few_articles
            ],
        )
        con.execute("COMMIT")
        row_articles_s = time.perf_counter() - started
        started = time.perf_counter()
        con.execute("BEGIN TRANSACTION")
        con.executemany(
            ROW_MENTION_SQL,
            [
                [
                    m.article_id,
                    m.entity_id,
                    m.field,
                    m.start,
                    m.end,
                    m.surface,
                    m.sentence,
                    m.in_title,
                    m.in_lead,
                    m.collective,
                ]
                for m in few_mentions
            ],
        )
        con.execute("COMMIT")
        row_mentions_s = time.perf_counter() - started
    table = Table(title="load: rows per second (same run, fresh files)", header_style="bold")
    for column in ("table", "bulk rows", "bulk rows/s", "row-by-row rows", "row-by-row rows/s"):
        table.add_column(column, justify="right")
    table.add_column("bulk ÷ row-by-row", justify="right", style="bold")
    for name, n_b, t_b, n_r, t_r in (
        ("articles", len(articles), bulk_articles_s, len(few_articles), row_articles_s),
        ("mentions", len(mentions), bulk_mentions_s, len(few_mentions), row_mentions_s),
    ):
        rate_b, rate_r = n_b / t_b, n_r / t_r
        table.add_row(
            name,
            f"{n_b:,}",
            f"{rate_b:,.0f}",
            f"{n_r:,}",
            f"{rate_r:,.0f}",
            f"{rate_b / rate_r:.1f}×",
        )
    console.print(table)
    console.print(
        f"(the bulk path includes the summary refresh of migration 008; the refresh for all"
        f" {len(articles):,} articles alone: {refresh_s * 1000:,.0f} ms)"
    )


GENERATE = [
    (
        "entities",
        """
        INSERT INTO entities
        SELECT
            'e' || i,
            CASE WHEN i BETWEEN 40 AND 47 THEN 'alliance' WHEN i < 120 THEN 'company'
                 ELSE 'topic' END,
            'Entity ' || i, '엔티티 ' || i, NULL, '{}',
            CASE WHEN i BETWEEN 40 AND 47
                 THEN to_json(list_transform(range(5), lambda k: {'id': 'e' || ((i - 40) * 5 + k)}))
                 ELSE '[]' END
        FROM range(150) AS t(i)
        """,
    ),
    (
        "sources",
        """
        INSERT INTO sources
        SELECT 'src' || i, 'https://src' || i || '.example/rss', 'rss',
               CASE WHEN i % 3 = 0 THEN 'en' ELSE 'ko' END, 'bench', now()
        FROM range(60) AS t(i)
        """,
    ),
    (
        "articles",
        """
        INSERT INTO articles (article_id, url, url_key, source_name, title, body, lang,
                              published_at, site_name, fetched_at, quality, content_hash, story_id,
                              dup_kind, similarity, run_id)
        WITH base AS (
            SELECT i, CASE WHEN i % 5 < 3 THEN i ELSE i - i % 5 END AS k FROM range($n) AS t(i)
        ),
        timed AS (
            SELECT i, k,
                   now() - to_seconds(CAST(hash(k) % 63072000 AS BIGINT))
                         + to_hours(CAST(i - k AS BIGINT)) AS ts
            FROM base
        )
        SELECT
            'a' || i, 'https://news.example/' || i, 'news.example/' || i, 'src' || (hash(i) % 60),
            'title of story ' || k, repeat(md5(CAST(i AS VARCHAR)), 16),
            CASE WHEN i % 3 = 0 THEN 'en' ELSE 'ko' END, ts, 'outlet' || (hash(i + 1) % 200),
            ts + INTERVAL 1 HOUR, 'ok', md5(CAST(k AS VARCHAR)), 's' || k,
            CASE WHEN i = k THEN 'original' ELSE 'near' END, 1.0, 'bench'
        FROM timed
        """,
    ),
    (
        "mentions",
        """
        INSERT INTO mentions (article_id, entity_id, field, start_pos, end_pos, surface, sentence,
                              in_title, in_lead, collective)
        SELECT
            'a' || i,
            'e' || CAST(floor(150 * pow((hash(i * 7 + j) % 10000) / 10000.0, 2)) AS BIGINT),
            CASE WHEN j = 0 THEN 'title' ELSE 'body' END, j * 100, j * 100 + 6, 'entity',
            'sentence ' || (i * 7 + j) || ' names an entity in a telecom story', j = 0, j = 1, false
        FROM range($n) AS t(i), range($per) AS u(j)
        """,
    ),
    (
        "feed_items",
        """
        INSERT INTO feed_items (url_key, url, source_name, title, published_at, first_seen_at)
        SELECT url_key, url, source_name, title, published_at, fetched_at FROM articles
        """,
    ),
    (
        "fetch_log",
        """
        INSERT INTO fetch_log (run_id, url, source_name, purpose, requested_at, http_status, error,
                               bytes, elapsed_ms)
        SELECT 'r' || r, 'https://src' || s || '.example/rss', 'src' || s, 'feed',
               now() - to_minutes(CAST(15 * r AS BIGINT)), 200,
               CASE WHEN hash(r * 60 + s) % 50 = 0 OR (s = 7 AND r < 40) THEN 'timeout' END,
               20000, 120
        FROM range(2880) AS t(r), range(60) AS u(s)
        """,
    ),
]


def generate(db: Path, n: int, per: int) -> None:
    """Fill ``db`` with the synthetic warehouse, all inside DuckDB (no Python row loops)."""
    table = Table(title=f"generate {n:,} articles × {per} mentions", header_style="bold")
    table.add_column("table")
    table.add_column("seconds", justify="right")
    with open_writer(db) as con:
        for name, sql in GENERATE:
            started = time.perf_counter()
            con.execute(sql, {k: v for k, v in {"n": n, "per": per}.items() if f"${k}" in sql})
            table.add_row(name, f"{time.perf_counter() - started:.1f}")
        started = time.perf_counter()
        summaries.rebuild(con)  # what migration 008 does to an existing database on first open
        table.add_row("summaries (rebuild = backfill)", f"{time.perf_counter() - started:.1f}")
        con.execute("CHECKPOINT")
    console.print(table)


def bench_refresh(db: Path, n_new: int, per: int) -> None:
    """One monitor-sized load into the big warehouse through ``write_batch`` (the summary refresh
    of the touched weeks and stories included), then that refresh alone, in its own transaction."""
    articles, mentions = _records(n_new, per)
    articles = [
        replace(a, article_id=f"new{a.article_id}", url_key=f"new/{a.url_key}") for a in articles
    ]
    mentions = [replace(m, article_id=f"new{m.article_id}") for m in mentions]
    batch = loading.Batch(
        run_id="bench-refresh",
        articles=articles,
        assignments=[StoryAssignment(a.article_id, "s1", "near", 0.9) for a in articles],
        mentions=mentions,
    )
    with open_writer(db) as con:
        started = time.perf_counter()
        loading.write_batch(con, batch)
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        scope = loading.batch_scope(con, batch)
        con.execute("BEGIN TRANSACTION")
        summaries.refresh(con, scope)
        con.execute("COMMIT")
        refresh_s = time.perf_counter() - started
    console.print(
        f"load of {n_new:,} articles × {per} mentions into {db.name}: {load_s * 1000:,.0f} ms"
        f" with the summary refresh; the refresh alone ({len(scope.weeks)} week(s),"
        f" {len(scope.stories):,} stories): {refresh_s * 1000:,.0f} ms"
    )


TYPICAL = {
    "stories": "SELECT title, n_articles, n_outlets FROM stories ORDER BY n_articles DESC LIMIT 20",
    "entity_daily": "SELECT * FROM entity_daily WHERE entity_id = 'e3' ORDER BY day_kst",
    "entity_weekly": "SELECT * FROM entity_weekly WHERE entity_id = 'e3' ORDER BY week_kst",
    "entity_rising": "SELECT * FROM entity_rising ORDER BY score DESC LIMIT 20",
    "story_entities": "SELECT * FROM story_entities WHERE entity_id = 'e3'",
    "alliance_timeline": "SELECT * FROM alliance_timeline WHERE alliance_id = 'e41' ORDER BY seq",
    "source_health": "SELECT * FROM source_health ORDER BY consecutive_failures DESC",
    "co_mentions": "SELECT * FROM co_mentions WHERE entity_a = 'e1' OR entity_b = 'e1'",
    "article_roles": "SELECT * FROM article_roles WHERE story_id = 's500'",
    "story_aliases": "SELECT * FROM story_aliases",
}
"""One query an analyst would typically run on each view (one entity, the top of a ranking)."""


def _best_of(con: duckdb.DuckDBPyConnection, run: Callable[[], int]) -> tuple[int, float, float]:
    times = []
    rows = 0
    for _ in range(4):
        started = time.perf_counter()
        rows = run()
        times.append((time.perf_counter() - started) * 1000)
    return rows, times[0], min(times[1:])


def bench_views(db: Path) -> None:
    """Each view read in full into Arrow: cold, then best of three."""
    with open_writer(db) as con:
        names = [
            r[0]
            for r in con.execute(
                "SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY view_name"
            ).fetchall()
        ]
    con = duckdb.connect(str(db), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")  # the full scans would draw one
    summaries.create_reference_views(con)
    table = Table(title=f"views over {db.name}", header_style="bold")
    for column in ("view", "rows", "full: cold ms", "full: best of 3", "typical query: rows"):
        table.add_column(column, justify="right")
    table.add_column("typical: cold ms", justify="right")
    table.add_column("typical: best of 3", justify="right")
    table.add_column("full scan (pre-008): ms", justify="right")
    table.add_column("speed-up", justify="right", style="bold")
    try:
        for name in names:
            rows, cold, best = _best_of(
                con, lambda name=name: con.table(name).to_arrow_table().num_rows
            )
            cells = [name, f"{rows:,}", f"{cold:.0f}", _verdict(best)]
            sql = TYPICAL.get(name)
            if sql is None:
                cells += ["", "", ""]
            else:
                t_rows, t_cold, t_best = _best_of(
                    con, lambda sql=sql: con.sql(sql).to_arrow_table().num_rows
                )
                cells += [f"{t_rows:,}", f"{t_cold:.0f}", _verdict(t_best)]
            if name in summaries.SUMMARY_VIEWS:
                started = time.perf_counter()
                con.table(f"reference_{name}").to_arrow_table()
                old_ms = (time.perf_counter() - started) * 1000
                cells += [f"{old_ms:,.0f}", f"{old_ms / best:,.0f}×"]
            else:
                cells += ["", ""]
            table.add_row(*cells)
    finally:
        con.close()
    console.print(table)
    console.print(
        "(full = SELECT * FROM view into Arrow; goal: under 300 ms. full scan (pre-008) = the same"
        " view's old definition, warehouse/reference/, read once in the same run)"
    )
    size = db.stat().st_size
    console.print(f"file size: {size / 2**20:,.0f} MiB ({db})")


def _verdict(ms: float) -> str:
    color = "green" if ms < 300 else "red"
    return f"[{color}]{ms:.0f}[/{color}]"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--mentions-per-article", type=int, default=5)
    parser.add_argument("--load-articles", type=int, default=20_000)
    parser.add_argument("--refresh-articles", type=int, default=1_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/newsmon-bench"))
    parser.add_argument("--keep", action="store_true", help="reuse an existing synthetic warehouse")
    args = parser.parse_args()
    folder: Path = args.dir
    if not args.keep and folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    bench_load(folder, args.load_articles, args.mentions_per_article)
    db = folder / "synthetic.duckdb"
    if not (args.keep and db.exists()):
        generate(db, args.articles, args.mentions_per_article)
    bench_views(db)
    bench_refresh(db, args.refresh_articles, args.mentions_per_article)


if __name__ == "__main__":
    main()
