"""Operators' mutes: ``newsmon alerts mute ENTITY --for 7d``, ``alerts unmute``, ``alerts mutes``.

A mute is a row in ``alert_mutes`` (migration 009), never deleted: unmuting stamps ``lifted_at``
so the table keeps the history. Routing (``flows.alerts.route_new``) reads the mutes in force and
stores every alert it would have sent about a muted entity as ``suppressed`` (``muted until …``,
``muted_until`` set): nothing is lost, ``alerts list`` shows it, the digest lists it marked
"muted", and it is not sent when the mute ends. Alerts already pending when the mute starts
(retries) are not stopped: the mute is about what is planned during it.

Entity ids are checked against the gazetteer, because a typo would otherwise mute nothing and
look as if it worked. Only ``typer`` is imported at module level: ``flows.cli`` registers these
commands at import and ``newsmon --help`` must stay instant.
"""

from __future__ import annotations

import difflib
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    import duckdb

    from tasks.alert_rules import Mute
    from tasks.gazetteer import Gazetteer

mute_app = typer.Typer()
"""Merged into ``newsmon alerts`` by ``flows.cli`` (added without a name)."""


class MuteError(ValueError):
    """A mute that cannot be made: unknown entity or rule."""


def resolve_entity(gazetteer: Gazetteer, text: str) -> str:
    """The gazetteer id for ``text`` (an id, any case); ``MuteError`` naming the closest ids and
    names otherwise."""
    wanted = text.strip()
    if wanted in gazetteer:
        return wanted
    by_key: dict[str, str] = {}
    for entity in gazetteer:
        for key in (entity.id, entity.name_en, entity.name_ko):
            if key:
                by_key.setdefault(key.casefold(), entity.id)
    folded = wanted.casefold()
    if folded in by_key and by_key[folded].casefold() == folded:
        return by_key[folded]
    close = difflib.get_close_matches(folded, list(by_key), n=8, cutoff=0.5)
    ids = list(dict.fromkeys(by_key[c] for c in close))[:5]
    if folded in by_key and by_key[folded] not in ids:
        ids.insert(0, by_key[folded])  # an exact name: its id is the best suggestion
    hint = ", ".join(f"{i} ({gazetteer[i].name_en})" for i in ids) or "none"
    raise MuteError(f"unknown entity {text!r}; close matches: {hint}")


SOURCE_PREFIX = "source:"


def resolve_source(names: list[str], text: str) -> str:
    """``source:NAME`` for a configured source (its ``source_unhealthy`` / ``source_recovered``
    alerts are keyed so); ``MuteError`` naming the closest source names otherwise."""
    wanted = text.strip().removeprefix(SOURCE_PREFIX).strip()
    if wanted in names:
        return SOURCE_PREFIX + wanted
    close = difflib.get_close_matches(wanted, names, n=5, cutoff=0.5)
    hint = ", ".join(SOURCE_PREFIX + n for n in close) or "none"
    raise MuteError(f"unknown source {wanted!r}; close matches: {hint}")


def check_rule(rule: str | None) -> str | None:
    """``rule`` if newsmon knows it (None = every rule); a misspelt rule would mute nothing."""
    from tasks.alert_rules import RULE_NAMES

    if rule is not None and rule not in RULE_NAMES:
        raise MuteError(f"unknown rule {rule!r}; rules: {', '.join(RULE_NAMES)}")
    return rule


def add_mute(
    con: duckdb.DuckDBPyConnection,
    entity_id: str,
    span: timedelta,
    *,
    rule: str | None = None,
    reason: str | None = None,
    now: datetime | None = None,
) -> Mute:
    """Mute ``entity_id`` (for ``rule``, or all rules) from ``now`` for ``span``, replacing the
    active mute of the same scope; the caller has validated the entity and rule."""
    from tasks.alert_rules import Mute
    from warehouse.database import query, rollback

    now = now or datetime.now(UTC)
    mute = Mute(entity_id, rule, now + span, reason or None)
    scope = {"entity_id": entity_id, "rule": rule, "all_rules": False, "now": now}
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(query("alert_mute_lift"), scope).fetchall()
        con.execute(
            query("alert_mute_add"),
            {
                "mute_id": uuid.uuid4().hex,
                "entity_id": entity_id,
                "rule": rule,
                "until": mute.until,
                "reason": mute.reason,
                "now": now,
            },
        ).fetchall()
        con.execute("COMMIT")
    except Exception:
        rollback(con)
        raise
    return mute


