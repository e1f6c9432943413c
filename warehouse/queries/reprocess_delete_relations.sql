-- Membership candidates of reprocessed articles are re-derived from their new mentions.
DELETE FROM relation_candidates WHERE article_id IN (SELECT article_id FROM _reprocessed);
