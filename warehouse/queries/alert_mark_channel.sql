-- One channel accepted the alert (a line of the delivery journal, <db>.deliveries, replayed by
-- flows.alerts.DeliveryJournal): add it to delivered_to once; the status stays as it is.
UPDATE alerts SET delivered_to = list_append(coalesce(delivered_to, CAST([] AS VARCHAR[])), $channel)
WHERE alert_id = $alert_id AND NOT list_contains(coalesce(delivered_to, CAST([] AS VARCHAR[])), $channel);
