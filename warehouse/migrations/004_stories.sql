-- Issue 5: page identity beside url_key, the original outlet of portal copies, and story merges.
--
-- articles.og_url: the page's og:url (canonical_url keeps <link rel=canonical>, else og:url).
-- articles.outlet: who wrote the article: for a portal copy (Naver, Daum, ZUM) the original outlet
-- named on the page, otherwise the page's site name; NULL when neither is known (views fall back to
-- site_name, then source_name).
ALTER TABLE articles ADD COLUMN og_url VARCHAR;
ALTER TABLE articles ADD COLUMN outlet VARCHAR;
-- articles.identity_keys: the url_keys of the canonical link and og:url (url_key first), what dedupe
-- matches a copy reached by another URL on; stored so loading the window parses no URLs.
ALTER TABLE articles ADD COLUMN identity_keys VARCHAR[];

-- One row per absorbed story: a new article (article_id) verified against stories that were apart,
-- so merged_story_id became part of into_story_id (the older story). The absorbed story's articles
-- were re-pointed to into_story_id in the same transaction; the row keeps the history, and the
-- story_aliases view resolves any old story id (an alert's, an export's) to the current one.
CREATE TABLE story_merges (
    merged_story_id VARCHAR PRIMARY KEY,
    into_story_id   VARCHAR NOT NULL,
    article_id      VARCHAR NOT NULL,
    similarity      DOUBLE NOT NULL,
    merged_at       TIMESTAMPTZ NOT NULL,
    run_id          VARCHAR NOT NULL
);

-- The LSH index of the dedupe window, persisted: 64 rows per article, one per band (the band's
-- two MinHash rows packed and mixed with the band number: tasks.dedupe.band_values). A run looks
-- up only the stored articles that share a band with one of its new articles, instead of loading
-- and indexing the whole 14-day window. Articles stored before this migration are filled in by the
-- next run (warehouse.loading.backfill_bands).
CREATE TABLE article_bands (
    band_key   UBIGINT NOT NULL,
    article_id VARCHAR NOT NULL
);
