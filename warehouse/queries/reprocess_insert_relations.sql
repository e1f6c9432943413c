-- The re-derived membership candidates of reprocessed articles (registered relation _relations).
INSERT OR IGNORE INTO relation_candidates BY NAME SELECT * FROM _relations;
