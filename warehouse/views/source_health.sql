-- Per source: the last successful and the last failed feed fetch, failures since the last success,
-- and how much the source publishes: feed items first seen in the last 7 and 28 days, the newest
-- item, and whether it has gone quiet.
--
-- An item's time is its published date, but never later than when newsmon first saw it (a feed that
-- stamps items in the future must not look fresh). `stale` is the monitor's own verdict from
-- source_status (newest item older than 4x the feed's median gap between items, at least 24 h; see
-- tasks/health.py), so the view, `sources check` and the health alerts agree; for a source the
-- monitor has not judged yet it falls back to: older than both 48 hours and three times the usual
-- gap (24 h / items per day over 28 days), or no item ever. `unhealthy_since` is set while a
-- source_unhealthy alert episode is open.
-- Each side is aggregated before the join so fetch rows and item rows never multiply each other.
CREATE OR REPLACE VIEW source_health AS
WITH feed AS (
    SELECT * FROM fetch_log WHERE purpose = 'feed'
),
last_ok AS (
    SELECT source_name, max(requested_at) AS last_success_at FROM feed WHERE error IS NULL GROUP BY ALL
),
fetches AS (
    SELECT
        f.source_name,
        max(f.requested_at) FILTER (WHERE f.error IS NOT NULL) AS last_failure_at,
        count(*) FILTER (
            WHERE f.error IS NOT NULL AND (l.last_success_at IS NULL OR f.requested_at > l.last_success_at)
        ) AS consecutive_failures,
        arg_max(f.error, f.requested_at) AS last_error
    FROM feed AS f
    LEFT JOIN last_ok AS l USING (source_name)
    GROUP BY f.source_name
),
items AS (
    SELECT
        source_name,
        count(*) FILTER (WHERE first_seen_at >= now() - INTERVAL 7 DAY)  AS n_items_7d,
        count(*) FILTER (WHERE first_seen_at >= now() - INTERVAL 28 DAY) AS n_items_28d,
        max(least(coalesce(published_at, first_seen_at), first_seen_at)) AS last_item_at
    FROM feed_items
    GROUP BY source_name
)
SELECT
    s.source_name,
    s.url,
    s.source_group,
    l.last_success_at,
    f.last_failure_at,
    coalesce(f.consecutive_failures, 0) AS consecutive_failures,
    f.last_error,
    coalesce(i.n_items_7d, 0)                  AS n_items_7d,
    round(coalesce(i.n_items_7d, 0) / 7.0, 2)  AS items_per_day,
    round(coalesce(i.n_items_28d, 0) / 28.0, 2) AS items_per_day_28d,
    i.last_item_at,
    round(date_diff('minute', i.last_item_at, now()) / 60.0, 1) AS hours_since_last_item,
    coalesce(
        st.stale,
        date_diff('minute', i.last_item_at, now()) / 60.0 > greatest(
            48.0, 3 * 24.0 / nullif(coalesce(i.n_items_28d, 0) / 28.0, 0)
        ),
        TRUE
    ) AS stale,
    st.unhealthy_since
FROM sources AS s
LEFT JOIN fetches AS f USING (source_name)
LEFT JOIN last_ok AS l USING (source_name)
LEFT JOIN items AS i USING (source_name)
LEFT JOIN source_status AS st USING (source_name);
