"""Alert rules: which rules run, which entities each watches, where alerts go, and quiet hours.

The packaged ``tasks/alert_rules.toml`` is the default; ``NEWSMON_ALERT_RULES`` points to another
file. Everything is validated with pydantic when it is loaded, so a typo in a rule or a route to an
undeclared channel fails the run's start with a readable message rather than losing alerts later.
Channel URLs are secrets: they may be written in the file but are normally given at the flow's
edge (``NEWSMON_ALERT_URLS`` for ``default``, ``NEWSMON_ALERT_CHANNELS`` for the others), and this
module never logs them.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

KST = ZoneInfo("Asia/Seoul")
DEFAULT_CHANNEL = "default"

RULE_ALLIANCE_NEW_STORY = "alliance_new_story"
RULE_MEMBER_CANDIDATE = "alliance_new_member_candidate"
RULE_ENTITY_SPIKE = "entity_spike"
RULE_SOURCE_UNHEALTHY = "source_unhealthy"
RULE_SOURCE_RECOVERED = "source_recovered"
RULE_NAMES = (
    RULE_ALLIANCE_NEW_STORY,
    RULE_MEMBER_CANDIDATE,
    RULE_ENTITY_SPIKE,
    RULE_SOURCE_UNHEALTHY,
    RULE_SOURCE_RECOVERED,
)


_URL_SHAPE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$")


def _apprise_url(url: str) -> str:
    """Shape only (``scheme://…``): Apprise judges the rest at delivery. The message never
    quotes the value, since a channel URL holds tokens."""
    if not _URL_SHAPE.match(url):
        raise ValueError("not an Apprise URL (scheme://…); the value is not shown")
    return url


class AlertRulesError(ValueError):
    """The rules file is missing, not TOML, or not valid."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RuleConfig(_Model):
    """A rule's switch, urgency (non-urgent alerts wait out quiet hours) and watch list."""

    enabled: bool = True
    urgent: bool = False
    watch: tuple[str, ...] = ()
    """Entity ids the rule covers; empty = all it applies to."""

    def watches(self, entity_id: str) -> bool:
        return not self.watch or entity_id in self.watch


class MemberCandidateRule(RuleConfig):
    urgent: bool = True
    co_mentions: bool = True
    co_mention_alliances: list[str] = Field(default_factory=list)
    """Alliances whose member list is complete enough that naming a non-member beside them is
    news; empty = every watched alliance. (O-RAN has ~300 members and the gazetteer lists its
    founders: a co-mention with Nokia there is noise, with GTAA's five it is a signal.)"""


class SpikeRule(RuleConfig):
    min_stories: int = Field(default=3, ge=1)
    factor: float = Field(default=4.0, ge=1.0)
    baseline_days: int = Field(default=28, ge=7, le=365)


class Rules(_Model):
    alliance_new_story: RuleConfig = RuleConfig()
    alliance_new_member_candidate: MemberCandidateRule = MemberCandidateRule()
    entity_spike: SpikeRule = SpikeRule()
    source_unhealthy: RuleConfig = RuleConfig()
    source_recovered: RuleConfig = RuleConfig()


class Channel(_Model):
    """A named destination: Apprise URLs and the message form its services read."""

    format: Literal["markdown", "text"] = "markdown"
    lang: Literal["en", "ko"] = "en"
    """Language of the digest's headings (single alerts follow their story's language)."""
    urls: tuple[Annotated[str, AfterValidator(_apprise_url)], ...] = ()


class Route(_Model):
    """Alerts of these rules about these entities go to ``channel`` (empty lists match any)."""

    rules: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    channel: str

    def matches(self, rule: str, entities: Iterable[str]) -> bool:
        if self.rules and rule not in self.rules:
            return False
        return not self.entities or any(e in self.entities for e in entities)


class AlertRules(_Model):
    default_channels: tuple[str, ...] = (DEFAULT_CHANNEL,)
    rules: Rules = Rules()
    channels: dict[str, Channel] = Field(default_factory=dict)
    routes: tuple[Route, ...] = ()

    @model_validator(mode="after")
    def _check_references(self) -> AlertRules:
        declared = set(self.channels) | {DEFAULT_CHANNEL}
        for index, route in enumerate(self.routes):
            if route.channel not in declared:
                raise ValueError(f"routes[{index}]: channel {route.channel!r} is not declared")
            unknown = set(route.rules) - set(RULE_NAMES)
            if unknown:
                raise ValueError(f"routes[{index}]: unknown rule(s) {sorted(unknown)}")
        missing = set(self.default_channels) - declared
        if missing or not self.default_channels:
            raise ValueError(f"default_channels: undeclared or empty {sorted(missing)}")
        return self

    def rule(self, name: str) -> RuleConfig:
        """The config of a rule by name; a rule newsmon does not know is on and not urgent."""
        config = getattr(self.rules, name, None)
        return config if isinstance(config, RuleConfig) else RuleConfig()

    def channel(self, name: str) -> Channel:
        return self.channels.get(name, Channel())

    def route(self, rule: str, entity_id: str) -> tuple[str, ...]:
        """The channels an alert goes to: those of every matching route, else the defaults."""
        parts = alert_entities(entity_id)
        routed = [r.channel for r in self.routes if r.matches(rule, parts)]
        return tuple(dict.fromkeys(routed)) or self.default_channels


def alert_entities(entity_id: str) -> tuple[str, ...]:
    """The entities an outbox ``entity_id`` is about, for watch lists and routes.

    Member candidates are keyed ``alliance+company:event``; source alerts ``source:NAME``.
    """
    if entity_id.startswith("source:"):
        return (entity_id,)
    pair = entity_id.split(":", 1)[0]
    return tuple(pair.split("+"))


def load_alert_rules(path: Path | None = None) -> AlertRules:
    """The rules file at ``path``, or the packaged one."""
    try:
        if path is None:
            text = resources.files("tasks").joinpath("alert_rules.toml").read_text("utf-8")
            where = "packaged alert_rules.toml"
        else:
            text = path.read_text(encoding="utf-8")
            where = str(path)
    except OSError as exc:
        raise AlertRulesError(f"cannot read alert rules {path}: {exc.strerror}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AlertRulesError(f"{where}: not valid TOML: {exc}") from exc
    try:
        return AlertRules.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(file)'}: {e['msg']}" for e in exc.errors()
        )
        # not chained: pydantic's own message quotes input values, channel URLs included
        raise AlertRulesError(f"{where}: {problems}") from None


def check_rule_entities(rules: AlertRules, known: set[str], where: str) -> None:
    """Refuse watch lists, co-mention alliances and routes that name an entity the gazetteer
    does not have (a typo there would silently watch nothing); ``source:NAME`` keys pass."""
    problems: list[str] = []

    def check(label: str, ids: Iterable[str]) -> None:
        for index, entity_id in enumerate(ids):
            if not entity_id.startswith("source:") and entity_id not in known:
                problems.append(f"{label}[{index}]: unknown entity {entity_id!r}")

    for name in RULE_NAMES:
        config = rules.rule(name)
        check(f"rules.{name}.watch", config.watch)
        if isinstance(config, MemberCandidateRule):
            check(f"rules.{name}.co_mention_alliances", config.co_mention_alliances)
    for index, route in enumerate(rules.routes):
        check(f"routes[{index}].entities", route.entities)
    if problems:
        raise AlertRulesError(f"{where}: " + "; ".join(problems))


@dataclass(frozen=True, slots=True)
class ResolvedChannel:
    """A channel with the URLs it will really use (possibly none: then it is not configured)."""

    name: str
    format: Literal["markdown", "text"]
    lang: Literal["en", "ko"]
    urls: tuple[str, ...]


def resolve_channels(
    rules: AlertRules,
    default_urls: Sequence[str],
    channel_urls: Mapping[str, Sequence[str]],
) -> dict[str, ResolvedChannel]:
    """Every channel with its URLs: the setting for that name, else the file's, else (for
    ``default``) ``NEWSMON_ALERT_URLS``. Channels only named in settings exist too."""
    names = dict.fromkeys([DEFAULT_CHANNEL, *rules.channels, *channel_urls])
    resolved: dict[str, ResolvedChannel] = {}
    for name in names:
        config = rules.channel(name)
        urls = tuple(channel_urls.get(name) or config.urls)
        if not urls and name == DEFAULT_CHANNEL:
            urls = tuple(default_urls)
        resolved[name] = ResolvedChannel(name, config.format, config.lang, urls)
    return resolved


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily window in Korea Standard Time, ``start`` inclusive to ``end`` exclusive (hours);
    ``22-07`` wraps midnight."""

    start: int
    end: int

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        try:
            start_s, end_s = text.strip().split("-")
            start, end = int(start_s), int(end_s)
        except ValueError:
            raise ValueError(f"quiet hours must look like 22-07, not {text!r}") from None
        if not (0 <= start <= 23 and 0 <= end <= 24) or start == end:
            raise ValueError(f"quiet hours out of range or empty: {text!r}")
        return cls(start, end)

    def contains(self, when: datetime) -> bool:
        hour = when.astimezone(KST).hour
        if self.start < self.end:
            return self.start <= hour < self.end
        return hour >= self.start or hour < self.end


_SPAN_RE = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_SPAN_UNIT = {
    "m": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
}
MAX_SPAN = timedelta(days=3650)


def parse_duration(text: str) -> timedelta:
    """``30m``, ``24h``, ``7d``, ``2w`` as a positive time span (at most ten years); ValueError
    otherwise, with a message an operator can act on."""
    match = _SPAN_RE.match(text)
    if match is None or int(match.group(1)) == 0:
        raise ValueError(f"want a span such as 30m, 24h, 7d or 2w, not {text!r}")
    span = int(match.group(1)) * _SPAN_UNIT[match.group(2)]
    if span > MAX_SPAN:
        raise ValueError(f"span {text!r} is longer than ten years")
    return span


@dataclass(frozen=True, slots=True)
class Mute:
    """An operator's mute: no alerts about ``entity_id`` (of ``rule``, or of every rule when it
    is None) are sent before ``until``."""

    entity_id: str
    rule: str | None
    until: datetime
    reason: str | None = None


def find_mute(mutes: Iterable[Mute], rule: str, entity_id: str) -> Mute | None:
    """The mute that silences an outbox row, if any: one on any entity the row is about (a
    member candidate ``gtaa+nokia:join`` is muted by a mute on ``gtaa`` or on ``nokia``) for its
    rule or for all rules; of several, the one that lasts longest."""
    parts = set(alert_entities(entity_id))
    matching = [m for m in mutes if m.entity_id in parts and (m.rule is None or m.rule == rule)]
    return max(matching, key=lambda m: m.until, default=None)


def mute_reason(mute: Mute) -> str:
    """What ``last_error`` says about a muted alert: ``muted until 2026-12-05 09:00 KST (why)``."""
    until = mute.until.astimezone(KST).strftime("%Y-%m-%d %H:%M KST")
    return f"muted until {until}" + (f" ({mute.reason})" if mute.reason else "")
