"""The digest: one message per channel with the period's stories by alliance, and the alerts that
quiet hours held back.

``run_digest`` is plain (the CLI calls it without starting Prefect); ``digest_flow`` is the
same as a Prefect flow for a deployment (e.g. 07:00 KST, after the night's quiet hours). A held
alert counts as delivered to a channel once that channel accepted a digest that listed it; a
digest that fails leaves its held alerts held, for the next digest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from prefect import flow
from prefect.client.schemas.objects import State
from prefect.states import Failed

from flows.alerts import ChannelDigest, load_alert_config, send_digests
from flows.settings import Settings
from tasks.alert_rules import AlertRulesError
from warehouse.database import DatabaseBusy, DatabaseError

_SPAN_RE = re.compile(r"^\s*(\d+)\s*([hdw])\s*$")
_UNIT = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def parse_since(text: str) -> timedelta:
    """``24h``, ``2d``, ``1w`` as a time span; ValueError otherwise."""
    match = _SPAN_RE.match(text)
    if match is None or int(match.group(1)) == 0:
        raise ValueError(f"want a span such as 24h, 2d or 1w, not {text!r}")
    return int(match.group(1)) * _UNIT[match.group(2)]


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


async def run_digest(settings: Settings, span: timedelta, send: bool = True) -> DigestReport:
    """Build (and, with ``send``, deliver) one digest per channel for the last ``span``."""
    since = datetime.now(UTC) - span
    config = load_alert_config(settings)
    return DigestReport(since, await send_digests(settings, config, since, send=send))


@flow(name="newsmon-digest", log_prints=False)
async def digest_flow(since: str = "24h", db: str | None = None) -> DigestReport | State:
    """Scheduled digest: settings from the environment, the database overridable per deployment."""
    overrides: dict[str, object] = {"db": Path(db)} if db else {}
    settings = Settings(**overrides)  # type: ignore[arg-type]
    try:
        report = await run_digest(settings, parse_since(since))
    except (ValueError, AlertRulesError, DatabaseBusy, DatabaseError) as exc:
        return Failed(message=str(exc))
    if report.failed and any(d.error for d in report.failed):
        errors = "; ".join(f"{d.channel}: {d.error}" for d in report.failed)
        return Failed(message=f"digest not delivered to every channel: {errors}", data=report)
    return report
