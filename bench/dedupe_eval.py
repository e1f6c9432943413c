"""Evaluate tasks/dedupe.py on real Korean news: where the threshold comes from, and what it costs.

Run: ``uv run python bench/dedupe_eval.py [--corpus DIR]`` (default ``../shared/corpus/dedupe``).
The corpus is read at run time and nothing of it is copied here; the only corpus-derived data in
this file are line-number pairs with my same-story/different-story judgements (``LABELS``).

It prints:

1. the distribution of exact char-5-gram Jaccard over all pairs of the 482-body sample, and the
   agreement with ``candidate-pairs-computed.tsv``;
2. labelled pairs per Jaccard band and the precision/recall of "Jaccard ≥ t" on them;
3. ``dedupe()`` run end to end at several thresholds: stories, and how many labelled same-story and
   different-story pairs end up in one story;
4. recall of LSH candidate generation against brute force at the chosen threshold and at the
   coverage rule's floor, for the chosen bands and two alternatives, and a check that rensa's
   ``RMinHashLSH`` with the same bands proposes exactly the same candidates as the band dicts in
   tasks/dedupe.py;
5. speed: rensa signatures vs a pure-Python MinHash in the same run (datasketch too if installed),
   and building the window index from stored signatures vs re-shingling it for ``RMinHashLSH``;
6. the Naver re-crawl set: do re-crawls and edited copies of one article land in one story?
7. the threshold sweep: pairwise P/R/F1 against the labels for Jaccard threshold x cover share,
   floor, and piece size, the best weighted F1 marked ``*`` and the constants in use ``<``;
8. scale: a 100,000-article window in DuckDB, runs of 1, 100 (three batches) and 1,000 new
   articles, wall and CPU time, peak RSS;
9. the dedupe cost per article as a share of extraction in the same process (wall and CPU).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
from rensa import RMinHash, RMinHashLSH

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tasks import dedupe as dd
from tasks.models import Article
from warehouse.database import query
from warehouse.window import load_window

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dedupe"
THRESHOLDS = (0.20, 0.25, 0.30, 0.35, 0.40, 0.50)

LABELS_FILE = Path(__file__).resolve().parent / "data" / "dedupe_labels.tsv"
SOYNLP = "soynlp-20161020"
RECRAWLS = "naver-recrawls-2021"


def load_labels(path: Path = LABELS_FILE) -> dict[str, dict[tuple[str, str], tuple[str, str]]]:
    """Labels per set: (id a, id b) -> (label, sample). See the header of the TSV for the ids."""
    labels: dict[str, dict[tuple[str, str], tuple[str, str]]] = defaultdict(dict)
    lines = [x for x in path.read_text(encoding="utf-8").splitlines() if not x.startswith("#")]
    for line in lines[1:]:
        set_name, a, b, label, sample = line.split("\t")
        labels[set_name][(a, b)] = (label, sample)
    return labels


def _soynlp_labels(sample: str) -> dict[tuple[int, int], str]:
    """My reading of pairs of doublespace_line_corpus_sample.txt (1-based line numbers).

    S = same story (rewrites of one release or announcement), E = same event written independently
    or split by one reporter into several pieces (joining them is harmless), D = different stories
    (joining them hides one). random: a stratified random sample per Jaccard band (seeds 11 and 99).
    byline: every pair at 0.25-0.6 whose two texts start with the same byline, the hard case where
    one reporter's template articles about different subjects share a paragraph and a footer.
    """
    out: dict[tuple[int, int], str] = {}
    for (a, b), (label, where) in load_labels()[SOYNLP].items():
        if where == sample:
            out[(int(a.removeprefix("line")), int(b.removeprefix("line")))] = label
    return out


RANDOM_LABELS = _soynlp_labels("random")
BYLINE_LABELS = _soynlp_labels("byline")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument(
        "--synthetic", type=int, default=100_000, help="synthetic articles for section 8 (0: skip)"
    )
    parser.add_argument("--quick", action="store_true", help="only sections 7-9 (F1, scale, cost)")
    args = parser.parse_args()
    corpus: Path = args.corpus
    sample = corpus / "doublespace_line_corpus_sample.txt"
    if not sample.is_file():
        sys.exit(f"corpus not found: {sample} (pass --corpus)")

    texts = sample.read_text(encoding="utf-8").split("\n")
    texts = [t for t in texts if t.strip()]
    print(f"labelled pairs: {len(RANDOM_LABELS)} random, {len(BYLINE_LABELS)} same-byline")
    print(
        f"soynlp sample: {len(texts)} bodies, median {statistics.median(map(len, texts)):.0f} chars"
    )
    print(f"tasks.dedupe: threshold {dd.NEAR_THRESHOLD}, {dd.LSH_BANDS} bands x {dd.LSH_ROWS} rows")

    sets = [dd.shingles(t) for t in texts]
    pairs = brute_force(sets)
    recrawls = corpus / "naver-recrawls-2021"
    if not args.quick:
        section_distribution(pairs, len(texts), corpus / "candidate-pairs-computed.tsv")
        section_labels(pairs)
        section_end_to_end(texts, pairs)
        section_lsh(texts, sets, pairs)
        section_speed(texts, sets)
        if recrawls.is_dir():
            section_recrawls(recrawls)
    section_f1(texts, pairs, recrawls)
    per_article_ms = section_scale(args.synthetic) if args.synthetic else None
    section_cost(per_article_ms, corpus)


def brute_force(sets: Sequence[set[str]]) -> dict[tuple[int, int], float]:
    """Exact Jaccard of every pair that shares a shingle, keyed by 1-based line numbers."""
    pairs: dict[tuple[int, int], float] = {}
    for i in range(len(sets)):
        for j in range(i + 1, len(sets)):
            inter = len(sets[i] & sets[j])
            if inter:
                pairs[(i + 1, j + 1)] = inter / (len(sets[i]) + len(sets[j]) - inter)
    return pairs


def heading(title: str) -> None:
    print(f"\n== {title}")


def section_distribution(pairs: dict[tuple[int, int], float], n: int, tsv: Path) -> None:
    heading("1. Jaccard (char 5-grams) over all pairs")
    total = n * (n - 1) // 2
    bins = Counter(min(int(j * 20), 19) for j in pairs.values())
    zero = total - len(pairs)
    print(f"{total} pairs; {zero} share no shingle")
    for b in range(20):
        lo = b / 20
        count = bins.get(b, 0) + (zero if b == 0 else 0)
        bar = "#" * min(60, round(60 * count / max(1, max(bins.values()))))
        print(f"  [{lo:.2f},{lo + 0.05:.2f}) {count:7d} {bar}")
    if tsv.is_file():
        listed: dict[tuple[int, int], float] = {}
        for line in tsv.read_text(encoding="utf-8").splitlines()[1:]:
            cols = line.split("\t")
            if cols[2] == "soynlp-20161020":
                a, b = int(cols[3].removeprefix("line")), int(cols[5].removeprefix("line"))
                listed[(min(a, b), max(a, b))] = float(cols[0])
        ours = {k for k, j in pairs.items() if j >= 0.3}
        worst = max(abs(pairs.get(k, 0.0) - j) for k, j in listed.items())
        below = sum(1 for k in listed if pairs.get(k, 0.0) < 0.3)
        print(
            f"TSV: {len(listed)} soynlp rows, values within {worst:.4f} of ours; it lists {below}"
            f" pairs below 0.3 and misses {len(ours - set(listed))} of our {len(ours)} pairs >= 0.3"
        )


def section_labels(pairs: dict[tuple[int, int], float]) -> None:
    heading("2. Labelled pairs (S same story, E same event, D different story)")
    bands = [(0.05, 0.10), (0.10, 0.15), (0.15, 0.20), (0.20, 0.25), (0.25, 0.30)]
    bands += [(0.30, 0.35), (0.35, 0.40), (0.40, 0.50), (0.50, 1.01)]
    print("  band          all pairs | random: S  E  D  D% | byline: S  E  D")
    weighted_d = 0.0
    weighted_same: dict[float, float] = defaultdict(float)
    for lo, hi in bands:
        population = sum(1 for j in pairs.values() if lo <= j < hi)
        rnd = Counter(v for k, v in RANDOM_LABELS.items() if lo <= pairs[k] < hi)
        byl = Counter(v for k, v in BYLINE_LABELS.items() if lo <= pairs[k] < hi)
        n = sum(rnd.values())
        d_share = rnd["D"] / n if n else 0.0
        print(
            f"  [{lo:.2f},{min(hi, 1):.2f}) {population:9d} | "
            f"{rnd['S']:8d} {rnd['E']:2d} {rnd['D']:2d} {100 * d_share:3.0f}% | "
            f"{byl['S']:8d} {byl['E']:2d} {byl['D']:2d}"
        )
        weighted_d += d_share * population
        weighted_same[lo] = (1 - d_share) * population
    print("  estimated from the random sample, weighted by band size:")
    for t in THRESHOLDS:
        above = sum(1 for j in pairs.values() if j >= t)
        d_above = sum(
            (sum(1 for k, v in RANDOM_LABELS.items() if v == "D" and lo <= pairs[k] < hi) or 0)
            / max(1, sum(1 for k in RANDOM_LABELS if lo <= pairs[k] < hi))
            * sum(1 for j in pairs.values() if lo <= j < hi)
            for lo, hi in bands
            if lo >= t
        )
        same_above = sum(v for lo, v in weighted_same.items() if lo >= t)
        same_all = sum(weighted_same.values())
        print(
            f"    J >= {t:.2f}: {above:5d} pairs, precision ~{100 * (1 - d_above / above):.1f}%,"
            f" pair recall of same-story/event ~{100 * same_above / same_all:.0f}%"
        )


def as_articles(texts: Sequence[str], prefix: str = "") -> list[Article]:
    base = datetime(2016, 10, 20, tzinfo=UTC)
    return [
        Article(
            article_id=f"{prefix}{i + 1:04d}",
            url=f"https://example.invalid/{prefix}{i + 1}",
            url_key=f"example.invalid/{prefix}{i + 1}",
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


LABEL_BANDS = (0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.50, 1.01)


def band_of(j: float) -> int | None:
    for b in range(len(LABEL_BANDS) - 1):
        if LABEL_BANDS[b] <= j < LABEL_BANDS[b + 1]:
            return b
    return None


def weighted_join_rate(
    pairs: dict[tuple[int, int], float], joined: Callable[[int, int], bool], want: str
) -> float:
    """Share of ``want``-labelled pairs in one story (stratified sample, weighted by band size)."""
    population = Counter(band_of(j) for j in pairs.values())
    labelled: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for key in RANDOM_LABELS:
        band = band_of(pairs[key])
        if band is not None:
            labelled[band].append(key)
    hits = total = 0.0
    for band, keys in labelled.items():
        wanted = [k for k in keys if RANDOM_LABELS[k] in want]
        weight = population[band] / len(keys)
        total += weight * len(wanted)
        hits += weight * sum(1 for a, b in wanted if joined(a, b))
    return hits / total


def section_end_to_end(texts: Sequence[str], pairs: dict[tuple[int, int], float]) -> None:
    heading("3. dedupe() end to end on the 482 bodies (processed in line order)")
    print("  S recall / D joined: labelled pairs in one story, weighted by band size as in 2.")
    articles = as_articles(texts)
    print("  thresh stories exact near bridges largest  S recall  D joined  byline D joined  ms")
    chosen: dict[str, str] = {}
    for t in THRESHOLDS:
        start = time.perf_counter()
        result = dd.dedupe(articles, [], threshold=t)
        ms = 1000 * (time.perf_counter() - start)
        story = {a.article_id: a.story_id for a in result.assignments}
        if t == dd.NEAR_THRESHOLD:
            chosen = story
        kinds = Counter(a.dup_kind for a in result.assignments)
        sizes = sorted(Counter(story.values()).values(), reverse=True)

        def joined(a: int, b: int, story: dict[str, str] = story) -> bool:
            return story[f"{a:04d}"] == story[f"{b:04d}"]

        recall = weighted_join_rate(pairs, joined, "S")
        false_join = weighted_join_rate(pairs, joined, "D")
        byline_d = [k for k, v in BYLINE_LABELS.items() if v == "D"]
        bd = sum(1 for a, b in byline_d if joined(a, b))
        print(
            f"  {t:5.2f} {len(sizes):7d} {kinds['exact']:5d} {kinds['near']:4d} "
            f"{len(result.bridges):7d} {sizes[0]:7d}  {100 * recall:7.0f}%"
            f"  {100 * false_join:7.1f}%  {bd:8d}/{len(byline_d)}   {ms:5.0f}"
        )
    if chosen:
        print(f"  at {dd.NEAR_THRESHOLD}: share of ALL pairs per Jaccard band that share a story")
        everything = Counter(band_of(j) for j in pairs.values())
        together = Counter(
            band_of(j) for (a, b), j in pairs.items() if chosen[f"{a:04d}"] == chosen[f"{b:04d}"]
        )
        zero = len(texts) * (len(texts) - 1) // 2 - sum(everything.values())
        low = sum(
            1
            for (a, b), j in pairs.items()
            if j < LABEL_BANDS[0] and chosen[f"{a:04d}"] == chosen[f"{b:04d}"]
        )
        print(f"    [0.00,0.05) {low}/{everything[None] + zero}")
        for band in range(len(LABEL_BANDS) - 1):
            lo, hi = LABEL_BANDS[band], min(1.0, LABEL_BANDS[band + 1])
            n = everything[band]
            share = 100 * together[band] / max(1, n)
            print(f"    [{lo:.2f},{hi:.2f}) {together[band]}/{n} = {share:.0f}%")
    baseline = dd.dedupe(articles, []).assignments
    shuffled = list(articles)
    random.Random(7).shuffle(shuffled)
    same = dd.dedupe(shuffled, []).assignments == baseline
    print(f"  shuffled input gives identical assignments: {same}")
    half = len(articles) // 2
    first = dd.dedupe(articles[:half], []).assignments
    window = [
        dd.StoredDoc(
            a.article_id,
            s.story_id,
            a.content_hash,
            dd.signature(a.body),
            a.body,
            a.url_key,
            seen_at=a.published_at,
        )
        for a, s in zip(articles[:half], first, strict=True)
    ]
    second_run = dd.dedupe(articles[half:], window)
    second = second_run.assignments
    into = {m.merged_story_id: m.into_story_id for m in second_run.merges}

    def final(story: str) -> str:  # what re-pointing the absorbed stories' rows does in DuckDB
        while story in into:
            story = into[story]
        return story

    two_runs = {a.article_id: final(a.story_id) for a in first + second}
    print(
        "  two runs (second half against the first as window, merges applied) give the same"
        f" stories: {two_runs == {a.article_id: a.story_id for a in baseline}}"
        f" ({len(second_run.merges)} merges in the second run)"
    )
    again = dd.dedupe(articles[half:], window).assignments
    print(f"  re-running the second half again is identical: {again == second}")


def lsh_candidates(sigs: Sequence[list[int]], bands: int, rows: int) -> set[tuple[int, int]]:
    out: set[tuple[int, int]] = set()
    for b in range(bands):
        buckets: dict[tuple[int, ...], list[int]] = defaultdict(list)
        for i, sig in enumerate(sigs):
            buckets[tuple(sig[b * rows : (b + 1) * rows])].append(i + 1)
        for members in buckets.values():
            for x in range(len(members)):
                for y in range(x + 1, len(members)):
                    out.add((members[x], members[y]))
    return out


def section_lsh(
    texts: Sequence[str], sets: Sequence[set[str]], pairs: dict[tuple[int, int], float]
) -> None:
    t = dd.NEAR_THRESHOLD
    floor = dd.REWRITE_THRESHOLD
    heading(f"4. LSH candidates vs brute force at J >= {t} and >= {floor} (coverage rule)")
    long_docs = {i + 1 for i, text in enumerate(texts) if len(dd.normalize_for_hash(text)) >= 200}
    truths = {
        level: {
            k for k, j in pairs.items() if j >= level and k[0] in long_docs and k[1] in long_docs
        }
        for level in (t, floor)
    }
    sigs = [dd.signature(text) for text in texts]
    total = len(texts) * (len(texts) - 1) // 2
    for bands, rows in ((dd.LSH_BANDS, dd.LSH_ROWS), (32, 4), (16, 8)):
        cands = lsh_candidates(sigs, bands, rows)
        recalls = ", ".join(
            f"recall at {level}: {len(truth & cands)}/{len(truth)}"
            f" = {100 * len(truth & cands) / len(truth):.1f}%"
            for level, truth in truths.items()
        )
        print(
            f"  {bands:2d} bands x {rows} rows: {len(cands):6d} candidates"
            f" ({100 * len(cands) / total:.1f}% of all pairs), {recalls}"
        )
    cands = lsh_candidates(sigs, dd.LSH_BANDS, dd.LSH_ROWS)
    index = dd._Index(t)
    kept = {
        (a, b)
        for a, b in cands
        if sum(x == y for x, y in zip(sigs[a - 1], sigs[b - 1], strict=True)) / dd.NUM_PERM
        >= index.min_estimate
    }
    recalls = ", ".join(
        f"recall at {level}: {len(truth & kept)}/{len(truth)}"
        f" = {100 * len(truth & kept) / len(truth):.1f}%"
        for level, truth in truths.items()
    )
    print(
        f"  after the signature estimate (>= {index.min_estimate:.3f}): {len(kept)} exact Jaccards,"
        f" {recalls}"
    )
    lsh = RMinHashLSH(t, dd.NUM_PERM, dd.LSH_BANDS)
    minhashes = RMinHash.from_token_sets(sets, dd.NUM_PERM, dd.SEED)
    for i, m in enumerate(minhashes):
        lsh.insert(i + 1, m)
    rensa_cands = {
        (min(i + 1, k), max(i + 1, k)) for i, m in enumerate(minhashes) for k in lsh.query(m)
    }
    rensa_cands = {p for p in rensa_cands if p[0] != p[1]}
    same_digests = all(m.digest() == s for m, s in zip(minhashes, sigs, strict=True))
    print(
        f"  rensa RMinHashLSH({t}, {dd.NUM_PERM}, {dd.LSH_BANDS}) candidates identical to the band"
        f" dicts: {rensa_cands == cands}; bulk digests identical to signature(): {same_digests}"
    )


def python_minhash(shingle_set: set[str], params: Sequence[tuple[int, int]]) -> list[int]:
    """The baseline: universal hashing (a*x + b) mod p over crc32 of each shingle, in Python."""
    prime = (1 << 61) - 1
    hashes = [zlib.crc32(s.encode("utf-8")) for s in shingle_set]
    return [min((a * h + b) % prime for h in hashes) & 0xFFFFFFFF for a, b in params]


def timed(fn: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def section_speed(texts: Sequence[str], sets: Sequence[set[str]]) -> None:
    heading("5. Speed (same process, best of 3)")
    rng = random.Random(1)
    params = [
        (rng.randrange(1, (1 << 61) - 1), rng.randrange(0, (1 << 61) - 1)) for _ in range(128)
    ]
    n_py = 60
    t_shingle = timed(lambda: [dd.shingles(t) for t in texts]) / len(texts)
    t_rensa = timed(lambda: [dd._signature_of(s) for s in sets]) / len(sets)
    t_py = timed(lambda: [python_minhash(s, params) for s in sets[:n_py]], repeat=1) / n_py
    print(f"  shingling (normalize + 5-grams): {1000 * t_shingle:.3f} ms/doc")
    print(f"  rensa signature:                 {1000 * t_rensa:.3f} ms/doc")
    print(
        f"  pure-Python MinHash ({n_py} docs):   {1000 * t_py:.3f} ms/doc"
        f"  -> rensa is {t_py / t_rensa:.0f}x faster"
    )
    try:
        from datasketch import MinHash
    except ImportError:
        print("  datasketch: not installed (skipped)")
    else:

        def ds() -> None:
            for s in sets:
                m = MinHash(num_perm=128, seed=1)
                m.update_batch([x.encode("utf-8") for x in s])

        t_ds = timed(ds, repeat=1) / len(sets)
        print(
            f"  datasketch MinHash:              {1000 * t_ds:.3f} ms/doc ({t_ds / t_rensa:.0f}x)"
        )

    copies = 20
    window_texts = [f"{t} {c}" for c in range(copies) for t in texts]
    window_sets = [dd.shingles(t) for t in window_texts]
    window_sigs = [dd._signature_of(s) for s in window_sets]
    docs = [
        dd.StoredDoc(f"{i:06d}", f"{i:06d}", dd.content_hash(t), sig, t)
        for i, (t, sig) in enumerate(zip(window_texts, window_sigs, strict=True))
    ]

    def band_index() -> None:
        index = dd._Index(dd.NEAR_THRESHOLD)
        for doc in docs:
            index.add_stored(doc)

    def rensa_index() -> None:
        lsh = RMinHashLSH(dd.NEAR_THRESHOLD, dd.NUM_PERM, dd.LSH_BANDS)
        for i, doc in enumerate(docs):
            m = RMinHash(dd.NUM_PERM, dd.SEED)
            m.update(list(dd.shingles(doc.body)))
            lsh.insert(i, m)

    t_band = timed(band_index, repeat=1)
    t_rlsh = timed(rensa_index, repeat=1)
    print(
        f"  window of {len(docs)} docs: band dicts from stored signatures {t_band:.2f} s,"
        f" re-shingle + RMinHashLSH {t_rlsh:.2f} s ({t_rlsh / t_band:.1f}x)"
    )


def section_recrawls(folder: Path) -> None:
    heading("6. Naver re-crawls (file names are titles)")
    files = sorted(folder.glob("*/*.txt"))
    titles = [f.stem.split("_", 1)[1] if "_" in f.stem else f.stem for f in files]
    texts = [f.read_text(encoding="utf-8", errors="replace") for f in files]
    articles = as_articles(texts, prefix="r")
    result = dd.dedupe(articles, [])
    story = {a.article_id: a.story_id for a in result.assignments}
    kinds = Counter(a.dup_kind for a in result.assignments)
    by_title: dict[str, set[str]] = defaultdict(set)
    by_story: dict[str, set[str]] = defaultdict(set)
    for article, title in zip(articles, titles, strict=True):
        by_title[title].add(story[article.article_id])
        by_story[story[article.article_id]].add(title)
    split = {t: s for t, s in by_title.items() if len(s) > 1}
    merged = {s: ts for s, ts in by_story.items() if len(ts) > 1}
    print(
        f"  {len(files)} texts, {len(by_title)} distinct titles -> {len(by_story)} stories"
        f" ({kinds['exact']} exact, {kinds['near']} near, {kinds['original']} original)"
    )
    print(f"  titles split over several stories: {len(split)}")
    for title, stories in sorted(split.items()):
        print(f"    {title[:50]} -> {len(stories)} stories")
    print(f"  stories holding several titles: {len(merged)}")
    for members in merged.values():
        names = sorted(members)
        pair_sims = []
        idx = {t: i for i, t in enumerate(titles)}
        for x in range(len(names)):
            for y in range(x + 1, len(names)):
                a, b = texts[idx[names[x]]], texts[idx[names[y]]]
                pair_sims.append(dd.jaccard(dd.shingles(a), dd.shingles(b)))
        print(f"    {' | '.join(n[:30] for n in names)}  (J {max(pair_sims):.2f})")
    near = [a.similarity for a in result.assignments if a.dup_kind == "near"]
    if near:
        print(f"  near-copy similarity: min {min(near):.2f}, median {statistics.median(near):.2f}")


def prf(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def recrawl_texts(folder: Path) -> tuple[list[str], list[str]]:
    """(ids, texts) of the re-crawl set; ids as in the labels file (folder/number)."""
    files = sorted(folder.glob("*/*.txt"))
    ids = [f"{f.parent.name}/{f.stem.split('_', 1)[0]}" for f in files]
    return ids, [f.read_text(encoding="utf-8", errors="replace") for f in files]


SWEEP_THRESHOLDS = (0.25, 0.30, 0.35, 0.40, 0.45, 0.50)
SWEEP_COVERS: tuple[float | None, ...] = (None, 0.7, 0.8, 0.85, 0.9, 0.95)
SWEEP_FLOORS = (0.12, 0.15, 0.20)
SWEEP_PIECES = ((40, 0.25), (60, 0.20), (60, 0.25), (60, 0.35), (100, 0.20), (100, 0.25))


@dataclass(frozen=True)
class Score:
    """One dedupe() configuration scored against the labels (see ``section_f1``)."""

    labelled: tuple[float, float, float]
    weighted: tuple[float, float, float]
    recrawls: tuple[float, float, float] | None
    merges: int
    byline_d_joined: int


def section_f1(texts: Sequence[str], pairs: dict[tuple[int, int], float], recrawls: Path) -> None:
    """Pairwise precision, recall and F1 of dedupe()'s stories against bench/data labels, swept
    over the Jaccard threshold, the coverage rule's ``cover_min`` (None: rule off) and its Jaccard
    floor; the configurations with the best weighted soynlp F1 (ties: the best labelled F1) are
    marked ``*``, the one in tasks/dedupe.py ``<``. Then the piece size and hit share of
    ``coverage`` at the chosen threshold and cover, each at the three floors: a setting whose F1
    falls at a neighbouring floor rests on a single labelled pair and is not a safe choice.

    A pair is predicted "same" when both articles end in one story (merges included). E pairs
    (same event, independently written) are neither required nor penalised. soynlp: over the
    labelled pairs as they are (a sample that over-represents the hard 0.15-0.5 Jaccard bands),
    and weighted by band size from the random sample (an estimate over all 115,921 pairs).
    naver-recrawls: over all 10,585 pairs (listed labels, unlisted pairs D). byline D: the 19
    same-reporter template pieces about different subjects (labelled D) that end in one story.
    """
    heading("7. Pairwise precision / recall / F1 against bench/data/dedupe_labels.tsv")
    labels = load_labels()
    soy = {
        (int(a.removeprefix("line")), int(b.removeprefix("line"))): lab
        for (a, b), (lab, _) in labels[SOYNLP].items()
    }
    articles = as_articles(texts)
    rarticles: list[Article] = []
    ids: list[str] = []
    rlabels: dict[tuple[str, str], str] = {}
    if recrawls.is_dir():
        ids, rtexts = recrawl_texts(recrawls)
        rarticles = as_articles(rtexts, prefix="r")
        rlabels = {k: lab for k, (lab, _) in labels[RECRAWLS].items()}
    population = Counter(band_of(j) for j in pairs.values())
    labelled_in_band = Counter(band_of(pairs[k]) for k in RANDOM_LABELS)
    byline_d = [k for k, v in BYLINE_LABELS.items() if v == "D"]

    def score(t: float, cover: float | None, floor: float) -> Score:
        rewrites = cover is not None
        kwargs = {"cover_min": cover, "floor": floor} if cover is not None else {}
        result = dd.dedupe(articles, [], threshold=t, rewrites=rewrites, **kwargs)  # type: ignore[arg-type]
        story = {a.article_id: a.story_id for a in result.assignments}

        def same(a: int, b: int) -> bool:
            return story[f"{a:04d}"] == story[f"{b:04d}"]

        tp = sum(1 for (a, b), lab in soy.items() if lab == "S" and same(a, b))
        fn = sum(1 for (a, b), lab in soy.items() if lab == "S" and not same(a, b))
        fp = sum(1 for (a, b), lab in soy.items() if lab == "D" and same(a, b))
        wtp = wfp = wfn = 0.0
        for (a, b), lab in RANDOM_LABELS.items():
            band = band_of(pairs[(a, b)])
            if band is None or lab == "E":
                continue
            weight = population[band] / labelled_in_band[band]
            if lab == "S" and same(a, b):
                wtp += weight
            elif lab == "S":
                wfn += weight
            elif same(a, b):
                wfp += weight
        recrawl_prf = None
        if rarticles:
            rresult = dd.dedupe(rarticles, [], threshold=t, rewrites=rewrites, **kwargs)  # type: ignore[arg-type]
            rstory = [a.story_id for a in sorted(rresult.assignments, key=lambda a: a.article_id)]
            rtp = rfp = rfn = 0
            for i in range(len(ids)):
                for j in range(i + 1, len(ids)):
                    key = (ids[i], ids[j]) if ids[i] < ids[j] else (ids[j], ids[i])
                    lab = rlabels.get(key, "D")
                    joined = rstory[i] == rstory[j]
                    rtp += lab == "S" and joined
                    rfn += lab == "S" and not joined
                    rfp += lab == "D" and joined
            recrawl_prf = prf(rtp, rfp, rfn)
        return Score(
            prf(tp, fp, fn),
            prf(wtp, wfp, wfn),
            recrawl_prf,
            len(result.merges),
            sum(1 for a, b in byline_d if same(a, b)),
        )

    n_s = sum(1 for v in soy.values() if v == "S")
    n_d = sum(1 for v in soy.values() if v == "D")
    print(
        f"  labelled soynlp pairs: {n_s} S / {n_d} D; weighted: random sample x band size;"
        f" byline D: {len(byline_d)} template pairs"
    )
    print(
        "  thresh cover floor | weighted P    R     F1   | labelled P    R     F1   |"
        " byline D | recrawls F1 | merges"
    )
    chosen = (dd.NEAR_THRESHOLD, dd.COVER_MIN, dd.REWRITE_THRESHOLD)
    configs: list[tuple[float, float | None, float]] = [
        (t, c, dd.REWRITE_THRESHOLD) for t in SWEEP_THRESHOLDS for c in SWEEP_COVERS
    ]
    configs += [(dd.NEAR_THRESHOLD, dd.COVER_MIN, f) for f in SWEEP_FLOORS]
    configs = list(dict.fromkeys(configs))
    scores = {config: score(*config) for config in configs}
    top = max((round(sc.weighted[2], 3), round(sc.labelled[2], 3)) for sc in scores.values())
    best = {
        c for c, sc in scores.items() if (round(sc.weighted[2], 3), round(sc.labelled[2], 3)) == top
    }
    for config in configs:
        t, cover, floor = config
        sc = scores[config]
        mark = ("*" if config in best else " ") + ("<" if config == chosen else " ")
        cover_s = "  off" if cover is None else f"{cover:5.2f}"
        floor_s = "    -" if cover is None else f"{floor:5.2f}"
        wp, wr, wf = sc.weighted
        lp, lr, lf = sc.labelled
        rf = f"{sc.recrawls[2]:.3f}" if sc.recrawls else "  -  "
        print(
            f"  {t:5.2f} {cover_s} {floor_s} |   {wp:6.3f} {wr:5.3f} {wf:5.3f} |"
            f"   {lp:6.3f} {lr:5.3f} {lf:5.3f} |  {sc.byline_d_joined:2d}/{len(byline_d)}   |"
            f"    {rf}    | {sc.merges:4d} {mark}"
        )
    print(
        "  piece size and hit share of the coverage rule, at the chosen threshold and cover,"
        " weighted F1 at floors " + ", ".join(f"{f:.2f}" for f in SWEEP_FLOORS) + ":"
    )
    saved = (dd.COVER_CHUNK, dd.COVER_HIT)
    try:
        for chunk, hit in SWEEP_PIECES:
            setattr(dd, "COVER_CHUNK", chunk)  # noqa: B010 (Final in tasks/dedupe.py)
            setattr(dd, "COVER_HIT", hit)  # noqa: B010
            per_floor = [score(chosen[0], chosen[1], floor) for floor in SWEEP_FLOORS]
            mark = " <" if (chunk, hit) == saved else ""
            print(
                f"    {chunk:3d} chars, hit {hit:.2f}: "
                + "  ".join(f"{sc.weighted[2]:.3f}" for sc in per_floor)
                + f"   worst {min(sc.weighted[2] for sc in per_floor):.3f}{mark}"
            )
    finally:
        setattr(dd, "COVER_CHUNK", saved[0])  # noqa: B010
        setattr(dd, "COVER_HIT", saved[1])  # noqa: B010
    if chosen in scores:
        sc = scores[chosen]
        print(
            f"  chosen (tasks/dedupe.py): threshold {chosen[0]}, cover_min {chosen[1]},"
            f" floor {chosen[2]}: weighted P {sc.weighted[0]:.3f} R {sc.weighted[1]:.3f}"
            f" F1 {sc.weighted[2]:.3f}; labelled P {sc.labelled[0]:.3f} R {sc.labelled[1]:.3f}"
            f" F1 {sc.labelled[2]:.3f}"
            + (
                f"; naver re-crawls P {sc.recrawls[0]:.3f} R {sc.recrawls[1]:.3f}"
                f" F1 {sc.recrawls[2]:.3f}"
                if sc.recrawls
                else ""
            )
        )


_SYLLABLES = [chr(0xAC00 + i) for i in range(0, 11172, 37)]
_WORDS_EN = [
    "network",
    "operator",
    "spectrum",
    "carrier",
    "tower",
    "fiber",
    "cloud",
    "edge",
    "core",
]


def synthetic_corpus(n: int, seed: int = 5) -> list[str]:
    """``n`` bodies of ~2 KB (UTF-8): Korean-like words with English and numbers mixed in; one
    in five is a syndicated copy of an earlier body with a new lead and one paragraph changed."""
    rng = random.Random(seed)
    words = ["".join(rng.choices(_SYLLABLES, k=rng.randint(2, 4))) for _ in range(30_000)]
    out: list[str] = []
    for i in range(n):
        if i >= 50 and rng.random() < 0.2:
            base = out[rng.randrange(max(0, i - 5_000), i)].split("\n")
            base[0] = " ".join(rng.choices(words, k=25))
            base[rng.randrange(1, len(base))] = " ".join(rng.choices(words, k=30))
            out.append("\n".join(base))
            continue
        paragraphs = []
        size = 0
        while size < 2_000:
            para = " ".join(
                rng.choice(words) if rng.random() < 0.85 else rng.choice(_WORDS_EN) + str(i % 97)
                for _ in range(30)
            )
            paragraphs.append(para)
            size += len(para.encode("utf-8")) + 1
        out.append("\n".join(paragraphs))
    return out


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def section_scale(n: int) -> tuple[float, float]:
    """The real per-run path at scale: ``n`` synthetic ~2 KB articles stored (a 14-day window at
    ~7,000 articles a day) in DuckDB with their signatures and LSH band rows; then runs of new
    articles (one in five a syndicated copy): the band lookup (window_docs.sql), the window read,
    and dedupe(). Signatures per second is the fingerprint extraction already pays per article.

    Returns the dedupe cost per new article in ms for a run of 100 new articles (a 15-minute run
    at ~7,000 articles a day): its fingerprint plus its share of the run's dedupe phase, as wall
    time and as CPU time of the process (all threads, DuckDB's included). The run of 100 is
    measured on three different batches and the median taken: on a shared 2-core machine one
    run's wall time varies several-fold with the neighbours' load, its CPU time far less.
    """
    heading(f"8. Scale: {n:,} synthetic ~2 KB articles in the window (DuckDB, real queries)")
    rss0 = peak_rss_mb()
    start = time.perf_counter()
    bodies = synthetic_corpus(n + 1_000)
    window_bodies, new_bodies = bodies[:n], bodies[n:]
    t_gen = time.perf_counter() - start
    mean_bytes = statistics.fmean(len(b.encode("utf-8")) for b in window_bodies[:2000])
    start, cpu_start = time.perf_counter(), time.process_time()
    hashes = [dd.content_hash(b) for b in window_bodies]
    sigs = np.empty((n, dd.NUM_PERM), dtype=np.uint64)  # as window_from_arrow reads them
    for i, body in enumerate(window_bodies):
        sigs[i] = dd.signature(body)
    t_sig = time.perf_counter() - start
    c_sig = time.process_time() - cpu_start
    print(
        f"  corpus: {t_gen:.1f} s to generate, mean {mean_bytes:,.0f} bytes;"
        f" peak RSS {peak_rss_mb():,.0f} MB (process start {rss0:,.0f} MB)"
    )
    print(
        f"  fingerprints (content_hash + shingles + rensa signature): {n / t_sig:,.0f} articles/s"
        f" ({1000 * t_sig / n:.3f} ms each, {1000 * c_sig / n:.3f} ms CPU)"
    )
    base = datetime(2026, 11, 1, tzinfo=UTC)
    start = time.perf_counter()
    con = window_database(window_bodies, hashes, sigs, base)
    print(f"  stored {n:,} articles + {64 * n:,} band rows in {time.perf_counter() - start:.1f} s")
    del sigs, hashes, bodies, window_bodies
    new_all = [
        replace(a, published_at=base + timedelta(days=13, seconds=i))
        for i, a in enumerate(as_articles(new_bodies, prefix="n"))
    ]
    given = {a.article_id: dd.signature(a.body) for a in new_all}
    print(
        "  run size   lookup+read   dedupe()   per article (CPU)      window docs   near  peak RSS"
    )
    walls: list[float] = []
    cpus: list[float] = []
    runs = [(0, 1), (0, 100), (100, 200), (200, 300), (0, 1_000)]
    for first, last in runs:
        new = new_all[first:last]
        size = len(new)
        start, cpu_start = time.perf_counter(), time.process_time()
        window = load_window(con, new, given, base)
        t_read = time.perf_counter() - start
        result = dd.dedupe(new, window, signatures=given)
        t_dedupe = time.perf_counter() - start - t_read
        per = 1000 * (t_read + t_dedupe) / size
        per_cpu = 1000 * (time.process_time() - cpu_start) / size
        near = sum(1 for a in result.assignments if a.dup_kind == "near")
        print(
            f"  {size:8,d}   {1000 * t_read:8.1f} ms {1000 * t_dedupe:8.1f} ms  {per:8.3f} ms"
            f" ({per_cpu:7.3f} ms)  {len(window):11,d} {near:6d}  {peak_rss_mb():,.0f} MB"
        )
        if size == 100:
            walls.append(per)
            cpus.append(per_cpu)
    per_article_at_100 = statistics.median(walls)
    cpu_at_100 = statistics.median(cpus)
    full_start = time.perf_counter()
    table = con.sql(
        "SELECT a.article_id, a.story_id, a.content_hash, s.signature, a.body, a.url_key,"
        " a.canonical_url, a.og_url, a.published_at AS seen_at, a.identity_keys"
        " FROM articles AS a JOIN article_signatures AS s USING (article_id)"
    ).to_arrow_table()
    whole = dd.window_from_arrow(table)
    del table
    index = dd._Index(dd.NEAR_THRESHOLD)
    index.add_window(whole)
    t_full = time.perf_counter() - full_start
    print(
        f"  for comparison, loading and indexing the whole window: {t_full:.1f} s per run;"
        f" peak RSS {peak_rss_mb():,.0f} MB"
    )
    del whole, index
    t_fp, c_fp = 1000 * t_sig / n, 1000 * c_sig / n
    print(
        f"  dedupe per new article in a run of 100 (median of 3): {t_fp:.3f} fingerprint"
        f" + {per_article_at_100:.3f} lookup and dedupe = {t_fp + per_article_at_100:.3f} ms;"
        f" CPU {c_fp:.3f} + {cpu_at_100:.3f} = {c_fp + cpu_at_100:.3f} ms"
    )
    return t_fp + per_article_at_100, c_fp + cpu_at_100


def window_database(
    bodies: Sequence[str], hashes: Sequence[str], sigs: np.ndarray, base: datetime
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the columns window_docs.sql reads, one article every 12 s."""
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE articles (article_id VARCHAR, story_id VARCHAR, content_hash VARCHAR,"
        " body VARCHAR, url_key VARCHAR, canonical_url VARCHAR, og_url VARCHAR,"
        " published_at TIMESTAMPTZ, fetched_at TIMESTAMPTZ, identity_keys VARCHAR[])"
    )
    con.execute("CREATE TABLE article_signatures (article_id VARCHAR, signature UBIGINT[])")
    con.execute("CREATE TABLE article_bands (band_key UBIGINT, article_id VARCHAR)")
    ids = [f"w{i:07d}" for i in range(len(bodies))]
    keys = [f"news.example/{i}" for i in ids]
    times = [base + timedelta(seconds=12 * i) for i in range(len(bodies))]
    articles = pa.table(
        {
            "article_id": ids,
            "story_id": ids,
            "content_hash": list(hashes),
            "body": list(bodies),
            "url_key": keys,
            "canonical_url": pa.nulls(len(ids), pa.string()),
            "og_url": pa.nulls(len(ids), pa.string()),
            "published_at": times,
            "fetched_at": times,
            "identity_keys": [[k] for k in keys],
        }
    )
    signatures = pa.table(
        {
            "article_id": ids,
            "signature": pa.FixedSizeListArray.from_arrays(
                pa.array(sigs.ravel(), pa.uint64()), dd.NUM_PERM
            ).cast(pa.list_(pa.uint64())),
        }
    )
    bands = pa.table(
        {
            "band_key": pa.array(dd._mix(dd._band_array(sigs)).ravel(), pa.uint64()),
            "article_id": np.repeat(np.asarray(ids, dtype=object), dd.LSH_BANDS),
        }
    )
    for name, table in (("articles", articles), ("article_signatures", signatures)):
        con.register("_rows", table)
        con.execute(f"INSERT INTO {name} SELECT * FROM _rows")
        con.unregister("_rows")
    con.register("_bands", bands)
    con.execute(query("insert_bands"))
    con.unregister("_bands")
    return con


def section_cost(dedupe_ms: tuple[float, float] | None, corpus: Path = DEFAULT_CORPUS) -> None:
    """Extraction per article in the same process (tasks.extraction.extract_page on the 104 real
    news pages of ../shared/corpus/extraction, else on the demo's pages) against the dedupe cost
    per article from section 8 (or a small in-memory run when it was skipped), as wall time and as
    process CPU time: the CPU ratio is the one a loaded machine does not distort."""
    heading("9. Dedupe cost as a share of extraction (same process)")
    import gzip

    from tasks.extraction import extract_page

    real = sorted((corpus.parent / "extraction" / "html").glob("*.html.gz"))
    if real:
        pages = [(gzip.decompress(p.read_bytes()), p) for p in real]
        what = f"{len(pages)} real news pages"
    else:
        root = Path(__file__).resolve().parents[1] / "demo" / "content" / "pages"
        pages = [
            (p.read_bytes().replace(b"{base}", b"http://127.0.0.1:8000"), p)
            for p in sorted(root.glob("*/*.html"))
        ]
        what = f"{len(pages)} demo pages"
    for content, path in pages[:10]:  # warm-up: imports, lxml, htmldate caches
        extract_page(content, f"https://news.example/{path.name}")
    start, cpu_start = time.perf_counter(), time.process_time()
    for content, path in pages:
        extract_page(content, f"https://news.example/{path.name}")
    extract_ms = 1000 * (time.perf_counter() - start) / len(pages)
    extract_cpu = 1000 * (time.process_time() - cpu_start) / len(pages)
    if dedupe_ms is None:
        bodies = synthetic_corpus(2_000)
        start, cpu_start = time.perf_counter(), time.process_time()
        dd.dedupe(as_articles(bodies), [])
        dedupe_ms = (
            1000 * (time.perf_counter() - start) / len(bodies),
            1000 * (time.process_time() - cpu_start) / len(bodies),
        )
    wall, cpu = dedupe_ms
    mean_kb = statistics.fmean(len(c) for c, _ in pages) / 1024
    print(
        f"  extraction (tasks.extraction.extract_page, {what}, mean {mean_kb:.0f} KB):"
        f" {extract_ms:.2f} ms/article ({extract_cpu:.2f} ms CPU)"
    )
    print(
        f"  dedupe: {wall:.3f} ms/article -> {100 * wall / extract_ms:.1f}% of extraction;"
        f" CPU {cpu:.3f} ms/article -> {100 * cpu / extract_cpu:.1f}% (goal < 10%)"
    )


if __name__ == "__main__":
    main()
