"""One recognizer for every channel: text, or a recognizer's n-best list, plus context, to ranked readings.

Entry point: `recognize(heard, context) -> list[Reading]`, best first. `heard` is typed text, or the
kiosk's n-best list (`Hypothesis(text, confidence, words)` or `(text, confidence)` pairs); `context` is
what the conversation last asked or listed (`Context.from_conversation(reply.context)`). Each `Reading`
carries the intent, the slots as a channel sends them, typed values (sku, `Quantity` with its unit,
ordinal, order number), `how` it was matched, a score, and `confident`: whether a shop-changing reading
may be acted on, or must be asked back ("Did you say ...?", `Reading.said`).

How a text is read, in order, keeping the best reading per intent:

1. exactly against the interaction model's samples (`intents.matching`), the one source of phrasings;
2. after rewriting the locale's verbs, places and fillers (`intents/languages/<locale>.json`): "buy",
   "get me", "put ... in my basket" become "add"; "take ... out" becomes "remove"; "basket" is the cart;
3. a closed slot's value hung on the end of a command by a carrier word of the language file ("check out
   *with* express", "pay *and make it* pickup"), for a slot the intent takes alone in some sample;
4. when a yes or no was asked, a yes or no that says more ("yes please call me", "no i'm fine thanks"),
   unless the rest is a new command ("no, add milk");
5. the nearest sample within two words (`matching.approximate`), else the longest run of the sentence's
   words that reads as a whole shop command ("my daughter does this for me but how much is delivery"):
   always a guess, never confident.

A slot of a closed type (a policy, a delivery option; every custom type but the catalog's) must name one of
its values, so "tell me about delivery options" is no policy called "delivery options". A delivery choice
is sure only as an answer to the checkout's read-back (`traits.sure_answering`): "i'll pick them up" said
to someone else sets no default.

A number word counts only in a quantity position, and "to", "too", "for" only in a guess from speech;
"-2" and "minus two" stay negative so the shop refuses them; "a few" is "?" (asked), never 1. Readings
from a slot-only sample ("chobani", "cleaning supplies") need the slot to name something the shop knows,
so speech not for the shop stays unmatched.

Why not hassil: hassil 3.12.1 (PyPI) matches templates strictly (`recognize_best`); its n-gram fuzzy
matcher (`hassil/fuzzy.py`) lives only in the repository, needs a trained sqlite n-gram model per intent,
and is not in the 3.12.1 or 3.13.0 wheels. The bench (`bench/bench_understanding_typed.py`) compiles the
interaction model into hassil templates and measures hassil plus a fuzzy fallback beside this recognizer
on the same held-out rows; this recognizer is kept because it reads the ASK JSON directly (no second
template set), handles unresolved products the way Alexa's entity resolution does, and reports doubt.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from catalog.search import SearchResult
from intents.language import CATALOG_TYPES, InteractionModel, load_model, sample_slots
from intents.lexicon import Lexicon, load_lexicon
from intents.matching import Match, approximate, rank, resolve_value, words_of
from intents.request import Slot
from intents.traits import changes_shop, sure_answering

__all__ = ["Context", "Hypothesis", "Quantity", "Reading", "best", "recognize"]

MIN_CONFIDENCE = 0.85
"""Mean word confidence below which a spoken, shop-changing reading is asked back."""
MIN_WORD_CONFIDENCE = 0.5
"""One word below this makes a spoken, shop-changing reading doubtful."""
Search = Callable[[str, int], SearchResult]
_NEGATIVE_DIGITS = re.compile(r"(?<![\w])-\s*(\d)")
_ANSWERS = {
    "yes_no": ("AMAZON.YesIntent", "AMAZON.NoIntent"),
    "code": ("ProvideCodeIntent",),
    "customer_number": ("IdentifyCustomerIntent",),
}
_PENDING_EXPECTS = {
    "checkout": "yes_no", "cancel_order": "yes_no", "clear_cart": "yes_no", "add": "yes_no",
    "code": "code", "new_code": "code", "repeat_new_code": "code", "current_code": "code", "sign_in": "code",
    "choose": "choice", "callback": "yes_no", "start_return": "yes_no",
}  # fmt: skip


@dataclass(frozen=True)
class Hypothesis:
    """One transcript of an n-best list: its words, the mean confidence, and (word, confidence) pairs."""

    text: str
    confidence: float = 1.0
    words: tuple[tuple[str, float], ...] = ()

    @property
    def typed(self) -> bool:
        """Typed text carries no confidences: nobody mistypes into a purchase by accident."""
        return self.confidence >= 1.0 and not self.words


@dataclass(frozen=True)
class Context:
    """What the conversation last asked or listed: the readings that answer it rank first."""

    expecting: str | None = None
    """"yes_no", "code", "customer_number", "choice" or None."""
    list_kind: str | None = None
    """"results", "cart", "choice" or None: what "the second one" counts in."""
    list_size: int = 0

    @classmethod
    def from_conversation(cls, context: Mapping[str, Any] | None) -> Context:
        """Read the conversation's own context dict (`Reply.context`, Alexa session attributes)."""
        context = context or {}
        pending = context.get("pending")
        kind = pending.get("kind") if isinstance(pending, dict) else None
        listing = context.get("list")
        ids = listing.get("ids") if isinstance(listing, dict) else None
        return cls(
            expecting=_PENDING_EXPECTS.get(str(kind)) if kind else None,
            list_kind=str(listing.get("kind")) if isinstance(listing, dict) else None,
            list_size=len(ids) if isinstance(ids, list) else 0,
        )


