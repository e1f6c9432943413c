-- Every story that has or had alliance_story_stats rows, for recomputing that table alone.
SELECT story_id FROM articles
UNION
SELECT story_id FROM alliance_story_stats;
