-- Move every article of an absorbed story (from the registered relation _merges) to the story it
-- ends in (final_story_id follows merges made later in the same batch).
UPDATE articles SET story_id = m.final_story_id
FROM _merges AS m
WHERE articles.story_id = m.merged_story_id;
