-- Alerts created while delivery is off are suppressed, not queued: turning delivery on later must
-- not flood a channel with stale news.
UPDATE alerts SET status = 'suppressed', last_error = $reason
WHERE status = 'pending' AND attempts = 0;
