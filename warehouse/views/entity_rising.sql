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
-- Reads the summary tables entity_day_stories and entity_day_stats (migration 008, kept up to date
-- by the loader); the full-scan definition it equals is warehouse/reference/entity_rising.sql.
CREATE OR REPLACE VIEW entity_rising AS
WITH bounds AS (
    SELECT
        CAST(timezone('Asia/Seoul', now()) AS DATE)      AS today_kst,
        CAST(timezone('Asia/Seoul', now()) AS DATE) - 6  AS window_start,
        CAST(timezone('Asia/Seoul', now()) AS DATE) - 62 AS baseline_start
),
story_days AS (
    -- A story counts on the first day in the window that one of its articles mentions the entity.
    SELECT s.entity_id, s.story_id, min(s.day_kst) AS day_kst
    FROM entity_day_stories AS s, bounds AS b
    WHERE s.day_kst >= b.baseline_start
    GROUP BY ALL
),
per_week AS (
    -- Stories per entity in the window (in_window) and in each baseline week (week_index 0..7):
    -- one small aggregate instead of a list of baseline days per entity.
    SELECT
        s.entity_id,
        s.day_kst >= b.window_start AND s.day_kst <= b.today_kst AS in_window,
        CASE WHEN s.day_kst < b.window_start THEN (s.day_kst - b.baseline_start) // 7 END
            AS week_index,
        count(*) AS n
    FROM story_days AS s, bounds AS b
    GROUP BY ALL
),
counts AS (
    SELECT
        entity_id,
        CAST(coalesce(sum(n) FILTER (WHERE in_window), 0) AS BIGINT) AS n_stories_7d,
        CAST(coalesce(sum(n) FILTER (WHERE week_index IS NOT NULL), 0) AS BIGINT)
            AS baseline_stories
    FROM per_week
    GROUP BY entity_id
),
activity AS (
    -- An article has one day, so distinct articles do add up across days.
    SELECT
        d.entity_id,
        CAST(sum(d.n_articles) AS BIGINT) AS n_articles_7d,
        CAST(sum(d.n_mentions) AS BIGINT) AS n_mentions_7d
    FROM entity_day_stats AS d, bounds AS b
    WHERE d.day_kst >= b.window_start AND d.day_kst <= b.today_kst
    GROUP BY d.entity_id
),
weekly AS (
    -- Stories per baseline week (0..7), zeros included, for the spread of the baseline.
    SELECT
        c.entity_id,
        stddev_pop(coalesce(w.n, 0)) AS baseline_weekly_sd
    FROM counts AS c
    CROSS JOIN range(8) AS wk(week_index)
    LEFT JOIN per_week AS w ON w.entity_id = c.entity_id AND w.week_index = wk.week_index
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
