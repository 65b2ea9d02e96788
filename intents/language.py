"""The interaction model (`models/<locale>.json`) as typed data: what users can say, per locale.

The ASK JSON is the single source of phrases (STYLE.md section 2): Alexa deploys it, the kiosk compiles it
into its recognizer grammar, and `intents.matching` matches text back against it. Loading it once into
frozen dataclasses lets all three read the same intents, samples and slot types without walking JSON.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

__all__ = [
    "BUILTIN_SLOT_TYPES",
    "CATALOG_TYPES",
    "MODELS_DIR",
    "REQUIRED_BUILTIN_INTENTS",
    "IntentSpec",
    "InteractionModel",
    "SlotType",
    "SlotValue",
    "UnknownLocale",
    "available_locales",
    "base_locale",
    "check_model",
    "fill_sample",
    "load_model",
    "model_path",
    "parse_model",
    "resolved_model_json",
    "sample_slots",
]


def _models_dir() -> Path:
    """The installed wheel's `intents/models/` (importlib.resources), else the checkout's top-level `models/`.

    The wheel maps the repository's `models/` into the `intents` package, so an install outside a checkout
    finds the models beside the code it runs, never through the current directory.
    """
    packaged = Path(str(files("intents").joinpath("models")))
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[1] / "models"


MODELS_DIR = _models_dir()
BUILTIN_SLOT_TYPES = frozenset({"AMAZON.NUMBER", "AMAZON.Ordinal", "AMAZON.FOUR_DIGIT_NUMBER"})
"""The Alexa built-in slot types `intents.matching` knows how to parse."""
CATALOG_TYPES = ("PRODUCT", "CATEGORY")
"""The slot types written from the catalog: open lists, since the shop's search names what they miss. Every
other custom type (a policy, a delivery option, an order word) is a closed list the shop handles by id."""
REQUIRED_BUILTIN_INTENTS = (
    "AMAZON.CancelIntent",
    "AMAZON.HelpIntent",
    "AMAZON.StopIntent",
    "AMAZON.NavigateHomeIntent",
    "AMAZON.FallbackIntent",
)
"""Alexa refuses to build a custom skill's model without these."""
MIN_CUSTOM_SAMPLES = 8
_SLOT_REF = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_LETTERS = "A-Za-záéíóúüñÁÉÍÓÚÜÑ"
"""ASCII letters, and the Spanish ones es-US samples and values are written with (Alexa accepts them there)."""
_SAMPLE_CHARS = re.compile(rf"^[{_LETTERS}' .{{}}_]+$")
_VALUE_CHARS = re.compile(rf"^[{_LETTERS}0-9' .]+$")
_INVOCATION = re.compile(r"^[a-z]+( [a-z]+)+$")


@dataclass(frozen=True)
class SlotValue:
    """One value of a custom slot type: what entity resolution returns as `id` when `value` or a synonym is heard."""

    id: str
    value: str
    synonyms: tuple[str, ...] = ()

    @property
    def phrases(self) -> tuple[str, ...]:
        """The value and its synonyms: every way of saying it."""
        return (self.value, *self.synonyms)


@dataclass(frozen=True)
class SlotType:
    """A custom slot type (PRODUCT, CATEGORY, POLICY, ORDER_WORD) and its values."""

    name: str
    values: tuple[SlotValue, ...] = ()


@dataclass(frozen=True)
class IntentSpec:
    """An intent with its slots (name to type) and sample utterances, in model order."""

    name: str
    slots: dict[str, str]
    samples: tuple[str, ...] = ()

    @property
    def is_builtin(self) -> bool:
        """Alexa's own intents (`AMAZON.*`) need no samples; custom ones need plenty."""
        return self.name.startswith("AMAZON.")


@dataclass(frozen=True)
class InteractionModel:
    """One locale's interaction model."""

    locale: str
    invocation_name: str
    intents: dict[str, IntentSpec]
    """By intent name, in model order (matching breaks ties by that order)."""
    types: dict[str, SlotType]
    """Custom slot types by name."""

    def slot_type(self, intent: str, slot: str) -> str:
        """The type of one intent's slot (KeyError when the intent does not declare it)."""
        return self.intents[intent].slots[slot]


def sample_slots(sample: str) -> list[str]:
    """The slot names a sample refers to, in order ("add {quantity} {product}" -> quantity, product)."""
    return _SLOT_REF.findall(sample)


def fill_sample(sample: str, values: Mapping[str, str]) -> str:
    """A sample as said: its slots replaced by the given words, lower-case, single-spaced."""
    text = sample
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return " ".join(text.lower().split())


class UnknownLocale(LookupError):
    """A locale with no `models/<locale>.json`: the channels refuse or apologise instead of crashing."""

    def __init__(self, locale: str, known: Collection[str]) -> None:
        """Name the locale and the ones that exist, so the refusal says what would work."""
        super().__init__(f"no interaction model for locale {locale!r}; known: {', '.join(sorted(known))}")
        self.locale = locale
        self.known = tuple(sorted(known))


def model_path(locale: str, models_dir: Path | None = None) -> Path:
    """Where a locale's model lives (the repository's `models/` unless another folder is given)."""
    return (models_dir or MODELS_DIR) / f"{locale}.json"


def available_locales(models_dir: Path | None = None) -> list[str]:
    """Every locale with a model file, so tests and tools cover a new locale without being told."""
    return sorted(path.stem for path in (models_dir or MODELS_DIR).glob("*.json"))


def _slot_type(raw: dict[str, Any]) -> SlotType:
    values = tuple(
        SlotValue(
            id=str(value.get("id") or value["name"]["value"]),
            value=str(value["name"]["value"]),
            synonyms=tuple(str(s) for s in value["name"].get("synonyms", ())),
        )
        for value in raw.get("values", ())
    )
    return SlotType(name=str(raw["name"]), values=values)


