-- (rule, entity, story) keys that already have an outbox row: those never alert again.
SELECT rule, entity_id, story_id FROM alerts WHERE story_id IN (SELECT unnest($story_ids));
