-- Which of the given url_keys are not stored and have used up their page fetches ($max_attempts
-- article requests in fetch_log): not fetched again, even while their feed still lists them (a
-- page removed from a site stays in its feed for weeks; the soak fetched each such 404 every run).
SELECT f.url_key
FROM feed_items AS f
ANTI JOIN articles AS a USING (url_key)
JOIN fetch_log AS l ON l.url = f.url AND l.purpose = 'article'
WHERE f.url_key IN (SELECT unnest($keys))
GROUP BY f.url_key
HAVING count(*) >= $max_attempts;
