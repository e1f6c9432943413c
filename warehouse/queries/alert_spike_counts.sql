-- Stories per entity on $today (KST) and in the $days before it, for entities with at least
-- $min_stories today (entity_daily counts stories, not copies).
SELECT entity_id,
       sum(n_stories) FILTER (WHERE day_kst = $today) AS today,
       coalesce(sum(n_stories) FILTER (WHERE day_kst < $today), 0) AS baseline
FROM entity_daily
WHERE day_kst >= $today - CAST($days AS INTEGER) AND day_kst <= $today
GROUP BY entity_id
HAVING sum(n_stories) FILTER (WHERE day_kst = $today) >= $min_stories;
