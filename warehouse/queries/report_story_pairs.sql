-- Entity pairs that appear in the same story, counted in stories, among the $limit entities in most
-- stories: the report's fallback when the co_mentions view is not there.
WITH top AS (
    SELECT entity_id, count(*) AS n
    FROM story_entities
    GROUP BY entity_id
    ORDER BY n DESC, entity_id
    LIMIT $limit
),
se AS (
    SELECT s.story_id, s.entity_id FROM story_entities AS s JOIN top USING (entity_id)
)
SELECT
    coalesce(ea.name_en, ea.name_ko, a.entity_id) AS entity_a,
    coalesce(eb.name_en, eb.name_ko, b.entity_id) AS entity_b,
    count(*) AS n_stories
FROM se AS a
JOIN se AS b ON a.story_id = b.story_id AND a.entity_id < b.entity_id
LEFT JOIN entities AS ea ON ea.entity_id = a.entity_id
LEFT JOIN entities AS eb ON eb.entity_id = b.entity_id
GROUP BY ALL
ORDER BY n_stories DESC, entity_a, entity_b;
