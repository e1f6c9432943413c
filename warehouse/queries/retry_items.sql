-- Feed items seen recently whose page never made it into articles (the fetch failed), with fewer
-- than $max_attempts article fetches so far: retried even when their feed is unchanged (304).
SELECT f.url_key, f.url, f.source_name, f.guid, f.title, f.published_at, f.summary
FROM feed_items AS f
LEFT JOIN articles AS a USING (url_key)
WHERE a.url_key IS NULL
  AND f.first_seen_at >= $since
  AND f.source_name IN (SELECT unnest($sources))
  AND (SELECT count(*) FROM fetch_log AS l WHERE l.url = f.url AND l.purpose = 'article')
      < $max_attempts
ORDER BY f.source_name, f.url;
