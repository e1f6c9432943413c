-- Per alliance (entities of kind 'alliance'): the stories that mention it, in time order (seq 1 is
-- the oldest), with the story's representative title and URL and its outlets (both as the
-- article_roles view defines them, so they agree with `stories`), and which of the alliance's
-- members (the ids in entities.members) are mentioned anywhere in the story.
-- Read from the alliance_story_stats summary table (migration 008), kept up to date by the loader
-- and recomputed whenever the gazetteer's alliances or their members change; the full-scan
-- definition it equals is warehouse/reference/alliance_timeline.sql.
CREATE OR REPLACE VIEW alliance_timeline AS
SELECT
    t.alliance_id,
    coalesce(e.name_en, e.name_ko, e.entity_id) AS alliance_name,
    t.seq,
    t.story_id,
    t.first_at,
    CAST(timezone('Asia/Seoul', t.first_at) AS DATE) AS day_kst,
    t.title,
    t.url,
    t.n_articles,
    len(t.outlets) AS n_outlets,
    t.outlets,
    t.members_mentioned
FROM alliance_story_stats AS t
JOIN entities AS e ON e.entity_id = t.alliance_id AND e.kind = 'alliance';
