-- The part of the recent dedupe window that can matter to this run's new articles (see
-- tasks/dedupe.py and warehouse/window.py): the near-copy candidates that passed the signature
-- estimate ($article_ids), and the stored articles that share a content hash ($hashes) or an
-- identity key ($keys) with one of them. Any other stored article can never match, so dedupe gives
-- the same result as with the whole window. story_since is the earliest date of the
-- article's whole story, so merges pick the older story even from a partial view of it.
WITH cand AS (
    SELECT unnest($article_ids::VARCHAR[]) AS article_id
    UNION
    SELECT article_id FROM articles
    WHERE content_hash = ANY($hashes::VARCHAR[])
        OR url_key = ANY($keys::VARCHAR[])
        OR list_has_any(identity_keys, $keys::VARCHAR[])
),
picked AS (
    SELECT a.*
    FROM articles AS a
    JOIN cand USING (article_id)
    WHERE a.fetched_at >= $since
),
ages AS (
    SELECT story_id, min(coalesce(published_at, fetched_at)) AS story_since
    FROM articles
    WHERE story_id IN (SELECT story_id FROM picked)
    GROUP BY story_id
)
SELECT p.article_id, p.story_id, p.content_hash, s.signature, p.body,
       p.url_key, p.canonical_url, p.og_url, coalesce(p.published_at, p.fetched_at) AS seen_at,
       p.identity_keys, g.story_since
FROM picked AS p
JOIN article_signatures AS s USING (article_id)
JOIN ages AS g USING (story_id)
ORDER BY p.article_id;
