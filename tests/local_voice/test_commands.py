"""Short commands heard beside the full grammar: espeak-ng WAVs named for their text, voice and rate."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.config import Settings
from intents.language import load_model
from local_voice.model_store import ensure_model
from local_voice.recognizer import Heard, HeardWord
from local_voice.test_speech import synthesize
from local_voice.understanding import SHOP_CHANGING, Understander, Understood

SHORT = [
    ("yeah_go_ahead", "en-029", 145, "AMAZON.YesIntent"),
    ("what_delivery_options_are_there", "en-029", 145, "DeliveryOptionsIntent"),
    ("take_me_to_the_main_menu", "en-029", 175, "AMAZON.NavigateHomeIntent"),
]
OUT_OF_GRAMMAR = ["oov_turn_off_the_tv", "oov_play_some_music", "oov_set_a_timer_for_ten_minutes"]


@pytest.fixture(scope="module")
def ears(demo_products) -> dict[bool, Understander]:
    """The kiosk's ears with and without the command grammar beside the full one."""
    model_path = ensure_model(Settings.from_env().data_dir)
    return {
        on: Understander.build(model_path, load_model("en-US"), demo_products, version=1, commands=on)
        for on in (True, False)
    }


def wav(tmp_path: Path, name: str, voice: str = "en-us", rate: int = 160) -> Path:
    """The WAV named for its text (cached across runs by the speech helper)."""
    text = name.removeprefix("oov_").replace("_", " ")
    return synthesize(text, tmp_path / f"{voice}-{rate}" / f"{name}.wav", voice=voice, rate=rate)


@pytest.mark.parametrize(("name", "voice", "rate", "intent"), SHORT)
def test_a_short_command_the_full_grammar_drowns_is_heard(
    ears: dict[bool, Understander], tmp_path: Path, name: str, voice: str, rate: int, intent: str
) -> None:
    """In the full grammar, product and template words outweigh a short command's first word ("yeah go
    ahead" came out "the eighth coffee"); the slot-free commands decoded beside it hear it."""
    understood = ears[True].hear_wav(wav(tmp_path, name, voice, rate))
    assert understood.match is not None and understood.match.intent == intent
    assert understood.heard_text == name.replace("_", " ")


def test_the_full_grammar_alone_misses_them(ears: dict[bool, Understander], tmp_path: Path) -> None:
    """What the command grammar adds: without it, most of these are not read as meant."""
    missed = [
        name
        for name, voice, rate, intent in SHORT
        if (found := ears[False].hear_wav(wav(tmp_path, name, voice, rate)).match) is None or found.intent != intent
    ]
    assert len(missed) >= 2


@pytest.mark.parametrize("name", OUT_OF_GRAMMAR)
def test_speech_not_for_the_shop_still_changes_nothing(
    ears: dict[bool, Understander], tmp_path: Path, name: str
) -> None:
    """A third way of hearing gives unrelated speech one more chance to look like a command: it changes nothing."""
    understood: Understood = ears[True].hear_wav(wav(tmp_path, name))
    assert not (understood.match is not None and understood.match.intent in SHOP_CHANGING and not understood.doubtful)


def test_a_shop_changing_command_taken_from_the_command_grammar_is_asked_back(ears: dict[bool, Understander]) -> None:
    """Only the full grammar's own sure reading changes the shop unasked: "empty my cart" heard by the
    command grammar alone is read back first."""
    understander = ears[True]
    words = tuple(HeardWord(w, 0.99, i * 0.3, i * 0.3 + 0.25) for i, w in enumerate(["empty", "my", "cart"]))
    heard = Heard("empty my card [unk]", words[:2], beside=Heard("empty my cart", words))
    understood = understander.understand(heard, 0.0)
    assert understood.match is not None and understood.match.intent == "ClearCartIntent"
    assert understood.doubtful
