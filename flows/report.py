"""``newsmon report``: one self-contained HTML page of charts over the warehouse views.

Plotly draws the charts; its JavaScript bundle ships inside the Python package and is inlined once
into the page, so the file opens offline (no CDN, no server) and can be mailed as an attachment.
Charts: weekly stories per alliance (``entity_weekly``), top rising entities (``entity_rising``),
entity pairs mentioned together (``co_mentions`` when that view exists, else same-story pairs from
``story_entities``), and source health (``source_health``).
"""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import plotly.graph_objects as go
import plotly.io as pio
from prefect import flow

from flows.hooks import notify_failure
from warehouse.database import open_reader, query

KST = ZoneInfo("Asia/Seoul")
PAIR_ENTITIES = 15


@dataclass
class ReportData:
    """Everything the page shows, read in one short read-only session."""

    db: str
    weeks: int
    generated_at: datetime
    totals: tuple[Any, ...] = ()
    week_list: list[date] = field(default_factory=list)
    alliance_weekly: list[tuple[date, str, int]] = field(default_factory=list)
    rising: list[tuple[str, str | None, int, float, float, float]] = field(default_factory=list)
    pairs: list[tuple[str, str, int]] = field(default_factory=list)
    pairs_source: str = "story_entities"
    health: list[tuple[str, float, float | None, int, bool, str | None]] = field(
        default_factory=list
    )


def _co_mention_pairs(
    con: duckdb.DuckDBPyConnection, since: date | None
) -> list[tuple[str, str, int]] | None:
    """Pairs from the ``co_mentions`` view (owned by the tagging work) if it exists and has two
    entity columns and a count, summed over the report's weeks when it has ``week_kst``; None
    otherwise, so the caller falls back to same-story pairs."""
    columns = [r[0] for r in con.execute(query("view_exists"), {"name": "co_mentions"}).fetchall()]
    entity_cols = [c for c in columns if "entity" in c.lower()][:2]
    counts = [c for c in columns if c.lower().startswith("n_")]
    count_col = next((c for c in counts if "stor" in c.lower()), counts[0] if counts else None)
    if len(entity_cols) < 2 or count_col is None:
        return None
    relation = con.table("co_mentions")
    if since is not None and "week_kst" in columns:
        relation = relation.filter(
            duckdb.ColumnExpression("week_kst") >= duckdb.ConstantExpression(since)
        )
    a, b = (duckdb.ColumnExpression(c) for c in entity_cols)
    total = duckdb.FunctionExpression("sum", duckdb.ColumnExpression(count_col))
    rows = (
        relation.aggregate([a, b, total.alias("n")])
        .order("n DESC")
        .limit(PAIR_ENTITIES * PAIR_ENTITIES)
        .fetchall()
    )
    names = {r[0]: r[1] for r in con.execute(query("entity_names")).fetchall()}
    return [(names.get(x, str(x)), names.get(y, str(y)), int(n or 0)) for x, y, n in rows]


def collect(con: duckdb.DuckDBPyConnection, db: str, weeks: int) -> ReportData:
    """Read the report's data from the views (read-only connection)."""
    data = ReportData(db=db, weeks=weeks, generated_at=datetime.now(UTC))
    data.totals = tuple(con.execute(query("summary")).fetchall()[0])
    data.week_list = [r[0] for r in con.execute(query("trends_weeks"), {"weeks": weeks}).fetchall()]
    data.alliance_weekly = [
        (r[0], r[1], int(r[2]))
        for r in con.execute(query("report_alliance_weekly"), {"weeks": weeks}).fetchall()
    ]
    data.rising = [
        (r[0], r[1], int(r[2]), float(r[3]), float(r[4]), float(r[5]))
        for r in con.execute(query("report_rising"), {"limit": 15}).fetchall()
    ]
    pairs: list[tuple[str, str, int]] | None
    try:
        pairs = _co_mention_pairs(con, data.week_list[0] if data.week_list else None)
    except duckdb.Error:
        pairs = None
    if pairs:
        data.pairs, data.pairs_source = pairs, "co_mentions"
    else:
        rows = con.execute(query("report_story_pairs"), {"limit": PAIR_ENTITIES}).fetchall()
        data.pairs = [(r[0], r[1], int(r[2])) for r in rows]
    data.health = [
        (r[0], float(r[1]), None if r[2] is None else float(r[2]), int(r[3]), bool(r[4]), r[5])
        for r in con.execute(query("report_source_health")).fetchall()
    ]
    return data


