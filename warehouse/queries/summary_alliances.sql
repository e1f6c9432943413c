-- A fingerprint of the gazetteer's alliances and their member ids: when it changes,
-- alliance_story_stats must be recomputed (an entity became an alliance, a member was added).
SELECT coalesce(
    string_agg(
        entity_id || '=' || coalesce(CAST(json_extract_string(members, '$[*].id') AS VARCHAR), ''),
        ';' ORDER BY entity_id
    ),
    ''
)
FROM entities
WHERE kind = 'alliance';
