-- Outbox rows that no routing pass has seen yet (whoever created them: alert planning or source
-- health; or rows from before routing existed, still pending), oldest first.
SELECT alert_id, rule, entity_id, created_at, attempts
FROM alerts
WHERE status = 'pending' AND channels IS NULL
ORDER BY created_at, alert_id;