def _empty(fig: go.Figure, message: str) -> go.Figure:
    fig.add_annotation(
        text=message, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5, font_size=16
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    fig.update_layout(
        title=title,
        height=height,
        template="plotly_white",
        margin={"l": 60, "r": 30, "t": 60, "b": 60},
        font={"family": "Noto Sans KR, Malgun Gothic, Apple SD Gothic Neo, sans-serif"},
    )
    return fig


def alliance_chart(data: ReportData) -> go.Figure:
    """Stories per ISO week (KST) for each alliance, as lines."""
    fig = go.Figure()
    series: dict[str, dict[date, int]] = defaultdict(dict)
    for week, alliance, n in data.alliance_weekly:
        series[alliance][week] = n
    weeks = data.week_list or sorted({w for w, _, _ in data.alliance_weekly})
    for alliance, counts in sorted(series.items()):
        fig.add_trace(
            go.Scatter(
                x=[w.isoformat() for w in weeks],
                y=[counts.get(w, 0) for w in weeks],
                name=alliance,
                mode="lines+markers",
            )
        )
    if not series:
        _empty(fig, f"no alliance stories in the last {data.weeks} weeks")
    fig.update_yaxes(title="stories", rangemode="tozero")
    fig.update_xaxes(title="week (Monday, KST)", dtick=7 * 24 * 3600 * 1000, tickformat="%b %d")
    return _layout(fig, f"Weekly stories per alliance (last {data.weeks} weeks)")


def rising_chart(data: ReportData) -> go.Figure:
    """Top rising entities by score, with the stories behind each score in the hover text."""
    fig = go.Figure()
    rows = list(reversed(data.rising))
    if rows:
        fig.add_trace(
            go.Bar(
                x=[r[4] for r in rows],
                y=[r[0] for r in rows],
                orientation="h",
                marker_color="#d95f02",
                text=[
                    f"{r[2]} {'story' if r[2] == 1 else 'stories'} vs {r[3]:.2f} expected"
                    for r in rows
                ],
                textposition="auto",
                hovertemplate="%{y}: score %{x}<br>%{text}<extra></extra>",
            )
        )
        fig.update_xaxes(title="score = −log10 P(X ≥ stories | Poisson(expected))")
    else:
        _empty(fig, "no entity is above its 8-week baseline this week")
    return _layout(
        fig, "Top rising entities (last 7 days vs 8-week baseline)", 60 + 34 * len(rows) + 120
    )


def pairs_chart(data: ReportData) -> go.Figure:
    """A symmetric matrix of how often two entities are mentioned together."""
    fig = go.Figure()
    if data.pairs:
        weight: dict[str, int] = defaultdict(int)
        for a, b, n in data.pairs:
            weight[a] += n
            weight[b] += n
        names = [n for n, _ in sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))][
            :PAIR_ENTITIES
        ]
        index = {n: i for i, n in enumerate(names)}
        z: list[list[int | None]] = [[None] * len(names) for _ in names]
        for a, b, n in data.pairs:
            if a in index and b in index:
                z[index[a]][index[b]] = n
                z[index[b]][index[a]] = n
        fig.add_trace(
            go.Heatmap(
                z=z,
                x=names,
                y=names,
                colorscale="Blues",
                hovertemplate="%{y} + %{x}: %{z}<extra></extra>",
                colorbar={"title": "count"},
            )
        )
        fig.update_yaxes(autorange="reversed")
    else:
        _empty(fig, "no two entities mentioned together yet")
    source = (
        f"same story, last {data.weeks} weeks, co_mentions view"
        if data.pairs_source == "co_mentions"
        else "same story, all time, story_entities"
    )
    return _layout(fig, f"Entities mentioned together ({source})", 560)


