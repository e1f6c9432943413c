-- For one run: the stories it started (original articles loaded by the run) that mention an
-- alliance, per alliance, with their titles.
SELECT
    coalesce(e.name_en, e.name_ko, e.entity_id) AS alliance,
    count(DISTINCT a.story_id) AS n_stories,
    list(DISTINCT coalesce(a.title, '(untitled)')) AS titles
FROM articles AS a
JOIN mentions AS m USING (article_id)
JOIN entities AS e ON e.entity_id = m.entity_id AND e.kind = 'alliance'
WHERE a.run_id = $run_id AND a.dup_kind = 'original'
GROUP BY ALL
ORDER BY n_stories DESC, alliance;
