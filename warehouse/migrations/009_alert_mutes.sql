-- Alert mutes (issue 8): `newsmon alerts mute ENTITY --for 7d` silences an entity's alerts for a
-- while. A mute is a row, never deleted: active while lifted_at IS NULL AND until > now; unmute
-- sets lifted_at. rule NULL mutes every rule. Alerts routed during a mute are stored as
-- 'suppressed' with alerts.muted_until set (and the reason in last_error), so nothing is lost, the
-- digest can still list them, and they are not sent when the mute ends.
CREATE TABLE alert_mutes (
    mute_id VARCHAR PRIMARY KEY,
    entity_id VARCHAR NOT NULL,
    rule VARCHAR,
    until TIMESTAMPTZ NOT NULL,
    reason VARCHAR,
    created_at TIMESTAMPTZ NOT NULL,
    lifted_at TIMESTAMPTZ
);
ALTER TABLE alerts ADD COLUMN muted_until TIMESTAMPTZ;
