-- Alerts (issue 8): routing, per-channel delivery, message forms, and outlet counts that grow.
-- channels: where the alert goes (names from the rules file); delivered_to: channels that accepted
-- it, so a retry after a partial failure sends only to the rest. status gains 'held' (quiet hours:
-- kept for the next digest). n_outlets/n_articles/last_updated_at follow a story's later copies
-- without sending again.
ALTER TABLE alerts ADD COLUMN lang VARCHAR;
ALTER TABLE alerts ADD COLUMN message_text VARCHAR;
ALTER TABLE alerts ADD COLUMN channels VARCHAR[];
ALTER TABLE alerts ADD COLUMN delivered_to VARCHAR[];
ALTER TABLE alerts ADD COLUMN urgent BOOLEAN;
ALTER TABLE alerts ADD COLUMN n_outlets INTEGER;
ALTER TABLE alerts ADD COLUMN n_articles INTEGER;
ALTER TABLE alerts ADD COLUMN last_updated_at TIMESTAMPTZ;
ALTER TABLE alerts ADD COLUMN digested_at TIMESTAMPTZ;
