UPDATE runs SET
    finished_at = $now, status = $status, note = $note,
    sources_total = $sources_total, sources_ok = $sources_ok, sources_failed = $sources_failed,
    items_seen = $items_seen, pages_fetched = $pages_fetched, articles_new = $articles_new,
    mentions_new = $mentions_new, alerts_created = $alerts_created, alerts_sent = $alerts_sent,
    alerts_failed = $alerts_failed
WHERE run_id = $run_id;
