"""Alerts: how many messages an analyst gets, and what delivery and routing cost.

Run: ``uv run python bench/alerts_bench.py [--corpus DIR] [--alerts N]`` (default corpus
``../shared/corpus/dedupe``, read at run time; nothing of it is copied here).

It prints:

1. **one per story** on real Korean news: the 482-body one-day sample and the 146 Naver re-crawls
   are tagged with the packaged gazetteer and deduplicated into stories; with every entity
   watched, the per-copy baseline (Google Alerts: one message per (entity, article)) against
   newsmon's ``alliance_new_story`` planning (one per (entity, story));
2. **delivery** of N alerts to the local webhook receiver: ``tasks.alerting.deliver`` (log capture,
   secret scrubbing, error details) against bare ``apprise.Apprise.notify`` in the same run;
3. **outbox** work in a real DuckDB file: enqueueing N alerts, routing them, and a second
   enqueue of the same alerts (which must add nothing);
4. **delivery from the outbox**: ``flows.alerts.deliver_due`` of N routed alerts to the local
   receiver, each accepted message recorded in the file before the next is sent (what bounds a
   crash to one duplicate), against ``deliver`` of the same messages alone: the price of that
   guarantee per alert.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import apprise
from rich.console import Console
from rich.table import Table

from demo.receiver import WebhookReceiver
from flows.alerts import AlertConfig, deliver_due, route_new
from flows.settings import Settings
from tasks import dedupe as dd
from tasks.alert_rules import load_alert_rules, resolve_channels
from tasks.alerting import StoryContext, deliver, plan_alliance_alerts
from tasks.gazetteer import load_gazetteer
from tasks.models import Alert, Article
from tasks.tagging import Tagger
from warehouse import loading
from warehouse.database import open_writer

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dedupe"
console = Console()


def as_articles(texts: list[str], prefix: str) -> list[Article]:
    base = datetime(2016, 10, 20, tzinfo=UTC)
    return [
        Article(
            article_id=f"{prefix}{i:04d}",
            url=f"https://example.invalid/{prefix}{i}",
            url_key=f"example.invalid/{prefix}{i}",
            canonical_url=None,
            source_name="corpus",
            title=None,
            body=text,
            lead=None,
            lang="ko",
            published_at=base + timedelta(seconds=i),
            date_source=None,
            author=None,
            site_name=None,
            fetched_at=base,
            quality="ok",
            content_hash=dd.content_hash(text),
        )
        for i, text in enumerate(texts)
    ]


def section_one_per_story(corpus: Path) -> None:
    gazetteer = load_gazetteer()
    tagger = Tagger(gazetteer)
    names = {e.id: e.name_en for e in gazetteer}
    sets = {
        "one-day sample (482)": (corpus / "doublespace_line_corpus_sample.txt")
        .read_text(encoding="utf-8")
        .splitlines(),
        "Naver re-crawls (146)": [
            f.read_text(encoding="utf-8", errors="replace")
            for f in sorted((corpus / "naver-recrawls-2021").glob("*/*.txt"))
        ],
    }
    table = Table(title="1. messages with every entity watched: per copy vs per story")
    for column in ("set", "articles", "stories", "per-copy alerts", "newsmon alerts", "ratio"):
        table.add_column(column, justify="left" if column == "set" else "right")
    for label, texts in sets.items():
        texts = [t for t in texts if t.strip()]
        articles = as_articles(texts, label[:3])
        mentions = [m for a in articles for m in tagger.tag(a.article_id, None, a.body)]
        result = dd.dedupe(articles, [])
        story_of = {s.article_id: s.story_id for s in result.assignments}
        stories = {
            sid: StoryContext(sid, "t", "https://example.invalid/", ("x",), 1, None)
            for sid in set(story_of.values())
        }
        per_copy = len({(m.entity_id, m.article_id) for m in mentions})
        planned = plan_alliance_alerts(mentions, story_of, names, stories, set())
        ratio = per_copy / len(planned) if planned else float("nan")
        table.add_row(
            label,
            str(len(articles)),
            str(len(stories)),
            str(per_copy),
            str(len(planned)),
            f"{ratio:.2f}×",
        )
    console.print(table)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def section_delivery(n: int) -> None:
    payload = [(f"id{i}", f"GTAA: story {i}", f"**GTAA** appears in story {i}.") for i in range(n)]
    with WebhookReceiver() as receiver:
        url = receiver.apprise_url

        def bare() -> None:
            instance = apprise.Apprise()
            instance.add(url)
            for _, title, body in payload:
                instance.notify(title=title, body=body, body_format=apprise.NotifyFormat.MARKDOWN)

        deliver(payload[:5], [url])  # warm up: Apprise loads its plugins on first use
        bare_s = min(timed(bare) for _ in range(2))
        ours_s = min(timed(lambda: deliver(payload, [url])) for _ in range(2))
        received = len(receiver.messages) - 5
    table = Table(title=f"2. delivering {n} alerts to the local receiver")
    for column in ("path", "total s", "ms / alert", "vs bare Apprise"):
        table.add_column(column, justify="left" if column == "path" else "right")
    table.add_row("bare apprise.notify", f"{bare_s:.2f}", f"{1000 * bare_s / n:.2f}", "1.00×")
    table.add_row(
        "tasks.alerting.deliver",
        f"{ours_s:.2f}",
        f"{1000 * ours_s / n:.2f}",
        f"{ours_s / bare_s:.2f}×",
    )
    console.print(table)
    console.print(f"received {received} of {4 * n} messages")


def section_outbox(n: int) -> None:
    now = datetime.now(UTC)
    alerts = [
        Alert(f"a{i:06d}", "alliance_new_story", "gtaa", f"s{i}", f"art{i}", "t", "m", now)
        for i in range(n)
    ]
    rules = load_alert_rules()
    config = AlertConfig(rules, resolve_channels(rules, ["json://127.0.0.1:9/x"], {}), None)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "outbox.duckdb"
        with open_writer(db) as con:
            enqueue_s = timed(lambda: loading.enqueue_alerts(con, alerts))
            route_s = timed(lambda: route_new(con, config, send_alerts=True))
            again: list[int] = []
            again_s = timed(lambda: again.append(loading.enqueue_alerts(con, alerts)))
    table = Table(title=f"3. outbox work for {n} alerts (DuckDB)")
    for column in ("step", "total ms", "ms / alert"):
        table.add_column(column, justify="left" if column == "step" else "right")
    for step, seconds in (
        ("enqueue (Arrow insert)", enqueue_s),
        ("route (one batched UPDATE)", route_s),
        (f"enqueue again (new rows: {again[0]})", again_s),
    ):
        table.add_row(step, f"{1000 * seconds:.0f}", f"{1000 * seconds / n:.3f}")
    console.print(table)


def section_outbox_delivery(n: int) -> None:
    now = datetime.now(UTC)
    alerts = [
        Alert(f"d{i:06d}", "alliance_new_story", "gtaa", f"s{i}", f"art{i}", f"GTAA {i}", "m", now)
        for i in range(n)
    ]
    rules = load_alert_rules()
    with WebhookReceiver() as receiver, tempfile.TemporaryDirectory() as tmp:
        settings = Settings(db=Path(tmp) / "deliver.duckdb", alert_urls=[receiver.apprise_url])
        config = AlertConfig(rules, resolve_channels(rules, settings.alert_urls, {}), None)
        with open_writer(settings.db) as con:
            loading.enqueue_alerts(con, alerts)
            route_new(con, config, send_alerts=True)
        payload = [(a.alert_id, a.title, a.message) for a in alerts]
        deliver(payload[:5], [receiver.apprise_url])  # warm up Apprise's plugins
        alone_s = timed(lambda: deliver(payload, [receiver.apprise_url]))
        sent: list[int] = []
        outbox_s = timed(lambda: sent.append(asyncio.run(deliver_due(settings, config)).sent))
    table = Table(title=f"4. delivering {n} routed alerts from the outbox (DuckDB + receiver)")
    for column in ("path", "total s", "ms / alert", "vs deliver alone"):
        table.add_column(column, justify="left" if column == "path" else "right")
    table.add_row(
        "tasks.alerting.deliver alone", f"{alone_s:.2f}", f"{1000 * alone_s / n:.1f}", "1.00×"
    )
    table.add_row(
        f"flows.alerts.deliver_due (sent {sent[0]})",
        f"{outbox_s:.2f}",
        f"{1000 * outbox_s / n:.1f}",
        f"{outbox_s / alone_s:.2f}×",
    )
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--alerts", type=int, default=200)
    args = parser.parse_args()
    if args.corpus.exists():
        section_one_per_story(args.corpus)
    else:
        console.print(f"[yellow]no corpus at {args.corpus}: section 1 skipped[/yellow]")
    section_delivery(args.alerts)
    section_outbox(max(args.alerts, 1000))
    section_outbox_delivery(args.alerts)


if __name__ == "__main__":
    main()
