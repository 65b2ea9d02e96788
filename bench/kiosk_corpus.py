"""The kiosk speech benchmark's corpus: what shoppers say and what it should mean, plus speech not for the shop.

Utterances are written the way a shopper would say them and the catalog spells them ("Kerrygold Pure
Irish Butter", "2% milk"), never in the grammar's respellings, so the benchmark measures the respelling
instead of assuming it. Sentences are drawn with a fixed seed from the interaction model's own samples
(every intent) with slots filled from the demo catalog, plus phrasings the model does not list, spoken by
several espeak-ng voices at two rates, some in pink noise. The out-of-grammar part (chatter, silence,
noise) must never become a shop action.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from catalog.model import Product
from intents.language import InteractionModel, sample_slots

__all__ = ["OUT_OF_GRAMMAR", "VOICES", "Utterance", "build_corpus", "build_heldout"]

VOICES = ("en-us", "en-gb", "en-us+m3", "en-us+f2")
RATES = (150, 185)
NOISE = 0.05
DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
QUANTITIES = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "ten": 10, "a dozen": 12, "a couple of": 2}
ORDINALS = {"first": "1", "second": "2", "third": "3", "last": "-1"}
ANSWERS = {"ProvideCodeIntent": "code"}
"""Intents a shopper only says in answer to a kiosk question, and that question's expectation: a code is
only ever given after "please say your purchase code" (the conversation refuses it otherwise), so the
kiosk decodes it with the code grammar. Every other utterance is a fresh command, heard with the full one."""
PER_INTENT = 4
"""Utterances per intent without a product slot; product intents get more (see `_weights`)."""
EXTRA_PHRASINGS: tuple[tuple[str, str], ...] = (
    ("AddToCartIntent", "could you add {quantity} {product} please"),
    ("AddToCartIntent", "please add {product} to my cart"),
    ("SearchIntent", "do you have any {product}"),
    ("CheckOutIntent", "i'm ready to check out"),
    ("ReviewCartIntent", "what is in my cart please"),
    ("AMAZON.HelpIntent", "help me please"),
    ("AMAZON.YesIntent", "yes please"),
    ("AMAZON.NoIntent", "no thank you"),
)
"""Natural variants (fillers, politeness) the samples do not spell out but the matcher should still take."""
OUT_OF_GRAMMAR: tuple[str, ...] = (
    "the weather is lovely today",
    "my dog ate my homework",
    "turn on the lights in the kitchen",
    "what time does the train leave",
    "i think it will rain tomorrow",
    "call my mother on her phone",
    "play some jazz music",
    "how old is the president",
    "we went to the beach last summer",
    "the meeting starts at three",
    "can you tell me a joke",
    "she sells sea shells by the sea shore",
    "my brother lives in chicago",
    "where did i park the car",
)
"""Speech meant for someone else: none of it may turn into an add, a purchase or a confirmation."""


@dataclass(frozen=True)
class Utterance:
    """One spoken test case and what it should be understood as (intent None: no shop action at all)."""

    text: str
    intent: str | None
    voice: str = "en-us"
    rate: int = 160
    noise: float = 0.0
    sku: str | None = None
    quantity: int | None = None
    slots: tuple[tuple[str, str], ...] = ()
    """Other expected resolved slot ids (code, customer number, ordinal, order digits)."""
    kind: str = "speech"
    """`speech`, `oog` (out-of-grammar sentence), `silence` or `noise`."""
    expecting: str | None = None
    """What the kiosk's last question waited for when this was said ("code"), None for a fresh command."""


def _digits(rng: random.Random, count: int) -> tuple[str, str]:
    """Spoken digits and their value ("four two seven one", "4271")."""
    value = "".join(str(rng.randrange(10)) for _ in range(count))
    return " ".join(DIGITS[int(d)] for d in value), value


def _product_phrase(rng: random.Random, model: InteractionModel, product: Product) -> str:
    """How a shopper names the product: mostly its catalog name, sometimes a listed synonym."""
    value = next((v for v in model.types["PRODUCT"].values if v.id == product.sku), None)
    if value is None or not value.synonyms or rng.random() < 0.6:
        return product.name
    return rng.choice(value.synonyms)


