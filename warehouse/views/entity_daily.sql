-- Per entity and day (Korea Standard Time): stories, articles, mentions and distinct outlets.
-- Counts stories, not copies, so a press release carried by twenty outlets counts once in n_stories.
-- An outlet is as in article_roles: the portal copy's original outlet, else site, else source.
-- Read from the entity_day_stats summary table (migration 008), which the loader keeps up to date
-- in the same transaction as every load, merge and reprocess; the full-scan definition it equals
-- is warehouse/reference/entity_daily.sql.
CREATE OR REPLACE VIEW entity_daily AS
SELECT entity_id, day_kst, n_stories, n_articles, n_mentions, n_outlets
FROM entity_day_stats;
