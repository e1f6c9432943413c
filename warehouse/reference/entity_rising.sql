-- Reference: the full-scan definition of entity_rising before migration 008 moved it onto summary tables.
-- Kept verbatim (as a temp view reference_entity_rising) so tests prove the summary-backed view equals it
-- and bench/warehouse_bench.py can time both in the same run.
-- Entities whose stories in the last 7 days (KST, today included) exceed their weekly baseline over
-- the 8 weeks (56 days) before that window, scored by a Poisson upper tail.
--
-- "Now" is the current date in Asia/Seoul, so the view needs no parameter and a database with no
-- recent news simply has no rising entities. Score: k = stories in the window; the expected count
-- is lambda = (baseline stories + 1) / 8, i.e. the baseline weekly mean with one pseudo-story so an
-- entity never seen before gets a finite score instead of a division by zero; p_value = P(X >= k)
-- for X ~ Poisson(lambda), summed in log space so a very large surprise does not underflow to 0;
-- score = -log10(p_value) (2 ≈ "1 in 100 weeks", 3 ≈ "1 in 1000"). z_score = (k - lambda) /
-- sqrt(lambda) is given too for readers used to it. Only rows with k above the plain baseline
-- weekly mean are listed, as the name promises.
CREATE OR REPLACE TEMP VIEW reference_entity_rising AS
WITH bounds AS (
    SELECT
        CAST(timezone('Asia/Seoul', now()) AS DATE)      AS today_kst,
        CAST(timezone('Asia/Seoul', now()) AS DATE) - 6  AS window_start,
        CAST(timezone('Asia/Seoul', now()) AS DATE) - 62 AS baseline_start
),
recent AS (
    SELECT
        m.entity_id,
        a.story_id,
        a.article_id,
        CAST(timezone('Asia/Seoul', coalesce(a.published_at, a.fetched_at)) AS DATE) AS day_kst
    FROM mentions AS m
    JOIN articles AS a USING (article_id)
    WHERE coalesce(a.published_at, a.fetched_at)
        >= timezone('Asia/Seoul', CAST((SELECT baseline_start FROM bounds) AS TIMESTAMP))
),
story_days AS (
    -- A story counts in the week of its first article that mentions the entity.
    SELECT entity_id, story_id, min(day_kst) AS day_kst
    FROM recent
    GROUP BY ALL
),
counts AS (
    SELECT
        s.entity_id,
        count(*) FILTER (WHERE s.day_kst >= b.window_start AND s.day_kst <= b.today_kst)
            AS n_stories_7d,
        count(*) FILTER (WHERE s.day_kst < b.window_start) AS baseline_stories,
        list(s.day_kst) FILTER (WHERE s.day_kst < b.window_start) AS baseline_days
    FROM story_days AS s, bounds AS b
    GROUP BY s.entity_id
),
activity AS (
    SELECT
        r.entity_id,
        count(DISTINCT r.article_id) AS n_articles_7d,
        count(*)                     AS n_mentions_7d
    FROM recent AS r, bounds AS b
    WHERE r.day_kst >= b.window_start AND r.day_kst <= b.today_kst
    GROUP BY r.entity_id
),
weekly AS (
    -- Stories per baseline week (0..7), zeros included, for the spread of the baseline.
    SELECT
        c.entity_id,
        stddev_pop(coalesce(w.n, 0)) AS baseline_weekly_sd
    FROM counts AS c
    CROSS JOIN range(8) AS wk(week_index)
    LEFT JOIN (
        SELECT c2.entity_id, (d - b.baseline_start) // 7 AS week_index, count(*) AS n
        FROM counts AS c2, bounds AS b, unnest(c2.baseline_days) AS u(d)
        GROUP BY ALL
    ) AS w ON w.entity_id = c.entity_id AND w.week_index = wk.week_index
    GROUP BY c.entity_id
),
scored AS (
    SELECT
        c.entity_id,
        c.n_stories_7d,
        coalesce(act.n_articles_7d, 0) AS n_articles_7d,
        coalesce(act.n_mentions_7d, 0) AS n_mentions_7d,
        c.baseline_stories,
        c.baseline_stories / 8.0            AS baseline_weekly_mean,
        w.baseline_weekly_sd,
        (c.baseline_stories + 1) / 8.0      AS expected,
        list_transform(
            range(c.n_stories_7d, c.n_stories_7d + 60 + 10 * CAST(ceil(sqrt(c.n_stories_7d)) AS BIGINT)),
            lambda i: i * ln((c.baseline_stories + 1) / 8.0) - (c.baseline_stories + 1) / 8.0
                      - lgamma(i + 1)
        ) AS log_terms
    FROM counts AS c
    JOIN weekly AS w USING (entity_id)
    LEFT JOIN activity AS act USING (entity_id)
    WHERE c.n_stories_7d > c.baseline_stories / 8.0
),
tailed AS (
    SELECT
        * EXCLUDE (log_terms),
        list_max(log_terms)
            + ln(list_sum(list_transform(log_terms, lambda t: exp(t - list_max(log_terms)))))
            AS log_p
    FROM scored
)
SELECT
    t.entity_id,
    e.kind,
    coalesce(e.name_en, e.name_ko, t.entity_id) AS name,
    t.n_stories_7d,
    t.n_articles_7d,
    t.n_mentions_7d,
    t.baseline_stories,
    round(t.baseline_weekly_mean, 3)   AS baseline_weekly_mean,
    round(t.baseline_weekly_sd, 3)     AS baseline_weekly_sd,
    round(t.expected, 3)               AS expected,
    round(t.n_stories_7d / t.expected, 2) AS ratio,
    round((t.n_stories_7d - t.expected) / sqrt(t.expected), 2) AS z_score,
    least(exp(t.log_p), 1.0)           AS p_value,
    round(greatest(-t.log_p / ln(10), 0.0), 2) AS score
FROM tailed AS t
LEFT JOIN entities AS e USING (entity_id);
