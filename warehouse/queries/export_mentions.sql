-- mentions for `newsmon export`, partitioned by their article's month so the two join per partition.
SELECT m.*, strftime(timezone('Asia/Seoul', coalesce(a.published_at, a.fetched_at)), '%Y-%m') AS month
FROM mentions AS m
JOIN articles AS a USING (article_id);
