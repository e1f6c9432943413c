-- Consistency checks over the whole database: every row returned is one violation
-- (check name, offending key, detail). An empty result means consistent. Meant to run between
-- runs (a run in progress shows as run_not_finished). Used by `newsmon check` and bench/soak.py.
SELECT 'article_in_merged_story' AS check_name, a.article_id AS key,
       'story ' || a.story_id || ' was merged away' AS detail
FROM articles AS a
JOIN story_merges AS m ON m.merged_story_id = a.story_id

UNION ALL
SELECT 'article_without_story', a.article_id, 'empty story_id'
FROM articles AS a
WHERE coalesce(a.story_id, '') = ''

UNION ALL
SELECT 'duplicate_url_key', url_key, count(*)::VARCHAR || ' articles'
FROM articles
GROUP BY url_key
HAVING count(*) > 1

UNION ALL
SELECT 'duplicate_feed_item', url_key, count(*)::VARCHAR || ' feed items'
FROM feed_items
GROUP BY url_key
HAVING count(*) > 1

UNION ALL
SELECT 'orphan_mention', m.article_id, m.entity_id || ' at ' || m.field || ':' || m.start_pos::VARCHAR
FROM mentions AS m
ANTI JOIN articles AS a USING (article_id)

UNION ALL
SELECT 'bad_mention_span', m.article_id, m.start_pos::VARCHAR || '..' || m.end_pos::VARCHAR
FROM mentions AS m
WHERE m.start_pos < 0 OR m.end_pos <= m.start_pos

UNION ALL
SELECT 'orphan_relation', r.article_id, r.company_id || '+' || r.alliance_id
FROM relation_candidates AS r
ANTI JOIN articles AS a USING (article_id)

UNION ALL
SELECT 'orphan_signature', s.article_id, 'no article'
FROM article_signatures AS s
ANTI JOIN articles AS a USING (article_id)

UNION ALL
SELECT 'article_without_signature', a.article_id, 'no MinHash signature'
FROM articles AS a
ANTI JOIN article_signatures AS s USING (article_id)

UNION ALL
SELECT 'orphan_band', b.article_id, count(*)::VARCHAR || ' bands'
FROM article_bands AS b
ANTI JOIN articles AS a USING (article_id)
GROUP BY b.article_id

UNION ALL
SELECT 'orphan_page', p.article_id, p.url
FROM pages AS p
ANTI JOIN articles AS a USING (article_id)

UNION ALL
SELECT 'matched_article_missing', a.article_id, a.matched_article_id
FROM articles AS a
WHERE a.matched_article_id IS NOT NULL
  AND a.matched_article_id NOT IN (SELECT article_id FROM articles)

UNION ALL
SELECT 'merge_target_missing', s.story_id, 'lives on in ' || s.current_story_id
FROM story_aliases AS s
WHERE s.current_story_id NOT IN (SELECT story_id FROM articles)

UNION ALL
SELECT 'story_count_mismatch', s.story_id,
       s.n_articles::VARCHAR || ' in stories, ' || coalesce(c.n, 0)::VARCHAR || ' articles'
FROM stories AS s
LEFT JOIN (SELECT story_id, count(*) AS n FROM articles GROUP BY story_id) AS c USING (story_id)
WHERE s.n_articles IS DISTINCT FROM c.n

UNION ALL
SELECT 'story_without_representative', s.story_id, s.n_articles::VARCHAR || ' articles'
FROM stories AS s
WHERE s.representative_article_id IS NULL

UNION ALL
SELECT 'duplicate_alert', rule || '/' || entity_id || '/' || story_id, count(*)::VARCHAR || ' rows'
FROM alerts
GROUP BY rule, entity_id, story_id
HAVING count(*) > 1

UNION ALL
SELECT 'alert_article_missing', al.alert_id, al.rule || ' cites ' || al.article_id
FROM alerts AS al
WHERE al.article_id <> ''
  AND al.article_id NOT IN (SELECT article_id FROM articles)

UNION ALL
SELECT 'alert_bad_status', alert_id, status || coalesce(' sent_at ' || sent_at::VARCHAR, '')
FROM alerts
WHERE status NOT IN ('pending', 'sent', 'failed', 'suppressed', 'held')
   OR (status = 'sent') <> (sent_at IS NOT NULL)
   OR attempts < 0

UNION ALL
SELECT 'run_not_finished', run_id, status || ', started ' || started_at::VARCHAR
FROM runs
WHERE status NOT IN ('completed', 'failed', 'crashed') OR finished_at IS NULL

UNION ALL
SELECT 'fetch_log_unknown_run', l.run_id, count(*)::VARCHAR || ' requests'
FROM fetch_log AS l
ANTI JOIN runs AS r USING (run_id)
GROUP BY l.run_id

UNION ALL
SELECT 'article_unknown_run', a.article_id, a.run_id
FROM articles AS a
ANTI JOIN runs AS r USING (run_id)

UNION ALL
SELECT 'fetch_failed_but_stored', f.url_key, f.page_error
FROM feed_items AS f
JOIN articles AS a USING (url_key)
WHERE f.page_state = 'fetch_failed'

UNION ALL
SELECT 'duplicate_migration', version::VARCHAR, count(*)::VARCHAR || ' rows'
FROM schema_migrations
GROUP BY version
HAVING count(*) > 1

UNION ALL
SELECT 'migration_incomplete', version::VARCHAR, coalesce(name, '(no name)')
FROM schema_migrations
WHERE name IS NULL OR applied_at IS NULL

ORDER BY check_name, key
