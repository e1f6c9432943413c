"""Source health: consecutive failures, staleness, and alerts when a source fails or recovers.

Pure functions over the previous state and this run's outcome, so the rules are table-tested and
the flow only loads and stores the state. A source becomes *unhealthy* after N failed runs in a row
(one ``source_unhealthy`` alert per episode) and *recovers* on its next success (one
``source_recovered`` alert). It is *stale* when the newest item its feed lists is much older than
its usual gap between items (``stale_factor`` × the median gap, at least ``min_stale``).
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

HealthEvent = Literal["source_unhealthy", "source_recovered"]


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """The stored health of one source (a row of ``source_status``)."""

    source_name: str
    consecutive_failures: int = 0
    last_success_at: datetime | None = None
    last_failure_at: datetime | None = None
    last_error: str | None = None
    unhealthy_since: datetime | None = None
    last_new_item_at: datetime | None = None
    newest_item_at: datetime | None = None
    median_gap_s: float | None = None
    stale: bool = False


@dataclass(frozen=True, slots=True)
class HealthRules:
    failures_for_unhealthy: int = 3
    stale_factor: float = 4.0
    min_stale: timedelta = timedelta(hours=24)


def median_gap_s(dates: Sequence[datetime]) -> float | None:
    """Median gap in seconds between consecutive item dates (None with fewer than 3 dates)."""
    ordered = sorted(set(dates))
    if len(ordered) < 3:
        return None
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(ordered)]
    return float(statistics.median(gaps))


def is_stale(
    newest: datetime | None, gap_s: float | None, now: datetime, rules: HealthRules
) -> bool:
    if newest is None:
        return False
    allowed = max(rules.min_stale.total_seconds(), (gap_s or 0.0) * rules.stale_factor)
    return (now - newest).total_seconds() > allowed


def next_status(
    previous: SourceStatus | None,
    source_name: str,
    *,
    ok: bool,
    error: str | None,
    new_items: int,
    item_dates: Sequence[datetime],
    now: datetime,
    rules: HealthRules,
) -> tuple[SourceStatus, HealthEvent | None]:
    """This run's status of a source and the alert event it raises, if any."""
    state = previous or SourceStatus(source_name)
    if not ok:
        failures = state.consecutive_failures + 1
        becomes_unhealthy = (
            failures >= rules.failures_for_unhealthy and state.unhealthy_since is None
        )
        status = replace(
            state,
            consecutive_failures=failures,
            last_failure_at=now,
            last_error=error,
            unhealthy_since=now if becomes_unhealthy else state.unhealthy_since,
        )
        return status, "source_unhealthy" if becomes_unhealthy else None
    newest = max(item_dates, default=None)
    newest = max(newest, state.newest_item_at) if newest and state.newest_item_at else newest
    gap = median_gap_s(item_dates) or state.median_gap_s
    status = replace(
        state,
        consecutive_failures=0,
        last_success_at=now,
        unhealthy_since=None,
        last_new_item_at=now if new_items else state.last_new_item_at,
        newest_item_at=newest or state.newest_item_at,
        median_gap_s=gap,
        stale=is_stale(newest or state.newest_item_at, gap, now, rules),
    )
    return status, "source_recovered" if state.unhealthy_since is not None else None


def health_message(event: HealthEvent, status: SourceStatus, url: str) -> tuple[str, str]:
    """Title and Markdown body of a source health alert."""
    if event == "source_unhealthy":
        return (
            f"Source {status.source_name} is failing",
            f"**{status.source_name}** has failed {status.consecutive_failures} runs in a row.\n\n"
            f"Last error: `{status.last_error or '?'}`\n\nFeed: {url}",
        )
    return (
        f"Source {status.source_name} recovered",
        f"**{status.source_name}** is answering again.\n\nFeed: {url}",
    )
