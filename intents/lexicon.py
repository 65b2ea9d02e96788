"""A locale's language knowledge (`intents/languages/<locale>.json`) as typed data, read once.

Fillers, number words, ordinals, homophones, verbs, units, confirmations and order words used to sit in
a dozen module-level tables; now the matcher, the recognizer, the prompts and the kiosk's grammar read
this one file per locale (as home-assistant/intents keeps `_common.yaml` per language). It holds words,
never sentences: what people can say stays in `models/<locale>.json`. `catalog/lexicon.py` reads the
number words from the same file by path, because `catalog` imports nothing from `intents`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from catalog.text import digits_for_number_words, normalize

__all__ = ["LANGUAGES_DIR", "Lexicon", "available_languages", "load_lexicon"]

LANGUAGES_DIR = Path(__file__).resolve().parent / "languages"
DEFAULT_LOCALE = "en-US"


def _phrases(raw: list[str], contractions: dict[str, tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
    """Phrases as word tuples, spelled the way `matching.words_of` spells an utterance."""
    out: list[tuple[str, ...]] = []
    for phrase in raw:
        words: list[str] = []
        for word in normalize(phrase).split():
            words += contractions.get(word, (word,))
        out.append(tuple(words))
    return tuple(out)


@dataclass(frozen=True)
class Lexicon:
    """One locale's words, folded like utterances are (lower case, no apostrophes, contractions expanded)."""

    locale: str
    contractions: dict[str, tuple[str, ...]]
    leading_fillers: tuple[tuple[str, ...], ...]
    trailing_fillers: tuple[tuple[str, ...], ...]
    slot_fillers: tuple[tuple[str, ...], ...]
    hesitations: frozenset[str]
    """Sounds that mean nothing wherever they fall ("how much is, um, express")."""
    """Words before a product that name no product ("anything by clorox", "some cheerios")."""
    homophones: dict[str, int]
    """Words a recognizer hears for small numbers: numbers only in speech, and only in a quantity position."""
    digit_homophones: dict[str, str]
    negative: frozenset[str]
    vague: tuple[tuple[str, ...], ...]
    """Quantities that are no number ("a few"): asked about, never guessed."""
    read_back: frozenset[str]
    units: dict[str, int]
    """Pack words and how many items they are ("a dozen" is 12)."""
    relative: dict[str, str]
    """"one more" adds, "one less" removes."""
    ordinals: dict[str, int]
    verbs: dict[str, tuple[tuple[str, ...], ...]]
    places: tuple[tuple[str, ...], ...]
    confirmations: dict[str, tuple[tuple[str, ...], ...]]
    latest_order_words: tuple[tuple[str, ...], ...]
    joiners: tuple[tuple[str, ...], ...]
    large_scales: dict[str, int]
    """Scales beyond search's ("a million", "un millón"): a number, far too many, not an unreadable one."""
    unit_words: dict[str, str]
    """Pack words to the unit name the handlers convert ("docena" is a "dozen")."""
    canonical: dict[str, str]
    """The model's own words for adding, removing and the cart, which `recognizer.rewrite` rewrites into."""
    cart_words: frozenset[str]
    place_prepositions: frozenset[str]
    """Words before a place that say "into" or "out of" it ("en", "al"); English strips its own in `rewrite`."""
    launch_open: tuple[str, ...]
    """Verbs that open a skill ("open corner market", "abre mercado de la esquina")."""
    launch_ask: tuple[str, ...]
    """Verbs that open it with a request ("ask corner market to ...")."""
    articles: tuple[tuple[str, ...], ...]
    light_words: frozenset[str]
    """Short function words recognisers drop, add and swap most: an approximate reading's edit on them costs half."""
    slot_examples: dict[str, tuple[str, ...]]
    """Example values of the built-in slot types, in this language (model tests fill samples with them)."""
    conjunctions: dict[str, str]
    """"and" and "or" as joined lists say them."""
    money_joiner: str
    currencies: dict[str, tuple[str, str, str, str]]
    """Per currency code: singular and plural of the unit and of its hundredth."""
    weekdays: tuple[str, ...]
    day_halves: tuple[str, str]
    """How a time of day is marked before and after noon ("AM"/"PM", "a. m."/"p. m.")."""
    months: tuple[str, ...]
    catalog_words: dict[tuple[str, ...], tuple[str, ...]]
    """Shopping words to the words the catalog is written in ("platanos" -> "bananas"); empty for English."""
    catalog_phrases: dict[str, str]
    """`catalog_words` as written (accents kept): what the model generator offers Alexa as synonyms."""
    query_stopwords: frozenset[str]
    categories: dict[str, tuple[str, ...]]
    """Category id to how this language names it ("dairy" -> "lácteos"), as written (accents kept)."""
    catalog_language: str | None = None
    """The language the catalog's names are written in when this locale speaks another ("en-US" for es-US):
    product names are then marked for Alexa to read in that language. None when they are one language."""
    wanting: tuple[tuple[str, ...], ...] = ()
    """"i want to", "let's": stripped before the verb that follows ("i'd love to get the oat milk")."""
    before_question: tuple[tuple[str, ...], ...] = ()
    """"tell me", "show me" before a question ("show me what's in my trolley"): the question is the command."""
    question_words: frozenset[str] = frozenset()
    slot_trailing: tuple[tuple[str, ...], ...] = ()
    """Words after a product that name no product ("cheerios too")."""
    slot_trailing_from: frozenset[str] = frozenset()
    kiosk_voice: str = ""
    """The espeak-ng voice the kiosk speaks this language with ("en-us", "es-419")."""
    """A word after which a product's words say who it is for ("the coke for my son"), dropped with what follows."""
    whole_cart: frozenset[str] = frozenset()
    """Words that make a removal the whole cart ("delete my whole cart", "throw it all out")."""
    whole_cart_glue: frozenset[str] = frozenset()
    fractions: frozenset[str] = frozenset()
    """Words that make a quantity no whole number ("two and a half", "three point five"): asked again."""
    pack_words: frozenset[str] = frozenset()
    """Words after a count in a product's size that make it a pack of that many ("12 pack", "6 count")."""
    pack_containers: tuple[tuple[str, ...], ...] = ()
    """Words before a count in a size that make it a pack ("bunch of 6"); before a product, no product."""
    order_talk: frozenset[str] = frozenset()
    """Words that, inside what would be a product, say an order or the account is meant ("the order i just
    placed", "the same stuff again", "set my code to 4421"): such a product reading is refused so the order
    and account intents can read it."""
    slot_carriers: tuple[tuple[str, ...], ...] = ()
    """Words that hang a closed slot's value on the end of a command ("check out *with* express")."""
    digit_repeats: dict[str, int] = field(default_factory=dict)
    """Words that say the next digit again ("double seven" is 77) in a spoken code or order number."""
    position_markers: frozenset[str] = frozenset()
    """Words that make a count a list position ("number two", "número dos") while a list is open."""
    position_pointers: frozenset[str] = frozenset()
    """Words pointing at a position as "the" does ("that first one")."""
    position_phrase: str = "the {ordinal} one"
    """How the model says a position ("the second one", "el segundo")."""
    product_questions: tuple[tuple[str, ...], ...] = ()
    """Openings of a question about what a product is ("is the", "does the"): "is the almond milk sweetened"."""
    hints: tuple[tuple[str, ...], ...] = ()
    """Words that hint at a need ("we're out of", "we need more"): the rest is an add, asked back."""
    count_softeners: frozenset[str] = frozenset()
    """Words before a count that leave it the count ("remove *just* one of the yogurts")."""
    corrections: tuple[tuple[str, ...], ...] = ()
    """Words a sentence corrects itself with ("add three *no make that* two apples")."""
    instead: tuple[tuple[str, ...], ...] = ()
    """Words before the count a correction replaces ("six *not* four", "two *instead of* one")."""
    farewells: tuple[tuple[str, ...], ...] = ()
    """Goodbyes that close a sentence ("i'm done, goodbye"): the sentence is a goodbye, not a checkout."""
    category_tails: frozenset[str] = frozenset()
    """Words after a category that name no product ("pet stuff", "the cleaning aisle"): the category is meant."""
    set_verb: str = "change"
    """The model's own verb and "to" of a quantity change ("change {product} to {quantity}"), which set
    phrasings ("bump the coke up to four") are rewritten into; `set_particles` ("up", "down") go."""
    set_to: str = "to"
    set_particles: frozenset[str] = frozenset()

    def catalog_query(self, text: str) -> str:
        """A query in the catalog's words: the longest known phrase at each point translated, the rest kept.

        The demo catalog is written in English, so "leche de avena" is searched as "oat milk"; brand words
        nobody translates ("cheerios") pass through as heard.
        """
        if not self.catalog_words:
            return text
        words = normalize(text).split()
        longest = max(len(phrase) for phrase in self.catalog_words)
        out: list[str] = []
        index = 0
        while index < len(words):
            for size in range(min(longest, len(words) - index), 0, -1):
                found = self.catalog_words.get(tuple(words[index : index + size]))
                if found is not None:
                    out += found
                    index += size
                    break
            else:
                if words[index] not in self.query_stopwords:
                    out.append(words[index])
                index += 1
        return " ".join(digits_for_number_words(out, self.locale)) or text


