-- Entities with the most stories over the last $weeks ISO weeks (KST), their stories per week as
-- (week, stories) pairs, and their entity_rising score when they are rising.
WITH since AS (
    SELECT CAST(date_trunc('week', CAST(timezone('Asia/Seoul', now()) AS DATE)) AS DATE)
           - 7 * (CAST($weeks AS INTEGER) - 1) AS week_kst
)
SELECT
    w.entity_id,
    coalesce(e.name_en, e.name_ko, w.entity_id) AS name,
    e.kind,
    sum(w.n_stories)::BIGINT AS n_stories,
    map_from_entries(list((w.week_kst, w.n_stories))) AS per_week,
    any_value(r.score) AS rising_score
FROM entity_weekly AS w
LEFT JOIN entities AS e USING (entity_id)
LEFT JOIN entity_rising AS r USING (entity_id)
WHERE w.week_kst >= (SELECT week_kst FROM since)
  AND ($entity IS NULL OR w.entity_id = $entity)
GROUP BY ALL
ORDER BY n_stories DESC, w.entity_id
LIMIT $limit;
