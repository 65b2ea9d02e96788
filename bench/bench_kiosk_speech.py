"""Kiosk speech understanding on synthesized speech: the grammar mode against free-form plus correction.

Usage: python3 bench/bench_kiosk_speech.py [--modes grammar,free] [--corpus model|heldout] [--no-db]
       [--cache DIR] [--json FILE]

Every utterance of `bench/kiosk_corpus.py` (every intent, 4 espeak-ng voices, 2 rates, some in pink noise,
plus out-of-grammar chatter, silence and noise) is rendered once into a WAV cache, then fed to each mode
in 0.25 s chunks as a microphone would. Reported per mode: intent and slot accuracy, false purchases
(must be 0), doubtful rate, real-time factor, model load and grammar build time, and latency from the
last audio chunk to the `Understood` (plus the conversation's reply on DynamoDB Local unless --no-db).
Targets for the default mode: intent and slot accuracy >= 95%, latency p95 < 300 ms, false purchases 0.
`--corpus heldout` hears `bench/kiosk_heldout.py` instead: phrasings written without looking at the model
or the corpus above, never tuned on, to show how far the accuracy carries to what nobody wrote down.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.kiosk_corpus import Utterance, build_corpus, build_heldout
from bench.kiosk_heldout import HELDOUT
from catalog.config import REPO_ROOT, Settings
from catalog.importer import read_catalog
from intents.language import load_model
from local_voice.model_store import ensure_model
from local_voice.recognizer import read_pcm16_mono
from local_voice.test_speech import synthesize, write_noise, write_silence
from local_voice.understanding import CHUNK_BYTES, SHOP_CHANGING, Understander, Understood

DEMO_CATALOG = REPO_ROOT.parent / "shared" / "catalog" / "demo_catalog.json"
BYTES_PER_SECOND = 32000


@dataclass
class Outcome:
    """One utterance through one mode."""

    utterance: Utterance
    heard: str
    intent: str | None
    doubtful: bool
    confidence: float
    slots: dict[str, str | None]
    latency: float
    processing: float
    reply_latency: float | None = None
    flags: list[str] = field(default_factory=list)


def render(utterance: Utterance, cache: Path, scratch: Path, index: int) -> Path:
    """The utterance's WAV (cached across runs by the speech helper, or made here for silence/noise)."""
    target = scratch / f"{index:03d}.wav"
    if utterance.kind == "silence":
        return write_silence(target, 2.0)
    if utterance.kind == "noise":
        cached = cache / f"pinknoise-{utterance.noise:.3f}.wav"
        return cached if cached.is_file() else write_noise(cached, 2.5, utterance.noise)
    return synthesize(utterance.text, target, utterance.voice, utterance.rate, utterance.noise, cache_dir=cache)


def hear(understander: Understander, pcm: bytes, expecting: str | None) -> tuple[Understood, float, float]:
    """Stream like a microphone, with the grammar the kiosk would pick; latency counts from the closing chunk."""
    stream = understander.stream(expecting)
    heard: list[Understood] = []
    processing = 0.0
    for offset in range(0, len(pcm), CHUNK_BYTES):
        started = time.perf_counter()
        found = stream.accept(pcm[offset : offset + CHUNK_BYTES])
        processing += time.perf_counter() - started
        if found is not None and found.heard_text:
            heard.append(found)
    started = time.perf_counter()
    final = stream.finish()
    processing += time.perf_counter() - started
    if final is not None and final.heard_text:
        heard.append(final)
    if not heard:
        return Understood("", 0.0, None, False), processing, processing
    if len(heard) == 1:
        return heard[0], heard[0].decode_seconds, processing
    started = time.perf_counter()  # two endpoints inside one utterance: judge the whole, as hear_pcm does
    joined = understander.hear_text(" ".join(h.heard_text for h in heard))
    whole = replace(joined, confidence=min(h.confidence for h in heard), doubtful=True)
    return whole, heard[-1].decode_seconds + time.perf_counter() - started, processing


