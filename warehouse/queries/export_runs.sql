-- runs for `newsmon export`, by the KST month they started.
SELECT *, strftime(timezone('Asia/Seoul', started_at), '%Y-%m') AS month FROM runs;
