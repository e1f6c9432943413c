-- The routing decision for one new alert: its channels, urgency and first status
-- (pending, held for the digest, or suppressed with the reason).
UPDATE alerts SET channels = CAST($channels AS VARCHAR[]), urgent = $urgent, status = $status,
    last_error = $reason
WHERE alert_id = $alert_id;
