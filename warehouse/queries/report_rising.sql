-- The top rising entities for the report: score and the counts behind it.
SELECT name, kind, n_stories_7d, expected, score, p_value
FROM entity_rising
ORDER BY score DESC, n_stories_7d DESC, name
LIMIT $limit;
