-- Mentions know their sentence; sentences that may announce a membership are kept as candidates.
-- sentence_index: ordinal of the sentence within the mention's field (0 = first); NULL for rows
-- written before this migration. Mentions sharing (article_id, field, sentence_index) share a
-- sentence, which the co_mentions view relies on.
ALTER TABLE mentions ADD COLUMN sentence_index INTEGER;
-- ambiguous: accepted on evidence beyond the alias itself (a context rule, or Kiwi's verdict on a
-- compound); NULL for rows written before this migration.
ALTER TABLE mentions ADD COLUMN ambiguous BOOLEAN;

-- One (company, alliance) pair per sentence that names both with a membership verb
-- (tasks/relations.py). A candidate for an analyst to confirm, not a fact.
CREATE TABLE relation_candidates (
    article_id     VARCHAR NOT NULL,
    field          VARCHAR NOT NULL,               -- title | body
    sentence_index INTEGER NOT NULL,
    company_id     VARCHAR NOT NULL,
    alliance_id    VARCHAR NOT NULL,
    event          VARCHAR NOT NULL,               -- join | leave | sign
    trigger        VARCHAR NOT NULL,               -- the verb that signalled it (가입, joined, …)
    sentence       VARCHAR NOT NULL,
    known_member   BOOLEAN NOT NULL,               -- the gazetteer already lists the membership
    collective     BOOLEAN NOT NULL,               -- the company came from a collective (통신 3사)
    PRIMARY KEY (article_id, field, sentence_index, company_id, alliance_id)
);
