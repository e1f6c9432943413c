-- alerts for `newsmon export`, by the KST month they were created.
SELECT *, strftime(timezone('Asia/Seoul', created_at), '%Y-%m') AS month FROM alerts;