@dataclass(frozen=True)
class Quantity:
    """A quantity as meant: a count (None when vague or unreadable), its unit, and whether relative."""

    count: int | None
    words: str
    unit: str = "item"
    """"item", or a pack word ("dozen") the handler converts with the product's own pack size."""
    relative: str | None = None
    """"add" for "one more", "remove" for "one less"."""


@dataclass(frozen=True)
class Reading:
    """One reading of what was heard."""

    intent: str
    slots: dict[str, Slot]
    score: float
    how: str
    """"exact", "rewritten" (locale verbs, places, fillers) or "approximate"; "+search": search named it."""
    confident: bool
    """False when acting on it could change the shop and it should be asked back first."""
    said: str = ""
    """The reading in the model's words, for "Did you say ...?"."""
    heard: str = ""
    """The hypothesis it came from."""
    values: dict[str, Any] = field(default_factory=dict)
    """Typed slot values: sku, quantity (`Quantity`), ordinal (int), order_ref ("4821 maple"), code, category."""

    @property
    def changes_shop(self) -> bool:
        """Whether acting on it writes (declared once in `intents.traits`)."""
        return changes_shop(self.intent)

    @property
    def needs_confirming(self) -> bool:
        """Ask back before acting: it would change the shop and is not confident."""
        return self.changes_shop and not self.confident

    def as_match(self) -> Match:
        """The `Match` older callers take (`intents.matching.match`'s shape)."""
        return Match(self.intent, dict(self.slots), self.score, self.said)


def _hypotheses(heard: str | Sequence[Any]) -> list[Hypothesis]:
    """Typed text, or an n-best list of `Hypothesis`, `(text, confidence)` or plain strings."""
    if isinstance(heard, str):
        return [Hypothesis(heard)]
    out: list[Hypothesis] = []
    for item in heard:
        if isinstance(item, Hypothesis):
            out.append(item)
        elif isinstance(item, str):
            out.append(Hypothesis(item))
        else:
            text, confidence = item[0], float(item[1])
            out.append(Hypothesis(str(text), confidence, tuple(item[2]) if len(item) > 2 else ()))
    return out


def _strip_phrase(tokens: list[str], phrases: Sequence[tuple[str, ...]]) -> tuple[list[str], bool]:
    """Drop the longest leading phrase of `phrases`, when something is left after it."""
    for phrase in sorted(phrases, key=len, reverse=True):
        if tuple(tokens[: len(phrase)]) == phrase and len(tokens) > len(phrase):
            return tokens[len(phrase) :], True
    return tokens, False


_WANT = (("i", "want", "to"), ("i", "would", "like", "to"), ("i", "need", "to"), ("let", "us"), ("can", "i"),
         ("could", "i"), ("i", "will"), ("i", "am", "going", "to"), ("i", "wanna"), ("please",))  # fmt: skip
_OUT_VERBS = frozenset({"take", "get", "pull", "move"})


