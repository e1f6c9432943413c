-- Recompute the summary tables (migration 008) for the KST weeks in the temp table _summary_weeks
-- and the stories in _summary_stories, from the base tables: delete their rows, insert them anew.
-- Run inside the transaction that changed the base rows. Each definition matches the full-scan
-- one kept in warehouse/reference/ (tests/warehouse/test_summaries.py checks they agree).
-- KST day = UTC epoch + 9 h (as entity_weekly always did): Korea has kept UTC+9 without daylight
-- saving since 1988, so this equals timezone('Asia/Seoul', …) for every date after that; the old
-- entity_daily, co_mentions and entity_rising differed only for dates in 1987–88 summers or before
-- 1961.
CREATE OR REPLACE TEMP TABLE _summary_articles AS
SELECT
    article_id,
    story_id,
    coalesce(outlet, site_name, source_name) AS outlet,
    CAST(make_timestamp(epoch_us(coalesce(published_at, fetched_at)) + 32400000000) AS DATE)
        AS day_kst
FROM articles
WHERE CAST(date_trunc('week', make_timestamp(epoch_us(coalesce(published_at, fetched_at))
        + 32400000000)) AS DATE) IN (SELECT week_kst FROM _summary_weeks);

-- The mentions of those articles and of the scope's stories, read once (the table is the big one).
CREATE OR REPLACE TEMP TABLE _summary_mentions AS
SELECT
    article_id,
    entity_id,
    field,
    start_pos,
    collective,
    sentence,
    coalesce(CAST(sentence_index AS VARCHAR), sentence) AS sentence_key
FROM mentions
WHERE article_id IN (
    SELECT article_id FROM _summary_articles
    UNION ALL
    SELECT article_id FROM articles WHERE story_id IN (SELECT story_id FROM _summary_stories)
);

CREATE OR REPLACE TEMP TABLE _summary_facts AS
SELECT
    m.entity_id,
    a.article_id,
    a.story_id,
    a.outlet,
    a.day_kst,
    CAST(date_trunc('week', a.day_kst) AS DATE) AS week_kst,
    count(*) AS n_mentions
FROM _summary_mentions AS m
JOIN _summary_articles AS a USING (article_id)
GROUP BY ALL;

DELETE FROM entity_day_stats
WHERE CAST(date_trunc('week', day_kst) AS DATE) IN (SELECT week_kst FROM _summary_weeks);
INSERT INTO entity_day_stats
SELECT
    entity_id,
    day_kst,
    count(DISTINCT story_id),
    count(*),
    sum(n_mentions),
    count(DISTINCT outlet)
FROM _summary_facts
GROUP BY entity_id, day_kst
ORDER BY day_kst, entity_id;

DELETE FROM entity_week_stats WHERE week_kst IN (SELECT week_kst FROM _summary_weeks);
INSERT INTO entity_week_stats
SELECT
    entity_id,
    week_kst,
    count(DISTINCT story_id),
    count(*),
    sum(n_mentions),
    count(DISTINCT outlet)
FROM _summary_facts
GROUP BY entity_id, week_kst
ORDER BY week_kst, entity_id;

DELETE FROM entity_day_stories
WHERE CAST(date_trunc('week', day_kst) AS DATE) IN (SELECT week_kst FROM _summary_weeks);
INSERT INTO entity_day_stories
SELECT DISTINCT entity_id, day_kst, story_id
FROM _summary_facts
ORDER BY day_kst, entity_id, story_id;

DELETE FROM co_mention_week_stats WHERE week_kst IN (SELECT week_kst FROM _summary_weeks);
INSERT INTO co_mention_week_stats
WITH m AS (
    SELECT
        m.article_id,
        m.entity_id,
        m.field,
        m.start_pos,
        m.collective,
        m.sentence,
        m.sentence_key,
        a.story_id,
        CAST(date_trunc('week', a.day_kst) AS DATE) AS week_kst
    FROM _summary_mentions AS m
    JOIN _summary_articles AS a USING (article_id)
),
pairs AS (
    SELECT
        x.week_kst,
        x.story_id,
        x.entity_id AS entity_a,
        y.entity_id AS entity_b,
        x.field = y.field AND x.sentence_key = y.sentence_key AS same_sentence,
        x.sentence
    FROM m AS x
    JOIN m AS y ON x.article_id = y.article_id AND x.entity_id < y.entity_id
    WHERE NOT (x.collective AND y.collective AND x.field = y.field AND x.start_pos = y.start_pos)
)
SELECT
    week_kst,
    entity_a,
    entity_b,
    count(DISTINCT CASE WHEN same_sentence THEN story_id || chr(31) || sentence END),
    count(DISTINCT story_id),
    arg_min(sentence, length(sentence)) FILTER (WHERE same_sentence)
FROM pairs
GROUP BY ALL
ORDER BY week_kst, entity_a, entity_b;

