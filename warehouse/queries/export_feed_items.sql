-- feed_items for `newsmon export`, by the KST month they were first seen.
SELECT *, strftime(timezone('Asia/Seoul', first_seen_at), '%Y-%m') AS month FROM feed_items;
