-- newsmon initial schema. Never edit an applied migration: add a new numbered file instead.

CREATE TABLE runs (
    run_id        VARCHAR PRIMARY KEY,
    flow          VARCHAR NOT NULL,
    started_at    TIMESTAMPTZ NOT NULL,
    finished_at   TIMESTAMPTZ,
    status        VARCHAR NOT NULL,            -- running | completed | failed
    sources_total INTEGER,
    sources_ok    INTEGER,
    sources_failed INTEGER,
    items_seen    INTEGER,
    pages_fetched INTEGER,
    articles_new  INTEGER,
    mentions_new  INTEGER,
    alerts_created INTEGER,
    alerts_sent   INTEGER,
    alerts_failed INTEGER,
    note          VARCHAR
);

CREATE TABLE sources (
    source_name  VARCHAR PRIMARY KEY,
    url          VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL,
    lang         VARCHAR NOT NULL,
    source_group VARCHAR NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE fetch_log (
    run_id       VARCHAR NOT NULL,
    url          VARCHAR NOT NULL,
    final_url    VARCHAR,
    source_name  VARCHAR NOT NULL,
    purpose      VARCHAR NOT NULL,             -- feed | article
    requested_at TIMESTAMPTZ NOT NULL,
    http_status  INTEGER,
    error        VARCHAR,                      -- NULL when the request succeeded
    error_detail VARCHAR,
    bytes        BIGINT NOT NULL,
    elapsed_ms   INTEGER NOT NULL
);

CREATE TABLE feed_items (
    url_key       VARCHAR PRIMARY KEY,
    url           VARCHAR NOT NULL,
    source_name   VARCHAR NOT NULL,
    guid          VARCHAR,
    title         VARCHAR,
    published_at  TIMESTAMPTZ,
    summary       VARCHAR,
    first_seen_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE articles (
    article_id         VARCHAR PRIMARY KEY,
    url                VARCHAR NOT NULL,
    url_key            VARCHAR NOT NULL UNIQUE,
    canonical_url      VARCHAR,
    source_name        VARCHAR NOT NULL,
    title              VARCHAR,
    body               VARCHAR NOT NULL,
    lead               VARCHAR,
    lang               VARCHAR,
    published_at       TIMESTAMPTZ,
    date_source        VARCHAR,
    author             VARCHAR,
    site_name          VARCHAR,
    fetched_at         TIMESTAMPTZ NOT NULL,
    quality            VARCHAR NOT NULL,
    title_flags        VARCHAR[],
    content_hash       VARCHAR NOT NULL,
    story_id           VARCHAR NOT NULL,
    dup_kind           VARCHAR NOT NULL,       -- original | exact | near
    similarity         DOUBLE NOT NULL,
    matched_article_id VARCHAR,
    run_id             VARCHAR NOT NULL
);

CREATE TABLE article_signatures (
    article_id VARCHAR PRIMARY KEY,
    signature  UBIGINT[] NOT NULL
);

CREATE TABLE entities (
    entity_id VARCHAR PRIMARY KEY,
    kind      VARCHAR NOT NULL,
    name_en   VARCHAR,
    name_ko   VARCHAR,
    country   VARCHAR,
    aliases   JSON,
    members   JSON
);

CREATE TABLE mentions (
    article_id VARCHAR NOT NULL,
    entity_id  VARCHAR NOT NULL,
    field      VARCHAR NOT NULL,               -- title | body
    start_pos  INTEGER NOT NULL,
    end_pos    INTEGER NOT NULL,
    surface    VARCHAR NOT NULL,
    sentence   VARCHAR NOT NULL,
    in_title   BOOLEAN NOT NULL,
    in_lead    BOOLEAN NOT NULL,
    collective BOOLEAN NOT NULL,
    PRIMARY KEY (article_id, entity_id, field, start_pos)
);

CREATE TABLE alerts (
    alert_id        VARCHAR PRIMARY KEY,
    rule            VARCHAR NOT NULL,
    entity_id       VARCHAR NOT NULL,
    story_id        VARCHAR NOT NULL,
    article_id      VARCHAR NOT NULL,
    title           VARCHAR NOT NULL,
    message         VARCHAR NOT NULL,
    status          VARCHAR NOT NULL,          -- pending | sent | failed | suppressed
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      VARCHAR,
    created_at      TIMESTAMPTZ NOT NULL,
    next_attempt_at TIMESTAMPTZ,
    sent_at         TIMESTAMPTZ,
    UNIQUE (rule, entity_id, story_id)
);
