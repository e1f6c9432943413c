"""Malformed configuration files: every error names the file, the entry and the field.

One table per file kind (sources, gazetteer, alert rules): bad TOML, unknown field, wrong type,
missing required field, duplicate id, bad URL, bad regex, unknown entity. A broken gazetteer or
rules file stops the run before it starts (``NothingToRun``, exit 1, one line, no traceback);
a broken *source entry* is reported by file, entry and field and skipped, by design (one typo
must not stop the other feeds), and the run's report carries the line.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from flows.monitor import NothingToRun, run_monitor
from flows.settings import Settings
from tasks.alert_rules import AlertRulesError, check_rule_entities, load_alert_rules
from tasks.gazetteer import GazetteerError, load_gazetteer
from tasks.sources import SourcesError, load_sources

GOOD_SOURCE = '[[sources]]\nname = "good"\nurl = "https://example.com/rss"\nlang = "ko"\n\n'


def _source(**fields: str) -> str:
    body = "".join(f"{k} = {v}\n" for k, v in fields.items())
    return GOOD_SOURCE + "[[sources]]\n" + body


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            _source(name='"b"', url='"https://e.com/f"', lang='"ko"', colour='"red"'),
            ["sources[2] (b)", "colour", "Extra inputs"],
            id="unknown-field",
        ),
        pytest.param(
            _source(name='"b"', url='"https://e.com/f"', lang="5"),
            ["sources[2] (b)", "lang"],
            id="wrong-type",
        ),
        pytest.param(
            _source(name='"b"', lang='"ko"'), ["sources[2] (b)", "url", "required"], id="missing"
        ),
        pytest.param(
            _source(name='"good"', url='"https://e.com/f"', lang='"en"'),
            ["sources[2] (good)", "duplicate name 'good'"],
            id="duplicate-id",
        ),
        pytest.param(
            _source(name='"b"', url='"ftp://e.com/f"', lang='"ko"'),
            ["sources[2] (b)", "url", "http(s)"],
            id="bad-url",
        ),
        pytest.param(
            _source(name='"b"', url='"https://e.com/"', lang='"ko"', link_pattern='"(x"'),
            ["sources[2] (b)", "link_pattern", "regular expression"],
            id="bad-regex",
        ),
    ],
)
def test_a_bad_source_entry_is_named_by_file_entry_and_field(
    tmp_path: Path, text: str, expected: list[str]
) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    loaded = load_sources(path)
    assert [s.name for s in loaded.sources] == ["good"]
    assert len(loaded.problems) == 1
    problem = loaded.problems[0]
    assert problem.startswith(f"{path}: ")
    for fragment in expected:
        assert fragment in problem, problem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param('[[sources]\nname = "a"\n', "not valid TOML", id="bad-toml"),
        pytest.param('[[sources]]\nname = "a"\n', "no usable source", id="nothing-valid"),
        pytest.param("title = 1\n", "no [[sources]] entries", id="no-entries"),
    ],
)
def test_an_unusable_sources_file_is_an_error_naming_it(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourcesError) as caught:
        load_sources(path)
    assert str(caught.value).startswith(f"{path}: ") and expected in str(caught.value)


def _entity(entity_id: str = "x_co", **fields: str) -> str:
    base = {
        "id": f'"{entity_id}"',
        "kind": '"company"',
        "name_en": '"Xco"',
        "aliases_en": '["Xco Holdings"]',
    }
    base.update(fields)
    return "[[entity]]\n" + "".join(f"{k} = {v}\n" for k, v in base.items() if v) + "\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param('[[entity]\nid = "x"\n', ["not valid TOML"], id="bad-toml"),
        pytest.param(
            _entity(colour='"red"'), ["entity 'x_co' field colour", "Extra inputs"], id="unknown"
        ),
        pytest.param(_entity(kind="5"), ["entity 'x_co' field kind"], id="wrong-type"),
        pytest.param(
            _entity(name_en=""), ["entity 'x_co' field name_en", "required"], id="missing"
        ),
        pytest.param(
            _entity() + _entity(), ["entity 'x_co' field id", "duplicate id"], id="duplicate-id"
        ),
        pytest.param(_entity(country='"Korea"'), ["entity 'x_co' field country"], id="bad-code"),
        pytest.param(
            _entity(aliases_en='[{ text = "Xco", exclude = ["(unclosed"] }]'),
            ["entity 'x_co' field aliases_en[0].exclude", "bad regex"],
            id="bad-regex",
        ),
        pytest.param(
            _entity(aliases_en='[{ text = "Xco", requires_context = ["@nope"] }]'),
            ["entity 'x_co' field aliases_en[0].requires_context", "unknown context list"],
            id="unknown-context",
        ),
        pytest.param(
            _entity(kind='"alliance"', members='[{ id = "no_such_co" }]'),
            ["entity 'x_co' field members[0].id", "unknown entity id 'no_such_co'"],
            id="unknown-entity",
        ),
    ],
)
def test_a_bad_gazetteer_names_file_entity_and_field(
    tmp_path: Path, text: str, expected: list[str]
) -> None:
    path = tmp_path / "entities.toml"
    path.write_text('extends = "packaged"\n\n' + text, encoding="utf-8")
    with pytest.raises(GazetteerError) as caught:
        load_gazetteer(path)
    message = str(caught.value)
    assert message.startswith(f"invalid gazetteer {path}:"), message
    for fragment in expected:
        assert fragment in message, message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("[rules\n", ["not valid TOML"], id="bad-toml"),
        pytest.param(
            "[rules.alliance_new_story]\ncolour = 1\n",
            ["rules.alliance_new_story.colour", "Extra inputs"],
            id="unknown-field",
        ),
        pytest.param(
            '[rules.entity_spike]\nmin_stories = "many"\n',
            ["rules.entity_spike.min_stories", "integer"],
            id="wrong-type",
        ),
        pytest.param(
            '[[routes]]\nrules = ["entity_spike"]\n',
            ["routes.0.channel", "required"],
            id="missing",
        ),
        pytest.param(
            '[channels.ops]\nurls = []\n[channels.ops]\nformat = "text"\n',
            ["not valid TOML", "ops"],
            id="duplicate-id",
        ),
        pytest.param(
            '[channels.ops]\nurls = ["hooks.example.com/T0K3N"]\n',
            ["channels.ops.urls.0", "not an Apprise URL"],
            id="bad-url",
        ),
        pytest.param(
            '[[routes]]\nrules = ["no_such_rule"]\nchannel = "default"\n',
            ["routes[0]", "unknown rule(s) ['no_such_rule']"],
            id="unknown-rule",
        ),
        pytest.param(
            '[[routes]]\nchannel = "nowhere"\n',
            ["routes[0]", "channel 'nowhere' is not declared"],
            id="unknown-channel",
        ),
    ],
)
def test_a_bad_rules_file_names_file_entry_and_field(
    tmp_path: Path, text: str, expected: list[str]
) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AlertRulesError) as caught:
        load_alert_rules(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: "), message
    for fragment in expected:
        assert fragment in message, message
    assert "T0K3N" not in message  # a channel URL is a secret, even a malformed one


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            '[rules.alliance_new_story]\nwatch = ["gtaa", "no_such_alliance"]\n',
            "rules.alliance_new_story.watch[1]: unknown entity 'no_such_alliance'",
            id="watch",
        ),
        pytest.param(
            '[[routes]]\nentities = ["nope"]\nchannel = "default"\n',
            "routes[0].entities[0]: unknown entity 'nope'",
            id="route",
        ),
        pytest.param(
            '[rules.alliance_new_member_candidate]\nco_mention_alliances = ["nope"]\n',
            "rules.alliance_new_member_candidate.co_mention_alliances[0]: unknown entity 'nope'",
            id="co-mention",
        ),
    ],
)
def test_rules_naming_an_unknown_entity_are_refused(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    rules = load_alert_rules(path)
    known = {entity.id for entity in load_gazetteer()}
    with pytest.raises(AlertRulesError) as caught:
        check_rule_entities(rules, known, str(path))
    assert str(caught.value) == f"{path}: {expected}"


@pytest.mark.parametrize("broken", ["entities", "alert_rules"])
def test_the_run_does_not_start_half_configured(tmp_path: Path, broken: str) -> None:
    """A bad gazetteer or rules file ends the run before it touches the database."""
    sources = tmp_path / "sources.toml"
    sources.write_text(GOOD_SOURCE, encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'extends = "packaged"\n\n' + _entity(kind="5")
        if broken == "entities"
        else '[rules.alliance_new_story]\nwatch = ["no_such_alliance"]\n',
        encoding="utf-8",
    )
    db = tmp_path / "never.duckdb"
    settings = Settings(sources=sources, db=db, **{broken: bad})  # type: ignore[arg-type]
    with pytest.raises(NothingToRun) as caught:
        asyncio.run(run_monitor(settings))
    assert str(bad) in str(caught.value)
    assert not db.exists()
