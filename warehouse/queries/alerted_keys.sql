-- (rule, entity, story) keys that already have an outbox row: those never alert again. An alert
-- made for a story that was later merged away counts for the story it lives on in (story_aliases),
-- so a merge never re-sends what the absorbed story already sent.
SELECT al.rule, al.entity_id, coalesce(sa.current_story_id, al.story_id) AS story_id
FROM alerts AS al
LEFT JOIN story_aliases AS sa ON sa.story_id = al.story_id
WHERE coalesce(sa.current_story_id, al.story_id) IN (SELECT unnest($story_ids));
