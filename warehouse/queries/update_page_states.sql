-- Record the latest outcome of each fetched item's page beside the feed item (see migration 003).
-- Reads the registered relation _page_states(url_key, page_state, page_error, page_checked_at).
UPDATE feed_items
SET page_state = s.page_state,
    page_error = s.page_error,
    page_checked_at = s.page_checked_at
FROM _page_states AS s
WHERE feed_items.url_key = s.url_key;
