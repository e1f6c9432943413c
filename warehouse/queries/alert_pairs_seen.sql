-- (alliance, company) pairs already named in one sentence by articles other than this run's: a
-- co-mention alert is for the first sentence ever that names both.
SELECT DISTINCT x.entity_id AS alliance_id, y.entity_id AS company_id
FROM mentions AS x
JOIN mentions AS y
    ON x.article_id = y.article_id AND x.field = y.field
    AND coalesce(CAST(x.sentence_index AS VARCHAR), x.sentence)
        = coalesce(CAST(y.sentence_index AS VARCHAR), y.sentence)
WHERE x.entity_id IN (SELECT unnest($alliances))
  AND y.entity_id IN (SELECT unnest($companies))
  AND x.article_id NOT IN (SELECT unnest($article_ids));
