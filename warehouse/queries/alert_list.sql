-- Recent outbox rows for `newsmon alerts list`, newest first; $status NULL lists every status.
SELECT alert_id, rule, entity_id, status, attempts, channels, delivered_to, n_outlets, title,
       last_error, created_at, sent_at
FROM alerts
WHERE $status IS NULL OR status = $status
ORDER BY created_at DESC, alert_id
LIMIT $limit;
