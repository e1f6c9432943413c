-- Reference: the full-scan definition of stories before migration 010 moved it onto story_stats.
-- Kept verbatim (as a temp view reference_stories) so tests prove the summary-backed view equals it
-- and bench/warehouse_bench.py can time both in the same run.
-- One row per story (a cluster of copies and rewrites, merged stories included). Derived from
-- articles through article_roles, so it can never disagree with them. n_outlets counts distinct
-- outlets: a portal copy counts as its original outlet, not as the portal. The representative is
-- article_roles' (the earliest copy on the outlet's own site, fullest body first on ties).
CREATE OR REPLACE TEMP VIEW reference_stories AS
SELECT
    r.story_id,
    min(a.fetched_at)                                   AS first_seen_at,
    max(a.fetched_at)                                   AS last_seen_at,
    min(a.published_at)                                 AS first_published_at,
    count(*)                                            AS n_articles,
    count(DISTINCT r.outlet)                            AS n_outlets,
    any_value(r.article_id) FILTER (WHERE r.is_representative) AS representative_article_id,
    any_value(a.title) FILTER (WHERE r.is_representative)      AS title,
    any_value(coalesce(a.canonical_url, a.url)) FILTER (WHERE r.is_representative) AS url,
    count(*) FILTER (WHERE r.dup_kind = 'exact')        AS n_exact,
    count(*) FILTER (WHERE r.dup_kind = 'near')         AS n_near,
    count(*) FILTER (WHERE r.dup_kind = 'original') - 1 AS n_merged
FROM article_roles AS r
JOIN articles AS a USING (article_id)
GROUP BY r.story_id;
