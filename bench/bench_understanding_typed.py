"""Typed understanding on the blind held-out set: this recognizer, the old matcher, and a hassil peer.

    PYTHONPATH=$PWD .venv/bin/python bench/bench_understanding_typed.py [--set commands|services|all|dev]

Prints one table per held-out set (`commands`: every intent; `services`: delivery, returns, warranty,
policy, deals, recommendations, order contents and status, a person), aggregates only: the held-out
rows are never printed, one by one or in part, and nothing is tuned on them (bench/heldout_blind/README.md).
`--set dev` prints the same table for bench/dev_commands.jsonl, the project's own examples (same schema),
which is the set to tune on.
Products a reading leaves unresolved are named by the same in-memory search the shop uses, over the demo
catalog, for every system alike.

- `recognizer`: `intents.recognizer.recognize` with the row's context; a shop-changing reading that is
  not confident counts as asked back, and so does a vague count ("a few", quantity "?"), which the
  handler asks about ("How many?") before it adds anything.
An ordinal is right when it names the row's position in the row's list: "the last one" of the six
results is -1 or 6, however the row writes it.
- `old matcher`: `intents.matching.match` at commit 5ccc576 (before this work), from a `git archive` of
  that commit into a temporary folder, run in a child process; it acted on every match.
- `hassil peer`: the interaction model compiled into hassil 3.12.1 templates (`recognize_best`), with a
  rapidfuzz correction to the nearest expanded sample for near misses (PyPI hassil ships no `fuzzy`
  module); it acts on every reading, as Home Assistant does.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from catalog.importer import read_catalog  # noqa: E402
from catalog.search import SearchIndex  # noqa: E402
from intents.language import load_model  # noqa: E402
from intents.lexicon import load_lexicon  # noqa: E402
from intents.matching import expand_samples  # noqa: E402
from intents.quantity import pack_size, unit_in  # noqa: E402
from intents.recognizer import Context, recognize  # noqa: E402
from intents.traits import changes_shop  # noqa: E402

HELDOUT_SETS = {
    "commands": ROOT / "bench" / "heldout_blind" / "heldout_commands.jsonl",
    "services": ROOT / "bench" / "heldout_blind" / "heldout_services.jsonl",
}
DEV_SETS = {"dev": ROOT / "bench" / "dev_commands.jsonl", "dev2": ROOT / "bench" / "dev2_commands.jsonl"}
CATALOG = ROOT.parent / "shared" / "catalog" / "demo_catalog.json"
OLD_COMMIT = "5ccc576"
CONTEXTS = {
    "none": Context(),
    "after_search_list": Context(list_kind="results", list_size=6),
    "after_cart_review": Context(list_kind="cart", list_size=4),
    "asked_confirm_checkout": Context(expecting="yes_no"),
    "asked_yes_no": Context(expecting="yes_no"),
    "asked_code": Context(expecting="code"),
}
CONVERSATION_CONTEXTS = {
    "after_search_list": {"list": {"kind": "results", "ids": ["a", "b", "c", "d", "e", "f"], "start": 0}},
    "after_cart_review": {"list": {"kind": "cart", "ids": ["a", "b", "c", "d"], "start": 0}},
    "asked_confirm_checkout": {"pending": {"kind": "checkout"}},
    "asked_yes_no": {"pending": {"kind": "add"}},
    "asked_code": {"pending": {"kind": "code"}},
}


@dataclass(frozen=True)
class Outcome:
    """What one system made of one row: intent, slots (name to resolved id or words), and whether it asked."""

    intent: str | None
    slots: dict[str, str]
    asked: bool = False


SIZES = {product.sku: product.size for product in read_catalog(CATALOG).products}


def _as_packs(slots: dict[str, str], raw: dict[str, tuple[str | None, str | None]]) -> tuple[dict[str, str], bool]:
    """Quantities as the add handler acts on them (`intents.shopping._packs_meant`), and whether it asks.

    "a dozen eggs" of eggs sold by the dozen adds one carton, so it counts as 1; a count that is a whole
    number of packs said without the pack word ("24 cokes" of a 12 pack) is asked back by the handler.
    """
    out, asks = dict(slots), False
    for product, quantity in (("product", "quantity"), ("product_two", "quantity_two")):
        size = pack_size(SIZES.get(out.get(product, "")))
        count = out.get(quantity, "")
        if size is None or size <= 1 or not count.isdigit():
            continue
        number, unit = int(count), unit_in(raw.get(quantity, (None, None))[0])
        if unit == size and number % size == 0:
            out[quantity] = str(number // size)
        elif not (unit is None and (number < size or number % size)):
            asks = True
    return out, asks


def _search() -> Callable[[str, int], Any]:
    """The shop's own search over the demo catalog, in memory."""
    return SearchIndex.build(read_catalog(CATALOG).products, "bench").search