def lift_mutes(
    con: duckdb.DuckDBPyConnection,
    entity_id: str,
    *,
    rule: str | None = None,
    now: datetime | None = None,
) -> list[Mute]:
    """Lift the active mutes on ``entity_id`` (only the one for ``rule`` when given); returns
    them. Alerts suppressed while they were in force stay suppressed."""
    from tasks.alert_rules import Mute
    from warehouse.database import query

    params = {
        "entity_id": entity_id,
        "rule": rule,
        "all_rules": rule is None,
        "now": now or datetime.now(UTC),
    }
    rows = con.execute(query("alert_mute_lift"), params).fetchall()
    return [Mute(r[1], r[2], r[3], r[4]) for r in rows]


def _source_names() -> list[str]:
    from flows.settings import Settings
    from tasks.sources import load_sources

    return [source.name for source in load_sources(Settings().sources).sources]


def _resolve(text: str) -> tuple[str, str]:
    """The mute key and a display name for a gazetteer entity or a ``source:NAME``."""
    if text.strip().startswith(SOURCE_PREFIX):
        key = resolve_source(_source_names(), text)
        return key, key.removeprefix(SOURCE_PREFIX)
    gazetteer = _gazetteer()
    entity_id = resolve_entity(gazetteer, text)
    return entity_id, gazetteer[entity_id].name_en


def _gazetteer() -> Gazetteer:
    from flows.settings import Settings
    from tasks.gazetteer import load_gazetteer

    return load_gazetteer(Settings().entities)


def _settings_db(db: Path | None) -> Path:
    from flows.settings import Settings

    return db or Settings().db


def _mute_table(title: str, rows: list[tuple[str, str, Mute, datetime | None]]) -> None:
    """Print mutes as a rich table: entity, name, rule, until (KST), time left, reason, since."""
    from rich.table import Table

    from flows.console import console
    from tasks.alert_rules import KST

    now = datetime.now(UTC)
    table = Table(header_style="bold", title=title)
    for column in ("entity", "name", "rule", "until (KST)", "left", "reason", "since (KST)"):
        table.add_column(column, justify="right" if column == "left" else "left")
    for entity_id, name, mute, since in rows:
        left = max(mute.until - now, timedelta(0))
        days, seconds = left.days, left.seconds
        left_text = (
            f"{days}d {seconds // 3600}h" if days else f"{seconds // 3600}h {seconds // 60 % 60}m"
        )
        table.add_row(
            entity_id,
            name,
            mute.rule or "all rules",
            mute.until.astimezone(KST).strftime("%Y-%m-%d %H:%M"),
            left_text,
            mute.reason or "",
            since.astimezone(KST).strftime("%m-%d %H:%M") if since else "",
        )
    console.print(table)


DbOption = Annotated[Path | None, typer.Option(help="DuckDB file (default: NEWSMON_DB)")]
RuleOption = Annotated[
    str | None,
    typer.Option(help="only this rule (e.g. entity_spike); default: every rule"),
]


