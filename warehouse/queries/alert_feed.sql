-- Alerts for the Atom feed: every routed, not suppressed alert, newest first, with the link of
-- the story it lives on now (story_aliases) and the plain-text form.
SELECT al.alert_id, al.rule, al.title, coalesce(al.message_text, al.message) AS text, s.url,
       al.created_at, greatest(al.created_at, al.sent_at, al.last_updated_at) AS updated_at
FROM alerts AS al
LEFT JOIN story_aliases AS sa ON sa.story_id = al.story_id
LEFT JOIN stories AS s ON s.story_id = coalesce(sa.current_story_id, al.story_id)
WHERE al.status <> 'suppressed'
ORDER BY al.created_at DESC, al.alert_id
LIMIT $limit;
