SELECT source_name, consecutive_failures, last_success_at, last_failure_at, last_error,
       unhealthy_since, last_new_item_at, newest_item_at, median_gap_s, stale
FROM source_status;
