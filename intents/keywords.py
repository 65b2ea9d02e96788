"""Which intent a sentence no sample fits leans to, by the words only that intent's samples use.

The last resort of `intents.recognizer`, after exact, rewritten and near-miss readings found nothing:
"could you check on the status of the stuff i got last week" shares no whole sample with the model, but
"status" is said only in OrderStatusIntent's samples. Each intent's samples give it a vocabulary (their
literal words, stemmed, function words aside, and each pair of them said in a row, as "call off"); a word
or pair counts by how few intents use it (inverse document
frequency over intents, as in hassil's n-gram fuzzy matcher, which also learns from the templates). A
sentence reads as an intent only when its words point there clearly: enough evidence, well ahead of the
runner-up, and at least one word that few intents share, so "that movie was really good" reads as nothing.

Slots are filled from the sentence where the words allow: a closed type's value anywhere in it ("privacy"
for a policy), a product from the words the intent's samples do not use. The reading is always a guess
(`score` below 1, read "approximate"): a shop-changing one is asked back ("Did you mean ...?"), never acted
on, so a sentence meant for someone else changes nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

from catalog.text import stem
from intents.language import CATALOG_TYPES, InteractionModel, sample_slots
from intents.lexicon import Lexicon
from intents.matching import LIGHT_WORDS, Match, resolve_value, words_of
from intents.request import Slot

__all__ = ["evidence", "guess"]

MIN_EVIDENCE = 7.0
"""The least summed weight of words and word pairs a guess needs: about two words or pairs few intents use
(7 on the dev sets: as many right as 5, fewer sentences for someone else read as something)."""
MIN_LEAD = 1.6
"""How many times the runner-up's evidence the best intent must have."""
RARE_SHARE = 2
"""A word used by at most this many intents is rare: a guess needs one."""
GUESS_SCORE = 0.45
"""The score of a keyword guess: below every sample reading, so any of those wins."""
MAX_SLOT_WORDS = 4


@dataclass(frozen=True)
class _Vocabulary:
    """Each intent's words and each word's weight, for one model."""

    words: dict[str, frozenset[str]]
    weight: dict[str, float]
    share: dict[str, int]


_CACHE: dict[int, tuple[InteractionModel, _Vocabulary]] = {}


def _vocabulary(model: InteractionModel, lexicon: Lexicon) -> _Vocabulary:
    """Every intent's literal sample words (stemmed) and their inverse frequency over intents, once per model."""
    cached = _CACHE.get(id(model))
    if cached is not None and cached[0] is model:
        return cached[1]
    skip = _skipped(lexicon)
    words: dict[str, frozenset[str]] = {}
    for name, spec in model.intents.items():
        found: set[str] = set()
        for sample in spec.samples:
            literal = sample
            for slot in sample_slots(sample):
                literal = literal.replace("{" + slot + "}", "|")
            for chunk in literal.split("|"):
                found.update(_features(words_of(chunk), skip))
        if found:
            words[name] = frozenset(found)
    share: dict[str, int] = {}
    for used in words.values():
        for word in used:
            share[word] = share.get(word, 0) + 1
    total = len(words)
    weight = {word: math.log(total / count) for word, count in share.items()}
    vocabulary = _Vocabulary(words, weight, share)
    _CACHE[id(model)] = (model, vocabulary)
    return vocabulary


def _features(words: list[str], skip: frozenset[str]) -> set[str]:
    """The words that point somewhere, stemmed, and each pair of them said one after the other ("call off")."""
    kept = [stem(word) for word in words if word not in skip]
    return {*kept, *(f"{a} {b}" for a, b in pairwise(kept))}


def _skipped(lexicon: Lexicon) -> frozenset[str]:
    """Words that point nowhere: function words, hesitations, one-word fillers."""
    fillers = {phrase[0] for phrase in (*lexicon.leading_fillers, *lexicon.trailing_fillers) if len(phrase) == 1}
    return frozenset(LIGHT_WORDS | lexicon.light_words | lexicon.hesitations | fillers)


