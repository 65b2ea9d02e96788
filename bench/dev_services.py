"""The service intents on this branch's own dev set (bench/dev_services.jsonl), written before tuning.

    PYTHONPATH=$PWD .venv/bin/python bench/dev_services.py [--rows]

The dev set is ours to read and tune on (unlike bench/heldout_blind/*): it prints the same aggregates as
`bench_understanding_typed.py` for the recognizer alone and, with `--rows`, every row it gets wrong, so a
fix can be aimed at a kind of phrasing rather than at one sentence.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_understanding_typed import _all_right, _search, run_recognizer, score  # noqa: E402

DEV = ROOT / "bench" / "dev_services.jsonl"


def main() -> None:
    """Score the recognizer on the dev set; with --rows, list what it gets wrong."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", action="store_true", help="print every row read wrongly")
    show = parser.parse_args().rows
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    outcomes = run_recognizer(rows, _search())
    for measure, value in score(rows, outcomes).items():
        cell = "n/a" if value is None else str(value) if isinstance(value, int) else f"{value:.1%}"
        print(f"{measure:28}{cell:>10}")
    if show:
        for row, outcome in zip(rows, outcomes, strict=True):
            wrong = outcome.intent is not None if not row["for_shop"] else not _all_right(row, outcome)
            if wrong:
                print(
                    f"  {row['text']!r}: want {row['intent']} {row['slots']}, got {outcome.intent} "
                    f"{outcome.slots}{' (asked)' if outcome.asked else ''}"
                )


if __name__ == "__main__":
    main()
