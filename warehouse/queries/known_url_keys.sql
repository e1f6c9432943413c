-- Which of the given url_keys are already stored as articles (they are never fetched again).
SELECT url_key FROM articles WHERE url_key IN (SELECT unnest($keys));
