-- The KST weeks and stories whose summary rows depend on the given articles ($ids) or on any
-- article of the given stories ($stories): what a load, merge or reprocess must recompute.
-- Korea has kept UTC+9 without daylight saving since 1988: KST wall time is the UTC epoch + 9 h.
SELECT DISTINCT
    CAST(date_trunc('week', make_timestamp(epoch_us(coalesce(published_at, fetched_at))
        + 32400000000)) AS DATE) AS week_kst,
    story_id
FROM articles
WHERE article_id IN (SELECT unnest(CAST($ids AS VARCHAR[])))
   OR story_id IN (SELECT unnest(CAST($stories AS VARCHAR[])));