def evidence(text: str, model: InteractionModel, lexicon: Lexicon) -> list[tuple[float, str]]:
    """Each intent's summed weight of the sentence's words and pairs its samples use, strongest first."""
    tokens = [word for word in words_of(text) if word not in lexicon.hesitations]
    return _scores(_features(tokens, _skipped(lexicon)), _vocabulary(model, lexicon))


def _scores(heard: set[str], vocabulary: _Vocabulary) -> list[tuple[float, str]]:
    """`evidence` for features already taken from the sentence."""
    return sorted(
        ((sum(vocabulary.weight[w] for w in heard & words), name) for name, words in vocabulary.words.items()),
        reverse=True,
    )


def guess(text: str, model: InteractionModel, lexicon: Lexicon) -> Match | None:
    """The intent the sentence's words point to clearly, with what slots they fill; None when unclear."""
    vocabulary = _vocabulary(model, lexicon)
    skip = _skipped(lexicon)
    tokens = [word for word in words_of(text) if word not in lexicon.hesitations]
    heard = _features(tokens, skip)
    if not heard:
        return None
    scores = _scores(heard, vocabulary)
    (best, intent), (second, _runner) = scores[0], scores[1]
    used = heard & vocabulary.words[intent]
    rare = any(vocabulary.share[word] <= RARE_SHARE for word in used)
    if best < MIN_EVIDENCE or best < MIN_LEAD * second or not rare or intent.startswith("AMAZON."):
        return None
    slots = _slots(tokens, intent, model, vocabulary.words[intent] | {stem(w) for w in skip})
    sample = _sample_for(model, intent, set(slots))
    if sample is None:
        return None
    return Match(intent, slots, GUESS_SCORE, sample, skipped=tuple(tokens))


def _slots(tokens: list[str], intent: str, model: InteractionModel, known: frozenset[str]) -> dict[str, Slot]:
    """Closed slot values named anywhere in the sentence; a product from the words the intent does not use."""
    spec = model.intents[intent]
    slots: dict[str, Slot] = {}
    taken: set[int] = set()
    for name, slot_type in spec.slots.items():
        if slot_type.startswith("AMAZON.") or slot_type == "PRODUCT":
            continue
        found = _closed_value(tokens, model, slot_type, taken)
        if found is not None:
            start, end, value_id = found
            slots[name] = Slot(name=name, value=" ".join(tokens[start:end]), resolved_id=value_id)
            taken.update(range(start, end))
    if "product" in spec.slots and spec.slots["product"] in CATALOG_TYPES:
        run: list[str] = []
        best: list[str] = []
        for at, word in enumerate(tokens):
            if at in taken or stem(word) in known:
                run = []
                continue
            run.append(word)
            if len(run) > len(best):
                best = list(run)
        if best and len(best) <= MAX_SLOT_WORDS:
            resolved = resolve_value(model, spec.slots["product"], best)
            slots["product"] = Slot(name="product", value=" ".join(best), resolved_id=resolved)
    return slots


def _closed_value(
    tokens: list[str], model: InteractionModel, slot_type: str, taken: set[int]
) -> tuple[int, int, str] | None:
    """The longest run of words that names a value of a closed slot type, as (start, end, id)."""
    for size in range(min(MAX_SLOT_WORDS, len(tokens)), 0, -1):
        for start in range(len(tokens) - size + 1):
            if taken & set(range(start, start + size)):
                continue
            words = tokens[start : start + size]
            if all(word in LIGHT_WORDS for word in words):
                continue
            resolved = resolve_value(model, slot_type, words)
            if resolved is not None:
                return start, start + size, resolved
    return None


def _sample_for(model: InteractionModel, intent: str, slots: set[str]) -> str | None:
    """The intent's shortest sample using exactly these slots, to read the guess back in the model's words."""
    fitting = [s for s in model.intents[intent].samples if set(sample_slots(s)) == slots]
    return min(fitting, key=len) if fitting else None