def rewrite(text: str, lexicon: Lexicon) -> str | None:
    """The text in the model's own verbs ("buy oat milk" -> "add oat milk"), or None when nothing changed."""
    original = words_of(text)
    tokens = [word for word in original if word not in lexicon.hesitations] or original
    changed = True
    while changed:
        tokens, a = _strip_phrase(tokens, lexicon.leading_fillers)
        tokens, b = _strip_phrase(tokens, _WANT)
        changed = a or b
    tokens = ["cart" if word in ("basket", "trolley") else word for word in tokens]
    if tokens and tokens[0] in _OUT_VERBS and "out" in tokens[1:]:
        at = tokens.index("out", 1)
        tokens = ["remove", *tokens[1:at]]
    else:
        rest, verb = _strip_phrase(tokens, lexicon.verbs["add"])
        if verb:
            tokens = ["add", *rest]
    place = None
    for size in (4, 3):
        tail = tuple(tokens[-size:])
        if len(tokens) > size and tail[0] in ("to", "in", "into", "from", "of", "out") and tail[-1] == "cart":
            place = size
            break
    if place is None and len(tokens) > 3 and tokens[-2] in ("my", "the") and tokens[-1] == "cart":
        place = 3 if tokens[-3] in ("to", "in", "into", "from", "of") else None
    if place is not None:
        tokens = tokens[:-place]
    while len(tokens) > 1 and tokens[-1] == "out":
        tokens = tokens[:-1]
    return " ".join(tokens) if tokens != original and tokens else None


def _prepare(text: str) -> str:
    """Keep a typed minus sign ("-2" as "minus 2"): normalising would drop it and read 2."""
    return _NEGATIVE_DIGITS.sub(r"minus \1", text)


def _slot_only(sample: str) -> bool:
    """A sample that is one slot and nothing else ("{product}")."""
    return bool(re.fullmatch(r"\{[A-Za-z0-9_]+\}", sample.strip()))


def _clean_product(found: Match, model: InteractionModel, lexicon: Lexicon) -> Match:
    """An unresolved product without its leading filler ("anything by clorox" -> "clorox"), re-resolved."""
    slots = dict(found.slots)
    changed = False
    for name in ("product", "product_two"):
        slot = slots.get(name)
        if slot is None or not slot.unresolved:
            continue
        words = words_of(slot.value or "")
        words, stripped = _strip_phrase(words, lexicon.slot_fillers)
        if not stripped:
            continue
        again = rank(" ".join(words), model, intents=("SearchIntent",), limit=3)
        resolved = next((m.slots["product"].resolved_id for m in again if m.sample == "{product}"), None)
        slots[name] = Slot(name=name, value=" ".join(words), resolved_id=resolved)
        changed = True
    return replace(found, slots=slots) if changed else found


def _acceptable(found: Match, search: Search | None = None) -> bool:
    """A slot-only sample reads only when its slot names something the shop knows.

    A bare brand the model has no synonym for ("chobani") counts when the shop's search names one product
    for it, and only for one or two words: "pass the salt" is someone else's sentence, not a product.
    """
    if not _slot_only(found.sample):
        return True
    if all(slot.resolved_id for slot in found.slots.values()):
        return True
    value = " ".join(slot.value or "" for slot in found.slots.values())
    return search is not None and len(value.split()) <= 2 and search(value, 2).clear_choice is not None


def _quantity(slot: Slot | None, lexicon: Lexicon, sample: str) -> Quantity | None:
    """The typed quantity a slot holds: count, pack unit, relative."""
    if slot is None or not slot.value:
        return None
    raw = slot.resolved_id or slot.value
    count = int(raw) if raw.lstrip("-").isdigit() else None
    words = " ".join(words_of(slot.value))
    unit = "dozen" if "dozen" in words.split() else "item"
    relative = None
    for word, kind in lexicon.relative.items():
        if f"{{quantity}} {word}" in sample or f"{word} {{product}}" in sample:
            relative = kind
    return Quantity(count, slot.value, unit, relative)


def _values(found: Match, lexicon: Lexicon) -> dict[str, Any]:
    """The typed values of a reading's slots."""
    values: dict[str, Any] = {}
    slots = found.slots
    if slots.get("product") and slots["product"].resolved_id:
        values["sku"] = slots["product"].resolved_id
    if slots.get("product_two") and slots["product_two"].resolved_id:
        values["sku_two"] = slots["product_two"].resolved_id
    quantity = _quantity(slots.get("quantity"), lexicon, found.sample)
    if quantity is not None:
        values["quantity"] = quantity
    if slots.get("ordinal") and slots["ordinal"].resolved_id:
        values["ordinal"] = int(slots["ordinal"].resolved_id)
    if slots.get("order_digits") and slots["order_digits"].value:
        word = slots.get("order_word")
        values["order_ref"] = f"{slots['order_digits'].resolved_id or slots['order_digits'].value} " + (
            (word.resolved_id or word.value or "") if word else ""
        )
    for name in ("code", "customer_number", "category", "policy"):
        slot = slots.get(name)
        if slot is not None and slot.value:
            values[name] = slot.resolved_id or slot.value
    return values


