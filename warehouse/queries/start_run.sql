INSERT INTO runs (run_id, flow, started_at, status) VALUES ($run_id, $flow, $now, 'running')
ON CONFLICT (run_id) DO NOTHING;
