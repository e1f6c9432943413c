-- fetch_log for `newsmon export`, by the KST month of the request.
SELECT *, strftime(timezone('Asia/Seoul', requested_at), '%Y-%m') AS month FROM fetch_log;
