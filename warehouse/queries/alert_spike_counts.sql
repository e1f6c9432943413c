-- Stories per entity on $today (KST) and in the $days before it, for the watched entities this
-- run mentioned that have at least $min_stories today (entity_daily counts stories, not copies).
-- The entity filter is pushed below the view's aggregation, so a run pays for its own entities.
SELECT entity_id,
       sum(n_stories) FILTER (WHERE day_kst = $today) AS today,
       coalesce(sum(n_stories) FILTER (WHERE day_kst < $today), 0) AS baseline
FROM entity_daily
WHERE entity_id IN (SELECT unnest($entities))
  AND day_kst >= $today - CAST($days AS INTEGER) AND day_kst <= $today
GROUP BY entity_id
HAVING sum(n_stories) FILTER (WHERE day_kst = $today) >= $min_stories;
