-- For alert messages: per story, the outlets that carry it and the representative link.
SELECT s.story_id, s.title, s.url, s.n_articles, s.n_outlets, s.first_published_at,
       s.representative_article_id,
       list(DISTINCT coalesce(a.site_name, a.source_name)) AS outlets
FROM stories AS s
JOIN articles AS a USING (story_id)
WHERE s.story_id IN (SELECT unnest($story_ids))
GROUP BY ALL;
