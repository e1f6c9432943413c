-- One row per article: its place in its story. role is 'representative' for the story's
-- representative, else the article's dup_kind: 'original' (it started a story that later merged
-- into this one), 'exact' (the same text or the same page) or 'near' (a verified near copy);
-- similarity is the exact char-5-gram Jaccard against matched_article_id (1.0 for originals).
-- The representative is the earliest copy on the outlet's own site (portal copies only when the
-- story has nothing else), ties broken by the fuller body, then the article id.
-- outlet: the original outlet of a portal copy, else the site name, else the source's name.
CREATE OR REPLACE VIEW article_roles AS
WITH marked AS (
    SELECT
        a.*,
        coalesce(a.outlet, a.site_name, a.source_name) AS outlet_name,
        (regexp_matches(a.url_key, '^(naver|daum|zum):')
            OR (a.outlet IS NOT NULL AND a.site_name IS NOT NULL AND a.outlet <> a.site_name))
            AS is_portal_copy
    FROM articles AS a
),
ranked AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY story_id
            ORDER BY is_portal_copy, coalesce(published_at, fetched_at), length(body) DESC, article_id
        ) AS rank_in_story
    FROM marked
)
SELECT
    article_id,
    story_id,
    CASE WHEN rank_in_story = 1 THEN 'representative' ELSE dup_kind END AS role,
    rank_in_story = 1 AS is_representative,
    dup_kind,
    similarity,
    matched_article_id,
    outlet_name AS outlet,
    is_portal_copy,
    rank_in_story,
    url,
    canonical_url,
    og_url,
    title,
    coalesce(published_at, fetched_at) AS seen_at
FROM ranked;
