-- Per entity and ISO week (Monday start, Korea Standard Time): stories, articles, mentions and
-- distinct outlets. Distinct counts do not add up across days (one story running Monday and
-- Tuesday is one story), so weeks have their own summary table, entity_week_stats (migration 008),
-- kept up to date by the loader; the full-scan definition it equals is
-- warehouse/reference/entity_weekly.sql. An outlet is as in article_roles.
CREATE OR REPLACE VIEW entity_weekly AS
SELECT
    entity_id,
    week_kst,
    strftime(week_kst, '%G-W%V') AS iso_week,
    n_stories,
    n_articles,
    n_mentions,
    n_outlets
FROM entity_week_stats;
