-- Reference: the full-scan definition of entity_weekly before migration 008 moved it onto summary tables.
-- Kept verbatim (as a temp view reference_entity_weekly) so tests prove the summary-backed view equals it
-- and bench/warehouse_bench.py can time both in the same run.
-- Per entity and ISO week (Monday start, Korea Standard Time): stories, articles, mentions and
-- distinct outlets. Counted from mentions directly rather than summed from entity_daily, because
-- distinct counts do not add up across days (one story running Monday and Tuesday is one story).
-- An outlet is as in article_roles: the portal copy's original outlet, else site, else source.
-- Korea has kept UTC+9 without daylight saving since 1988, so the KST wall time is the UTC epoch
-- plus 9 h: twice as fast as a per-row time-zone conversion over millions of mentions.
-- Mentions are first reduced to one row per (article, entity) so the join to articles stays small.
CREATE OR REPLACE TEMP VIEW reference_entity_weekly AS
WITH per_article AS (
    SELECT article_id, entity_id, count(*) AS n_mentions
    FROM mentions
    GROUP BY ALL
)
SELECT
    p.entity_id,
    CAST(date_trunc('week', make_timestamp(epoch_us(coalesce(a.published_at, a.fetched_at))
        + 32400000000)) AS DATE) AS week_kst,
    strftime(week_kst, '%G-W%V') AS iso_week,
    count(DISTINCT a.story_id)                           AS n_stories,
    count(*)                                             AS n_articles,
    sum(p.n_mentions)::BIGINT                            AS n_mentions,
    count(DISTINCT coalesce(a.outlet, a.site_name, a.source_name)) AS n_outlets
FROM per_article AS p
JOIN articles AS a USING (article_id)
GROUP BY ALL;
