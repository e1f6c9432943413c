-- Entity pairs mentioned together, per ISO week (Monday's date, Korea Standard Time).
-- A row exists when two entities are mentioned in the same story's articles that week; of those,
-- n_sentences counts the sentences naming both (distinct per story, so twenty syndicated copies of
-- one sentence count once) and example_sentence is the shortest such sentence (NULL when the
-- pair shares a story but never a sentence). entity_a < entity_b. The members of one collective
-- term (통신 3사 → SKT, KT, LG U+) are not paired with each other by that term alone.
-- Mentions stored before sentence_index existed are matched on their sentence text instead.
-- Read from the co_mention_week_stats summary table (migration 008, kept up to date by the loader);
-- the full-scan definition it equals is warehouse/reference/co_mentions.sql.
CREATE OR REPLACE VIEW co_mentions AS
SELECT week_kst, entity_a, entity_b, n_sentences, n_stories, example_sentence
FROM co_mention_week_stats;
