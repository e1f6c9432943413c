-- Mentions of reprocessed articles are replaced, not merged: drop the old ones first.
DELETE FROM mentions WHERE article_id IN (SELECT article_id FROM _reprocessed);
