-- Per source: the last successful and the last failed feed fetch, and failures since the last success.
CREATE OR REPLACE VIEW source_health AS
WITH feed AS (
    SELECT * FROM fetch_log WHERE purpose = 'feed'
),
last_ok AS (
    SELECT source_name, max(requested_at) AS last_success_at FROM feed WHERE error IS NULL GROUP BY ALL
)
SELECT
    s.source_name,
    s.url,
    s.source_group,
    l.last_success_at,
    max(f.requested_at) FILTER (WHERE f.error IS NOT NULL) AS last_failure_at,
    count(*) FILTER (
        WHERE f.error IS NOT NULL AND (l.last_success_at IS NULL OR f.requested_at > l.last_success_at)
    ) AS consecutive_failures,
    arg_max(f.error, f.requested_at) AS last_error
FROM sources AS s
LEFT JOIN feed AS f USING (source_name)
LEFT JOIN last_ok AS l USING (source_name)
GROUP BY ALL;
