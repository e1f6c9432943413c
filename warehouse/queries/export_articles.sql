-- articles for `newsmon export`, with the KST month (YYYY-MM) of their publication (else fetch) to
-- partition by.
SELECT *, strftime(timezone('Asia/Seoul', coalesce(published_at, fetched_at)), '%Y-%m') AS month
FROM articles;
