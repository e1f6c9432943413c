-- Runs whose process died before finishing (the caller holds the run lock, so none is alive).
-- Their ids come back so the run can finish what they committed (alerts for loaded articles).
UPDATE runs
SET status = 'crashed',
    finished_at = $now,
    note = 'the process ended before the run finished (killed or crashed)'
WHERE status = 'running' AND flow = $flow
RETURNING run_id
