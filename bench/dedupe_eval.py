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
4. recall and precision of LSH candidate generation against brute force at the chosen threshold,
   for the chosen bands and two alternatives, and a check that rensa's ``RMinHashLSH`` with the same
   bands proposes exactly the same candidates as the band dicts in tasks/dedupe.py;
5. speed: rensa signatures vs a pure-Python MinHash in the same run (datasketch too if installed),
   and building the window index from stored signatures vs re-shingling it for ``RMinHashLSH``;
6. the Naver re-crawl set: do re-crawls and edited copies of one article land in one story?
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
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rensa import RMinHash, RMinHashLSH

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tasks import dedupe as dd
from tasks.models import Article

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dedupe"
THRESHOLDS = (0.20, 0.25, 0.30, 0.35, 0.40, 0.50)

# My reading of pairs of doublespace_line_corpus_sample.txt (1-based line numbers, as in the TSV).
# S = same story (rewrites of one release or announcement), E = same event written independently
# or split by one reporter into several pieces (joining them is harmless), D = different stories
# (joining them hides one). RANDOM: a stratified random sample per Jaccard band (seeds 11 and 99).
# BYLINE: every pair at 0.25-0.6 whose two texts start with the same byline, the hard case where
# one reporter's template articles about different subjects share a paragraph and a footer.
RANDOM_LABELS: dict[tuple[int, int], str] = {
    (135, 391): "D", (299, 475): "D", (442, 462): "D", (24, 153): "D", (14, 39): "D",
    (188, 412): "E", (51, 252): "D", (267, 286): "D", (261, 350): "E", (301, 316): "E",
    (261, 424): "E", (108, 346): "D",
    (171, 275): "D", (75, 391): "D", (26, 330): "S", (108, 301): "D", (50, 394): "D",
    (190, 364): "E", (129, 379): "D", (134, 359): "D",
    (226, 414): "S", (42, 280): "D", (39, 96): "S", (21, 162): "S", (67, 464): "D",
    (21, 226): "S", (31, 151): "S", (81, 234): "S", (67, 461): "D", (28, 96): "D",
    (134, 168): "S", (67, 280): "D", (157, 276): "E", (13, 445): "S", (81, 201): "S",
    (13, 131): "S", (2, 481): "S", (3, 12): "S",
    (173, 475): "S", (84, 162): "S", (37, 57): "S", (78, 333): "S", (154, 462): "D",
    (24, 78): "S", (90, 132): "S", (67, 276): "E", (173, 231): "S", (3, 387): "S",
    (3, 72): "S", (410, 468): "S", (100, 167): "S", (1, 69): "S", (72, 128): "S",
    (81, 131): "S", (30, 40): "D", (172, 176): "D",
    (135, 379): "D", (135, 475): "D", (116, 225): "S", (106, 283): "S", (51, 291): "S",
    (27, 234): "S", (80, 104): "S", (140, 153): "D", (395, 459): "S", (12, 387): "S",
    (27, 268): "S", (103, 339): "S", (73, 454): "S", (10, 49): "S", (50, 288): "S",
    (404, 459): "S", (80, 310): "S", (35, 66): "S",
    (41, 68): "S", (45, 335): "S", (45, 142): "S", (55, 252): "S", (276, 279): "E",
    (216, 367): "S", (53, 67): "S", (21, 104): "S", (14, 132): "S", (51, 65): "S",
    (51, 333): "S", (49, 455): "S", (104, 476): "S", (80, 387): "S", (275, 280): "D",
    (80, 273): "S", (346, 367): "S", (241, 244): "E",
    (57, 69): "S", (108, 288): "S", (105, 123): "E", (130, 360): "S", (104, 186): "S",
    (90, 99): "S", (42, 158): "S", (51, 274): "S",
    (227, 291): "S", (104, 431): "S", (75, 109): "S", (327, 394): "S", (70, 409): "S",
    (55, 393): "S", (69, 283): "S", (65, 108): "S",
    (317, 430): "S", (198, 303): "S", (152, 286): "S", (286, 345): "S", (90, 475): "S",
    (65, 73): "S", (152, 391): "S", (195, 221): "S",
}  # fmt: skip
BYLINE_LABELS: dict[tuple[int, int], str] = {
    (464, 465): "E", (314, 317): "D", (462, 465): "D", (279, 280): "D", (463, 465): "D",
    (238, 244): "E", (281, 282): "E", (460, 464): "D", (240, 244): "E", (275, 279): "D",
    (238, 240): "E", (238, 241): "E", (239, 243): "E", (239, 242): "E", (276, 280): "D",
    (240, 241): "E", (271, 272): "E", (171, 172): "D", (460, 463): "D", (461, 464): "D",
    (275, 276): "D", (460, 461): "D", (461, 465): "D", (189, 191): "E", (188, 191): "E",
    (242, 243): "E", (411, 412): "E", (187, 191): "E", (190, 191): "E", (463, 464): "D",
    (460, 462): "D", (462, 464): "D", (461, 463): "D", (122, 126): "E", (124, 126): "E",
    (363, 364): "E", (462, 463): "D", (461, 462): "D", (188, 189): "E", (362, 364): "E",
    (362, 363): "E", (187, 188): "E", (188, 190): "E", (189, 190): "E", (187, 189): "E",
    (187, 190): "E", (125, 126): "E",
}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
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
    section_distribution(pairs, len(texts), corpus / "candidate-pairs-computed.tsv")
    section_labels(pairs)
    section_end_to_end(texts, pairs)
    section_lsh(texts, sets, pairs)
    section_speed(texts, sets)
    recrawls = corpus / "naver-recrawls-2021"
    if recrawls.is_dir():
        section_recrawls(recrawls)


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
        dd.StoredDoc(a.article_id, s.story_id, a.content_hash, dd.signature(a.body), a.body)
        for a, s in zip(articles[:half], first, strict=True)
    ]
    second = dd.dedupe(articles[half:], window).assignments
    print(
        f"  two runs (second half against the first as window) agree: {first + second == baseline}"
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
    heading(f"4. LSH candidate generation vs brute force at J >= {t}")
    long_docs = {i + 1 for i, text in enumerate(texts) if len(dd.normalize_for_hash(text)) >= 200}
    truth = {k for k, j in pairs.items() if j >= t and k[0] in long_docs and k[1] in long_docs}
    sigs = [dd.signature(text) for text in texts]
    total = len(texts) * (len(texts) - 1) // 2
    for bands, rows in ((dd.LSH_BANDS, dd.LSH_ROWS), (32, 4), (16, 8)):
        cands = lsh_candidates(sigs, bands, rows)
        found = len(truth & cands)
        print(
            f"  {bands:2d} bands x {rows} rows: {len(cands):6d} candidates"
            f" ({100 * len(cands) / total:.1f}% of all pairs),"
            f" recall {found}/{len(truth)} = {100 * found / len(truth):.1f}%,"
            f" precision {100 * found / max(1, len(cands)):.1f}%"
        )
    cands = lsh_candidates(sigs, dd.LSH_BANDS, dd.LSH_ROWS)
    index = dd._Index(t)
    kept = {
        (a, b)
        for a, b in cands
        if sum(x == y for x, y in zip(sigs[a - 1], sigs[b - 1], strict=True)) / dd.NUM_PERM
        >= index.min_estimate
    }
    found = len(truth & kept)
    print(
        f"  after the signature estimate (>= {index.min_estimate:.3f}): {len(kept)} exact Jaccards,"
        f" recall {found}/{len(truth)} = {100 * found / len(truth):.1f}%"
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


if __name__ == "__main__":
    main()
