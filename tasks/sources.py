"""The sources file: which feeds to watch.

A bad entry is reported with its index, name and field and skipped, so one typo never stops the
other sources; a file that is not TOML at all, or has no valid entry, is a ``SourcesError``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from tasks.models import Source


class SourcesError(Exception):
    """The sources file cannot be used at all."""


class _SourceEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str
    url: str
    kind: Literal["rss", "atom", "sitemap", "page", "auto"] = "auto"
    lang: Literal["ko", "en"]
    group: str = "default"
    enabled: bool = True
    link_pattern: str | None = None

    @field_validator("name")
    @classmethod
    def _nonempty(cls, value: str) -> str:
        if not value:
            raise ValueError("must not be empty")
        return value

    @field_validator("link_pattern")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from exc
        return value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.lower().startswith(("http://", "https://")):
            raise ValueError(f"must be an http(s) URL, got {value!r}")
        return value


@dataclass(frozen=True, slots=True)
class SourcesFile:
    """The usable sources and one readable line per rejected entry."""

    sources: tuple[Source, ...]
    problems: tuple[str, ...]


def packaged_sources_path() -> Path:
    """The sources.toml shipped with the package (real Korean and English telecom feeds)."""
    return Path(str(resources.files("tasks").joinpath("sources.toml")))


def parse_sources(text: str, origin: str = "<sources>") -> SourcesFile:
    """Validate a sources TOML document; see the module docstring for the error contract."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{origin}: not valid TOML: {exc}") from exc
    entries = data.get("sources")
    if not isinstance(entries, list) or not entries:
        raise SourcesError(f"{origin}: no [[sources]] entries")
    sources: list[Source] = []
    problems: list[str] = []
    seen: set[str] = set()
    for index, raw in enumerate(entries, start=1):
        label = f"{origin}: sources[{index}]"
        if isinstance(raw, dict) and isinstance(raw.get("name"), str):
            label += f" ({raw['name']})"
        try:
            entry = _SourceEntry.model_validate(raw)
        except ValidationError as exc:
            fields = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'entry'}: {err['msg']}"
                for err in exc.errors()
            )
            problems.append(f"{label}: {fields}")
            continue
        if entry.name in seen:
            problems.append(f"{label}: duplicate name {entry.name!r}")
            continue
        seen.add(entry.name)
        if entry.enabled:
            sources.append(
                Source(
                    entry.name, entry.url, entry.kind, entry.lang, entry.group, entry.link_pattern
                )
            )
    if not sources:
        raise SourcesError(f"{origin}: no usable source ({len(problems)} rejected)")
    return SourcesFile(tuple(sources), tuple(problems))


def load_sources(path: Path | None = None, group: str | None = None) -> SourcesFile:
    """Read a sources file (the packaged one when ``path`` is None), optionally one group only."""
    target = path or packaged_sources_path()
    try:
        text = target.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourcesError(f"cannot read sources file {target}: {exc.strerror or exc}") from exc
    parsed = parse_sources(text, origin=str(target))
    if group is None:
        return parsed
    chosen = tuple(s for s in parsed.sources if s.group == group)
    if not chosen:
        raise SourcesError(f"{target}: no source in group {group!r}")
    return SourcesFile(chosen, parsed.problems)
