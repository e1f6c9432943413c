-- Record the configured sources (from the registered relation _src), updating changed entries.
INSERT INTO sources BY NAME SELECT * FROM _src
ON CONFLICT (source_name) DO UPDATE SET
    url = excluded.url, kind = excluded.kind, lang = excluded.lang,
    source_group = excluded.source_group, updated_at = excluded.updated_at;
