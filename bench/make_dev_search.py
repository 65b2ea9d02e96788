"""Make bench/dev_search.jsonl: the DEV set search is tuned and calibrated on (never the held-out sets).

The held-out recognizer set (bench/heldout_blind/search_vosk.jsonl) speaks each product name once with
voices en-us, en-gb, en-us+m3, en-us+f2 and en-029. This set uses other voices and rates (en-us+m7,
en-gb-x-rp, en-us+f4, en-gb-scotland, en-us-nyc at 120-230 words a minute), decoded by the same
free-form Vosk recognizer, so what search learns here is the recognizer's habits, not the held-out
rows. Hand-written rows (paraphrases, brands, categories, price caps, fillers, not sold) are read from
bench/dev_search_written.jsonl and appended.

    PYTHONPATH=$PWD .venv/bin/python bench/make_dev_search.py [--limit N]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from local_voice.recognizer import Recognizer
from local_voice.test_speech import synthesize

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT.parent / "shared" / "catalog" / "demo_catalog.json"
MODEL = ROOT / ".data" / "vosk-model-en-us"
OUT = ROOT / "bench" / "dev_search.jsonl"
WRITTEN = ROOT / "bench" / "dev_search_written.jsonl"
VOICES = ("en-us+m7", "en-gb-x-rp", "en-us+f4", "en-gb-scotland", "en-us-nyc")
RATES = (120, 150, 175, 200, 230)
TAKES = 2
"""Each product spoken twice, by two different voices and rates, so the set has ~460 recognizer rows."""


def main() -> None:
    """Speak, transcribe and write one row per product and take, then the hand-written rows."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=0, help="only the first N products (0: all)")
    args = parser.parse_args()
    products = json.loads(CATALOG.read_text())["products"]
    if args.limit:
        products = products[: args.limit]
    recognizer = Recognizer(MODEL, phrases=None)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for index, product in enumerate(products):
            for take in range(TAKES):
                voice = VOICES[(index + 2 * take) % len(VOICES)]
                rate = RATES[(index // len(VOICES) + 3 * take) % len(RATES)]
                wav = synthesize(product["name"], Path(tmp) / f"{index}-{take}.wav", voice=voice, rate=rate)
                heard = recognizer.transcribe_wav(wav)
                rows.append(
                    {
                        "query": heard.text,
                        "sku_any": [product["sku"]],
                        "kind": "vosk",
                        "spoken": product["name"],
                        "voice": voice,
                        "rate": rate,
                    }
                )
    written = (
        [json.loads(line) for line in WRITTEN.read_text().splitlines() if line.strip()] if WRITTEN.exists() else []
    )
    OUT.write_text("".join(json.dumps(row) + "\n" for row in [*rows, *written]))
    same = sum(row["query"] == row["spoken"].lower() for row in rows)
    print(f"{len(rows)} transcripts + {len(written)} written -> {OUT.relative_to(ROOT)} ({same} heard exactly)")


if __name__ == "__main__":
    main()
