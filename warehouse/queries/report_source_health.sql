-- Source health for the report, worst first.
SELECT source_name, items_per_day, hours_since_last_item, consecutive_failures, stale, last_error
FROM source_health
ORDER BY consecutive_failures DESC, stale DESC, items_per_day, source_name;
