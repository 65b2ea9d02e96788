"""The blind held-out set, spoken: the kiosk's ears in several modes beside a hassil-based peer, one run.

Usage: python3 bench/bench_heldout_speech.py [--modes grammar,grammar-nbest,...] [--no-peer] [--rows FILE [--show]]
       [--limit N] [--every N] [--no-db] [--cache DIR] [--json FILE]

Every row of `bench/heldout_blind/heldout_commands.jsonl` (563: 506 for the shop, 57 not) is spoken by
espeak-ng: five voices, two rates, every third row mixed with pink noise at 12 dB SNR (over the speech's
active frames), rendered once into a cache under DATA_DIR (never committed). Each row is a fresh kiosk
session: a fresh decoder, and the grammar the kiosk picks for the row's context (a code awaited: the code
grammar; a yes/no asked: the full grammar with yes/no preferred). The same WAV files go to every mode and
to the peer.

Modes: `grammar` (one transcript, the kiosk's phrase list), `free` (free-form Vosk plus correction),
`-nbest` (Vosk's n-best with word confidences, rescored by the understanding and the context; `-nbest3`
for a three-best), `-min<P>` (alternatives below a posterior of P/100 are not read), `-commands` (the slot-free
commands decoded beside the full grammar, for short commands it heard unsure), `-short<N>`
(slot-free samples weigh N phrases), and `combo` (grammar n-best, and the free n-best when the grammar
reading is no clean sample). `peer` is `bench/hassil_peer.py`.

Reported per mode, aggregates only (this set is never read row by row, nor tuned on): intent, sku,
quantity and all-slots-right; the safe-outcome split; wrong confident changes; actions on the sentences
not for the shop; end of speech to reply p50/p95 (the final decode and understanding, plus the
conversation's answer on DynamoDB Local for what would be answered; unless --no-db).
"""

from __future__ import annotations

import argparse
import array
import hashlib
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.hassil_peer import HassilPeer
from catalog.config import REPO_ROOT, Settings
from catalog.errors import StoreUnavailable
from catalog.importer import read_catalog
from intents.language import load_model
from local_voice.grammar import YES_NO
from local_voice.model_store import ensure_model
from local_voice.understanding import CHUNK_BYTES, SHOP_CHANGING, Understander, Understood

HELDOUT = REPO_ROOT / "bench" / "heldout_blind" / "heldout_commands.jsonl"
DEMO_CATALOG = REPO_ROOT.parent / "shared" / "catalog" / "demo_catalog.json"
VOICES = ("en-us", "en-gb", "en-us+m3", "en-us+f2", "en-029")
RATES = (145, 175)
SNR_DB = 12.0
EXPECTING = {"asked_code": "code", "asked_yes_no": YES_NO, "asked_confirm_checkout": YES_NO}
"""What the kiosk's ears expect after each context the set names (the others use the full grammar)."""
OUTCOMES = ("confident, right", "asked back, right", "asked back, wrong", "didn't catch", "confident, wrong")
DEFAULT_MODES = "grammar,grammar-nbest,grammar-nbest-short96,grammar-nbest-short192,free,free-nbest,combo"
NBEST = 5


@dataclass(frozen=True)
class Row:
    """One held-out command, as committed."""

    text: str
    intent: str | None
    slots: dict[str, Any]
    context: str
    for_shop: bool


@dataclass
class Reading:
    """What one mode made of one row: the intent and slot ids, whether it would ask, and how long it took."""

    intent: str | None
    slots: dict[str, str | None]
    doubtful: bool
    seconds: float
    heard: str = ""
    reply_seconds: float = 0.0
    flags: set[str] = field(default_factory=set)


