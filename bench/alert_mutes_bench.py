"""Mutes: what checking operators' mutes adds to routing new alerts.

Run: ``uv run python bench/alert_mutes_bench.py [--alerts N] [--mutes M]``

Routes N alerts spread over the packaged gazetteer's entities twice in the same run, into two
fresh DuckDB files: without mutes, then with M mutes in force (on the first M entities, half of
them rule-scoped). Prints both times, the ratio, and how many alerts the mutes suppressed (which
must be those about a muted entity and rule).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from flows.alert_mutes import add_mute
from flows.alerts import AlertConfig, route_new
from tasks.alert_rules import (
    RULE_ALLIANCE_NEW_STORY,
    RULE_ENTITY_SPIKE,
    load_alert_rules,
    resolve_channels,
)
from tasks.gazetteer import load_gazetteer
from tasks.models import Alert
from warehouse import loading
from warehouse.database import open_writer


def route_once(n: int, n_mutes: int, entities: list[str]) -> tuple[float, int, int]:
    """Seconds to route ``n`` new alerts with ``n_mutes`` mutes in force, how many were
    suppressed by a mute, and how many should have been."""
    now = datetime.now(UTC)
    rules = load_alert_rules()
    config = AlertConfig(rules, resolve_channels(rules, ["json://127.0.0.1:9/x"], {}), None)
    alerts = [
        Alert(
            f"a{i:06d}",
            RULE_ENTITY_SPIKE if (i // len(entities)) % 2 else RULE_ALLIANCE_NEW_STORY,
            entities[i % len(entities)],
            f"s{i}",
            f"art{i}",
            "t",
            "m",
            now,
        )
        for i in range(n)
    ]
    scope = {e: (RULE_ENTITY_SPIKE if i % 2 else None) for i, e in enumerate(entities[:n_mutes])}
    expected = sum(
        1 for a in alerts if a.entity_id in scope and scope[a.entity_id] in (None, a.rule)
    )
    with tempfile.TemporaryDirectory() as tmp, open_writer(Path(tmp) / "m.duckdb") as con:
        for entity, rule in scope.items():
            add_mute(con, entity, timedelta(days=7), rule=rule, now=now)
        loading.enqueue_alerts(con, alerts)
        start = time.perf_counter()
        route_new(con, config, send_alerts=True, now=now)
        seconds = time.perf_counter() - start
        muted = con.execute("SELECT count(*) FROM alerts WHERE muted_until IS NOT NULL").fetchall()[
            0
        ][0]
    return seconds, int(muted), expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--alerts", type=int, default=2000)
    parser.add_argument("--mutes", type=int, default=50)
    args = parser.parse_args()
    entities = [e.id for e in load_gazetteer()]
    route_once(100, 0, entities)  # warm up: DuckDB, pyarrow
    plain_s = min(route_once(args.alerts, 0, entities)[0] for _ in range(5))
    runs = [route_once(args.alerts, args.mutes, entities) for _ in range(5)]
    muted_s, muted, expected = min(runs)
    table = Table(title=f"routing {args.alerts} alerts over {len(entities)} entities")
    for column in ("mutes in force", "total ms (best of 5)", "ms / alert", "suppressed by a mute"):
        table.add_column(column, justify="right")
    table.add_row("0", f"{1000 * plain_s:.0f}", f"{1000 * plain_s / args.alerts:.3f}", "0")
    table.add_row(
        str(args.mutes),
        f"{1000 * muted_s:.0f}",
        f"{1000 * muted_s / args.alerts:.3f}",
        f"{muted} (expected {expected})",
    )
    console = Console()
    console.print(table)
    console.print(f"with mutes / without: {muted_s / plain_s:.2f}×")


if __name__ == "__main__":
    main()
