"""Make bench/heldout_blind/search_vosk.jsonl: what free-form Vosk really hears when a product name is spoken.

Search has to survive the recognizer, and hand-written "misheard" queries only guess at its errors. So
each demo product's name is spoken by espeak-ng (five voices, four rates, rotated so neighbours differ)
and decoded by the project's own `Recognizer` with no phrase list (free-form, the bundled model), and
the transcript is stored with the sku it was made from. The set is generated and committed before any
search tuning and is only ever measured in aggregate (bench/bench_search.py), never tuned on.

    PYTHONPATH=$PWD .venv/bin/python bench/make_search_vosk.py [--limit N]
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
OUT = ROOT / "bench" / "heldout_blind" / "search_vosk.jsonl"
VOICES = ("en-us", "en-gb", "en-us+m3", "en-us+f2", "en-029")
RATES = (130, 160, 185, 210)


def main() -> None:
    """Speak, transcribe and write one row per product (blank transcripts kept: they are real output too)."""
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
            voice = VOICES[index % len(VOICES)]
            rate = RATES[(index // len(VOICES)) % len(RATES)]
            wav = synthesize(product["name"], Path(tmp) / f"{index}.wav", voice=voice, rate=rate)
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
    OUT.write_text("".join(json.dumps(row) + "\n" for row in rows))
    same = sum(row["query"] == row["spoken"].lower() for row in rows)
    print(f"{len(rows)} transcripts -> {OUT.relative_to(ROOT)} ({same} heard exactly as the name)")


if __name__ == "__main__":
    main()
