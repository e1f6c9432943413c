-- The Monday (KST) of each of the last $weeks ISO weeks, oldest first, this week included.
SELECT CAST(date_trunc('week', CAST(timezone('Asia/Seoul', now()) AS DATE)) AS DATE) - CAST(7 * i AS INTEGER) AS week_kst
FROM range(CAST($weeks AS BIGINT)) AS t(i)
ORDER BY week_kst;
