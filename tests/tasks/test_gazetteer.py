"""The packaged gazetteer's content and the loader's validation, as tables."""

from __future__ import annotations

import json
from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from tasks.gazetteer import (
    Alias,
    Gazetteer,
    GazetteerError,
    GazetteerFile,
    Member,
    build_gazetteer,
    load_gazetteer,
)

FIXED_IDS = [
    "gtaa",
    "sk_telecom",
    "deutsche_telekom",
    "e_and",
    "singtel",
    "softbank_corp",
    "softbank_group",
    "ai_ran_alliance",
    "o_ran_alliance",
    "gsma",
    "tm_forum",
    "kt",
    "lg_uplus",
    "nvidia",
    "samsung_electronics",
    "nokia",
    "ericsson",
    "ericsson_lg",
    "orange",
    "meta",
    "microsoft",
    "openai",
    "anthropic",
    "google",
    "amazon_aws",
    "lambda",
    "perplexity",
    "k_ai_alliance",
    "ngmn",
    "three_gpp",
    "telecom_infra_project",
    "oria",
]

ALLIANCES = [
    "gtaa",
    "k_ai_alliance",
    "ai_ran_alliance",
    "o_ran_alliance",
    "gsma_open_telco_ai",
    "ngmn",
    "five_gaa",
    "telecom_infra_project",
    "next_g_alliance",
    "six_g_forum",
    "open_ran_policy_coalition",
    "oria",
    "aina",
    "ocudu",
]

OPERATORS_AND_TECH = [
    "sk_broadband",
    "kt_cloud",
    "sk_hynix",
    "naver",
    "kakao",
    "ntt_docomo",
    "kddi",
    "verizon",
    "at_t",
    "t_mobile_us",
    "vodafone",
    "telefonica",
    "china_mobile",
    "telstra",
    "swisscom",
    "proximus",
    "telenor",
    "telia",
    "stc",
    "bharti_airtel",
    "reliance_jio",
    "globe_telecom",
    "pldt",
    "turkcell",
    "bouygues_telecom",
    "three_uk",
    "huawei",
    "sapeon",
    "amd",
    "arm",
    "qualcomm",
    "intel",
    "ibm",
    "cisco",
]

TOPICS = ["telco_llm", "ai_data_center", "ai_personal_assistant", "ai_ran", "open_ran", "six_g"]

MINIMAL = """
[korean]
particles = ["은", "는"]

[[entity]]
id = "acme"
kind = "company"
name_en = "Acme"
aliases_en = ["Acme"]
"""


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return load_gazetteer()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "g.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_packaged_file_is_a_package_resource() -> None:
    assert resources.files("tasks").joinpath("gazetteer.toml").is_file()


@pytest.mark.parametrize("entity_id", FIXED_IDS + ALLIANCES + OPERATORS_AND_TECH + TOPICS)
def test_required_entities_exist(gaz: Gazetteer, entity_id: str) -> None:
    assert entity_id in gaz
    assert gaz[entity_id].aliases


@pytest.mark.parametrize(
    ("entity_id", "kind"),
    [
        ("gtaa", "alliance"),
        ("ai_ran_alliance", "alliance"),
        ("o_ran_alliance", "alliance"),
        ("three_gpp", "standards_body"),
        ("gsma", "organization"),
        ("tm_forum", "organization"),
        ("sk_telecom", "company"),
        ("ai_ran", "topic"),
        ("open_ran", "topic"),
        ("six_g", "topic"),
    ],
)
def test_kinds(gaz: Gazetteer, entity_id: str, kind: str) -> None:
    assert gaz[entity_id].kind == kind


def test_counts_by_kind_cover_every_entity(gaz: Gazetteer) -> None:
    counts = gaz.counts_by_kind()
    assert sum(counts.values()) == len(gaz)
    assert all(counts[k] > 0 for k in counts)


@pytest.mark.parametrize(
    ("alliance", "as_of", "expected"),
    [
        ("gtaa", None, {"sk_telecom", "deutsche_telekom", "e_and", "singtel", "softbank_corp"}),
        ("gtaa", date(2023, 7, 27), {"sk_telecom", "deutsche_telekom", "e_and", "singtel"}),
        (
            "gtaa",
            date(2024, 2, 26),
            {"sk_telecom", "deutsche_telekom", "e_and", "singtel", "softbank_corp"},
        ),
        ("gtaa", date(2023, 1, 1), set()),
    ],
)
def test_gtaa_members(
    gaz: Gazetteer, alliance: str, as_of: date | None, expected: set[str]
) -> None:
    assert gaz.alliance_members(alliance, as_of) == expected


