-- What reprocessing needs for the given articles: the archived page, the article's identity and
-- current body, the feed item's title/date/summary (extraction fallbacks) and the source's language.
SELECT
    p.article_id, p.url, p.final_url, p.fetched_at, p.http_status, p.content_type,
    p.compression, p.content,
    a.url AS article_url, a.source_name, a.body, a.title, a.quality,
    f.title AS feed_title, f.published_at AS feed_published_at, f.summary AS feed_summary, f.guid,
    s.lang AS source_lang,
    (SELECT count(*) FROM mentions AS m WHERE m.article_id = p.article_id) AS n_mentions
FROM pages AS p
JOIN articles AS a USING (article_id)
LEFT JOIN feed_items AS f ON f.url_key = a.url_key
LEFT JOIN sources AS s ON s.source_name = a.source_name
WHERE p.article_id IN (SELECT unnest($ids))
ORDER BY p.fetched_at, p.article_id;
