"""The gazetteer: the entities newsmon tags, their names, aliases, matching rules and members.

The data lives in ``tasks/gazetteer.toml`` (shipped in the package, read through
``importlib.resources`` so it works from an installed wheel). Ambiguity rules are data, not code:
each alias may carry ``case_sensitive``, ``exclude`` regexes, ``requires_context`` terms and
``avoid_context`` terms; the header of the TOML file documents their semantics, and
``tasks.tagging`` applies them.

A user file given to ``load_gazetteer(path)`` **replaces** the packaged one, unless it says
``extends = "packaged"`` at the top: then its entities are laid over the packaged ones (an entity
with the same id replaces the packaged entity as a whole, new ids are added), its ``[context]``
lists replace packaged lists of the same name, its ``[korean]`` table replaces the packaged one and
its collectives are added. Either way the result is validated as one gazetteer, and every problem
is reported at once, naming the entity and the field (``GazetteerError``).
"""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

EntityKind = Literal["company", "alliance", "standards_body", "organization", "topic"]
ENTITY_KINDS: tuple[EntityKind, ...] = (
    "company",
    "alliance",
    "standards_body",
    "organization",
    "topic",
)
EntityRow = tuple[str, str, str, str | None, str | None, str, str]

PACKAGED = "gazetteer.toml"
_ID_PATTERN = r"^[a-z][a-z0-9_]*$"
_PARTIAL_DATE = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"
_ACRONYM = re.compile(r"^(?=.*[A-Z])[A-Z0-9&+\-]{2,5}$")
_MEMBER_KINDS = frozenset({"alliance", "standards_body", "organization"})
_ROOT_KEYS = frozenset({"version", "extends", "korean", "context", "entity", "collective"})