def _named_by_search(found: Match, search: Search | None) -> tuple[Match, bool]:
    """An unresolved product named the way the shop's search would name it; False when search is unsure."""
    if found.intent == "SearchIntent" or search is None:
        return found, True
    slots, sure = dict(found.slots), True
    for name in ("product", "product_two"):
        slot = slots.get(name)
        if slot is None or not slot.unresolved:
            continue
        product = search(slot.value or "", 2).clear_choice
        if product is None:
            sure = False
            continue
        slots[name] = Slot(name=name, value=slot.value, resolved_id=product.sku)
    return replace(found, slots=slots), sure


def _sure_hearing(hypothesis: Hypothesis) -> bool:
    """Typed, or heard with enough confidence in every word."""
    if hypothesis.typed:
        return True
    if hypothesis.confidence < MIN_CONFIDENCE:
        return False
    return all(conf >= MIN_WORD_CONFIDENCE for _word, conf in hypothesis.words)


def _read(
    found: Match, how: str, hypothesis: Hypothesis, model: InteractionModel, lexicon: Lexicon, search: Search | None
) -> Reading | None:
    """A `Match` as a `Reading`: cleaned slots, typed values, score and confidence."""
    found = _clean_product(found, model, lexicon)
    if not _acceptable(found, search):
        return None
    found, search_sure = _named_by_search(found, search)
    unresolved = any(slot.unresolved for slot in found.slots.values())
    quantity = found.slots.get("quantity")
    homophone = quantity is not None and words_of(quantity.value or "") in ([w] for w in lexicon.homophones)
    exact = how != "approximate"
    confident = (
        exact and search_sure and not homophone and _sure_hearing(hypothesis) and (found.score >= 1.0 or not unresolved)
    )
    weight = {"exact": 1.0, "rewritten": 0.97, "approximate": 0.8}[how]
    score = round(found.score * weight * hypothesis.confidence, 3)
    if found.slots.get("product") and found.slots["product"].unresolved and search is not None and search_sure:
        how += "+search"
    return Reading(
        intent=found.intent,
        slots=dict(found.slots),
        score=score,
        how=how,
        confident=confident,
        said=found.said,
        heard=hypothesis.text,
        values=_values(found, lexicon),
    )


def _in_context(reading: Reading, context: Context) -> Reading:
    """A reading that is sure only as an answer (`traits.sure_answering`) is a guess at any other time."""
    wanted = sure_answering(reading.intent)
    if reading.confident and wanted is not None and context.expecting != wanted:
        return replace(reading, confident=False)
    return reading


def _readings_of(
    hypothesis: Hypothesis, context: Context, model: InteractionModel, lexicon: Lexicon, search: Search | None
) -> list[Reading]:
    """Every reading of one hypothesis, best per intent."""
    text = _prepare(hypothesis.text)
    out: list[Reading] = []

    def fits(found: Match) -> bool:
        return _acceptable(_clean_product(found, model, lexicon), search)

    exact = [m for m in rank(text, model, limit=8) if fits(m)]
    top = exact[0] if exact else None
    clean = top is not None and not any(s.unresolved for s in top.slots.values())
    if not clean:
        rewritten = rewrite(text, lexicon)
        if rewritten:
            again = [m for m in rank(rewritten, model, limit=8) if fits(m)]
            if again and (top is None or _unexplained(again[0]) < _unexplained(top)):
                exact = []
                out += [r for m in again if (r := _read(m, "rewritten", hypothesis, model, lexicon, search))]
    out += [r for m in exact if (r := _read(m, "exact", hypothesis, model, lexicon, search))]
    if not clean:
        out += [
            r
            for m in _carried_slot(text, model, lexicon)
            if (r := _read(m, "rewritten", hypothesis, model, lexicon, search))
        ]
    answered = any(r.intent in _ANSWERS["yes_no"] for r in out)
    if not answered and (answer := _confirmation(hypothesis, text, context, model, lexicon)) is not None:
        out.append(answer)
    if not out or not any(r.confident or not r.changes_shop for r in out):
        wanted = _ANSWERS.get(context.expecting or "")
        near = approximate(text, model)
        if near is None and wanted:
            near = approximate(text, model, intents=wanted, min_evidence=1)
        if near is None and not out:
            near = _part_read(text, model, lexicon)
        if near is not None and (reading := _read(near, "approximate", hypothesis, model, lexicon, search)):
            out.append(reading)
    return [_in_context(reading, context) for reading in out]