def _named(slots: dict[str, str], raw: dict[str, tuple[str | None, str | None]], search: Any) -> dict[str, str]:
    """Slots with unresolved products named as the shop's search would name them."""
    out = dict(slots)
    for name in ("product", "product_two"):
        if name in raw and raw[name][1] is None and raw[name][0]:
            choice = search(raw[name][0], 2).clear_choice
            if choice is not None:
                out[name] = choice.sku
    return out


def run_recognizer(rows: list[dict[str, Any]], search: Any) -> list[Outcome]:
    """This work's recognizer, with the row's context."""
    out = []
    for row in rows:
        readings = recognize(row["text"], CONTEXTS.get(row.get("context") or "none", Context()), search=search)
        if not readings:
            out.append(Outcome(None, {}))
            continue
        top = readings[0]
        raw = {name: (slot.value, slot.resolved_id) for name, slot in top.slots.items()}
        slots = {name: slot.resolved_id or slot.value or "" for name, slot in top.slots.items()}
        slots = _named(slots, raw, search)
        if top.intent == "AddToCartIntent":
            slots, asks = _as_packs(slots, raw)
        else:
            asks = False
        asks = asks or "?" in (slots.get("quantity"), slots.get("quantity_two"))  # the handler asks "how many?"
        out.append(Outcome(top.intent, slots, asked=top.needs_confirming or asks))
    return out


_OLD_RUNNER = """
import json, sys
from intents.language import load_model
from intents.matching import match
model = load_model("en-US")
for line in sys.stdin:
    found = match(json.loads(line), model)
    print(json.dumps(None if found is None else
        [found.intent, {n: [s.value, s.resolved_id] for n, s in found.slots.items()}]))
"""


