-- Routed outbox rows to deliver now: pending ones whose next attempt is due, oldest first, with
-- both message forms and the channels that already accepted them.
SELECT alert_id, rule, entity_id, title, message, coalesce(message_text, message) AS message_text,
       attempts, channels, coalesce(delivered_to, CAST([] AS VARCHAR[])) AS delivered_to
FROM alerts
WHERE status = 'pending' AND channels IS NOT NULL
  AND (next_attempt_at IS NULL OR next_attempt_at <= $now)
ORDER BY created_at, alert_id;
