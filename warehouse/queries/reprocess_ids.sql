-- Articles with an archived page, fetched at or after $since (NULL: all), oldest first.
SELECT article_id
FROM pages
WHERE $since IS NULL OR fetched_at >= $since
ORDER BY fetched_at, article_id;