# --- speech ----------------------------------------------------------------------------------------
def voice_of(index: int) -> tuple[str, int, bool]:
    """The voice, rate and noise of row `index`: every voice at every rate, a third of them noisy."""
    return VOICES[index % len(VOICES)], RATES[(index // len(VOICES)) % len(RATES)], index % 3 == 2


def render(text: str, voice: str, rate: int, noisy: bool, cache: Path) -> Path:
    """espeak-ng at 16 kHz mono, mixed with pink noise at `SNR_DB` when noisy; cached by content."""
    key = hashlib.sha1(f"{text}|{voice}|{rate}|{SNR_DB if noisy else 'clean'}".encode()).hexdigest()[:16]
    target = cache / f"{key}.wav"
    if target.is_file():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as scratch:
        raw, clean = Path(scratch) / "raw.wav", Path(scratch) / "clean.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(raw), text], check=True)
        convert = ["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(clean), "pad", "0.2", "0.4"]
        subprocess.run(convert, check=True)
        if noisy:
            _mix_noise(clean, Path(scratch), int(key[:6], 16))
        os.replace(clean, target)  # atomic: a parallel run never reads half a file
    return target


def _mix_noise(clean: Path, scratch: Path, seed: int) -> None:
    """Mix pink noise into `clean` in place so the speech's active frames sit `SNR_DB` above it."""
    import wave

    with wave.open(str(clean)) as source:
        speech = array.array("h", source.readframes(source.getnframes()))
    seconds = len(speech) / 16000 + 0.1
    noise_path = scratch / "noise.wav"
    subprocess.run(
        [
            "sox",
            "-R",
            "-n",
            "-r",
            "16000",
            "-c",
            "1",
            "-b",
            "16",
            str(noise_path),
            "synth",
            f"{seconds:.2f}",
            "pinknoise",
            "vol",
            "0.3",
        ],
        check=True,
        env={**os.environ, "SOX_OPTS": ""},
    )
    with wave.open(str(noise_path)) as source:
        noise = array.array("h", source.readframes(source.getnframes()))
    shift = seed % max(1, len(noise) - len(speech))
    frames = [speech[i : i + 320] for i in range(0, len(speech), 320)]
    energies = [sum(s * s for s in f) / max(1, len(f)) for f in frames]
    loud = max(energies) if energies else 0.0
    active = [e for e in energies if e > loud * 0.01] or [1.0]
    speech_rms = math.sqrt(sum(active) / len(active))
    noise_rms = math.sqrt(sum(s * s for s in noise) / max(1, len(noise))) or 1.0
    gain = speech_rms / (noise_rms * 10 ** (SNR_DB / 20))
    mixed = array.array(
        "h", (max(-32768, min(32767, int(s + gain * noise[(i + shift) % len(noise)]))) for i, s in enumerate(speech))
    )
    with wave.open(str(clean), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(mixed.tobytes())


def pcm_of(path: Path) -> bytes:
    """The 16 kHz mono samples of a rendered file."""
    import wave

    with wave.open(str(path)) as source:
        return source.readframes(source.getnframes())


# --- hearing -------------------------------------------------------------------------------------
def hear(understander: Understander, pcm: bytes, expecting: str | None) -> tuple[Understood, float]:
    """Stream like a microphone; the time counts from the last chunk (the end of speech) to the reading."""
    stream = understander.stream(expecting)
    heard: list[Understood] = []
    for offset in range(0, len(pcm), CHUNK_BYTES):
        found = stream.accept(pcm[offset : offset + CHUNK_BYTES])
        if found is not None and found.heard_text:
            heard.append(found)
    started = time.perf_counter()
    final = stream.finish()
    if final is not None and final.heard_text:
        heard.append(final)
        seconds = final.decode_seconds
    else:
        seconds = time.perf_counter() - started
    if not heard:
        return Understood("", 0.0, None, False), seconds
    if len(heard) == 1:
        return heard[0], seconds
    started = time.perf_counter()  # two endpoints inside one utterance: judged whole, and asked back
    joined = understander.hear_text(" ".join(h.heard_text for h in heard))
    return replace(joined, doubtful=True), seconds + time.perf_counter() - started


def as_reading(understood: Understood, seconds: float) -> Reading:
    """The comparable part of an `Understood`."""
    found = understood.match
    slots = {name: slot.resolved_id for name, slot in found.slots.items()} if found is not None else {}
    return Reading(found.intent if found else None, slots, understood.doubtful, seconds, understood.heard_text)


def clean_sample(understander: Understander, understood: Understood) -> bool:
    """Whether a reading is a sample as heard, every slot resolved (the combo keeps such grammar readings)."""
    found = understood.match
    return found is not None and not understood.corrected and found.score >= 1.0 and understander._resolved(found)


def run_mode(mode: str, model_path: Path, rows: list[Row], pcms: list[bytes], products: list) -> list[Reading]:
    """Hear every row in one mode of the kiosk's ears."""
    interaction = load_model("en-US")
    if mode == "combo":
        grammar = Understander.build(model_path, interaction, products, mode="grammar", alternatives=NBEST)
        free = Understander.build(model_path, interaction, products, mode="free", alternatives=NBEST)
        readings = []
        for row, pcm in zip(rows, pcms, strict=True):
            first, seconds = hear(grammar, pcm, EXPECTING.get(row.context))
            if not clean_sample(grammar, first):
                other, more = hear(free, pcm, EXPECTING.get(row.context))
                seconds += more  # conservative: a kiosk would decode both at once while the shopper speaks
                if clean_sample(free, other) or first.match is None:
                    first = other
            readings.append(as_reading(first, seconds))
        return readings
    parts = mode.split("-")
    short = next((int(p[5:]) for p in parts if p.startswith("short")), None)
    alternatives = next((int(p[5:] or NBEST) for p in parts if p.startswith("nbest")), 0)
    understander = Understander.build(
        model_path,
        interaction,
        products,
        mode=parts[0],
        alternatives=alternatives,
        short_weight=short,
        commands="commands" in parts,
    )
    for part in parts:
        if part.startswith("min"):  # "-min10": n-best alternatives below a posterior of 0.10 are not read
            understander.min_alternative = int(part[3:]) / 100
    understander.hear_pcm(pcms[0])  # warm-up: the first decode pays for lazy allocations
    pairs = zip(rows, pcms, strict=True)
    return [as_reading(*hear(understander, pcm, EXPECTING.get(row.context))) for row, pcm in pairs]


def run_peer(model_path: Path, rows: list[Row], pcms: list[bytes], products: list) -> list[Reading]:
    """The hassil peer on the same audio: its own sampled grammar, strict hassil, then nearest sentence."""
    import vosk

    vosk.SetLogLevel(-1)
    model = vosk.Model(str(model_path))
    peer = HassilPeer(load_model("en-US"), products, lambda word: model.vosk_model_find_word(word) >= 0)
    grammar = json.dumps([*peer.phrases, "[unk]"])
    readings = []
    for pcm in pcms:
        recognizer = vosk.KaldiRecognizer(model, 16000, grammar)
        last = max(0, (len(pcm) - 1) // CHUNK_BYTES * CHUNK_BYTES)
        texts = []
        for offset in range(0, last, CHUNK_BYTES):
            if recognizer.AcceptWaveform(pcm[offset : offset + CHUNK_BYTES]):
                texts.append(json.loads(recognizer.Result()).get("text", ""))
        started = time.perf_counter()  # the end of speech: the last chunk, the final decode, the reading
        recognizer.AcceptWaveform(pcm[last:])
        text = " ".join([*texts, json.loads(recognizer.FinalResult()).get("text", "")]).strip()
        found = peer.read(text)
        readings.append(Reading(found.intent, dict(found.slots), False, time.perf_counter() - started, text))
    return readings


# --- judging -------------------------------------------------------------------------------------
def slots_right(row: Row, reading: Reading) -> dict[str, bool]:
    """Each expected slot kind right or wrong (sku, quantity, and every other labelled slot)."""
    want, got = row.slots, reading.slots
    checks: dict[str, bool] = {}
    if "sku" in want:
        checks["sku"] = got.get("product") == want["sku"]
    if "sku_any" in want:
        checks["sku"] = got.get("product") in want["sku_any"]
    if "items" in want:  # two products in one sentence: the ears read one product slot, so never all right
        first = want["items"][0]
        checks["sku"] = got.get("product") in ([first["sku"]] if "sku" in first else first.get("sku_any", []))
        checks["items"] = False
    if "quantity" in want:
        checks["quantity"] = _number(got.get("quantity")) == float(want["quantity"])
    if "ordinal" in want:
        checks["ordinal"] = _number(got.get("ordinal")) == float(want["ordinal"])
    if "price" in want:
        checks["price"] = _number(got.get("price")) == float(want["price"])
    for name in ("category", "policy"):
        if name in want:
            checks[name] = str(got.get(name) or "").lower() == str(want[name]).lower()
    if "code" in want:
        checks["code"] = got.get("code") == want["code"]
    if "customer_number" in want:
        checks["customer_number"] = got.get("customer_number") == want["customer_number"]
    if "order_ref" in want:
        ref = want["order_ref"]
        if ref == "latest":
            checks["order_ref"] = not got.get("order_digits")
        else:
            digits, _, word = ref.partition(" ")
            checks["order_ref"] = got.get("order_digits") == digits and (got.get("order_word") or "") == word
    return checks


def _number(value: str | None) -> float | None:
    """A slot id as a number, None when it is none."""
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def judge(row: Row, reading: Reading) -> None:
    """Flag one reading: intent/slots right, its safe-outcome class, wrong changes, actions not for the shop."""
    flags = reading.flags
    if not row.for_shop:
        if reading.intent is not None and not reading.doubtful:
            flags.add("answered_not_for_shop")
            if reading.intent in SHOP_CHANGING:
                flags.add("action_not_for_shop")
        return
    checks = slots_right(row, reading)
    intent_ok = reading.intent == row.intent
    right = intent_ok and all(checks.values())
    flags.update({"intent_ok"} if intent_ok else set())
    flags.update(f"{name}_ok" for name, ok in checks.items() if ok)
    flags.update(f"{name}_has" for name in checks)
    flags.add("all_ok" if right else "all_bad")
    if reading.intent is None:
        flags.add("didn't catch")
    elif reading.doubtful:
        flags.add("asked back, right" if right else "asked back, wrong")
    else:
        flags.add("confident, right" if right else "confident, wrong")
        if reading.intent in SHOP_CHANGING:
            flags.add("change_acted_on")
            if not right:
                flags.add("wrong_change")


# --- the table -----------------------------------------------------------------------------------
def add_reply_times(results: dict[str, list[Reading]]) -> None:
    """Time the conversation's answer to every reading the kiosk would answer at once, on DynamoDB Local."""
    from catalog.scratch import scratch_shop
    from intents.conversation import respond
    from intents.request import IntentRequest, Slot

    with scratch_shop(read_catalog(DEMO_CATALOG).products, prefix="bench-heldout") as (_, shop):
        for readings in results.values():
            for reading in readings:
                if reading.doubtful:
                    continue  # "Did you say ...?" is the kiosk's own sentence: no store call
                request = IntentRequest(
                    intent=reading.intent or "AMAZON.FallbackIntent",
                    customer_id=f"bench-{uuid.uuid4().hex[:8]}",
                    slots={n: Slot(name=n, value=v, resolved_id=v) for n, v in reading.slots.items() if v},
                    channel="kiosk",
                )
                started = time.perf_counter()
                respond(request, shop)
                reading.reply_seconds = time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile, in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000 if ordered else float("nan")


def summarize(rows: list[Row], readings: list[Reading]) -> dict[str, str]:
    """One column of the table."""
    shop = [r for row, r in zip(rows, readings, strict=True) if row.for_shop]
    other = [r for row, r in zip(rows, readings, strict=True) if not row.for_shop]

    def share(flag: str, among: list[Reading] | None = None, has: str | None = None) -> str:
        pool = [r for r in (among if among is not None else shop) if has is None or has in r.flags]
        hits = sum(flag in r.flags for r in pool)
        return f"{100 * hits / len(pool):.1f}% ({hits}/{len(pool)})" if pool else "-"

    totals = [r.seconds + r.reply_seconds for r in readings]
    column = {
        "intent right": share("intent_ok"),
        "sku right": share("sku_ok", has="sku_has"),
        "quantity right": share("quantity_ok", has="quantity_has"),
        "all slots right": share("all_ok"),
    }
    column.update({outcome: share(outcome) for outcome in OUTCOMES})
    column["wrong changes acted on"] = share("wrong_change")
    column["changes acted on (any)"] = share("change_acted_on")
    column["not for shop: actions"] = f"{sum('action_not_for_shop' in r.flags for r in other)}/{len(other)}"
    column["not for shop: answered"] = f"{sum('answered_not_for_shop' in r.flags for r in other)}/{len(other)}"
    column["reply p50 ms"] = f"{percentile(totals, 0.5):.0f}"
    column["reply p95 ms"] = f"{percentile(totals, 0.95):.0f}"
    return column


def print_table(columns: dict[str, dict[str, str]]) -> None:
    """One column per mode (and the peer), one line per measure."""
    measures = list(next(iter(columns.values())))
    width = max(20, *(len(m) for m in columns))
    print(f"| {'measure':<26} |" + "".join(f" {m:<{width}} |" for m in columns))
    print(f"|{'-' * 28}|" + "".join(f"{'-' * (width + 2)}|" for _ in columns))
    for measure in measures:
        print(f"| {measure:<26} |" + "".join(f" {c[measure]:<{width}} |" for c in columns.values()))


def show_rows(rows: list[Row], results: dict[str, list[Reading]]) -> None:
    """Each dev row as each mode read it: what was heard, the reading, and its outcome (never the held-out set)."""
    for mode, readings in results.items():
        print(f"\n{mode}:")
        for row, reading in zip(rows, readings, strict=True):
            outcome = next((o for o in OUTCOMES if o in reading.flags), "not for shop")
            wrong = " WRONG CHANGE" if "wrong_change" in reading.flags or "action_not_for_shop" in reading.flags else ""
            print(
                f"  [{outcome}{wrong}] {row.text!r} heard {reading.heard!r} -> {reading.intent} {reading.slots}"
                f"{' (asked)' if reading.doubtful else ''}"
            )


def main() -> int:
    """Render, hear in every mode and the peer, judge, print aggregates."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default=DEFAULT_MODES, help='comma-separated; "" for the peer alone')
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--no-db", action="store_true", help="skip the conversation's reply time")
    parser.add_argument("--limit", type=int, default=0, help="only the first N rows (a smoke run)")
    parser.add_argument("--every", type=int, default=1, help="every Nth row only (a cheaper, still mixed sample)")
    parser.add_argument("--cache", type=Path, default=None, help="WAV cache (default DATA_DIR/heldout-speech)")
    parser.add_argument("--json", type=Path, default=None, help="write the table's columns here")
    parser.add_argument("--rows", type=Path, default=HELDOUT, help="rows to speak (dev: bench/dev_speech.jsonl)")
    parser.add_argument("--show", action="store_true", help="print each row's reading (dev sets only)")
    args = parser.parse_args()
    if args.show and "heldout" in str(args.rows.resolve()):
        parser.error("--show is for dev sets: the held-out set is read in aggregate only")
    settings = Settings.from_env()
    cache = args.cache or settings.data_dir / "heldout-speech"
    rows = [Row(**{k: v for k, v in json.loads(line).items() if k in Row.__annotations__}) for line in args.rows.open()]
    voices = [voice_of(i) for i in range(len(rows))]  # a row keeps its voice whichever rows are heard
    picked = [i for i in range(len(rows)) if i % args.every == 0][: args.limit or None]
    rows, voices = [rows[i] for i in picked], [voices[i] for i in picked]
    products = read_catalog(DEMO_CATALOG).products
    model_path = ensure_model(settings.data_dir)
    started = time.perf_counter()
    pcms = [pcm_of(render(row.text, *voice, cache)) for row, voice in zip(rows, voices, strict=True)]
    seconds = sum(len(p) for p in pcms) / 32000
    print(
        f"{len(rows)} rows ({sum(r.for_shop for r in rows)} for the shop), {seconds:.0f} s of speech, voices {VOICES},"
        f" rates {RATES}, every third row in pink noise at {SNR_DB:.0f} dB SNR; rendered in"
        f" {time.perf_counter() - started:.0f} s"
    )
    results: dict[str, list[Reading]] = {}
    for mode in (m for m in args.modes.split(",") if m):  # --modes "" hears the peer alone
        began = time.perf_counter()
        results[mode] = run_mode(mode, model_path, rows, pcms, products)
        print(f"  {mode}: {time.perf_counter() - began:.0f} s", flush=True)
    if not args.no_peer:
        began = time.perf_counter()
        results["hassil peer"] = run_peer(model_path, rows, pcms, products)
        print(f"  hassil peer: {time.perf_counter() - began:.0f} s", flush=True)
    for readings in results.values():
        for row, reading in zip(rows, readings, strict=True):
            judge(row, reading)
    if not args.no_db:
        try:
            add_reply_times(results)
        except StoreUnavailable as outage:  # a loaded machine: keep the hearing's table, say what is missing
            print(f"DynamoDB Local did not answer ({outage}): reply times are the hearing's alone")
    columns = {mode: summarize(rows, readings) for mode, readings in results.items()}
    if args.show:
        show_rows(rows, results)
    print()
    print_table(columns)
    if args.json:
        args.json.write_text(json.dumps(columns, indent=1))
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
