-- Upsert validators from the registered relation _validators.
INSERT INTO http_validators BY NAME SELECT * FROM _validators
ON CONFLICT (url) DO UPDATE SET
    etag = excluded.etag, last_modified = excluded.last_modified,
    body_sha256 = excluded.body_sha256, updated_at = excluded.updated_at;