def judge(utterance: Utterance, understood: Understood) -> list[str]:
    """What went right or wrong: intent/sku/quantity/slots ok, doubtful, false purchase."""
    flags = []
    match = understood.match
    intent = match.intent if match is not None else None
    got = {name: slot.resolved_id for name, slot in match.slots.items()} if match is not None else {}
    if utterance.intent is not None:
        flags.append("intent_ok" if intent == utterance.intent else "intent_bad")
        slot_ok = True
        if utterance.sku is not None:
            sku_ok = got.get("product") == utterance.sku
            flags.append("sku_ok" if sku_ok else "sku_bad")
            slot_ok &= sku_ok
        if utterance.quantity is not None:
            quantity_ok = got.get("quantity") == str(utterance.quantity)
            flags.append("quantity_ok" if quantity_ok else "quantity_bad")
            slot_ok &= quantity_ok
        for name, value in utterance.slots:
            slot_ok &= got.get(name) == value
        if utterance.sku is not None or utterance.quantity is not None or utterance.slots:
            flags.append("slots_ok" if slot_ok and intent == utterance.intent else "slots_bad")
    if understood.doubtful:
        flags.append("doubtful")
    if intent in SHOP_CHANGING and not understood.doubtful:
        wrong_action = utterance.intent not in SHOP_CHANGING or intent != utterance.intent
        wrong_thing = "slots_bad" in flags
        if wrong_action or wrong_thing:
            flags.append("false_purchase")
    if utterance.kind != "speech" and intent is not None:
        flags.append("oog_matched")
    return flags


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile in milliseconds."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def run_mode(mode: str, model_path: Path, corpus: list[Utterance], pcms: list[bytes], products: list) -> dict:
    """Build one Understander and hear the whole corpus with it."""
    started = time.perf_counter()
    kind, _, variant = mode.partition("-")  # "grammar-sparse": each catalog value once, no edge cover
    understander = Understander.build(
        model_path, load_model("en-US"), products, mode=kind, cover_edges=variant != "sparse"
    )
    build = time.perf_counter() - started
    understander.hear_pcm(pcms[0])  # warm-up: first decode pays for lazy allocations
    outcomes = []
    for utterance, pcm in zip(corpus, pcms, strict=True):
        understood, latency, processing = hear(understander, pcm, utterance.expecting)
        match = understood.match
        outcomes.append(
            Outcome(
                utterance,
                understood.heard_text,
                match.intent if match else None,
                understood.doubtful,
                understood.confidence,
                {k: v.resolved_id for k, v in match.slots.items()} if match else {},
                latency,
                processing,
                flags=judge(utterance, understood),
            )
        )
    return {
        "mode": mode,
        "load": understander.load_seconds,
        "build": build,
        "grammar_build": understander.build_seconds,
        "phrases": len(understander.grammar.phrases) if understander.grammar else 0,
        "understander": understander,
        "outcomes": outcomes,
    }


def add_reply_times(results: list[dict]) -> None:
    """Time the conversation's answer to each understood utterance on a fresh DynamoDB Local."""
    from catalog.scratch import scratch_shop
    from intents.conversation import respond
    from intents.request import IntentRequest

    with scratch_shop(read_catalog(DEMO_CATALOG).products, prefix="bench-speech") as (_, shop):
        for result in results:
            for outcome in result["outcomes"]:
                if outcome.intent is None or outcome.doubtful:
                    continue
                match = result["understander"].hear_text(outcome.heard).match
                if match is None:
                    continue
                request = IntentRequest(
                    intent=match.intent,
                    customer_id=f"bench-{uuid.uuid4().hex[:8]}",
                    slots=match.slots,
                    channel="kiosk",
                )
                started = time.perf_counter()
                respond(request, shop)
                outcome.reply_latency = time.perf_counter() - started


def summarize(result: dict, audio_seconds: float) -> dict:
    """The table row for one mode."""
    outcomes: list[Outcome] = result["outcomes"]
    speech = [o for o in outcomes if o.utterance.kind == "speech"]
    other = [o for o in outcomes if o.utterance.kind != "speech"]

    def rate(flag_ok: str, flag_bad: str) -> tuple[float, int]:
        ok = sum(flag_ok in o.flags for o in speech)
        total = ok + sum(flag_bad in o.flags for o in speech)
        return (100.0 * ok / total if total else float("nan")), total

    latencies = [o.latency for o in outcomes]
    replies = [o.latency + o.reply_latency for o in outcomes if o.reply_latency is not None]
    return {
        "mode": result["mode"],
        "utterances": len(speech),
        "intent_acc": rate("intent_ok", "intent_bad"),
        "slot_acc": rate("slots_ok", "slots_bad"),
        "sku_acc": rate("sku_ok", "sku_bad"),
        "qty_acc": rate("quantity_ok", "quantity_bad"),
        "false_purchases": sum("false_purchase" in o.flags for o in outcomes),
        "doubtful_pct": 100.0 * sum(o.doubtful for o in speech) / len(speech),
        "oog": len(other),
        "oog_matched": sum("oog_matched" in o.flags for o in other),
        "oog_confident_action": sum("false_purchase" in o.flags for o in other),
        "rtf": sum(o.processing for o in outcomes) / audio_seconds,
        "load_s": result["load"],
        "grammar_build_s": result["grammar_build"],
        "phrases": result["phrases"],
        "latency_p50_ms": percentile(latencies, 0.5),
        "latency_p95_ms": percentile(latencies, 0.95),
        "reply_p50_ms": percentile(replies, 0.5),
        "reply_p95_ms": percentile(replies, 0.95),
    }


