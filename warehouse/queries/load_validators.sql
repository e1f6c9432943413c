-- Conditional-GET validators and last body hash of the given URLs.
SELECT url, etag, last_modified, body_sha256 FROM http_validators WHERE url IN (SELECT unnest($urls));