def _fill(
    rng: random.Random, model: InteractionModel, intent: str, sample: str, products: Sequence[Product]
) -> tuple[str, dict[str, str]] | None:
    """A sample spoken with concrete values, and the expected resolved ids (None if a slot can't be filled)."""
    expected: dict[str, str] = {}
    text = sample
    for name in sample_slots(sample):
        slot_type = model.intents[intent].slots[name]
        if slot_type == "PRODUCT":
            product = rng.choice(products)
            spoken, expected["sku"] = _product_phrase(rng, model, product), product.sku
        elif slot_type == "AMAZON.NUMBER" and name == "quantity":
            spoken = rng.choice(list(QUANTITIES))
            expected["quantity"] = str(QUANTITIES[spoken])
        elif slot_type == "AMAZON.NUMBER" and name == "customer_number":
            spoken, expected[name] = _digits(rng, 6)
        elif slot_type == "AMAZON.NUMBER":
            number = rng.choice([5, 10, 20])
            spoken, expected[name] = DIGITS[number] if number < 10 else {10: "ten", 20: "twenty"}[number], str(number)
        elif slot_type == "AMAZON.FOUR_DIGIT_NUMBER":
            spoken, expected[name] = _digits(rng, 4)
        elif slot_type == "AMAZON.Ordinal":
            spoken = rng.choice(list(ORDINALS))
            expected[name] = ORDINALS[spoken]
        else:
            values = model.types[slot_type].values
            value = rng.choice(values)
            spoken, expected[name] = rng.choice(value.phrases), value.id
        text = text.replace("{" + name + "}", spoken, 1)
    if "{" in text:
        return None
    return re.sub(r"\s+", " ", text).strip(), expected


def _weights(model: InteractionModel) -> dict[str, int]:
    """How many utterances each intent gets: more where a product or quantity must come through."""
    weights = {}
    for intent in model.intents.values():
        if not intent.samples:
            continue
        has_product = "PRODUCT" in intent.slots.values()
        weights[intent.name] = 3 * PER_INTENT if intent.name == "AddToCartIntent" else PER_INTENT
        if has_product and intent.name != "AddToCartIntent":
            weights[intent.name] = 2 * PER_INTENT
    return weights


def build_corpus(model: InteractionModel, products: Sequence[Product], seed: int = 7) -> list[Utterance]:
    """The fixed benchmark corpus: every intent, several voices and rates, some noise, then out-of-grammar speech."""
    rng = random.Random(seed)
    stocked = sorted(products, key=lambda p: p.sku)
    texts: list[tuple[str, str, dict[str, str]]] = []
    for intent, count in _weights(model).items():
        samples = list(model.intents[intent].samples)
        rng.shuffle(samples)
        for sample in (samples * count)[:count]:
            filled = _fill(rng, model, intent, sample, stocked)
            if filled is not None:
                texts.append((intent, *filled))
    for intent, template in EXTRA_PHRASINGS:
        filled = _fill(rng, model, intent, template, stocked)
        if filled is not None:
            texts.append((intent, *filled))
    corpus = [_utterance(n, text, intent, expected, "sku") for n, (intent, text, expected) in enumerate(texts)]
    for n, text in enumerate(OUT_OF_GRAMMAR):
        corpus.append(Utterance(text, None, VOICES[n % len(VOICES)], RATES[n % len(RATES)], kind="oog"))
    corpus += [
        Utterance("", None, kind="silence"),
        Utterance("", None, noise=0.05, kind="noise"),
        Utterance("", None, noise=0.3, kind="noise"),
    ]
    return corpus


def build_heldout(entries: Sequence[tuple[str, str | None, dict[str, str]]]) -> list[Utterance]:
    """The held-out set (`bench/kiosk_heldout.py`) as utterances, spread over the same voices, rates and noise.

    Nothing is tuned on it: it measures how the kiosk copes with phrasings and products nobody wrote into
    the interaction model or the in-model corpus.
    """
    return [_utterance(n, text, intent, expected, "product") for n, (text, intent, expected) in enumerate(entries)]


def _utterance(n: int, text: str, intent: str | None, expected: dict[str, str], sku_key: str) -> Utterance:
    """The n-th utterance of a corpus, voices, rates and noise dealt round-robin so every intent gets a mix."""
    slots = dict(expected)
    quantity = slots.pop("quantity", None)
    return Utterance(
        text=text,
        intent=intent,
        voice=VOICES[n % len(VOICES)],
        rate=RATES[(n // len(VOICES)) % len(RATES)],
        noise=NOISE if n % 5 == 4 else 0.0,
        sku=slots.pop(sku_key, None),
        quantity=int(quantity) if quantity is not None else None,
        slots=tuple(sorted(slots.items())),
        kind="speech" if intent is not None else "oog",
        expecting=ANSWERS.get(intent or ""),
    )
