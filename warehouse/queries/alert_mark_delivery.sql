-- One delivery attempt's outcome (or a digest that carried a held alert) on the outbox row.
UPDATE alerts SET
    status = $status, attempts = $attempts, last_error = $error, next_attempt_at = $next_at,
    delivered_to = CAST($delivered AS VARCHAR[]),
    sent_at = CASE WHEN $status = 'sent' THEN $now ELSE sent_at END,
    digested_at = CASE WHEN $digested THEN $now ELSE digested_at END
WHERE alert_id = $alert_id;
