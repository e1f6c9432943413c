-- Alerts for a digest: routed, not suppressed, created since $since, plus every alert still held
-- (quiet hours hold alerts for the next digest, however old). Story links and outlet counts are
-- the surviving story's when the alert's story was merged away. Alerts a mute suppressed are
-- listed too unless $hide_muted (the digest is where a muted entity's news is not lost).
SELECT al.alert_id, al.rule, al.entity_id,
       coalesce(e.name_en, al.entity_id) AS name_en,
       coalesce(e.name_ko, e.name_en, al.entity_id) AS name_ko,
       al.title, s.url, coalesce(al.n_outlets, s.n_outlets) AS n_outlets, al.created_at,
       al.status, al.channels, coalesce(al.delivered_to, CAST([] AS VARCHAR[])) AS delivered_to,
       al.attempts, al.muted_until IS NOT NULL AS muted
FROM alerts AS al
LEFT JOIN entities AS e ON e.entity_id = al.entity_id
LEFT JOIN story_aliases AS sa ON sa.story_id = al.story_id
LEFT JOIN stories AS s ON s.story_id = coalesce(sa.current_story_id, al.story_id)
WHERE (al.status <> 'suppressed' OR (al.muted_until IS NOT NULL AND NOT $hide_muted))
  AND al.channels IS NOT NULL
  AND (al.created_at >= $since OR al.status = 'held')
ORDER BY al.created_at, al.alert_id;