@pytest.mark.parametrize(
    ("alliance", "member"),
    [
        ("ai_ran_alliance", "softbank_corp"),
        ("ai_ran_alliance", "nvidia"),
        ("ai_ran_alliance", "amazon_aws"),
        ("ai_ran_alliance", "sk_telecom"),
        ("o_ran_alliance", "kt"),
        ("o_ran_alliance", "orange"),
        ("oria", "sk_telecom"),
        ("k_ai_alliance", "sapeon"),
        ("three_gpp", "tta"),
        ("six_g_forum", "ericsson_lg"),
    ],
)
def test_known_memberships(gaz: Gazetteer, alliance: str, member: str) -> None:
    assert member in gaz.alliance_members(alliance)


def test_undated_members_are_kept_with_as_of(gaz: Gazetteer) -> None:
    assert "lg_uplus" in gaz.alliance_members("o_ran_alliance", date(2018, 1, 1))
    assert "kt" not in gaz.alliance_members("o_ran_alliance", date(2018, 1, 1))


def test_lookups(gaz: Gazetteer) -> None:
    assert gaz.get("nope") is None
    assert gaz.get("kt") is gaz["kt"]
    with pytest.raises(KeyError):
        gaz.alliance_members("nope")
    assert gaz.alliance_members("kt") == set()
    assert gaz["softbank_corp"].parent == "softbank_group"


def test_entity_rows(gaz: Gazetteer) -> None:
    rows = gaz.entity_rows()
    assert len(rows) == len(gaz)
    assert len({r[0] for r in rows}) == len(rows)
    by_id = {r[0]: r for r in rows}
    _, kind, name_en, name_ko, country, aliases_json, members_json = by_id["gtaa"]
    assert (kind, name_en, name_ko, country) == (
        "alliance",
        "Global Telco AI Alliance",
        "글로벌 텔코 AI 얼라이언스",
        None,
    )
    aliases = json.loads(aliases_json)
    assert "GTAA" in aliases["en"] and "글로벌 텔코 AI 얼라이언스" in aliases["ko"]
    members = json.loads(members_json)
    assert {m["id"] for m in members} == gaz.alliance_members("gtaa")
    assert {"id": "softbank_corp", "joined": "2024-02-26"} in members
    assert json.loads(by_id["kt"][6]) == []
    assert by_id["kt"][4] == "KR"


@pytest.mark.parametrize(
    ("alias", "case_sensitive", "user_word"),
    [
        (Alias(text="KT"), True, False),
        (Alias(text="3GPP"), True, False),
        (Alias(text="AT&T"), True, False),
        (Alias(text="SK Telecom"), False, False),
        (Alias(text="NVIDIA"), False, False),
        (Alias(text="KT", case_sensitive=False), False, False),
        (Alias(text="SK텔레콤"), False, True),
        (Alias(text="싱텔"), False, False),
        (Alias(text="오렌지", requires_context=("@telco",)), False, False),
        (Alias(text="싱텔", user_word=True), False, True),
    ],
)
def test_alias_defaults(alias: Alias, case_sensitive: bool, user_word: bool) -> None:
    assert alias.is_case_sensitive is case_sensitive
    assert alias.is_user_word is user_word


@pytest.mark.parametrize(
    ("joined", "expected"),
    [
        (None, None),
        ("2024", date(2024, 1, 1)),
        ("2024-10", date(2024, 10, 1)),
        ("2024-02-26", date(2024, 2, 26)),
    ],
)
def test_member_partial_dates(joined: str | None, expected: date | None) -> None:
    assert Member(id="kt", joined=joined).joined_from == expected


def test_minimal_user_file_replaces_packaged(tmp_path: Path) -> None:
    gaz = load_gazetteer(write(tmp_path, MINIMAL))
    assert [e.id for e in gaz] == ["acme"]
    assert gaz.source.endswith("g.toml")


def test_extends_packaged(tmp_path: Path) -> None:
    text = """
extends = "packaged"

[context]
telco = ["통신"]

[[entity]]
id = "acme"
kind = "company"
name_en = "Acme"
aliases_en = ["Acme"]

[[entity]]
id = "kt"
kind = "company"
name_en = "KT Corp (override)"
aliases_en = [{ text = "KT", case_sensitive = true }]
"""
    gaz = load_gazetteer(write(tmp_path, text))
    packaged = load_gazetteer()
    assert len(gaz) == len(packaged) + 1
    assert gaz["kt"].name_en == "KT Corp (override)"
    assert gaz.contexts["telco"] == ("통신",)
    assert gaz.contexts["ai"] == packaged.contexts["ai"]
    assert gaz.alliance_members("gtaa") == packaged.alliance_members("gtaa")


def test_gazetteer_file_loads_without_the_file(tmp_path: Path) -> None:
    """What a Dask worker gets: the file's name and text, enough to build the same gazetteer
    where the path does not exist (another machine, another working directory)."""
    path = write(tmp_path, MINIMAL)
    shipped = GazetteerFile.read(path)
    expected = load_gazetteer(path)
    path.unlink()
    gaz = load_gazetteer(shipped)
    assert [e.id for e in gaz] == [e.id for e in expected] == ["acme"]
    assert gaz.source == expected.source
    assert shipped == GazetteerFile.read(write(tmp_path, MINIMAL))  # same text, same cache key


