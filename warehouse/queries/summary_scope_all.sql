-- Every KST week and story in the warehouse, for a full rebuild of the summary tables (the tables
-- are emptied first, so rows of weeks or stories that no longer exist go too).
SELECT DISTINCT
    CAST(date_trunc('week', make_timestamp(epoch_us(coalesce(published_at, fetched_at))
        + 32400000000)) AS DATE) AS week_kst,
    story_id
FROM articles;
