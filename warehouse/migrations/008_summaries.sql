-- Summary tables behind the analyst views (issue 7): entity_daily, entity_weekly, entity_rising,
-- co_mentions and alliance_timeline read these instead of scanning millions of mentions.
--
-- They are derived data, never edited by hand: warehouse/summaries.py recomputes the rows of every
-- KST week (and every story) that a load, a story merge or a reprocess touched, inside the same
-- transaction as the change, from the base tables (articles, mentions). Distinct counts (stories,
-- outlets) do not add up across days, so weeks have their own table rather than a sum of days.
-- summary_state.needs_rebuild = true makes the next write-open rebuild everything from the base
-- tables (this migration sets it, so an existing database is backfilled on its first open).

-- Per entity and KST day: the entity_daily view's rows.
CREATE TABLE entity_day_stats (
    entity_id  VARCHAR NOT NULL,
    day_kst    DATE NOT NULL,
    n_stories  BIGINT NOT NULL,
    n_articles BIGINT NOT NULL,
    n_mentions BIGINT NOT NULL,
    n_outlets  BIGINT NOT NULL
);

-- Per entity and ISO week (Monday, KST): the entity_weekly view's rows.
CREATE TABLE entity_week_stats (
    entity_id  VARCHAR NOT NULL,
    week_kst   DATE NOT NULL,
    n_stories  BIGINT NOT NULL,
    n_articles BIGINT NOT NULL,
    n_mentions BIGINT NOT NULL,
    n_outlets  BIGINT NOT NULL
);

-- One row per (entity, KST day, story) with at least one article of that story on that day
-- mentioning the entity: what entity_rising needs to count a story once, on its first day in the
-- window, and alliance_timeline to find an alliance's stories. Written in day order.
CREATE TABLE entity_day_stories (
    entity_id VARCHAR NOT NULL,
    day_kst   DATE NOT NULL,
    story_id  VARCHAR NOT NULL
);

-- Per ISO week (KST) and entity pair: the co_mentions view's rows.
CREATE TABLE co_mention_week_stats (
    week_kst         DATE NOT NULL,
    entity_a         VARCHAR NOT NULL,
    entity_b         VARCHAR NOT NULL,
    n_sentences      BIGINT NOT NULL,
    n_stories        BIGINT NOT NULL,
    example_sentence VARCHAR
);

-- One row per (alliance, story that mentions it): the alliance_timeline view's rows. Which entities
-- are alliances and who their members are come from entities when the row is computed; a
-- gazetteer change that alters them recomputes the table (warehouse.loading.sync_entities).
-- seq numbers an alliance's stories in time order (1 = the oldest) and is renumbered with them.
CREATE TABLE alliance_story_stats (
    alliance_id       VARCHAR NOT NULL,
    story_id          VARCHAR NOT NULL,
    seq               BIGINT NOT NULL,
    first_at          TIMESTAMPTZ NOT NULL,
    title             VARCHAR,
    url               VARCHAR,
    n_articles        BIGINT NOT NULL,
    outlets           VARCHAR[] NOT NULL,
    members_mentioned VARCHAR[] NOT NULL
);

-- needs_rebuild: the next write-open recomputes every summary from the base tables.
-- alliances: the alliance rows (ids and members) alliance_story_stats was computed with.
CREATE TABLE summary_state (
    needs_rebuild BOOLEAN NOT NULL,
    rebuilt_at    TIMESTAMPTZ,
    alliances     VARCHAR
);
INSERT INTO summary_state VALUES (true, NULL, NULL);
