-- Totals for the end-of-run summary.
SELECT
    (SELECT count(*) FROM articles)                        AS articles,
    (SELECT count(*) FROM stories)                         AS stories,
    (SELECT count(*) FROM mentions)                        AS mentions,
    (SELECT count(*) FROM alerts WHERE status = 'sent')    AS alerts_sent,
    (SELECT count(*) FROM alerts WHERE status = 'pending') AS alerts_pending,
    (SELECT count(*) FROM alerts WHERE status = 'failed')  AS alerts_failed;
