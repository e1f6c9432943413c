-- Record the alliance fingerprint alliance_story_stats was just recomputed with.
UPDATE summary_state SET alliances = $alliances;