def run_old(rows: list[dict[str, Any]], search: Any) -> list[Outcome]:
    """The matcher as of commit 5ccc576, from a git archive, in a child process (its model too)."""
    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(["git", "archive", OLD_COMMIT], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        env = {**os.environ, "PYTHONPATH": folder}
        feed = "".join(json.dumps(row["text"]) + "\n" for row in rows)
        result = subprocess.run(
            [sys.executable, "-c", _OLD_RUNNER], cwd=folder, env=env, input=feed, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise SystemExit(result.stderr[-2000:])
    out = []
    for line in result.stdout.splitlines():
        found = json.loads(line)
        if found is None:
            out.append(Outcome(None, {}))
            continue
        intent, raw_slots = found
        raw = {name: (value, resolved) for name, (value, resolved) in raw_slots.items()}
        slots = {name: resolved or value or "" for name, (value, resolved) in raw.items()}
        out.append(Outcome(intent, _named(slots, raw, search)))
    return out


def _hassil_intents() -> Any:
    """The interaction model as hassil templates: one sentence per sample, one list per slot type."""
    from hassil import Intents

    model = load_model("en-US")
    lists: dict[str, Any] = {
        "AMAZON.NUMBER": {"range": {"from": 0, "to": 100}},
        "AMAZON.Ordinal": {"values": [{"in": word, "out": str(n)} for word, n in load_lexicon().ordinals.items()]},
        "AMAZON.FOUR_DIGIT_NUMBER": {"range": {"from": 0, "to": 9999}},
    }
    for slot_type in model.types.values():
        lists[slot_type.name] = {
            "values": [
                {"in": phrase.lower(), "out": value.id} for value in slot_type.values for phrase in value.phrases
            ]
        }
    intents: dict[str, Any] = {}
    for intent in model.intents.values():
        sentences = [sample.lower() for sample in intent.samples]  # ASK's {slot} is hassil's list reference
        if sentences:
            intents[intent.name] = {"data": [{"sentences": sentences, "slots": {}}]}
    slot_lists = {}
    for intent in model.intents.values():
        for slot, slot_type in intent.slots.items():
            slot_lists[slot] = lists[slot_type]
    return Intents.from_dict({"language": "en", "intents": intents, "lists": slot_lists})


def run_hassil(rows: list[dict[str, Any]], search: Any) -> list[Outcome]:
    """hassil's strict templates, then the nearest expanded sample for a near miss."""
    from hassil import recognize_best
    from rapidfuzz import fuzz, process

    intents = _hassil_intents()
    targets = sorted({text for _intent, text, _slots in expand_samples(load_model("en-US"))})
    out = []
    for row in rows:
        text = " ".join(row["text"].lower().replace(",", " ").replace("?", " ").split())
        found = recognize_best(text, intents)
        if found is None:
            near = process.extractOne(text, targets, scorer=fuzz.ratio, score_cutoff=75)
            found = recognize_best(near[0], intents) if near else None
        if found is None:
            out.append(Outcome(None, {}))
            continue
        slots = {name: str(entity.value).strip() for name, entity in found.entities.items()}
        out.append(Outcome(found.intent.name, _named(slots, {}, search)))
    return out


def _sku_right(expected: dict[str, Any], slots: dict[str, str]) -> bool | None:
    """Whether the product is right; None when the row names none."""
    if "items" in expected:
        wanted = [set(item.get("sku_any") or [item.get("sku")]) for item in expected["items"]]
        got = [slots.get("product"), slots.get("product_two")]
        return all(any(g in w for g in got) for w in wanted)
    if "sku" in expected:
        return slots.get("product") == expected["sku"]
    if "sku_any" in expected:
        return slots.get("product") in set(expected["sku_any"])
    return None


def _quantity_right(expected: dict[str, Any], slots: dict[str, str]) -> bool:
    """Whether the count is what was said (none said: none read, or 1); per product when a row names two."""
    if "items" in expected:
        got_of = {slots.get("product"): slots.get("quantity"), slots.get("product_two"): slots.get("quantity_two")}
        for item in expected["items"]:
            skus = set(item.get("sku_any") or [item.get("sku")])
            counts = [count for sku, count in got_of.items() if sku in skus]
            if counts and not _quantity_right(item, {"quantity": counts[0]}):
                return False
        return True
    got = slots.get("quantity")
    if "quantity" not in expected:
        return got in (None, "1")
    return got == str(expected["quantity"])


def _same(a: Any, b: str | None) -> bool:
    return b is not None and str(a).strip().lower() == str(b).strip().lower()


def _position(ordinal: Any, size: int) -> str | None:
    """The list position an ordinal names: "the last one" (-1) is the sixth of a list of six, however written."""
    if ordinal is None:
        return None
    text = str(ordinal).strip()
    return str(size) if text == "-1" and size else text


def _order_ref(slots: dict[str, str]) -> str:
    digits, word = slots.get("order_digits"), slots.get("order_word")
    return f"{digits} {word}".strip() if digits else "latest"


def _all_right(row: dict[str, Any], outcome: Outcome) -> bool:
    """Intent and every slot the row carries."""
    expected = row.get("slots") or {}
    slots = outcome.slots
    if outcome.intent != row["intent"]:
        return False
    if _sku_right(expected, slots) is False or not _quantity_right(expected, slots):
        return False
    size = CONTEXTS.get(row.get("context") or "none", Context()).list_size
    checks = {
        "ordinal": lambda: _position(expected["ordinal"], size) == _position(slots.get("ordinal"), size),
        "category": lambda: _same(expected["category"], slots.get("category")),
        "price": lambda: slots.get("price") is not None and float(slots["price"]) == float(expected["price"]),
        "order_ref": lambda: _order_ref(slots) == expected["order_ref"],
        "code": lambda: _same(expected["code"], slots.get("code")),
        "customer_number": lambda: _same(expected["customer_number"], slots.get("customer_number")),
        "policy": lambda: _same(expected["policy"], slots.get("policy")),
        "delivery": lambda: _same(expected["delivery"], slots.get("delivery")),
        "order_filter": lambda: _same(expected["order_filter"], slots.get("order_filter")),
    }
    try:
        return all(check() for name, check in checks.items() if name in expected)
    except ValueError:
        return False


def score(rows: list[dict[str, Any]], outcomes: Iterable[Outcome]) -> dict[str, float | None]:
    """Aggregate measures over shop and not-for-shop rows."""
    counts: Counter[str] = Counter()
    for row, outcome in zip(rows, outcomes, strict=True):
        acts = outcome.intent is not None and not outcome.asked
        if not row["for_shop"]:
            counts["other"] += 1
            counts["other_changes"] += acts and changes_shop(outcome.intent or "")
            counts["other_answered"] += outcome.intent is not None and outcome.intent != "AMAZON.FallbackIntent"
            continue
        counts["shop"] += 1
        expected = row.get("slots") or {}
        right = _all_right(row, outcome)
        counts["intent"] += outcome.intent == row["intent"]
        sku = _sku_right(expected, outcome.slots)
        if sku is not None:
            counts["sku_rows"] += 1
            counts["sku"] += sku
        if "quantity" in expected:
            counts["qty_rows"] += 1
            counts["qty"] += _quantity_right(expected, outcome.slots)
        counts["all"] += right
        if outcome.intent is None:
            counts["missed"] += 1
        elif outcome.asked:
            counts["asked_right" if right else "asked_wrong"] += 1
        else:
            counts["sure_right" if right else "sure_wrong"] += 1
            counts["wrong_changes"] += (not right) and changes_shop(outcome.intent)
    shop = counts["shop"] or 1
    return {
        "intent": counts["intent"] / shop,
        "sku": counts["sku"] / (counts["sku_rows"] or 1),
        "quantity": counts["qty"] / counts["qty_rows"] if counts["qty_rows"] else None,
        "all slots": counts["all"] / shop,
        "confident, right": counts["sure_right"] / shop,
        "asked back, right": counts["asked_right"] / shop,
        "asked back, wrong": counts["asked_wrong"] / shop,
        "didn't catch": counts["missed"] / shop,
        "confident, wrong": counts["sure_wrong"] / shop,
        "wrong changes acted on": counts["wrong_changes"] / shop,
        "not-for-shop: changes": counts["other_changes"],
        "not-for-shop: answered": counts["other_answered"],
    }


def main() -> None:
    """Run all three on each held-out set named (default: both) and print one table per set."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=[*HELDOUT_SETS, "all", *DEV_SETS], default="all", help="which held-out set")
    chosen = parser.parse_args().set
    search = _search()
    for name, path in {**HELDOUT_SETS, **DEV_SETS}.items():
        if chosen == name or (chosen == "all" and name in HELDOUT_SETS):
            lines = path.read_text(encoding="utf-8").splitlines()
            _table(name, [json.loads(line) for line in lines if line.strip()], search)


def _table(set_name: str, rows: list[dict[str, Any]], search: Any) -> None:
    """One set's table: every system on the same rows."""
    systems = {
        "recognizer": run_recognizer(rows, search),
        "old matcher": run_old(rows, search),
        "hassil peer": run_hassil(rows, search),
    }
    results = {name: score(rows, outcomes) for name, outcomes in systems.items()}
    shop = sum(row["for_shop"] for row in rows)
    kind = "dev" if set_name in DEV_SETS else "held-out"
    print(f"{kind} typed, {set_name}: {shop} shop rows, {len(rows) - shop} not for the shop")
    print(f"{'measure':28}" + "".join(f"{name:>14}" for name in systems))
    for measure in next(iter(results.values())):
        cells = []
        for name in systems:
            value = results[name][measure]
            if value is None:
                cells.append(f"{'n/a':>13} ")  # the set has no such rows
            else:
                cells.append(f"{value:>14d}" if isinstance(value, int) else f"{value:>13.1%} ")
        print(f"{measure:28}" + "".join(cells))
    print()


if __name__ == "__main__":
    main()
