-- Which entities each story mentions, with the number of its articles that mention each.
CREATE OR REPLACE VIEW story_entities AS
SELECT
    a.story_id,
    m.entity_id,
    count(DISTINCT a.article_id) AS n_articles,
    count(*)                     AS n_mentions,
    bool_or(m.in_title)          AS in_any_title
FROM mentions AS m
JOIN articles AS a USING (article_id)
GROUP BY ALL;
