-- Reference: the full-scan definition of entity_daily before migration 008 moved it onto summary tables.
-- Kept verbatim (as a temp view reference_entity_daily) so tests prove the summary-backed view equals it
-- and bench/warehouse_bench.py can time both in the same run.
-- Per entity and day (Korea Standard Time): stories, articles, mentions and distinct outlets.
-- Counts stories, not copies, so a press release carried by twenty outlets counts once in n_stories.
-- An outlet is as in article_roles: the portal copy's original outlet, else site, else source.
CREATE OR REPLACE TEMP VIEW reference_entity_daily AS
SELECT
    m.entity_id,
    CAST(timezone('Asia/Seoul', coalesce(a.published_at, a.fetched_at)) AS DATE) AS day_kst,
    count(DISTINCT a.story_id)    AS n_stories,
    count(DISTINCT a.article_id)  AS n_articles,
    count(*)                      AS n_mentions,
    count(DISTINCT coalesce(a.outlet, a.site_name, a.source_name)) AS n_outlets
FROM mentions AS m
JOIN articles AS a USING (article_id)
GROUP BY ALL;
