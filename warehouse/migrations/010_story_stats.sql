-- story_stats: one row per story, what the `stories` view returns, kept by the loader like the
-- tables of migration 008 (recomputed for the stories a load, merge or reprocess touched, in the
-- same transaction). Before, `stories` grouped every article through article_roles on each read:
-- 0.74-0.88 s for the top 20 stories of a 1 M-article file; reading this table takes milliseconds.
CREATE TABLE story_stats (
    story_id                  VARCHAR NOT NULL,
    first_seen_at             TIMESTAMPTZ,
    last_seen_at              TIMESTAMPTZ,
    first_published_at        TIMESTAMPTZ,
    n_articles                BIGINT NOT NULL,
    n_outlets                 BIGINT NOT NULL,
    representative_article_id VARCHAR,
    title                     VARCHAR,
    url                       VARCHAR,
    n_exact                   BIGINT NOT NULL,
    n_near                    BIGINT NOT NULL,
    n_merged                  BIGINT NOT NULL
);
-- existing databases fill it (with every other summary) on their next write-open
UPDATE summary_state SET needs_rebuild = true;
