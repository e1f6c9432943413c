-- The re-tagged mentions of reprocessed articles. Reads the registered relation _mentions.
INSERT INTO mentions BY NAME SELECT * FROM _mentions;