def print_table(rows: list[dict]) -> None:
    """One column per mode, one line per measure."""
    labels = [
        ("utterances", "in-grammar utterances", "{}"),
        ("intent_acc", "intent accuracy %", "{0[0]:.1f} (n={0[1]})"),
        ("slot_acc", "slot accuracy % (all slots)", "{0[0]:.1f} (n={0[1]})"),
        ("sku_acc", "  sku accuracy %", "{0[0]:.1f} (n={0[1]})"),
        ("qty_acc", "  quantity accuracy %", "{0[0]:.1f} (n={0[1]})"),
        ("false_purchases", "FALSE PURCHASES (all)", "{}"),
        ("doubtful_pct", "doubtful % (in-grammar)", "{:.1f}"),
        ("oog", "out-of-grammar/silence/noise", "{}"),
        ("oog_matched", "  matched to some intent", "{}"),
        ("oog_confident_action", "  confident shop action", "{}"),
        ("rtf", "real-time factor", "{:.3f}"),
        ("load_s", "model load s", "{:.2f}"),
        ("grammar_build_s", "grammar build s", "{:.2f}"),
        ("phrases", "grammar phrases", "{}"),
        ("latency_p50_ms", "last chunk->Understood p50 ms", "{:.1f}"),
        ("latency_p95_ms", "last chunk->Understood p95 ms", "{:.1f}"),
        ("reply_p50_ms", "  + conversation reply p50 ms", "{:.1f}"),
        ("reply_p95_ms", "  + conversation reply p95 ms", "{:.1f}"),
    ]
    print(f"| {'measure':<32}|" + "".join(f" {row['mode']:<18}|" for row in rows))
    print(f"|{'-' * 33}|" + "".join(f"{'-' * 19}|" for _ in rows))
    for key, label, fmt in labels:
        print(f"| {label:<32}|" + "".join(f" {fmt.format(row[key]):<18}|" for row in rows))


def print_failures(result: dict, limit: int) -> None:
    """The misheard utterances, so a reader can see what goes wrong (not used to tune anything)."""
    bad = [o for o in result["outcomes"] if {"intent_bad", "slots_bad", "false_purchase", "oog_matched"} & set(o.flags)]
    print(f"\n{result['mode']}: {len(bad)} utterances with a problem (first {limit})")
    for o in bad[:limit]:
        u = o.utterance
        said = u.text or f"<{u.kind}>"
        print(
            f"  [{u.voice} {u.rate} n{u.noise}] {said!r} -> {o.heard!r} {o.intent} {o.slots}"
            f" doubtful={o.doubtful} conf={o.confidence:.2f} {','.join(f for f in o.flags if not f.endswith('_ok'))}"
        )


def main() -> int:
    """Render, hear, score and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default="grammar,free")
    parser.add_argument("--no-db", action="store_true", help="skip the conversation reply timing")
    parser.add_argument("--cache", type=Path, default=None, help="WAV cache (default: DATA_DIR/speech-cache)")
    parser.add_argument("--json", type=Path, default=None, help="write every outcome here")
    parser.add_argument("--failures", type=int, default=25)
    parser.add_argument("--corpus", choices=("model", "heldout"), default="model", help="which utterances to hear")
    args = parser.parse_args()
    settings = Settings.from_env()
    cache = args.cache or settings.data_dir / "speech-cache"
    products = read_catalog(DEMO_CATALOG).products
    corpus = build_corpus(load_model("en-US"), products) if args.corpus == "model" else build_heldout(HELDOUT)
    model_path = ensure_model(settings.data_dir)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch, ThreadPoolExecutor(max_workers=2) as pool:
        paths = list(pool.map(lambda pair: render(pair[1], cache, Path(scratch), pair[0]), enumerate(corpus)))
        pcms = [read_pcm16_mono(path) for path in paths]
    audio_seconds = sum(len(pcm) for pcm in pcms) / BYTES_PER_SECOND
    voices = sorted({u.voice for u in corpus if u.kind != "silence"})
    print(
        f"corpus: {len(corpus)} utterances ({sum(u.kind == 'speech' for u in corpus)} in-grammar, "
        f"{len({u.intent for u in corpus if u.intent})} intents), {audio_seconds:.0f} s audio, voices {voices}, "
        f"rates {sorted({u.rate for u in corpus if u.kind == 'speech'})}; "
        f"rendered in {time.perf_counter() - started:.1f} s"
    )
    results = [run_mode(mode, model_path, corpus, pcms, products) for mode in args.modes.split(",")]
    if not args.no_db:
        add_reply_times(results)
    rows = [summarize(result, audio_seconds) for result in results]
    print()
    print_table(rows)
    for result in results:
        print_failures(result, args.failures)
    if args.json:
        dump = [{"mode": r["mode"], "outcomes": [asdict(o) for o in r["outcomes"]]} for r in results]
        args.json.write_text(json.dumps(dump, indent=1, default=str))
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
