-- Stored articles of the recent window that share an LSH band with one of this run's new articles
-- ($band_keys), with their signatures only: tasks.dedupe.window_candidates keeps the ones whose
-- signature estimate can pass, before any body is read.
WITH hits AS (
    SELECT DISTINCT article_id FROM article_bands WHERE band_key = ANY($band_keys::UBIGINT[])
)
SELECT s.article_id, s.signature
FROM hits
JOIN article_signatures AS s USING (article_id)
WHERE hits.article_id IN (SELECT article_id FROM articles WHERE fetched_at >= $since)
ORDER BY s.article_id;
