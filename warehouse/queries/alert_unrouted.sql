-- New outbox rows that no routing pass has seen yet (whoever created them: alert planning or
-- source health), oldest first.
SELECT alert_id, rule, entity_id, created_at
FROM alerts
WHERE status = 'pending' AND channels IS NULL AND attempts = 0
ORDER BY created_at, alert_id;
