-- One entity's weeks (KST) over the last $weeks ISO weeks, empty weeks included as zeros.
WITH weeks AS (
    SELECT CAST(date_trunc('week', CAST(timezone('Asia/Seoul', now()) AS DATE)) AS DATE) - CAST(7 * i AS INTEGER) AS week_kst
    FROM range(CAST($weeks AS BIGINT)) AS t(i)
)
SELECT
    k.week_kst,
    strftime(k.week_kst, '%G-W%V') AS iso_week,
    coalesce(w.n_stories, 0)  AS n_stories,
    coalesce(w.n_articles, 0) AS n_articles,
    coalesce(w.n_mentions, 0) AS n_mentions,
    coalesce(w.n_outlets, 0)  AS n_outlets
FROM weeks AS k
LEFT JOIN entity_weekly AS w ON w.week_kst = k.week_kst AND w.entity_id = $entity
ORDER BY k.week_kst;
