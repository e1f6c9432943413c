-- Entities by the number of distinct stories that mention them.
SELECT e.entity_id, e.kind, coalesce(e.name_en, e.entity_id) AS name_en, e.name_ko,
       count(DISTINCT a.story_id) AS stories, count(DISTINCT m.article_id) AS articles
FROM mentions AS m
JOIN articles AS a USING (article_id)
LEFT JOIN entities AS e USING (entity_id)
GROUP BY ALL
ORDER BY stories DESC, articles DESC, e.entity_id
LIMIT $limit;
