-- A due alert whose entity was muted after it was routed (it was waiting for a retry): it is not
-- sent, and is stored as the mute would have stored it had the mute come first.
UPDATE alerts SET
    status = 'suppressed', last_error = $reason, muted_until = $until, next_attempt_at = NULL
WHERE alert_id = $alert_id AND status = 'pending';
