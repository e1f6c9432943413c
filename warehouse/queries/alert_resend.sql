-- An operator's resend: the row is delivered again to all its channels on the next delivery
-- (a row that was never routed is routed first).
UPDATE alerts SET status = 'pending', delivered_to = NULL, next_attempt_at = NULL,
    last_error = 'resend requested', attempts = 0
WHERE alert_id = $alert_id
RETURNING alert_id, channels;
