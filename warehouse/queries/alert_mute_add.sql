-- A new mute for (entity, rule) replaces the active one of the same scope: that one is lifted
-- first (in the same transaction, by flows.alert_mutes.add_mute), then this row is added.
INSERT INTO alert_mutes (mute_id, entity_id, rule, until, reason, created_at)
VALUES ($mute_id, $entity_id, $rule, $until, $reason, $now);
