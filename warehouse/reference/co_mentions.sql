-- Reference: the full-scan definition of co_mentions before migration 008 moved it onto summary tables.
-- Kept verbatim (as a temp view reference_co_mentions) so tests prove the summary-backed view equals it
-- and bench/warehouse_bench.py can time both in the same run.
-- Entity pairs mentioned together, per ISO week (Monday's date, Korea Standard Time).
-- A row exists when two entities are mentioned in the same story's articles that week; of those,
-- n_sentences counts the sentences naming both (distinct per story, so twenty syndicated copies of
-- one sentence count once) and example_sentence is the shortest such sentence (NULL when the
-- pair shares a story but never a sentence). entity_a < entity_b. The members of one collective
-- term (통신 3사 → SKT, KT, LG U+) are not paired with each other by that term alone.
-- Mentions stored before sentence_index existed are matched on their sentence text instead.
CREATE OR REPLACE TEMP VIEW reference_co_mentions AS
WITH m AS (
    SELECT
        m.article_id,
        m.entity_id,
        m.field,
        m.start_pos,
        m.collective,
        m.sentence,
        coalesce(CAST(m.sentence_index AS VARCHAR), m.sentence) AS sentence_key,
        a.story_id,
        CAST(date_trunc('week', timezone('Asia/Seoul', coalesce(a.published_at, a.fetched_at)))
            AS DATE) AS week_kst
    FROM mentions AS m
    JOIN articles AS a USING (article_id)
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
    count(DISTINCT CASE WHEN same_sentence THEN story_id || chr(31) || sentence END) AS n_sentences,
    count(DISTINCT story_id) AS n_stories,
    arg_min(sentence, length(sentence)) FILTER (WHERE same_sentence) AS example_sentence
FROM pairs
GROUP BY ALL;
