-- For alert messages: per story, the outlets that carry it (a portal copy as its original outlet),
-- the representative link and language, and links to the other copies (best-ranked first).
SELECT s.story_id, s.title, s.url, s.n_articles, s.n_outlets, s.first_published_at,
       s.representative_article_id,
       list(DISTINCT r.outlet) AS outlets,
       any_value(a.lang) FILTER (WHERE r.is_representative) AS lang,
       list(coalesce(r.canonical_url, r.url) ORDER BY r.rank_in_story)
           FILTER (WHERE NOT r.is_representative) AS other_urls
FROM stories AS s
JOIN article_roles AS r ON r.story_id = s.story_id
JOIN articles AS a ON a.article_id = r.article_id
WHERE s.story_id IN (SELECT unnest($story_ids))
GROUP BY ALL;
