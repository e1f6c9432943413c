-- The routing decisions for new alerts (registered as _alert_routes by flows.alerts.route_new):
-- each row's channels, urgency and first status (pending, held for the digest, or suppressed with
-- the reason; muted_until when a mute suppressed it).
UPDATE alerts SET channels = r.channels, urgent = r.urgent, status = r.status,
    last_error = r.reason, muted_until = r.muted_until
FROM _alert_routes AS r
WHERE alerts.alert_id = r.alert_id;