def _parse(locale: str, data: dict[str, Any]) -> Lexicon:
    contractions = {k: tuple(v) for k, v in data["contractions"].items()}
    numbers = data["numbers"]
    speech = data["speech"]

    def phrases(raw: list[str]) -> tuple[tuple[str, ...], ...]:
        return _phrases(raw, contractions)

    return Lexicon(
        locale=locale,
        contractions=contractions,
        leading_fillers=phrases(data["fillers"]["leading"]),
        trailing_fillers=phrases(data["fillers"]["trailing"]),
        slot_fillers=phrases(data["fillers"]["slot_leading"]),
        hesitations=frozenset(data["fillers"].get("hesitations", [])),
        homophones={normalize(k): v for k, v in numbers["homophones"].items()},
        digit_homophones=dict(numbers["digit_homophones"]),
        negative=frozenset(normalize(w) for w in numbers["negative"]),
        vague=phrases(numbers["vague"]),
        read_back=frozenset(" ".join(p) for p in phrases(numbers["read_back"])),
        units={" ".join(p): n for p, n in zip(phrases(list(data["units"])), data["units"].values(), strict=True)},
        relative=dict(data["relative"]),
        ordinals={normalize(k): v for k, v in data["ordinals"].items()},
        verbs={k: phrases(v) for k, v in data["verbs"].items()},
        places=phrases(data["places"]),
        confirmations={k: phrases(v) for k, v in data["confirmations"].items()},
        latest_order_words=phrases(data["order_words"]["latest"]),
        joiners=phrases(data["joiners"]),
        large_scales={normalize(k): int(v) for k, v in numbers.get("large_scales", {}).items()},
        unit_words={normalize(k): str(v) for k, v in data.get("unit_words", {"dozen": "dozen"}).items()},
        canonical={k: normalize(v) for k, v in data.get("canonical", {}).items()},
        cart_words=frozenset(normalize(w) for w in data.get("cart_words", ())),
        place_prepositions=frozenset(normalize(w) for w in data.get("place_prepositions", ())),
        launch_open=tuple(" ".join(p) for p in phrases(data["launch"]["open"])),
        launch_ask=tuple(" ".join(p) for p in phrases(data["launch"]["ask"])),
        articles=phrases(data.get("articles", [])),
        light_words=frozenset(normalize(w) for w in data.get("light_words", ())),
        slot_examples={k: tuple(v) for k, v in data.get("slot_examples", {}).items()},
        conjunctions={"and": speech["and"], "or": speech["or"]},
        money_joiner=str(speech["money_joiner"]),
        currencies={k: (v[0], v[1], v[2], v[3]) for k, v in speech["currencies"].items()},
        weekdays=tuple(speech["weekdays"]),
        day_halves=(str(speech["day_halves"][0]), str(speech["day_halves"][1])),
        months=tuple(speech["months"]),
        kiosk_voice=str(speech["kiosk_voice"]),
        catalog_language=speech.get("catalog_language") or None,
        catalog_words={
            tuple(normalize(k).split()): tuple(normalize(v).split()) for k, v in data.get("catalog_words", {}).items()
        },
        catalog_phrases={str(k): str(v) for k, v in data.get("catalog_words", {}).items()},
        query_stopwords=frozenset(normalize(w) for w in data.get("query_stopwords", ())),
        categories={k: tuple(v) for k, v in data.get("categories", {}).items()},
        wanting=phrases(data["fillers"].get("wanting", [])),
        before_question=phrases(data["fillers"].get("before_question", [])),
        question_words=frozenset(data["fillers"].get("question_words", ())),
        slot_trailing=phrases(data["fillers"].get("slot_trailing", [])),
        slot_trailing_from=frozenset(data["fillers"].get("slot_trailing_from", ())),
        whole_cart=frozenset(data.get("whole_cart", {}).get("whole", ())),
        whole_cart_glue=frozenset(data.get("whole_cart", {}).get("glue", ())),
        fractions=frozenset(numbers.get("fractions", ())),
        pack_words=frozenset(data.get("packs", {}).get("counted", ())),
        pack_containers=phrases(data.get("packs", {}).get("containers", [])),
        slot_carriers=phrases(data.get("slot_carriers", [])),
        order_talk=frozenset(normalize(w) for w in data.get("order_talk", ())),
        farewells=phrases(data.get("farewells", [])),
        hints=phrases(data["fillers"].get("hints", [])),
        product_questions=phrases(data["fillers"].get("product_questions", [])),
        count_softeners=frozenset(normalize(w) for w in numbers.get("softeners", ())),
        corrections=phrases(data.get("corrections", {}).get("markers", [])),
        instead=phrases(data.get("corrections", {}).get("instead", [])),
        position_markers=frozenset(normalize(w) for w in data.get("positions", {}).get("markers", ())),
        position_pointers=frozenset(normalize(w) for w in data.get("positions", {}).get("pointers", ())),
        position_phrase=str(data.get("positions", {}).get("phrase", "the {ordinal} one")),
        digit_repeats={normalize(k): int(v) for k, v in numbers.get("digit_repeats", {}).items()},
        category_tails=frozenset(normalize(w) for w in data.get("category_tails", ())),
        set_verb=normalize(data.get("set_words", {}).get("verb", "change")),
        set_to=normalize(data.get("set_words", {}).get("to", "to")),
        set_particles=frozenset(normalize(w) for w in data.get("set_words", {}).get("particles", ())),
    )


@cache
def load_lexicon(locale: str = DEFAULT_LOCALE) -> Lexicon:
    """A locale's words, falling back to en-US for a locale without its own file yet (en-GB reads en-US's)."""
    path = LANGUAGES_DIR / f"{locale}.json"
    if not path.exists():
        path = LANGUAGES_DIR / f"{DEFAULT_LOCALE}.json"
    return _parse(locale, json.loads(path.read_text(encoding="utf-8")))


def available_languages() -> list[str]:
    """Locales with a language file of their own."""
    return sorted(path.stem for path in LANGUAGES_DIR.glob("*.json"))
