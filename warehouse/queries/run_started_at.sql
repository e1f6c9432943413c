-- When a run started (no row for an unknown run).
SELECT started_at FROM runs WHERE run_id = $run_id;
