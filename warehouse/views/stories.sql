-- One row per story (a cluster of copies and rewrites). Derived from articles, so it can never
-- disagree with them. An outlet is the page's site name (og:site_name), else its source's name. The representative is the earliest original-outlet copy with the longest body.
CREATE OR REPLACE VIEW stories AS
WITH ranked AS (
    SELECT
        a.*,
        row_number() OVER (
            PARTITION BY story_id
            ORDER BY (dup_kind = 'original') DESC, coalesce(published_at, fetched_at), length(body) DESC,
                     article_id
        ) AS rank_in_story
    FROM articles AS a
)
SELECT
    story_id,
    min(fetched_at)                                   AS first_seen_at,
    max(fetched_at)                                   AS last_seen_at,
    min(published_at)                                 AS first_published_at,
    count(*)                                          AS n_articles,
    count(DISTINCT coalesce(site_name, source_name))  AS n_outlets,
    any_value(article_id) FILTER (WHERE rank_in_story = 1) AS representative_article_id,
    any_value(title) FILTER (WHERE rank_in_story = 1)      AS title,
    any_value(coalesce(canonical_url, url)) FILTER (WHERE rank_in_story = 1) AS url
FROM ranked
GROUP BY story_id;
