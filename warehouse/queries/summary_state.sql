-- Whether the summaries need a full rebuild, and the alliance fingerprint (see summary_alliances)
-- alliance_story_stats was last computed with.
SELECT needs_rebuild, alliances FROM summary_state;
