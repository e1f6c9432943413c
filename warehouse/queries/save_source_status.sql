-- Upsert health rows from the registered relation _status.
INSERT INTO source_status BY NAME SELECT * FROM _status
ON CONFLICT (source_name) DO UPDATE SET
    consecutive_failures = excluded.consecutive_failures,
    last_success_at = excluded.last_success_at, last_failure_at = excluded.last_failure_at,
    last_error = excluded.last_error, unhealthy_since = excluded.unhealthy_since,
    last_new_item_at = excluded.last_new_item_at, newest_item_at = excluded.newest_item_at,
    median_gap_s = excluded.median_gap_s, stale = excluded.stale, updated_at = excluded.updated_at;
