UPDATE alerts SET
    status = $status, attempts = $attempts, last_error = $error, next_attempt_at = $next_at,
    sent_at = CASE WHEN $status = 'sent' THEN $now ELSE sent_at END
WHERE alert_id = $alert_id;
