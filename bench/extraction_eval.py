"""Evaluate newsmon's extraction against trafilatura's defaults on the shared real-page corpora.

Reads ``../shared/corpus`` at run time (never copied into the project) and prints rich tables:

1. ``extraction/`` (104 pages, human-checked ``articleBody``): token precision / recall / F1,
   mean over pages, of ``trafilatura.extract(html)`` (defaults, bytes in) and of
   ``tasks.extraction.extract_page(html, url).body``, plus pages per second of each in this run.
   Tokens are whitespace tokens with edge punctuation stripped and case folded; a token containing
   Hangul, kana or CJK ideographs becomes its character bigrams, so Korean scores are not decided by
   particles glued to words. The ground truth keeps bylines, credits and copyright lines, which
   newsmon removes on purpose; the "vs cleaned truth" column applies ``clean_body`` to the truth.
2. ``korean-pages/``: the same F1 where a body is known, and the publication day where a date is.
3. ``dates/`` (htmldate's test set): share of pages whose known publication day matches
   newsmon's ``published_at`` (in any time zone from UTC-12 to UTC+14) and htmldate's default
   ``find_date(html)``.

Run: ``uv run python bench/extraction_eval.py`` (``--corpus PATH``, ``--repeat N`` for timing).
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import math
import re
import statistics
import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import trafilatura
from htmldate import find_date
from rich.console import Console
from rich.table import Table

from tasks.cleaning import clean_body
from tasks.extraction import extract_page

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
_CJK = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7a3]")
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")


@dataclass(frozen=True, slots=True)
class Page:
    page_id: str
    url: str
    html: bytes
    truth: str | None = None
    truth_day: str | None = None


@dataclass(frozen=True, slots=True)
class Score:
    precision: float
    recall: float
    f1: float


def tokens(text: str) -> Counter[str]:
    """Whitespace tokens, case-folded, edge punctuation stripped; CJK tokens as char bigrams."""
    out: Counter[str] = Counter()
    for raw in text.split():
        token = _EDGE_PUNCT.sub("", raw.casefold())
        if not token:
            continue
        if _CJK.search(token) and len(token) > 1:
            out.update(token[i : i + 2] for i in range(len(token) - 1))
        else:
            out[token] += 1
    return out


def score(predicted: str, truth: str) -> Score:
    pred, gold = tokens(predicted), tokens(truth)
    overlap = sum((pred & gold).values())
    precision = overlap / sum(pred.values()) if pred else 0.0
    recall = overlap / sum(gold.values()) if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1)


def mean_score(scores: list[Score]) -> Score:
    return Score(
        statistics.fmean(s.precision for s in scores),
        statistics.fmean(s.recall for s in scores),
        statistics.fmean(s.f1 for s in scores),
    )


def load_extraction(corpus: Path) -> list[Page]:
    truth = json.loads((corpus / "extraction" / "ground-truth.json").read_text("utf-8"))
    pages = []
    for page_id, item in sorted(truth.items()):
        html = gzip.decompress((corpus / "extraction" / "html" / f"{page_id}.html.gz").read_bytes())
        pages.append(Page(page_id, item["url"], html, truth=item["articleBody"]))
    return pages


def load_korean(corpus: Path) -> list[Page]:
    base = corpus / "korean-pages"
    extraction_truth = json.loads((corpus / "extraction" / "ground-truth.json").read_text("utf-8"))
    pages = []
    for line in (base / "index.tsv").read_text("utf-8").splitlines()[1:]:
        name, url, _declared, note = [*line.split("\t"), "", "", ""][:4]
        path = base / name
        if not path.exists():
            continue
        html = path.read_bytes()
        if name.endswith(".gz"):
            html = gzip.decompress(html)
        truth: str | None = None
        if name.startswith("test_donga"):
            expected = json.loads((base / "test_donga_korean.expected.json").read_text("utf-8"))
            truth = expected["expected"]["cleaned_text"]
        elif name.removesuffix(".html.gz") in extraction_truth:
            truth = extraction_truth[name.removesuffix(".html.gz")]["articleBody"]
        elif name.startswith("yna_co_kr"):
            truth = (base / "yna_co_kr.expected.txt").read_text("utf-8")
        elif (
            name.startswith("crussion")
            and (base / "crussion-study-naver-ko-naver-body.txt").exists()
        ):
            truth = (base / "crussion-study-naver-ko-naver-body.txt").read_bytes().decode("cp949")
        day = re.search(r"\d{4}-\d{2}-\d{2}", note)
        pages.append(Page(name, url, html, truth=truth, truth_day=day.group(0) if day else None))
    return pages


def load_dates(corpus: Path) -> list[Page]:
    truth = json.loads((corpus / "dates" / "ground-truth.json").read_text("utf-8"))
    pages = []
    for url, item in sorted(truth.items()):
        day = item.get("date")
        if not isinstance(day, str):
            continue
        html = (corpus / "dates" / "html" / item["file"]).read_bytes()
        pages.append(Page(item["file"], url, html, truth_day=day))
    return pages


def run_timed(pages: list[Page], fn: Callable[[Page], str], repeat: int) -> tuple[list[str], float]:
    """Outputs of ``fn`` and pages/second (best of ``repeat`` passes, after one warm-up page)."""
    fn(pages[0])
    best = math.inf
    outputs: list[str] = []
    for _ in range(repeat):
        start = time.perf_counter()
        outputs = [fn(page) for page in pages]
        best = min(best, time.perf_counter() - start)
    return outputs, len(pages) / best


def trafilatura_default(page: Page) -> str:
    return trafilatura.extract(page.html) or ""


def newsmon_body(page: Page) -> str:
    return extract_page(page.html, page.url).body


def day_matches(found: datetime | None, day: str) -> bool:
    """The found instant falls on ``day`` in some zone between UTC-12 and UTC+14."""
    if found is None:
        return False
    midnight = datetime.fromisoformat(day).replace(tzinfo=UTC)
    return midnight - timedelta(hours=14) <= found < midnight + timedelta(hours=36)


def extraction_table(console: Console, title: str, pages: list[Page], repeat: int) -> None:
    scored = [p for p in pages if p.truth]
    base_out, base_rate = run_timed(scored, trafilatura_default, repeat)
    ours_out, ours_rate = run_timed(scored, newsmon_body, repeat)
    base = mean_score([score(o, p.truth or "") for o, p in zip(base_out, scored, strict=True)])
    ours = mean_score([score(o, p.truth or "") for o, p in zip(ours_out, scored, strict=True)])
    ours_clean = mean_score(
        [score(o, clean_body(p.truth or "")) for o, p in zip(ours_out, scored, strict=True)]
    )
    table = Table(title=f"{title}: {len(scored)} pages with a known body")
    for column in ("extractor", "precision", "recall", "F1", "F1 vs cleaned truth", "pages/s"):
        table.add_column(column, justify="right" if column != "extractor" else "left")
    table.add_row(
        "trafilatura.extract (defaults)",
        f"{base.precision:.3f}",
        f"{base.recall:.3f}",
        f"{base.f1:.3f}",
        "",
        f"{base_rate:.1f}",
    )
    table.add_row(
        "newsmon extract_page().body",
        f"{ours.precision:.3f}",
        f"{ours.recall:.3f}",
        f"{ours.f1:.3f}",
        f"{ours_clean.f1:.3f}",
        f"{ours_rate:.1f}",
    )
    table.caption = (
        f"F1 newsmon - trafilatura: {ours.f1 - base.f1:+.3f}; "
        f"speed newsmon / trafilatura: {ours_rate / base_rate:.2f}x"
    )
    console.print(table)


def korean_detail_table(console: Console, pages: list[Page]) -> None:
    table = Table(title="korean-pages: per page")
    for column in ("page", "quality", "lang", "date (source)", "day ok", "F1 traf.", "F1 newsmon"):
        table.add_column(column)
    for page in pages:
        result = extract_page(page.html, page.url)
        base = trafilatura_default(page)
        stamp = result.published_at.isoformat() if result.published_at else "-"
        table.add_row(
            page.page_id[:28],
            result.quality,
            result.lang or "-",
            f"{stamp} ({result.date_source})",
            "" if not page.truth_day else str(day_matches(result.published_at, page.truth_day)),
            f"{score(base, page.truth).f1:.3f}" if page.truth else "",
            f"{score(result.body, page.truth).f1:.3f}" if page.truth else "",
        )
    console.print(table)


def dates_table(console: Console, pages: list[Page]) -> None:
    ours = [day_matches(extract_page(p.html, p.url).published_at, p.truth_day or "") for p in pages]
    htmldate_days = [find_date(p.html, url=p.url) for p in pages]
    theirs = [found == p.truth_day for found, p in zip(htmldate_days, pages, strict=True)]
    sources = Counter(extract_page(p.html, p.url).date_source for p in pages)
    table = Table(title=f"dates: {len(pages)} pages with a known publication day")
    table.add_column("method")
    table.add_column("day correct", justify="right")
    table.add_row("htmldate.find_date (defaults)", f"{sum(theirs)}/{len(pages)}")
    table.add_row("newsmon published_at", f"{sum(ours)}/{len(pages)}")
    table.caption = "newsmon date sources: " + ", ".join(
        f"{source}={count}" for source, count in sources.most_common()
    )
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=1, help="timed passes (best is reported)")
    parser.add_argument("--skip-dates", action="store_true")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # trafilatura and htmldate log every discarded page
    warnings.simplefilter("ignore")  # dateutil warns about zone names such as "GST" inside htmldate
    console = Console()
    if not console.is_terminal:
        console = Console(width=120)

    extraction_table(console, "extraction", load_extraction(args.corpus), args.repeat)
    if (args.corpus / "korean-pages" / "index.tsv").exists():
        korean = load_korean(args.corpus)
        extraction_table(console, "korean-pages", korean, args.repeat)
        korean_detail_table(console, korean)
    if not args.skip_dates and (args.corpus / "dates" / "ground-truth.json").exists():
        dates_table(console, load_dates(args.corpus))


if __name__ == "__main__":
    main()
