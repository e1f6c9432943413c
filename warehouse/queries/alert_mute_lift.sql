-- Lift the active mutes of an entity: all of them ($rule NULL and $all_rules), or only the one of
-- scope $rule (NULL = the all-rules mute). Returns what was lifted.
UPDATE alert_mutes SET lifted_at = $now
WHERE entity_id = $entity_id AND lifted_at IS NULL AND until > $now
  AND ($all_rules OR rule IS NOT DISTINCT FROM $rule)
RETURNING mute_id, entity_id, rule, until, reason;
