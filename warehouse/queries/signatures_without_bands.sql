-- Stored signatures that have no LSH band rows yet (articles stored before migration 004).
SELECT s.article_id, s.signature
FROM article_signatures AS s
ANTI JOIN (SELECT DISTINCT article_id FROM article_bands) AS b USING (article_id);