MIN_PART_WORDS = 3
"""The fewest words a part of a sentence must have to be read on its own (`_part_read`)."""


def _part_read(text: str, model: InteractionModel, lexicon: Lexicon) -> Match | None:
    """The longest start or end of a sentence that reads as a whole command, as a guess.

    "hi there, my daughter usually does this, but how much is delivery" is read by its end. Only a reading
    that explains every word of its part, of a shop intent (never a bare yes, no or stop, which hide in
    anyone's sentence), from a sample with words of its own beside its slots; always a guess, so a
    shop-changing one is asked back and speech for someone else is never acted on.
    """
    tokens = [word for word in words_of(text) if word not in lexicon.hesitations]
    for size in range(len(tokens) - 1, MIN_PART_WORDS - 1, -1):
        starts = [len(tokens) - size, 0, *range(1, len(tokens) - size)]
        for part in (tokens[start : start + size] for start in starts):
            joined = " ".join(part)
            found = [m for m in rank(joined, model, limit=3)]
            if not found and (rewritten := rewrite(joined, lexicon)):
                found = rank(rewritten, model, limit=3)
            for match in found:
                if match.intent.startswith("AMAZON.") or _slot_only(match.sample):
                    continue
                if any(slot.unresolved for slot in match.slots.values()) or match.score < 1.0:
                    continue
                return replace(match, score=round(0.95 * size / len(tokens) + 0.04, 3))
    return None


def _carried_slot(text: str, model: InteractionModel, lexicon: Lexicon) -> list[Match]:
    """A command with a closed slot's value hung on its end: "check out with express", "pay and make it pickup".

    The head must be a whole reading of its own (typed exactly, or in the model's verbs), and the slot one its
    intent takes alone in some sample ("place my order for {delivery}"), of a closed type (not a product,
    whose words search would stretch over anything), whose value the tail names after a carrier word of the
    language file (`slot_carriers`). Samples stay short, so the kiosk's grammar keeps plain "check out" sure.
    """
    tokens = words_of(text)
    carriers = sorted(lexicon.slot_carriers, key=len, reverse=True)
    out: list[Match] = []
    for cut in range(len(tokens) - 1, 0, -1):
        head, tail = " ".join(tokens[:cut]), tokens[cut:]
        values = [
            _without_trailing(tail[len(c) :], lexicon.trailing_fillers)
            for c in carriers
            if tuple(tail[: len(c)]) == c and len(tail) > len(c)
        ]
        if not values:
            continue
        heads = [m for m in rank(head, model, limit=3) if not any(slot.unresolved for slot in m.slots.values())]
        if not heads and (rewritten := rewrite(head, lexicon)):
            heads = [m for m in rank(rewritten, model, limit=3) if not any(s.unresolved for s in m.slots.values())]
        for found in heads:
            spec = model.intents[found.intent]
            alone = {name for sample in spec.samples if len(names := sample_slots(sample)) == 1 for name in names}
            for name in sorted(alone - set(found.slots)):
                slot_type = spec.slots[name]
                if slot_type in CATALOG_TYPES or slot_type.startswith("AMAZON."):
                    continue
                for value in values:
                    if (resolved := resolve_value(model, slot_type, value)) is not None:
                        slot = Slot(name=name, value=" ".join(value), resolved_id=resolved)
                        out.append(replace(found, slots={**found.slots, name: slot}))
                        break
        if out:
            return out
    return []


