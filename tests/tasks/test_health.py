from datetime import UTC, datetime, timedelta

import pytest

from tasks.health import HealthRules, SourceStatus, is_stale, median_gap_s, next_status

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
RULES = HealthRules(failures_for_unhealthy=3)


def _run(prev: SourceStatus | None, ok: bool, **kw: object) -> tuple[SourceStatus, str | None]:
    return next_status(
        prev,
        "s",
        ok=ok,
        error=None if ok else "http_5xx: HTTP 500",
        new_items=int(kw.get("new_items", 0)),  # type: ignore[call-overload]
        item_dates=kw.get("dates", []),  # type: ignore[arg-type]
        now=NOW,
        rules=RULES,
    )


def test_unhealthy_once_per_episode_then_recovered_once() -> None:
    state: SourceStatus | None = None
    events = []
    for ok in (False, False, False, False, False, True, True, False):
        state, event = _run(state, ok)
        events.append(event)
    assert events == [
        None,
        None,
        "source_unhealthy",
        None,
        None,
        "source_recovered",
        None,
        None,
    ]
    assert state is not None and state.consecutive_failures == 1


def test_success_resets_failures_and_records_new_items() -> None:
    state, _ = _run(SourceStatus("s", consecutive_failures=2), True, new_items=3)
    assert state.consecutive_failures == 0 and state.last_new_item_at == NOW


@pytest.mark.parametrize(
    ("hours_ago", "gap_h", "stale"),
    [(1, 1, False), (30, 1, True), (30, 10, False), (50, 10, True), (20, None, False)],
)
def test_staleness(hours_ago: float, gap_h: float | None, stale: bool) -> None:
    newest = NOW - timedelta(hours=hours_ago)
    gap = gap_h * 3600 if gap_h else None
    assert is_stale(newest, gap, NOW, RULES) is stale


def test_median_gap_and_stale_from_feed_dates() -> None:
    dates = [NOW - timedelta(hours=h) for h in (40, 41, 42, 43)]
    assert median_gap_s(dates) == 3600
    state, _ = _run(None, True, dates=dates)
    assert state.stale and state.newest_item_at == dates[0]
    assert median_gap_s(dates[:2]) is None
