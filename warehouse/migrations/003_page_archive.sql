-- Raw page archive and the last outcome of every feed item's page (issue 4).
--
-- pages: the fetched bytes of every stored article, compressed, with the response headers, so an
-- improved extractor can re-process history (`newsmon reprocess`) without fetching. One row per
-- article, written in the same transaction as the article; never updated.
CREATE TABLE pages (
    article_id   VARCHAR PRIMARY KEY,
    url_key      VARCHAR NOT NULL,
    url          VARCHAR NOT NULL,
    final_url    VARCHAR,
    fetched_at   TIMESTAMPTZ NOT NULL,
    http_status  INTEGER,
    content_type VARCHAR,
    headers      JSON,                     -- [[name, value], ...] as received
    encoding     VARCHAR,                  -- the codec tasks.charset read the bytes with
    compression  VARCHAR NOT NULL,         -- zstd | gzip | none
    raw_bytes    BIGINT NOT NULL,
    content      BLOB NOT NULL
);

-- feed_items.page_state: what became of the item's page on its latest attempt: an article
-- quality (ok, too_short, no_body, not_article, paywalled, blocked), 'fetch_failed' (then
-- page_error holds the fetch error class) or 'extract_failed' (extraction raised). The item's
-- title and summary sit beside it, so a failed page keeps what the feed told us. A fetch_failed or
-- extract_failed page has no article row and is fetched again on the next run; every other state
-- has one and is not.
ALTER TABLE feed_items ADD COLUMN page_state VARCHAR;
ALTER TABLE feed_items ADD COLUMN page_error VARCHAR;
ALTER TABLE feed_items ADD COLUMN page_checked_at TIMESTAMPTZ;
