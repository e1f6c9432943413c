-- One row per story (a cluster of copies and rewrites, merged stories included), read from
-- story_stats (migration 010), which the loader recomputes for every story a load, merge or
-- reprocess touches; it equals the full-scan definition in warehouse/reference/stories.sql
-- (tests/warehouse/test_summaries.py). n_outlets counts distinct outlets: a portal copy counts as
-- its original outlet, not as the portal. The representative is article_roles' (the earliest copy
-- on the outlet's own site, fullest body first on ties).
CREATE OR REPLACE VIEW stories AS
SELECT
    story_id,
    first_seen_at,
    last_seen_at,
    first_published_at,
    n_articles,
    n_outlets,
    representative_article_id,
    title,
    url,
    n_exact,
    n_near,
    n_merged
FROM story_stats;
