-- The stories of reprocessed articles, for replaying the alert rules over their new mentions
-- (reprocess keeps story assignments, so these are the stories the monitor put them in).
SELECT article_id, story_id
FROM articles
WHERE article_id IN (SELECT unnest($ids)) AND story_id IS NOT NULL;
