-- An entity's display name and kind (no row for an unknown id).
SELECT entity_id, coalesce(name_en, name_ko, entity_id) AS name, kind
FROM entities
WHERE entity_id = $entity;
