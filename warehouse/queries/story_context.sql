-- For alert messages: per story, the outlets that carry it (a portal copy as its original outlet)
-- and the representative link.
SELECT s.story_id, s.title, s.url, s.n_articles, s.n_outlets, s.first_published_at,
       s.representative_article_id,
       list(DISTINCT r.outlet) AS outlets
FROM stories AS s
JOIN article_roles AS r USING (story_id)
WHERE s.story_id IN (SELECT unnest($story_ids))
GROUP BY ALL;
