-- New MinHash signatures of reprocessed articles (future runs dedupe against them).
UPDATE article_signatures
SET signature = r.signature
FROM _reprocessed AS r
WHERE article_signatures.article_id = r.article_id;