BROKEN = [
    (
        "duplicate id",
        MINIMAL
        + '\n[[entity]]\nid = "acme"\nkind = "company"\nname_en = "A2"\naliases_en = ["A2"]\n',
        ["entity 'acme'", "field id", "duplicate id"],
    ),
    (
        "unknown member",
        MINIMAL.replace('kind = "company"', 'kind = "alliance"') + 'members = [{ id = "ghost" }]\n',
        ["entity 'acme'", "members[0].id", "unknown entity id 'ghost'"],
    ),
    (
        "bad regex",
        MINIMAL.replace(
            'aliases_en = ["Acme"]', 'aliases_en = [{ text = "Acme", exclude = ["(x"] }]'
        ),
        ["entity 'acme'", "aliases_en[0].exclude", "bad regex '(x'"],
    ),
    (
        "unknown context list",
        MINIMAL.replace(
            'aliases_en = ["Acme"]',
            'aliases_en = [{ text = "Acme", requires_context = ["@nope"] }]',
        ),
        ["entity 'acme'", "aliases_en[0].requires_context", "unknown context list '@nope'"],
    ),
    (
        "unknown parent",
        MINIMAL + 'parent = "ghost"\n',
        ["entity 'acme'", "field parent", "unknown entity id 'ghost'"],
    ),
    ("bad kind", MINIMAL.replace('"company"', '"startup"'), ["entity 'acme'", "field kind"]),
    (
        "members on a company",
        MINIMAL + 'members = [{ id = "acme" }]\n',
        ["entity 'acme'", "members: given for kind 'company'"],
    ),
    (
        "bad member date",
        MINIMAL.replace('kind = "company"', 'kind = "alliance"')
        + 'members = [{ id = "acme", joined = "2024-13" }]\n',
        ["entity 'acme'", "members[0].joined"],
    ),
    ("bad id", MINIMAL.replace('id = "acme"', 'id = "3gpp"'), ["entity '3gpp'", "field id"]),
    (
        "duplicate alias",
        MINIMAL.replace('aliases_en = ["Acme"]', 'aliases_en = ["Acme", "ACME corp", "acme"]'),
        ["entity 'acme'", "aliases: duplicate alias 'acme'"],
    ),
    (
        "no aliases",
        MINIMAL.replace('aliases_en = ["Acme"]', ""),
        ["entity 'acme'", "no aliases"],
    ),
    (
        "typo in a field name",
        MINIMAL.replace("aliases_en", "alias_en"),
        ["entity 'acme'", "alias_en", "Extra inputs are not permitted"],
    ),
    (
        "unknown collective member",
        MINIMAL + '\n[[collective]]\naliases = ["두 회사"]\nmembers = ["acme", "ghost"]\n',
        ["collective #0", "unknown entity id 'ghost'"],
    ),
    (
        "particles not Hangul",
        MINIMAL.replace('["은", "는"]', '["은", "x"]'),
        ["[korean]", "particles"],
    ),
    ("not TOML", "[[entity]\nid=", ["not valid TOML"]),
    ("bad extends", 'extends = "other"\n' + MINIMAL, ["extends"]),
]


@pytest.mark.parametrize(("case", "text", "fragments"), BROKEN, ids=[b[0] for b in BROKEN])
def test_validation_errors_name_entity_and_field(
    tmp_path: Path, case: str, text: str, fragments: list[str]
) -> None:
    with pytest.raises(GazetteerError) as info:
        load_gazetteer(write(tmp_path, text))
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{case}: {fragment!r} not in {message}"


def test_every_problem_is_reported_at_once() -> None:
    data = {
        "korean": {"particles": ["은"]},
        "entity": [
            {
                "id": "a",
                "kind": "alliance",
                "name_en": "A",
                "aliases_en": ["A1"],
                "members": [{"id": "x"}],
            },
            {"id": "b", "kind": "company", "name_en": "B", "aliases_en": ["B1"], "parent": "y"},
            {"id": "a", "kind": "company", "name_en": "A again", "aliases_en": ["A2"]},
        ],
    }
    with pytest.raises(GazetteerError) as info:
        build_gazetteer(data, "test")
    assert len(info.value.problems) == 3


def test_parent_cycle_is_rejected() -> None:
    data = {
        "korean": {"particles": ["은"]},
        "entity": [
            {"id": "a", "kind": "company", "name_en": "A", "aliases_en": ["A1"], "parent": "b"},
            {"id": "b", "kind": "company", "name_en": "B", "aliases_en": ["B1"], "parent": "a"},
        ],
    }
    with pytest.raises(GazetteerError, match="cycle"):
        build_gazetteer(data, "test")