def parse_model(locale: str, data: dict[str, Any]) -> InteractionModel:
    """Turn ASK JSON into an `InteractionModel` (KeyError for a file that is not an interaction model)."""
    language = data["interactionModel"]["languageModel"]
    intents = {
        raw["name"]: IntentSpec(
            name=raw["name"],
            slots={slot["name"]: slot["type"] for slot in raw.get("slots", ())},
            samples=tuple(raw.get("samples", ())),
        )
        for raw in language.get("intents", ())
    }
    types = {raw["name"]: _slot_type(raw) for raw in language.get("types", ())}
    return InteractionModel(locale, str(language["invocationName"]), intents, types)


def _read(locale: str, models_dir: Path | None) -> dict[str, Any]:
    """One locale's file as written (an overlay when it `extends` another locale)."""
    path = model_path(locale, models_dir)
    if not path.is_file():
        raise UnknownLocale(locale, available_locales(models_dir))
    return dict(json.loads(path.read_text(encoding="utf-8")))


def base_locale(locale: str, models_dir: Path | None = None) -> str | None:
    """The locale this one inherits its model (and prompts) from, None for a base like en-US."""
    base = _read(locale, models_dir).get("extends")
    return str(base) if base else None


def _merge_named(base: list[dict[str, Any]], overlay: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Overlay entries replace the base's fields by name (`addSamples` appends); new names go at the end."""
    merged = {item["name"]: dict(item) for item in base}
    for item in overlay:
        target = merged.setdefault(item["name"], {"name": item["name"]})
        extra = item.get("addSamples", ())
        target.update({key: value for key, value in item.items() if key != "addSamples"})
        if extra:
            target["samples"] = [*target.get("samples", ()), *extra]
    return list(merged.values())


def resolved_model_json(locale: str, models_dir: Path | None = None) -> dict[str, Any]:
    """A locale's full ASK JSON, its base's model with its own differences merged in (what Alexa deploys).

    en-GB, en-CA, en-AU and en-IN share en-US's intents, samples and slot types, so an intent added to
    en-US reaches every English locale; each file holds only what that locale says differently.
    """
    data = _read(locale, models_dir)
    base = data.get("extends")
    if not base:
        return data
    if base == locale:
        raise ValueError(f"{locale} extends itself")
    merged = copy.deepcopy(resolved_model_json(str(base), models_dir))
    language = merged["interactionModel"]["languageModel"]
    own = data.get("interactionModel", {}).get("languageModel", {})
    if "invocationName" in own:
        language["invocationName"] = own["invocationName"]
    for key in ("intents", "types"):
        if key in own:
            language[key] = _merge_named(language.get(key, []), own[key])
    return merged


@lru_cache(maxsize=16)
def load_model(locale: str = "en-US", models_dir: Path | None = None) -> InteractionModel:
    """Read a locale's model once per process (call `load_model.cache_clear()` after rewriting it).

    Raises `UnknownLocale` for a locale without a model file.
    """
    return parse_model(locale, resolved_model_json(locale, models_dir))


def _sample_problems(model: InteractionModel, intent: IntentSpec) -> list[str]:
    problems: list[str] = []
    for sample in intent.samples:
        if not _SAMPLE_CHARS.match(sample) or sample != sample.strip() or "  " in sample:
            problems.append(f"{intent.name}: sample {sample!r} has characters Alexa refuses (or stray spaces)")
        for slot in sample_slots(sample):
            if slot not in intent.slots:
                problems.append(f"{intent.name}: sample {sample!r} uses undeclared slot {{{slot}}}")
    for slot, slot_type in intent.slots.items():
        if slot_type not in BUILTIN_SLOT_TYPES and slot_type not in model.types:
            problems.append(f"{intent.name}: slot {slot} has unknown type {slot_type}")
    if not intent.is_builtin and len(intent.samples) < MIN_CUSTOM_SAMPLES:
        problems.append(f"{intent.name}: {len(intent.samples)} samples, needs at least {MIN_CUSTOM_SAMPLES}")
    return problems


def _type_problems(slot_type: SlotType) -> list[str]:
    problems: list[str] = []
    if not slot_type.values:
        problems.append(f"type {slot_type.name} has no values")
    ids = [value.id for value in slot_type.values]
    if len(ids) != len(set(ids)):
        problems.append(f"type {slot_type.name} repeats ids")
    for value in slot_type.values:
        for phrase in value.phrases:
            if not _VALUE_CHARS.match(phrase):
                problems.append(f"type {slot_type.name}: {phrase!r} has characters Alexa refuses")
    return problems


def check_model(model: InteractionModel, handled: Collection[str] | None = None) -> list[str]:
    """Everything Alexa (or our conversation) would refuse in a model; empty when it is fine."""
    problems: list[str] = []
    if not _INVOCATION.match(model.invocation_name):
        problems.append(f"invocation name {model.invocation_name!r} must be two or more lower-case words")
    owner: dict[str, str] = {}
    for intent in model.intents.values():
        problems += _sample_problems(model, intent)
        for sample in intent.samples:
            key = " ".join(sample.lower().split())
            if key in owner and owner[key] != intent.name:
                problems.append(f"sample {sample!r} is in both {owner[key]} and {intent.name}")
            owner.setdefault(key, intent.name)
    problems += [f"missing required intent {name}" for name in REQUIRED_BUILTIN_INTENTS if name not in model.intents]
    for slot_type in model.types.values():
        problems += _type_problems(slot_type)
    if handled is not None:
        problems += [f"intent {name} has no handler" for name in model.intents if name not in handled]
    return [f"{model.locale}: {problem}" for problem in problems]
