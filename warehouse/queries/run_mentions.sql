-- Mentions of the articles that the given runs loaded, with each article's current story.
SELECT m.article_id, m.entity_id, m.surface, m.field, m.start_pos, m.end_pos, m.sentence,
       m.in_title, m.in_lead, m.collective, m.sentence_index, coalesce(m.ambiguous, false),
       a.story_id
FROM mentions m
JOIN articles a USING (article_id)
WHERE a.run_id IN (SELECT unnest($run_ids))
ORDER BY m.article_id, m.field, m.start_pos, m.entity_id
