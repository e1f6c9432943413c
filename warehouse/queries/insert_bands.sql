-- LSH band rows (from the registered relation _bands) for articles that have none yet, so loading
-- a batch twice or backfilling adds nothing twice.
INSERT INTO article_bands
SELECT band_key, article_id FROM _bands
WHERE article_id NOT IN (SELECT DISTINCT article_id FROM article_bands);
