-- Weekly stories per alliance (KST ISO weeks) over the last $weeks weeks, for the report's chart.
WITH since AS (
    SELECT CAST(date_trunc('week', CAST(timezone('Asia/Seoul', now()) AS DATE)) AS DATE)
           - 7 * (CAST($weeks AS INTEGER) - 1) AS week_kst
)
SELECT w.week_kst, coalesce(e.name_en, e.name_ko, e.entity_id) AS alliance, w.n_stories
FROM entity_weekly AS w
JOIN entities AS e ON e.entity_id = w.entity_id AND e.kind = 'alliance'
WHERE w.week_kst >= (SELECT week_kst FROM since)
ORDER BY alliance, w.week_kst;
