"""``newsmon sources check``: validate the sources file and probe every source, without a database.

Verdicts: ``ok``; ``stale`` (the newest item is much older than the feed's usual gap, see
tasks.health); ``empty`` (readable, no items); ``blocked`` (robots.txt, 401/403/429: the site is up
but refuses us); ``dead`` (DNS, connection, timeout, TLS, 404/410, 5xx, unreadable document).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from flows.progress import current_reporter
from flows.settings import Settings
from tasks.discovery import Discovery, discover
from tasks.fetching import Fetcher
from tasks.health import HealthRules, is_stale, median_gap_s
from tasks.models import Source

_BLOCKED_STATUSES = {401, 403, 429, 451}


@dataclass(frozen=True, slots=True)
class SourceCheck:
    """One probed source as the table shows it."""

    source: Source
    kind: str | None
    items: int
    newest: datetime | None
    http_status: int | None
    latency_ms: int
    verdict: str
    reason: str | None


def verdict_of(found: Discovery, now: datetime, rules: HealthRules) -> str:
    """The verdict for one discovery (see the module docstring)."""
    fetch = found.fetch
    if not found.ok:
        blocked = fetch.error == "robots" or fetch.http_status in _BLOCKED_STATUSES
        return "blocked" if blocked else "dead"
    if not found.items:
        return "empty"
    dates = [i.published_at for i in found.items if i.published_at is not None]
    if is_stale(max(dates, default=None), median_gap_s(dates), now, rules):
        return "stale"
    return "ok"


async def check_sources(sources: Sequence[Source], settings: Settings) -> list[SourceCheck]:
    """Probe every source concurrently with the run's fetch policy."""
    reporter = current_reporter.get()
    policy = replace(settings.fetch_policy(), retries=0)  # a probe reports, it does not insist
    now = datetime.now(UTC)
    rules = HealthRules(failures_for_unhealthy=settings.unhealthy_after_failures)
    results: list[SourceCheck] = []
    reporter.phase("probe", len(sources))
    async with Fetcher(policy) as fetcher:
        for pending in asyncio.as_completed(
            [discover(fetcher, s, settings.max_items_per_source) for s in sources]
        ):
            found = await pending
            dates = [i.published_at for i in found.items if i.published_at is not None]
            results.append(
                SourceCheck(
                    source=found.source,
                    kind=found.kind,
                    items=len(found.items),
                    newest=max(dates, default=None),
                    http_status=found.fetch.http_status,
                    latency_ms=found.fetch.elapsed_ms,
                    verdict=verdict_of(found, now, rules),
                    reason=found.error or found.warning,
                )
            )
            reporter.advance()
    order = {s.name: i for i, s in enumerate(sources)}
    return sorted(results, key=lambda r: order[r.source.name])
