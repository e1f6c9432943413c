-- Reference: the full-scan definition of alliance_timeline before migration 008 moved it onto summary tables.
-- Kept verbatim (as a temp view reference_alliance_timeline) so tests prove the summary-backed view equals it
-- and bench/warehouse_bench.py can time both in the same run.
-- Per alliance (entities of kind 'alliance'): the stories that mention it, in time order (seq 1 is
-- the oldest), with the story's representative title and URL and its outlets (both as the
-- article_roles view defines them, so they agree with `stories`), and which of the alliance's
-- members (the ids in entities.members) are mentioned anywhere in the story. Only the alliance's
-- stories are read from article_roles, not every story.
CREATE OR REPLACE TEMP VIEW reference_alliance_timeline AS
WITH alliances AS (
    SELECT
        entity_id AS alliance_id,
        coalesce(name_en, name_ko, entity_id) AS alliance_name,
        coalesce(CAST(json_extract_string(members, '$[*].id') AS VARCHAR[]), []) AS member_ids
    FROM entities
    WHERE kind = 'alliance'
),
alliance_stories AS (
    SELECT DISTINCT al.alliance_id, a.story_id
    FROM mentions AS m
    JOIN alliances AS al ON al.alliance_id = m.entity_id
    JOIN articles AS a USING (article_id)
),
story_articles AS (
    SELECT r.article_id, r.story_id, r.outlet, r.is_representative, r.title, r.seen_at,
           coalesce(r.canonical_url, r.url) AS url
    FROM article_roles AS r
    WHERE r.story_id IN (SELECT story_id FROM alliance_stories)
),
story_facts AS (
    SELECT
        story_id,
        min(seen_at)                                           AS first_at,
        count(*)                                               AS n_articles,
        list(DISTINCT outlet ORDER BY outlet)                  AS outlets,
        any_value(title) FILTER (WHERE is_representative)      AS title,
        any_value(url) FILTER (WHERE is_representative)        AS url
    FROM story_articles
    GROUP BY story_id
),
story_mentions AS (
    SELECT DISTINCT a.story_id, m.entity_id
    FROM mentions AS m
    JOIN story_articles AS a USING (article_id)
),
membership AS (
    SELECT alliance_id, unnest(member_ids) AS entity_id FROM alliances
),
members_mentioned AS (
    SELECT s.alliance_id, s.story_id, list(sm.entity_id ORDER BY sm.entity_id) AS members
    FROM alliance_stories AS s
    JOIN membership AS ms USING (alliance_id)
    JOIN story_mentions AS sm ON sm.story_id = s.story_id AND sm.entity_id = ms.entity_id
    GROUP BY ALL
)
SELECT
    al.alliance_id,
    al.alliance_name,
    row_number() OVER (PARTITION BY al.alliance_id ORDER BY f.first_at, s.story_id) AS seq,
    s.story_id,
    f.first_at,
    CAST(timezone('Asia/Seoul', f.first_at) AS DATE) AS day_kst,
    f.title,
    f.url,
    f.n_articles,
    len(f.outlets) AS n_outlets,
    f.outlets,
    coalesce(mm.members, []) AS members_mentioned
FROM alliance_stories AS s
JOIN alliances AS al USING (alliance_id)
JOIN story_facts AS f USING (story_id)
LEFT JOIN members_mentioned AS mm USING (alliance_id, story_id);
