-- Today's (KST) stories naming each entity, for the spike message.
SELECT DISTINCT m.entity_id, s.story_id, s.title, s.url
FROM mentions AS m
JOIN articles AS a ON a.article_id = m.article_id
JOIN stories AS s ON s.story_id = a.story_id
WHERE m.entity_id IN (SELECT unnest($entities))
  AND CAST(timezone('Asia/Seoul', coalesce(a.published_at, a.fetched_at)) AS DATE) = $today
ORDER BY m.entity_id, s.title;
