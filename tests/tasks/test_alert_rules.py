from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from flows.settings import Settings
from tasks.alert_rules import (
    DEFAULT_CHANNEL,
    RULE_NAMES,
    AlertRulesError,
    Mute,
    QuietHours,
    alert_entities,
    find_mute,
    load_alert_rules,
    mute_reason,
    parse_duration,
    resolve_channels,
)

ROUTED = """
default_channels = ["default"]
[rules.entity_spike]
enabled = false
[rules.alliance_new_story]
watch = ["gtaa", "o_ran_alliance"]
[channels.gtaa-team]
format = "text"
lang = "ko"
[channels.spikes]
urls = ["json://spikes.example/x"]
[[routes]]
entities = ["gtaa"]
channel = "gtaa-team"
[[routes]]
rules = ["entity_spike"]
channel = "spikes"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_packaged_rules_switch_every_rule_on_and_route_to_default() -> None:
    rules = load_alert_rules()
    assert all(rules.rule(name).enabled for name in RULE_NAMES)
    assert rules.rule("alliance_new_member_candidate").urgent
    assert not rules.rule("alliance_new_story").urgent
    assert rules.route("alliance_new_story", "gtaa") == (DEFAULT_CHANNEL,)
    # co-mention candidates only where the member list is complete (noise elsewhere)
    assert rules.rules.alliance_new_member_candidate.co_mention_alliances == ["gtaa"]


def test_routes_watch_lists_and_switches(tmp_path: Path) -> None:
    rules = load_alert_rules(_write(tmp_path, ROUTED))
    assert not rules.rule("entity_spike").enabled
    assert rules.rule("alliance_new_story").watches("gtaa")
    assert not rules.rule("alliance_new_story").watches("gsma")
    assert rules.route("alliance_new_story", "gtaa") == ("gtaa-team",)
    assert rules.route("alliance_new_member_candidate", "gtaa+kt:join") == ("gtaa-team",)
    assert rules.route("entity_spike", "kt") == ("spikes",)
    assert rules.route("alliance_new_story", "gsma") == ("default",)
    assert rules.route("source_unhealthy", "source:etnews") == ("default",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[rules.alliance_new_stroy]\nenabled = false\n", "alliance_new_stroy"),
        ('[[routes]]\nchannel = "nowhere"\n', "channel 'nowhere' is not declared"),
        ('[[routes]]\nrules = ["spike"]\nchannel = "default"\n', "unknown rule"),
        ("[rules.entity_spike]\nfactor = 0.5\n", "rules.entity_spike.factor"),
        ("rules = [", "not valid TOML"),
    ],
)
def test_bad_rules_files_are_refused_with_the_place(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(AlertRulesError, match=message):
        load_alert_rules(_write(tmp_path, text))


def test_channel_urls_come_from_settings_before_the_file(tmp_path: Path) -> None:
    rules = load_alert_rules(_write(tmp_path, ROUTED))
    channels = resolve_channels(
        rules, ["json://default.example/a"], {"gtaa-team": ["json://gtaa.example/b"]}
    )
    assert channels["default"].urls == ("json://default.example/a",)
    assert channels["gtaa-team"].urls == ("json://gtaa.example/b",)
    assert (channels["gtaa-team"].format, channels["gtaa-team"].lang) == ("text", "ko")
    assert channels["spikes"].urls == ("json://spikes.example/x",)
    assert resolve_channels(rules, [], {})["gtaa-team"].urls == ()


def test_settings_read_channels_as_json_and_check_quiet_hours(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEWSMON_ALERT_CHANNELS", '{"gtaa": "json://a/1, json://b/2"}')
    monkeypatch.setenv("NEWSMON_QUIET_HOURS", "22-07")
    settings = Settings()
    assert settings.alert_channels == {"gtaa": ["json://a/1", "json://b/2"]}
    assert settings.quiet_hours == "22-07"
    monkeypatch.setenv("NEWSMON_QUIET_HOURS", "late")
    with pytest.raises(ValueError, match="22-07"):
        Settings()


@pytest.mark.parametrize(
    ("window", "utc_hour", "quiet"),
    [
        ("22-07", 13, True),  # 22:00 KST
        ("22-07", 21, True),  # 06:00 KST
        ("22-07", 22, False),  # 07:00 KST
        ("22-07", 3, False),  # 12:00 KST
        ("01-05", 17, True),  # 02:00 KST
        ("01-05", 20, False),  # 05:00 KST
    ],
)
def test_quiet_hours_in_kst(window: str, utc_hour: int, quiet: bool) -> None:
    when = datetime(2026, 11, 27, utc_hour, 30, tzinfo=UTC)
    assert QuietHours.parse(window).contains(when) is quiet


@pytest.mark.parametrize("bad", ["7", "25-3", "5-5", "a-b"])
def test_bad_quiet_hours(bad: str) -> None:
    with pytest.raises(ValueError):
        QuietHours.parse(bad)


def test_alert_entities_split_member_keys_but_not_sources() -> None:
    assert alert_entities("gtaa+kt:join") == ("gtaa", "kt")
    assert alert_entities("source:etnews:x") == ("source:etnews:x",)
    assert alert_entities("gtaa") == ("gtaa",)


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("30m", timedelta(minutes=30)),
        ("12h", timedelta(hours=12)),
        (" 7d ", timedelta(days=7)),
        ("2w", timedelta(weeks=2)),
        ("24 h", timedelta(hours=24)),
    ],
)
def test_parse_duration(text: str, span: timedelta) -> None:
    assert parse_duration(text) == span


@pytest.mark.parametrize("text", ["", "7", "0d", "-1d", "7 days", "1y", "1.5h", "99999w"])
def test_parse_duration_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="span"):
        parse_duration(text)


def test_find_mute_by_entity_part_rule_scope_and_longest() -> None:
    t0 = datetime(2026, 11, 27, tzinfo=UTC)
    all_rules = Mute("gtaa", None, t0 + timedelta(days=1), "MWC")
    spikes_only = Mute("kt", "entity_spike", t0 + timedelta(days=2))
    longer = Mute("gtaa", "alliance_new_story", t0 + timedelta(days=9))
    mutes = [all_rules, spikes_only, longer]
    assert find_mute(mutes, "alliance_new_story", "gtaa") == longer
    assert find_mute(mutes, "entity_spike", "gtaa") == all_rules
    assert find_mute(mutes, "alliance_new_member_candidate", "gtaa+nokia:join") == all_rules
    assert find_mute(mutes, "alliance_new_member_candidate", "o_ran_alliance+kt:join") is None
    assert find_mute(mutes, "entity_spike", "kt") == spikes_only
    assert find_mute(mutes, "alliance_new_story", "kt") is None
    assert find_mute(mutes, "source_unhealthy", "source:kt-news") is None
    assert mute_reason(all_rules) == "muted until 2026-11-28 09:00 KST (MWC)"
    assert mute_reason(spikes_only) == "muted until 2026-11-29 09:00 KST"