@mute_app.command("mute")
def mute_command(
    entity: Annotated[
        str, typer.Argument(help="gazetteer entity id (gtaa, kt) or a source as source:NAME")
    ],
    for_: Annotated[str, typer.Option("--for", help="how long: 30m, 12h, 7d, 2w")] = "7d",
    rule: RuleOption = None,
    reason: Annotated[str | None, typer.Option(help="why, shown in `alerts mutes`")] = None,
    db: DbOption = None,
) -> None:
    """Stop alerts about an entity for a while (e.g. 7d), for one rule or all.

    Alerts planned meanwhile are kept as [italic]suppressed[/italic] ("muted until …"), listed
    in the digest, and never sent, not even when the mute ends. A source's health alerts are
    muted as [bold]source:NAME[/bold] (a name from the sources file).

    Example: [bold]newsmon alerts mute kt --for 7d --rule entity_spike --reason "MWC week"[/bold]
    """
    from flows.cli import EXIT_DB_BUSY, _fail
    from tasks.alert_rules import parse_duration
    from tasks.gazetteer import GazetteerError
    from tasks.sources import SourcesError
    from warehouse.database import DatabaseBusy, DatabaseError, open_writer

    try:
        span = parse_duration(for_)
        entity_id, name = _resolve(entity)
        check_rule(rule)
    except (ValueError, GazetteerError, SourcesError) as exc:  # MuteError is a ValueError
        raise _fail(str(exc)) from None
    now = datetime.now(UTC)
    try:
        with open_writer(_settings_db(db)) as con:
            mute = add_mute(con, entity_id, span, rule=rule, reason=reason, now=now)
    except DatabaseBusy as exc:
        raise _fail(str(exc), EXIT_DB_BUSY) from None
    except DatabaseError as exc:
        raise _fail(str(exc)) from None
    _mute_table("muted", [(entity_id, name, mute, now)])


@mute_app.command("unmute")
def unmute_command(
    entity: Annotated[str, typer.Argument(help="the muted entity id, or source:NAME")],
    rule: Annotated[
        str | None,
        typer.Option(help="lift only the mute of this rule; default: every mute of the entity"),
    ] = None,
    db: DbOption = None,
) -> None:
    """Lift an entity's mutes now; its next alerts are sent as usual.

    Alerts suppressed during the mute stay suppressed (they are old news).

    Example: [bold]newsmon alerts unmute o_ran_alliance[/bold]
    """
    from flows.cli import EXIT_DB_BUSY, _fail
    from flows.console import console
    from tasks.sources import SourcesError
    from warehouse.database import DatabaseBusy, DatabaseError, open_writer

    try:
        check_rule(rule)
        with open_writer(_settings_db(db)) as con:
            lifted = lift_mutes(con, entity.strip(), rule=rule)
    except MuteError as exc:
        raise _fail(str(exc)) from None
    except DatabaseBusy as exc:
        raise _fail(str(exc), EXIT_DB_BUSY) from None
    except DatabaseError as exc:
        raise _fail(str(exc)) from None
    if not lifted:
        try:
            _resolve(entity)
        except (MuteError, SourcesError) as exc:
            raise _fail(str(exc)) from None
        scope = f" for rule {rule}" if rule else ""
        console.print(f"no active mute on {entity}{scope}; nothing to lift", highlight=False)
        return
    _mute_table("lifted", [(m.entity_id, m.entity_id, m, None) for m in lifted])


@mute_app.command("mutes")
def mutes_command(db: DbOption = None) -> None:
    """The mutes in force: entity, rule, until when (KST), time left and reason.

    Example: [bold]newsmon alerts mutes --db data/demo.duckdb[/bold]
    """
    from flows.cli import EXIT_DB_BUSY, _fail
    from flows.console import console
    from tasks.alert_rules import Mute
    from warehouse.database import DatabaseBusy, DatabaseError, open_reader, query

    try:
        with open_reader(_settings_db(db)) as con:
            exists = con.execute(query("view_exists"), {"name": "alert_mutes"}).fetchall()
            now = datetime.now(UTC)
            rows = (
                con.execute(query("alert_mutes_active"), {"now": now}).fetchall() if exists else []
            )
    except DatabaseBusy as exc:
        raise _fail(str(exc), EXIT_DB_BUSY) from None
    except DatabaseError as exc:
        raise _fail(str(exc)) from None
    if not rows:
        console.print("no alert mutes in force")
        return
    _mute_table(
        "alert mutes in force",
        [
            (r[0], str(r[5]).removeprefix(SOURCE_PREFIX), Mute(r[0], r[1], r[2], r[3]), r[4])
            for r in rows
        ],
    )
