-- Replace the extracted fields of reprocessed articles in place; identity, story assignment,
-- fetch time and run stay as they were. Reads the registered relation _reprocessed.
UPDATE articles
SET canonical_url = r.canonical_url,
    title = r.title,
    body = r.body,
    lead = r.lead,
    lang = r.lang,
    published_at = r.published_at,
    date_source = r.date_source,
    author = r.author,
    site_name = r.site_name,
    quality = r.quality,
    title_flags = r.title_flags,
    content_hash = r.content_hash,
    og_url = r.og_url,
    outlet = r.outlet,
    identity_keys = r.identity_keys
FROM _reprocessed AS r
WHERE articles.article_id = r.article_id;
