-- Issue 3: conditional GET validators per URL and per-source health state.

CREATE TABLE http_validators (
    url           VARCHAR PRIMARY KEY,          -- the URL as requested (a feed or sitemap URL)
    etag          VARCHAR,
    last_modified VARCHAR,
    body_sha256   VARCHAR,                      -- fallback when validators lie or are missing
    updated_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE source_status (
    source_name          VARCHAR PRIMARY KEY,
    consecutive_failures INTEGER NOT NULL,
    last_success_at      TIMESTAMPTZ,
    last_failure_at      TIMESTAMPTZ,
    last_error           VARCHAR,
    unhealthy_since      TIMESTAMPTZ,           -- set when a source_unhealthy alert was raised
    last_new_item_at     TIMESTAMPTZ,           -- the last run that found an item not seen before
    newest_item_at       TIMESTAMPTZ,           -- the newest item date the feed listed
    median_gap_s         DOUBLE,                -- median gap between the feed's item dates
    stale                BOOLEAN NOT NULL DEFAULT false,
    updated_at           TIMESTAMPTZ NOT NULL
);

ALTER TABLE fetch_log ADD COLUMN not_modified BOOLEAN DEFAULT false;