def _confirmation(
    hypothesis: Hypothesis, text: str, context: Context, model: InteractionModel, lexicon: Lexicon
) -> Reading | None:
    """A yes or no that says more ("yes please call me", "no i'm fine thanks"), when a yes or no was asked.

    The words after it must be understood and ask for no other change: "no, add milk" is a new command, not an
    answer, and "yes dear, one minute" was said to someone else.
    """
    if context.expecting != "yes_no":
        return None
    said = [word for word in words_of(text) if word not in lexicon.hesitations]
    for intent, kind in (("AMAZON.YesIntent", "yes"), ("AMAZON.NoIntent", "no")):
        rest, found = _strip_phrase(said, lexicon.confirmations[kind])
        if not found:  # "oh yes please ...", but "okay" itself is a yes
            rest, found = _strip_phrase(_without_leading(said, lexicon.leading_fillers), lexicon.confirmations[kind])
        if not found:
            continue
        rest = _without_leading(rest, (*lexicon.leading_fillers, *lexicon.trailing_fillers))  # "yes please, ..."
        others = rank(" ".join(rest), model, limit=1) if rest else []
        if rest and not others:
            return None  # "yes dear, one minute" is said to someone else
        if others and changes_shop(others[0].intent) and others[0].intent != intent:
            return None
        return Reading(
            intent=intent,
            slots={},
            score=round(0.97 * hypothesis.confidence, 3),
            how="rewritten",
            confident=_sure_hearing(hypothesis),
            said=kind,
            heard=hypothesis.text,
        )
    return None


def _without_leading(words: list[str], phrases: Sequence[tuple[str, ...]]) -> list[str]:
    """The words with every leading phrase of `phrases` dropped, even when nothing is left."""
    ordered = sorted(phrases, key=len, reverse=True)
    while words:
        phrase = next((p for p in ordered if tuple(words[: len(p)]) == p), None)
        if phrase is None:
            break
        words = words[len(phrase) :]
    return words


def _without_trailing(words: list[str], phrases: Sequence[tuple[str, ...]]) -> list[str]:
    """The words without polite filler at the end ("express thanks" is "express"), never emptied."""
    ordered = sorted(phrases, key=len, reverse=True)
    while True:
        phrase = next((p for p in ordered if len(words) > len(p) and tuple(words[-len(p) :]) == p), None)
        if phrase is None:
            return words
        words = words[: -len(phrase)]


def _unexplained(found: Match) -> int:
    """Words of a reading no slot value explains."""
    return sum(len((slot.value or "").split()) for slot in found.slots.values() if slot.unresolved)


def _context_bonus(reading: Reading, context: Context) -> float:
    """Readings that answer the open question, or count in the list just read, rank first."""
    wanted = _ANSWERS.get(context.expecting or "", ())
    if reading.intent in wanted:
        return 0.1
    if "ordinal" in reading.values and context.list_kind:
        return 0.05
    return 0.0


def recognize(
    heard: str | Sequence[Any],
    context: Context | Mapping[str, Any] | None = None,
    *,
    model: InteractionModel | None = None,
    locale: str = "en-US",
    search: Search | None = None,
    limit: int = 5,
) -> list[Reading]:
    """Ranked readings of typed text or an n-best list, best first; [] when nothing is for the shop.

    `search` (`Shop.search`) names an unresolved product as the conversation will; without it such a
    product stays as heard (the handler searches). Later hypotheses count less than earlier ones.
    """
    model = model or load_model(locale)
    lexicon = load_lexicon(model.locale)
    if not isinstance(context, Context):
        context = Context.from_conversation(context)
    best_per: dict[tuple[str, tuple[tuple[str, str | None], ...]], tuple[float, Reading]] = {}
    for position, hypothesis in enumerate(_hypotheses(heard)):
        if not hypothesis.text.strip():
            continue
        for reading in _readings_of(hypothesis, context, model, lexicon, search):
            key = (reading.intent, tuple(sorted((k, v.resolved_id or v.value) for k, v in reading.slots.items())))
            rank_score = reading.score + _context_bonus(reading, context) - 0.02 * position + 0.01 * reading.confident
            if key not in best_per or rank_score > best_per[key][0]:
                best_per[key] = (rank_score, reading)
    ordered = sorted(best_per.values(), key=lambda pair: pair[0], reverse=True)
    return [reading for _score, reading in ordered[:limit]]


def best(
    heard: str | Sequence[Any],
    context: Context | Mapping[str, Any] | None = None,
    *,
    model: InteractionModel | None = None,
    search: Search | None = None,
) -> Reading | None:
    """The top reading, or None (the caller's FallbackIntent)."""
    found = recognize(heard, context, model=model, search=search, limit=1)
    return found[0] if found else None
