-- Member-candidate alerts already in the outbox, for any story: one alert per pair and kind, ever.
SELECT DISTINCT entity_id FROM alerts WHERE rule = 'alliance_new_member_candidate';
