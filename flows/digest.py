"""The digest: one message per channel with the period's stories by alliance, and the alerts that
quiet hours held back.

``run_digest`` is plain (the CLI calls it without starting Prefect); ``digest_flow`` is the
same as a Prefect flow for a deployment (e.g. 07:00 KST, after the night's quiet hours). A held
alert counts as delivered to a channel once that channel accepted a digest that listed it; a
digest that fails leaves its held alerts held, for the next digest.

A digest takes the database's run lock (``warehouse.database.run_lock``) for its whole length, so a
digest and a monitor run (or an operator's resend) never deliver or mark the same alerts at once.
Alerts that a mute suppressed are listed, marked as muted (a mute stops the interruptions, not
the record), unless ``hide_muted``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from prefect import flow
from prefect.client.schemas.objects import State
from prefect.states import Failed

from flows.alerts import ChannelDigest, load_alert_config, send_digests
from flows.hooks import notify_failure
from flows.settings import Settings
from tasks.alert_rules import AlertRulesError, parse_duration
from warehouse.database import DatabaseBusy, DatabaseError, run_lock

parse_since = parse_duration
"""``--since``: ``30m``, ``24h``, ``2d``, ``1w`` as a time span; ValueError otherwise."""


@dataclass(frozen=True, slots=True)
class DigestReport:
    since: datetime
    digests: list[ChannelDigest]

    @property
    def sent(self) -> int:
        return sum(1 for d in self.digests if d.sent)

    @property
    def failed(self) -> list[ChannelDigest]:
        return [d for d in self.digests if not d.sent]


async def run_digest(
    settings: Settings, span: timedelta, send: bool = True, *, hide_muted: bool = False
) -> DigestReport:
    """Build (and, with ``send``, deliver) one digest per channel for the last ``span``, holding
    the run lock; ``DatabaseBusy`` when a run keeps it longer than ``run_lock_wait_s``."""
    config = load_alert_config(settings)
    owner = "digest " + datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    with run_lock(settings.db, owner, settings.run_lock_wait_s):
        since = datetime.now(UTC) - span
        digests = await send_digests(settings, config, since, send=send, hide_muted=hide_muted)
    return DigestReport(since, digests)


@flow(
    name="newsmon-digest",
    log_prints=False,
    on_failure=[notify_failure],
    on_crashed=[notify_failure],
)
async def digest_flow(
    since: str = "24h", db: str | None = None, hide_muted: bool = False
) -> DigestReport | State:
    """Scheduled digest: settings from the environment, the database overridable per deployment."""
    overrides: dict[str, object] = {"db": Path(db)} if db else {}
    settings = Settings(**overrides)  # type: ignore[arg-type]
    try:
        report = await run_digest(settings, parse_since(since), hide_muted=hide_muted)
    except (ValueError, AlertRulesError, DatabaseBusy, DatabaseError) as exc:
        return Failed(message=str(exc))
    if report.failed and any(d.error for d in report.failed):
        errors = "; ".join(f"{d.channel}: {d.error}" for d in report.failed)
        return Failed(message=f"digest not delivered to every channel: {errors}", data=report)
    return report
