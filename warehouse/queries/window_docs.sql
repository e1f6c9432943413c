-- Articles of the recent dedupe window with their MinHash signatures (see tasks/dedupe.py).
SELECT a.article_id, a.story_id, a.content_hash, s.signature, a.body
FROM articles AS a
JOIN article_signatures AS s USING (article_id)
WHERE a.fetched_at >= $since
ORDER BY a.fetched_at, a.article_id;
