-- Alerts marked sent since a run started (the run delivers after it loads), newest last.
SELECT rule, entity_id, title, sent_at
FROM alerts
WHERE status = 'sent' AND sent_at >= $since
ORDER BY sent_at, alert_id;
