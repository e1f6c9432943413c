-- LSH band rows of reprocessed articles go with their old signatures; insert_bands re-files them.
DELETE FROM article_bands WHERE article_id IN (SELECT article_id FROM _reprocessed);
