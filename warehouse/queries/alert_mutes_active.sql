-- Mutes in force at $now, soonest to end first, with the entity's name for the operator's table.
SELECT m.entity_id, m.rule, m.until, m.reason, m.created_at, coalesce(e.name_en, m.entity_id)
FROM alert_mutes AS m
LEFT JOIN entities AS e ON e.entity_id = m.entity_id
WHERE m.lifted_at IS NULL AND m.until > $now
ORDER BY m.until, m.entity_id, m.rule NULLS FIRST;
