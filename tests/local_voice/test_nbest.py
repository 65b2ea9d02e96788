"""Vosk's n-best, rescored by the understanding and the open question: espeak-ng WAVs named for their text."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.config import Settings
from intents.language import load_model
from local_voice.model_store import ensure_model
from local_voice.test_speech import synthesize
from local_voice.understanding import SHOP_CHANGING, YES_NO, Understander, Understood

OUT_OF_GRAMMAR = ["oov_the_weather_is_lovely_today", "oov_play_some_jazz_music", "oov_my_brother_lives_in_chicago"]


@pytest.fixture(scope="module")
def understander(demo_products) -> Understander:
    """The kiosk's ears with a five-best n-best list."""
    model_path = ensure_model(Settings.from_env().data_dir)
    return Understander.build(model_path, load_model("en-US"), demo_products, mode="grammar", version=1, alternatives=5)


def wav(tmp_path: Path, name: str, voice: str = "en-us") -> Path:
    """The WAV named for its text (cached across runs by the speech helper)."""
    text = name.removeprefix("oov_").replace("_", " ")
    return synthesize(text, tmp_path / voice / f"{name}.wav", voice=voice)


def test_nbest_picks_the_yes_that_answers_shall_i_place_the_order(understander: Understander, tmp_path: Path) -> None:
    """The top transcript is "yes lean"; the n-best holds "yes please", which answers the open question."""
    heard = understander.recognizer.transcribe_wav(wav(tmp_path, "yes_please"))
    assert len(heard.alternatives) > 1  # the n-best is there to choose from
    understood = understander.hear_wav(wav(tmp_path, "yes_please"), expecting=YES_NO)
    assert understood.match is not None and understood.match.intent == "AMAZON.YesIntent"
    assert understood.heard_text == "yes please"


def test_a_reading_from_below_the_top_is_asked_back_before_it_changes_anything(
    understander: Understander, tmp_path: Path
) -> None:
    """A yes picked from the n-best, not heard as the top transcript, is a guess: the kiosk asks first."""
    understood = understander.hear_wav(wav(tmp_path, "yes_please"), expecting=YES_NO)
    assert understood.corrected and understood.doubtful


@pytest.mark.parametrize("name", OUT_OF_GRAMMAR)
def test_oov_speech_is_refused_with_the_nbest(understander: Understander, tmp_path: Path, name: str) -> None:
    """More alternatives give unrelated speech more chances to look like a command: it still changes nothing."""
    understood: Understood = understander.hear_wav(wav(tmp_path, name))
    assert not (understood.match is not None and understood.match.intent in SHOP_CHANGING and not understood.doubtful)
