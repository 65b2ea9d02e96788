"""Words for the ear: one reply rendered as plain text (the kiosk's espeak-ng) and as SSML (Alexa).

Money, quantities and order codes are the parts people mishear, so each is a `Spoken` fragment with
both renderings: Alexa reads "$4.99" well and is told to read codes digit by digit; espeak-ng gets the
words spelled out ("4 dollars and 99 cents", "4 8 2 1 maple").
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html import escape, unescape
from typing import Any

from intents.lexicon import load_lexicon

_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<break[^>]*>|</?(p|s)>")
_DATE = re.compile(r'<say-as interpret-as="date">(?P<y>\d{4})(?P<m>\d\d)(?P<d>\d\d)</say-as>')


@dataclass(frozen=True)
class Spoken:
    """A fragment with its plain-text and SSML forms."""

    text: str
    ssml: str

    def __str__(self) -> str:
        """Plain text, so a fragment can be dropped into logs or f-strings."""
        return self.text


UNIT_WORDS = {
    "oz": "ounce", "fl": "fluid", "lb": "pound", "lbs": "pounds", "ct": "count", "pk": "pack", "g": "grams",
    "kg": "kilograms", "ml": "milliliters", "l": "liters", "gal": "gallon", "qt": "quart", "pt": "pint",
    "mg": "milligrams", "in": "inch", "ft": "feet", "x": "by",
}  # fmt: skip


def size_words(size: str) -> str:
    """Spell unit abbreviations ("32 oz" -> "32 ounce"), which speech engines read letter by letter."""
    words = re.findall(r"\d+(?:\.\d+)?|[A-Za-z]+|[^\sA-Za-z\d]+", size)
    return " ".join(UNIT_WORDS.get(w.lower(), w) if w.isalpha() else w for w in words)


def plain(text: str) -> Spoken:
    """Ordinary words, escaped for SSML."""
    return Spoken(text, escape(text, quote=False))


def in_language(spoken: Spoken, language: str) -> Spoken:
    """Words of another language inside this reply, for Alexa to say as that language does (SSML `lang`).

    A Spanish voice reads "Horizon Organic Whole Milk" with Spanish letter sounds otherwise. The text
    (cards, screens, the kiosk) stays as it is.
    """
    return Spoken(spoken.text, f'<lang xml:lang="{escape(language)}">{spoken.ssml}</lang>')


CURRENCY_WORDS: dict[str, tuple[str, str, str, str, str]] = {
    "USD": ("dollar", "dollars", "cent", "cents", "$"),
    "CAD": ("dollar", "dollars", "cent", "cents", "$"),
    "AUD": ("dollar", "dollars", "cent", "cents", "$"),
    "GBP": ("pound", "pounds", "penny", "pence", "£"),
    "EUR": ("euro", "euros", "cent", "cents", "€"),
    "INR": ("rupee", "rupees", "paisa", "paise", "₹"),
}
"""Singular and plural of the unit and the hundredth, and the symbol Alexa reads as that currency."""


def money(amount: Decimal, currency: str = "USD", locale: str = "en-US") -> Spoken:
    """Prices read slowly and clearly on both channels, worded for the catalog's currency (not the locale's).

    The locale gives the words ("4 dólares con 99 centavos" in es-US); the SSML keeps the symbol and a
    decimal point ("$4.99"), which Alexa reads in the device's language.
    """
    amount = amount.quantize(Decimal("0.01"))
    units, hundredths = divmod(int(amount * 100), 100)
    words = CURRENCY_WORDS.get(currency)
    if words is None:
        return Spoken(f"{amount} {currency}", f"{amount} {escape(currency)}")
    symbol = words[4]
    lexicon = load_lexicon(locale)
    one, many, small_one, small_many = lexicon.currencies.get(currency, words[:4])
    text = f"{units} {one if units == 1 else many}"
    if hundredths:
        small = f"{hundredths} {small_one if hundredths == 1 else small_many}"
        text = f"{text} {lexicon.money_joiner} {small}" if units else small
    return Spoken(text, escape(f"{symbol}{amount}"))


def order_code(number: str) -> Spoken:
    """An order number like "4821 maple", read digit by digit and slowly."""
    digits, _, word = number.partition(" ")
    text = " ".join(digits) + (f" {word}" if word else "")
    ssml = f'<prosody rate="slow"><say-as interpret-as="digits">{escape(digits)}</say-as> {escape(word)}</prosody>'
    return Spoken(text, ssml)


def day(value: date, template: str = "{weekday}, {month} {day}", locale: str = "en-US") -> Spoken:
    """A delivery date as people of the locale say it ("Wednesday, November 25"; es-US "miércoles 25 de noviembre").

    Weekday and month names come from the locale's language file, not the process's C locale.
    """
    lexicon = load_lexicon(locale)
    weekday, month = lexicon.weekdays[value.weekday()], lexicon.months[value.month - 1]
    text = template.format(weekday=weekday, month=month, day=value.day, year=value.year)
    return Spoken(text, f'<say-as interpret-as="date">{value:%Y%m%d}</say-as>')


def join(parts: list[Spoken], conjunction: str = "and") -> Spoken:
    """Join as "a, b and c" in both renderings."""
    if not parts:
        return plain("")
    if len(parts) == 1:
        return parts[0]
    head = parts[:-1]
    text = ", ".join(p.text for p in head) + f" {conjunction} " + parts[-1].text
    ssml = ", ".join(p.ssml for p in head) + f" {conjunction} " + parts[-1].ssml
    return Spoken(text, ssml)


def compose(template: str, **fields: Any) -> Spoken:
    """Fill a prompt template; `Spoken` fields keep their SSML, anything else is escaped plain text."""
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    as_spoken = {name: fields[name] if isinstance(fields[name], Spoken) else plain(str(fields[name])) for name in names}
    text = template.format(**{k: v.text for k, v in as_spoken.items()})
    ssml = escape(template, quote=False).format(**{k: v.ssml for k, v in as_spoken.items()})
    return Spoken(text, ssml)


def concat(*parts: Spoken) -> Spoken:
    """Sentences one after another."""
    kept = [p for p in parts if p.text]
    return Spoken(" ".join(p.text for p in kept), " ".join(p.ssml for p in kept))


def strip_ssml(ssml: str | None) -> str:
    """What a listener hears of our SSML: dates read as dates, breaks as spaces, other tags dropped."""
    text = _DATE.sub(lambda m: f"{m['y']}-{m['m']}-{m['d']}", ssml or "")
    text = _TAG.sub("", _BREAK.sub(" ", text))
    return " ".join(unescape(text).split())
