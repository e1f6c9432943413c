-- Every entity's display name, for labelling ids in charts.
SELECT entity_id, coalesce(name_en, name_ko, entity_id) AS name FROM entities;