def health_chart(data: ReportData) -> go.Figure:
    """Feed items per day over the last 7 days per source; red when stale or failing."""
    fig = go.Figure()
    if data.health:
        colors = [
            "#c0392b" if failures or stale else "#2e86c1"
            for _, _, _, failures, stale, _ in data.health
        ]
        hover = [
            f"{hours if hours is not None else '—'} h since last item; "
            f"{failures} failure(s) in a row{'; ' + html.escape(err) if err else ''}"
            for _, _, hours, failures, _, err in data.health
        ]
        fig.add_trace(
            go.Bar(
                x=[h[0] for h in data.health],
                y=[h[1] for h in data.health],
                marker_color=colors,
                text=hover,
                hovertemplate="%{x}: %{y} items/day<br>%{text}<extra></extra>",
                textposition="none",
            )
        )
        fig.update_yaxes(title="feed items per day (7 days)", rangemode="tozero")
    else:
        _empty(fig, "no sources recorded yet")
    return _layout(fig, "Source health (red: stale or failing)")


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>newsmon trends report</title>
<style>
body {{ font-family: system-ui, "Noto Sans KR", sans-serif; margin: 2rem auto; max-width: 1100px;
       color: #222; }}
h1 {{ margin-bottom: 0.2rem; }}
.meta {{ color: #666; margin-bottom: 1.5rem; }}
table.totals {{ border-collapse: collapse; margin-bottom: 1.5rem; }}
table.totals td, table.totals th {{ border: 1px solid #ddd; padding: 0.3rem 0.8rem;
  text-align: right; }}
section {{ margin-bottom: 2rem; }}
section p {{ color: #555; max-width: 60rem; }}
</style>
<script>
window.newsmonErrors = [];
window.addEventListener("error", function (e) {{ window.newsmonErrors.push(String(e.message)); }});
</script>
</head>
<body>
<h1>newsmon trends report</h1>
<div class="meta">{meta}</div>
<table class="totals"><tr>{head}</tr><tr>{cells}</tr></table>
{sections}
<script>
document.body.setAttribute("data-charts", String(document.querySelectorAll(".main-svg").length));
document.body.setAttribute("data-errors", window.newsmonErrors.join(" | "));
</script>
</body>
</html>
"""

_EXPLAIN = (
    "Stories, not copies: twenty outlets carrying one press release count once. Weeks are ISO "
    "weeks in Korea Standard Time.",
    "Stories in the last 7 days against the 8 weeks before; the score is −log10 of the Poisson "
    "tail probability (2 ≈ a 1-in-100 week). Source: the entity_rising view.",
    "How often two entities appear together; the top entities by co-occurrence.",
    "Feed items first seen per day over the last 7 days; hover for staleness and failures. "
    "Source: the source_health view.",
)


def render(data: ReportData) -> str:
    """The HTML page; plotly.js is inlined once, with the first chart."""
    figures = [alliance_chart(data), rising_chart(data), pairs_chart(data), health_chart(data)]
    parts = []
    for i, (fig, explain) in enumerate(zip(figures, _EXPLAIN, strict=True)):
        div = pio.to_html(
            fig,
            full_html=False,
            include_plotlyjs=(i == 0),
            config={"displaylogo": False, "responsive": True},
            div_id=f"chart-{i + 1}",
        )
        parts.append(f"<section><p>{html.escape(explain)}</p>{div}</section>")
    labels = ("articles", "stories", "mentions", "alerts sent", "pending", "failed")
    head = "".join(f"<th>{label}</th>" for label in labels)
    cells = "".join(f"<td>{html.escape(str(v))}</td>" for v in data.totals)
    generated = data.generated_at.astimezone(KST).strftime("%Y-%m-%d %H:%M KST")
    meta = html.escape(f"database {data.db} · generated {generated} · window {data.weeks} weeks")
    return _PAGE.format(meta=meta, head=head, cells=cells, sections="\n".join(parts))


def build_report(db: Path, out: Path, weeks: int = 12) -> ReportData:
    """Read the views (read-only) and write the self-contained page to ``out``."""
    with open_reader(db) as con:
        data = collect(con, str(db), max(1, weeks))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(data), encoding="utf-8")
    return data


@flow(
    name="newsmon-trends-report",
    log_prints=False,
    on_failure=[notify_failure],
    on_crashed=[notify_failure],
)
def report_flow(out: str = "reports/trends.html", db: str | None = None, weeks: int = 12) -> str:
    """Scheduled weekly trends report: writes the self-contained HTML page and returns its path.

    It only reads the database (read-only open), so it may run while the monitor writes between
    phases; the database path defaults to ``NEWSMON_DB``.
    """
    from flows.settings import Settings

    target = Path(out)
    build_report(Path(db) if db else Settings().db, target, weeks)
    return str(target)
