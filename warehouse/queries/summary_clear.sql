-- Empty every summary table (migrations 008 and 010) before a full rebuild.
DELETE FROM entity_day_stats;
DELETE FROM entity_week_stats;
DELETE FROM entity_day_stories;
DELETE FROM co_mention_week_stats;
DELETE FROM alliance_story_stats;
DELETE FROM story_stats;
