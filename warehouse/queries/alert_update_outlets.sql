-- Later copies of a story update its alliance_new_story alerts' outlet and article counts (and
-- last_updated_at) without sending anything: the alert was about the story, not the copy. Alerts
-- of a story merged into another follow the surviving story (story_aliases).
UPDATE alerts SET n_outlets = cur.n_outlets, n_articles = cur.n_articles, last_updated_at = $now
FROM (
    SELECT al.alert_id, s.n_outlets, s.n_articles
    FROM alerts AS al
    LEFT JOIN story_aliases AS sa ON sa.story_id = al.story_id
    JOIN stories AS s ON s.story_id = coalesce(sa.current_story_id, al.story_id)
    WHERE al.rule = 'alliance_new_story' AND s.story_id IN (SELECT unnest($story_ids))
) AS cur
WHERE alerts.alert_id = cur.alert_id
  AND (alerts.n_outlets IS DISTINCT FROM cur.n_outlets
       OR alerts.n_articles IS DISTINCT FROM cur.n_articles);
