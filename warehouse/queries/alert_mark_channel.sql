-- One channel accepted the alert: recorded at once, before the next alert is sent, so a crash
-- before the batch's final marks re-sends only the alert in flight (status stays as it is).
UPDATE alerts SET delivered_to = list_append(coalesce(delivered_to, CAST([] AS VARCHAR[])), $channel)
WHERE alert_id = $alert_id AND NOT list_contains(coalesce(delivered_to, CAST([] AS VARCHAR[])), $channel);
