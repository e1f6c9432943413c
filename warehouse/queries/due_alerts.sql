-- Outbox rows to deliver now: pending ones whose next attempt is due, oldest first.
SELECT alert_id, rule, entity_id, story_id, article_id, title, message, attempts
FROM alerts
WHERE status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= $now)
ORDER BY created_at, alert_id;