-- The scope's stories' articles ranked as article_roles ranks them (the same outlet, portal-copy
-- and ORDER BY expressions), here rather than through that view: a filter on the view is applied
-- only after its window has ranked every article in the warehouse. Read by alliance_story_stats
-- and story_stats below.
CREATE OR REPLACE TEMP TABLE _summary_story_articles AS
SELECT
    story_id,
    article_id,
    title,
    dup_kind,
    fetched_at,
    published_at,
    coalesce(canonical_url, url) AS url,
    coalesce(outlet, site_name, source_name) AS outlet,
    coalesce(published_at, fetched_at) AS seen_at,
    row_number() OVER (
        PARTITION BY story_id
        ORDER BY
            regexp_matches(url_key, '^(naver|daum|zum):')
                OR (outlet IS NOT NULL AND site_name IS NOT NULL AND outlet <> site_name),
            coalesce(published_at, fetched_at),
            length(body) DESC,
            article_id
    ) AS rank_in_story
FROM articles
WHERE story_id IN (SELECT story_id FROM _summary_stories);

CREATE OR REPLACE TEMP TABLE _summary_alliances AS
SELECT DISTINCT alliance_id FROM alliance_story_stats
WHERE story_id IN (SELECT story_id FROM _summary_stories);
DELETE FROM alliance_story_stats WHERE story_id IN (SELECT story_id FROM _summary_stories);
INSERT INTO alliance_story_stats
WITH alliances AS (
    SELECT
        entity_id AS alliance_id,
        coalesce(CAST(json_extract_string(members, '$[*].id') AS VARCHAR[]), []) AS member_ids
    FROM entities
    WHERE kind = 'alliance'
),
roles AS (
    SELECT story_id, article_id, outlet, rank_in_story = 1 AS is_representative, title, seen_at, url
    FROM _summary_story_articles
),
named AS (
    SELECT DISTINCT r.story_id, m.entity_id
    FROM _summary_mentions AS m
    JOIN roles AS r USING (article_id)
),
alliance_stories AS (
    SELECT n.story_id, al.alliance_id, al.member_ids
    FROM named AS n
    JOIN alliances AS al ON al.alliance_id = n.entity_id
),
members_mentioned AS (
    SELECT s.alliance_id, s.story_id, list(n.entity_id ORDER BY n.entity_id) AS members
    FROM alliance_stories AS s
    JOIN named AS n ON n.story_id = s.story_id AND list_contains(s.member_ids, n.entity_id)
    GROUP BY ALL
),
facts AS (
    SELECT
        story_id,
        min(seen_at)                                      AS first_at,
        any_value(title) FILTER (WHERE is_representative) AS title,
        any_value(url) FILTER (WHERE is_representative)   AS url,
        count(*)                                          AS n_articles,
        list(DISTINCT outlet ORDER BY outlet)             AS outlets
    FROM roles
    WHERE story_id IN (SELECT story_id FROM alliance_stories)
    GROUP BY story_id
)
SELECT
    s.alliance_id,
    s.story_id,
    0 AS seq,
    f.first_at,
    f.title,
    f.url,
    f.n_articles,
    f.outlets,
    coalesce(mm.members, []) AS members_mentioned
FROM alliance_stories AS s
JOIN facts AS f USING (story_id)
LEFT JOIN members_mentioned AS mm USING (alliance_id, story_id);

INSERT INTO _summary_alliances
SELECT DISTINCT alliance_id FROM alliance_story_stats
WHERE story_id IN (SELECT story_id FROM _summary_stories);
UPDATE alliance_story_stats
SET seq = o.seq
FROM (
    SELECT
        alliance_id,
        story_id,
        row_number() OVER (PARTITION BY alliance_id ORDER BY first_at, story_id) AS seq
    FROM alliance_story_stats
    WHERE alliance_id IN (SELECT alliance_id FROM _summary_alliances)
) AS o
WHERE alliance_story_stats.alliance_id = o.alliance_id
  AND alliance_story_stats.story_id = o.story_id
  AND alliance_story_stats.seq <> o.seq;

-- story_stats (migration 010): the stories view's row of every story in scope, as
-- warehouse/reference/stories.sql computes it through article_roles (same outlet, same
-- representative ranking), from that story's articles only.
DELETE FROM story_stats WHERE story_id IN (SELECT story_id FROM _summary_stories);
INSERT INTO story_stats
SELECT
    story_id,
    min(fetched_at)                                       AS first_seen_at,
    max(fetched_at)                                       AS last_seen_at,
    min(published_at)                                     AS first_published_at,
    count(*)                                              AS n_articles,
    count(DISTINCT outlet)                                AS n_outlets,
    any_value(article_id) FILTER (WHERE rank_in_story = 1) AS representative_article_id,
    any_value(title) FILTER (WHERE rank_in_story = 1)      AS title,
    any_value(url) FILTER (WHERE rank_in_story = 1)        AS url,
    count(*) FILTER (WHERE dup_kind = 'exact')            AS n_exact,
    count(*) FILTER (WHERE dup_kind = 'near')             AS n_near,
    count(*) FILTER (WHERE dup_kind = 'original') - 1     AS n_merged
FROM _summary_story_articles
GROUP BY story_id;

DROP TABLE _summary_story_articles;
DROP TABLE _summary_alliances;
DROP TABLE _summary_facts;
DROP TABLE _summary_mentions;
DROP TABLE _summary_articles;
