-- Record a finished rebuild of the summaries, with the alliance fingerprint it used.
UPDATE summary_state SET needs_rebuild = false, rebuilt_at = $now, alliances = $alliances;
