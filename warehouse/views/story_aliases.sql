-- Every story id that was merged away, with the story it lives on in now (through any chain of
-- merges: A into B, later B into C gives A -> C). Alerts and exports keep the story id they were
-- made with; join through this view to count them against the current story.
CREATE OR REPLACE VIEW story_aliases AS
WITH RECURSIVE chain(story_id, current_story_id, depth) AS (
    SELECT merged_story_id, into_story_id, 1 FROM story_merges
    UNION ALL
    SELECT c.story_id, m.into_story_id, c.depth + 1
    FROM chain AS c
    JOIN story_merges AS m ON m.merged_story_id = c.current_story_id
    WHERE c.depth < 1000
)
SELECT story_id, arg_max(current_story_id, depth) AS current_story_id, max(depth) AS n_merges
FROM chain
GROUP BY story_id;