class GazetteerError(ValueError):
    """A gazetteer file that cannot be used; ``problems`` lists every reason, one per entry."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"invalid gazetteer {source}:\n{lines}")


def _has_hangul(text: str) -> bool:
    return any("\uac00" <= c <= "\ud7a3" for c in text)


def _fold(text: str) -> str:
    """Compare aliases the way the tagger will see them: NFKC, case-folded, one space."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Alias(_Frozen):
    """One surface form of an entity and the rules that decide whether an occurrence counts.

    A plain TOML string is shorthand for ``{ text = "..." }``.
    """

    text: str = Field(min_length=1)
    case_sensitive: bool | None = None
    exclude: tuple[str, ...] = ()
    requires_context: tuple[str, ...] | None = None
    avoid_context: tuple[str, ...] = ()
    user_word: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, data: Any) -> Any:
        return {"text": data} if isinstance(data, str) else data

    @field_validator("text")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("alias text is blank")
        return value

    @field_validator("exclude")
    @classmethod
    def _compile(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            try:
                re.compile(pattern, re.IGNORECASE)
            except re.error as exc:
                raise ValueError(f"bad regex {pattern!r}: {exc}") from None
        return patterns

    @field_validator("requires_context", "avoid_context")
    @classmethod
    def _no_blank_terms(cls, terms: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if terms is not None and any(not t.strip() for t in terms):
            raise ValueError("blank context term")
        return terms

    @property
    def is_case_sensitive(self) -> bool:
        """Explicit setting, else true for all-caps acronyms of at most 5 characters (KT, DT)."""
        if self.case_sensitive is not None:
            return self.case_sensitive
        return bool(_ACRONYM.match(self.text))

    @property
    def is_user_word(self) -> bool:
        """Whether Kiwi gets this alias as a proper noun (short or ambiguous ones mislead it)."""
        if self.user_word is not None:
            return self.user_word and _has_hangul(self.text)
        return _has_hangul(self.text) and len(self.text) >= 3 and self.requires_context is None


class Member(_Frozen):
    """An alliance member; ``joined`` is YYYY, YYYY-MM or YYYY-MM-DD when known."""

    id: str = Field(pattern=_ID_PATTERN)
    joined: str | None = Field(default=None, pattern=_PARTIAL_DATE)
    role: str | None = None
    note: str | None = None

    @property
    def joined_from(self) -> date | None:
        """The first day of the ``joined`` period (a partial date is read as its start)."""
        if self.joined is None:
            return None
        parts = [int(p) for p in self.joined.split("-")] + [1, 1]
        return date(parts[0], parts[1], parts[2])


class Entity(_Frozen):
    """A company, alliance, standards body, organisation or topic that the tagger looks for."""

    id: str = Field(pattern=_ID_PATTERN)
    kind: EntityKind
    name_en: str = Field(min_length=1)
    name_ko: str | None = None
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    aliases_en: tuple[Alias, ...] = ()
    aliases_ko: tuple[Alias, ...] = ()
    tickers: tuple[str, ...] = ()
    parent: str | None = Field(default=None, pattern=_ID_PATTERN)
    members: tuple[Member, ...] = ()
    founded: str | None = Field(default=None, pattern=_PARTIAL_DATE)
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if not self.aliases_en and not self.aliases_ko:
            raise ValueError("aliases_en/aliases_ko: no aliases, the entity could never be found")
        if self.members and self.kind not in _MEMBER_KINDS:
            raise ValueError(f"members: given for kind {self.kind!r}")
        folded: set[str] = set()
        exact: set[str] = set()
        for alias in self.aliases:
            fold = _fold(alias.text)
            if alias.is_case_sensitive:
                key = unicodedata.normalize("NFKC", alias.text)
                clash = key in exact or fold in folded
                exact.add(key)
            else:
                clash = fold in folded or fold in {_fold(x) for x in exact}
                folded.add(fold)
            if clash:
                raise ValueError(f"aliases: duplicate alias {alias.text!r}")
        ids = [m.id for m in self.members]
        dups = sorted({i for i in ids if ids.count(i) > 1})
        if dups:
            raise ValueError(f"members: duplicate member ids {dups}")
        if self.parent == self.id:
            raise ValueError("parent: an entity cannot be its own parent")
        return self

    @property
    def aliases(self) -> tuple[Alias, ...]:
        return self.aliases_en + self.aliases_ko


class Collective(_Frozen):
    """A term that stands for several companies at once (통신 3사 = SKT, KT, LG U+)."""

    aliases: tuple[Alias, ...] = Field(min_length=1)
    members: tuple[str, ...] = Field(min_length=2)


class KoreanRules(_Frozen):
    """Particles that may follow a Korean name without a morphological check."""

    particles: tuple[str, ...] = Field(min_length=1)
    max_particles: int = Field(default=3, ge=1, le=5)

    @field_validator("particles")
    @classmethod
    def _hangul_only(cls, particles: tuple[str, ...]) -> tuple[str, ...]:
        bad = [p for p in particles if not p or not all("\uac00" <= c <= "\ud7a3" for c in p)]
        if bad:
            raise ValueError(f"particles must be Hangul syllables: {bad}")
        return particles


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _describe(exc: ValidationError) -> list[str]:
    """Pydantic errors as ``field: message`` (model-level messages already start with a field)."""
    out = []
    for err in exc.errors():
        msg = str(err["msg"]).removeprefix("Value error, ")
        loc = tuple(err["loc"])
        out.append(f"field {_loc(loc)}: {msg}" if loc else f"field {msg}")
    return out


class Gazetteer:
    """A validated gazetteer: entities by id, collectives, context lists and Korean rules.

    Instances are read-only by convention and cheap to share between threads; build one per
    process with ``load_gazetteer`` and hand it to ``tasks.tagging.Tagger``.
    """

    def __init__(
        self,
        entities: Sequence[Entity],
        collectives: Sequence[Collective],
        contexts: dict[str, tuple[str, ...]],
        korean: KoreanRules,
        *,
        source: str = "<memory>",
        version: int = 1,
    ) -> None:
        self.entities: tuple[Entity, ...] = tuple(entities)
        self.collectives: tuple[Collective, ...] = tuple(collectives)
        self.contexts: dict[str, tuple[str, ...]] = dict(contexts)
        self.korean = korean
        self.source = source
        self.version = version
        self._by_id = {e.id: e for e in self.entities}

    def __repr__(self) -> str:
        return f"Gazetteer({len(self.entities)} entities from {self.source})"

    def __len__(self) -> int:
        return len(self.entities)

    def __iter__(self) -> Iterator[Entity]:
        return iter(self.entities)

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self._by_id

    def __getitem__(self, entity_id: str) -> Entity:
        return self._by_id[entity_id]

    def get(self, entity_id: str) -> Entity | None:
        """The entity with this id, or None."""
        return self._by_id.get(entity_id)

    def alliance_members(self, alliance_id: str, as_of: date | None = None) -> set[str]:
        """Member ids of an alliance (or any entity with members); KeyError for an unknown id.

        With ``as_of``, members known to have joined later are left out; members without a
        ``joined`` date are kept, because they are members, only since an unknown date.
        """
        entity = self._by_id[alliance_id]
        return {
            m.id
            for m in entity.members
            if as_of is None or m.joined_from is None or m.joined_from <= as_of
        }

    def context_terms(self, alias: Alias) -> tuple[str, ...] | None:
        """The alias's ``requires_context`` with ``@name`` references expanded."""
        if alias.requires_context is None:
            return None
        return self.expand_terms(alias.requires_context)

    def expand_terms(self, terms: Sequence[str]) -> tuple[str, ...]:
        out: list[str] = []
        for term in terms:
            out.extend(self.contexts[term[1:]] if term.startswith("@") else (term,))
        return tuple(dict.fromkeys(out))

    def counts_by_kind(self) -> dict[str, int]:
        return {k: sum(1 for e in self.entities if e.kind == k) for k in ENTITY_KINDS}

    def entity_rows(self) -> list[EntityRow]:
        """Rows for the DuckDB ``entities`` table.

        ``(entity_id, kind, name_en, name_ko, country, aliases_json, members_json)``:
        ``aliases_json`` is ``{"en": [...], "ko": [...]}`` (alias texts), ``members_json`` a list of
        ``{"id", "joined", "role"}`` objects (``[]`` for entities without members).
        """
        rows: list[EntityRow] = []
        for e in self.entities:
            aliases = {"en": [a.text for a in e.aliases_en], "ko": [a.text for a in e.aliases_ko]}
            members = [m.model_dump(exclude_none=True, exclude={"note"}) for m in e.members]
            rows.append(
                (
                    e.id,
                    e.kind,
                    e.name_en,
                    e.name_ko,
                    e.country,
                    json.dumps(aliases, ensure_ascii=False),
                    json.dumps(members, ensure_ascii=False),
                )
            )
        return rows


def _read_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GazetteerError(source, [f"not valid TOML: {exc}"]) from None


def _packaged_text() -> str:
    return resources.files("tasks").joinpath(PACKAGED).read_text(encoding="utf-8")


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Lay a user file over the packaged data (see the module docstring for the rules)."""
    merged = dict(base)
    entities: dict[str, Any] = {}
    repeated: list[Any] = []  # an id twice in the user file: kept, so validation reports it
    own: set[str] = set()
    for from_user, raws in ((False, base.get("entity", [])), (True, over.get("entity", []))):
        for raw in raws:
            key = raw.get("id") if isinstance(raw, dict) else None
            name = str(key) if key is not None else f"#{len(entities) + len(repeated)}"
            if from_user and name in own:
                repeated.append(raw)
                continue
            own.update([name] if from_user else [])
            entities[name] = raw
    merged["entity"] = [*entities.values(), *repeated]
    merged["context"] = {**base.get("context", {}), **over.get("context", {})}
    merged["collective"] = [*base.get("collective", []), *over.get("collective", [])]
    if "korean" in over:
        merged["korean"] = over["korean"]
    if "version" in over:
        merged["version"] = over["version"]
    return merged


def _entity_label(raw: Any, index: int) -> str:
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        return f"entity {raw['id']!r}"
    return f"entity #{index}"


def build_gazetteer(data: dict[str, Any], source: str = "<memory>") -> Gazetteer:
    """Validate parsed TOML data into a Gazetteer, collecting every problem before raising."""
    problems: list[str] = []
    unknown_keys = sorted(set(data) - _ROOT_KEYS)
    if unknown_keys:
        problems.append(f"unknown top-level keys {unknown_keys}")
    version = data.get("version", 1)
    if version != 1:
        problems.append(f"version: unsupported gazetteer version {version!r} (expected 1)")

    korean: KoreanRules | None = None
    try:
        korean = KoreanRules.model_validate(data.get("korean", {}))
    except ValidationError as exc:
        problems.extend(f"[korean] {d}" for d in _describe(exc))

    contexts: dict[str, tuple[str, ...]] = {}
    raw_contexts = data.get("context", {})
    if not isinstance(raw_contexts, dict):
        problems.append("[context] must be a table of term lists")
        raw_contexts = {}
    for name, terms in raw_contexts.items():
        if not isinstance(terms, list) or not all(isinstance(t, str) and t.strip() for t in terms):
            problems.append(f"[context] {name}: must be a list of non-blank strings")
            continue
        if any(t.startswith("@") for t in terms):
            problems.append(f"[context] {name}: context lists cannot refer to other lists")
            continue
        contexts[name] = tuple(terms)

    entities: list[Entity] = []
    raw_entities = data.get("entity", [])
    if not isinstance(raw_entities, list) or not raw_entities:
        problems.append("no [[entity]] tables")
        raw_entities = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_entities):
        label = _entity_label(raw, index)
        try:
            entity = Entity.model_validate(raw)
        except ValidationError as exc:
            problems.extend(f"{label} {d}" for d in _describe(exc))
            continue
        if entity.id in seen:
            problems.append(f"{label} field id: duplicate id (first at entity #{seen[entity.id]})")
            continue
        seen[entity.id] = index
        entities.append(entity)

    collectives: list[Collective] = []
    for index, raw in enumerate(data.get("collective", [])):
        try:
            collectives.append(Collective.model_validate(raw))
        except ValidationError as exc:
            problems.extend(f"collective #{index} {d}" for d in _describe(exc))

    ids = set(seen)

    def check_aliases(label: str, field: str, aliases: Sequence[Alias]) -> None:
        for i, alias in enumerate(aliases):
            for attr in ("requires_context", "avoid_context"):
                for term in getattr(alias, attr) or ():
                    if term.startswith("@") and term[1:] not in contexts:
                        problems.append(
                            f"{label} field {field}[{i}].{attr}: unknown context list {term!r}"
                        )

    for entity in entities:
        label = f"entity {entity.id!r}"
        if entity.parent is not None and entity.parent not in ids:
            problems.append(f"{label} field parent: unknown entity id {entity.parent!r}")
        for i, member in enumerate(entity.members):
            if member.id not in ids:
                problems.append(f"{label} field members[{i}].id: unknown entity id {member.id!r}")
            elif member.id == entity.id:
                problems.append(f"{label} field members[{i}].id: an entity cannot join itself")
        check_aliases(label, "aliases_en", entity.aliases_en)
        check_aliases(label, "aliases_ko", entity.aliases_ko)
    for index, collective in enumerate(collectives):
        for member_id in collective.members:
            if member_id not in ids:
                problems.append(
                    f"collective #{index} field members: unknown entity id {member_id!r}"
                )
        check_aliases(f"collective #{index}", "aliases", collective.aliases)

    parents = {e.id: e.parent for e in entities}
    for entity in entities:
        chain, node = [entity.id], parents.get(entity.id)
        while node is not None and node in parents and node not in chain:
            chain.append(node)
            node = parents[node]
        if node == entity.id:
            problems.append(f"entity {entity.id!r} field parent: cycle {' -> '.join(chain)}")

    if problems or korean is None:
        raise GazetteerError(source, problems)
    return Gazetteer(entities, collectives, contexts, korean, source=source, version=version)


@dataclass(frozen=True)
class GazetteerFile:
    """A user gazetteer as its file name and TOML text.

    This, not a path, is what goes to the processes that tag (Dask workers, possibly on other
    machines): they need not see the writer's disk, and a file edited mid-run cannot make two
    workers tag with different gazetteers."""

    source: str
    text: str

    @classmethod
    def read(cls, path: Path) -> GazetteerFile:
        return cls(str(path), Path(path).read_text(encoding="utf-8"))


def load_gazetteer(path: Path | GazetteerFile | None = None) -> Gazetteer:
    """Load and validate a gazetteer: the packaged one, or a user file that replaces or extends it.

    Raises ``GazetteerError`` listing every problem (entity id and field in each line) and
    ``FileNotFoundError`` for a missing path.
    """
    if path is None:
        return build_gazetteer(_read_toml(_packaged_text(), PACKAGED), f"<packaged {PACKAGED}>")
    file = path if isinstance(path, GazetteerFile) else GazetteerFile.read(path)
    source = file.source
    data = _read_toml(file.text, source)
    extends = data.pop("extends", None)
    if extends is not None:
        if extends != "packaged":
            raise GazetteerError(source, [f'extends: must be "packaged", not {extends!r}'])
        data = _merge(_read_toml(_packaged_text(), PACKAGED), data)
    return build_gazetteer(data, source)
