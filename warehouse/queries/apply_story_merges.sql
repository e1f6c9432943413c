-- Record story merges (from the registered relation _merges); a merge already recorded (a re-run)
-- is left as it is. Runs inside the batch's transaction, after the batch's articles are inserted.
INSERT OR IGNORE INTO story_merges
SELECT merged_story_id, into_story_id, article_id, similarity, merged_at, run_id FROM _merges;
