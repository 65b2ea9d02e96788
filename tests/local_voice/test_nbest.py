"""Vosk's n-best, rescored by the understanding and the open question: espeak-ng WAVs named for their text."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from catalog.config import Settings
from intents.language import load_model
from local_voice.model_store import ensure_model
from local_voice.recognizer import Heard, HeardWord
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


OAT_MILK, ROLLED_OATS, COKE = "SKU-DAI-0035", "SKU-PAN-0084", "SKU-BEV-0124"


def _product(understood: Understood) -> str | None:
    """The sku the reading names, None when it names none."""
    found = understood.match
    slot = found.slots.get("product") if found is not None else None
    return slot.resolved_id if slot is not None else None


@pytest.mark.parametrize("name", ["change_the_oat_milk_to_two", "add_a_carton_of_oat_milk"])
def test_oat_milk_is_never_acted_on_as_something_else(understander: Understander, tmp_path: Path, name: str) -> None:
    """espeak-ng's "oat milk" is often heard "oatmeal" (the rolled oats): no cart change on another product."""
    understood = understander.hear_wav(wav(tmp_path, name))
    acted = understood.match is not None and understood.match.intent in SHOP_CHANGING and not understood.doubtful
    assert not acted or _product(understood) == OAT_MILK


def test_a_heard_product_that_sounds_like_another_is_asked_back(understander: Understander) -> None:
    """Heard word for word and sure, "add a box of oatmeal" still asks: "oat milk" sounds the same to the ear."""
    words = tuple(
        HeardWord(w, 0.99, i * 0.3, i * 0.3 + 0.25) for i, w in enumerate(["add", "a", "box", "of", "oatmeal"])
    )
    understood = understander.understand(Heard("add a box of oatmeal", words), time.perf_counter())
    assert _product(understood) == ROLLED_OATS
    assert understood.doubtful


def test_a_typed_oatmeal_is_not_asked_about(understander: Understander) -> None:
    """The sound-alike doubt is the ear's: typed text names what it names."""
    understood = understander.hear_text("add a box of oatmeal")
    assert _product(understood) == ROLLED_OATS and not understood.doubtful


def test_a_product_without_a_sound_alike_is_still_acted_on(understander: Understander, tmp_path: Path) -> None:
    """The doubt is for products that sound like another: "add two diet cokes" is added without a question."""
    understood = understander.hear_wav(wav(tmp_path, "add_two_diet_cokes"))
    assert understood.match is not None and understood.match.intent == "AddToCartIntent"
    assert _product(understood) == "SKU-BEV-0125" and not understood.doubtful


def test_kiosk_phrasing_grab_me_a_coke(understander: Understander, tmp_path: Path) -> None:
    """The locale's verbs are in the grammar: "grab me a coke" is heard and read as adding a coke."""
    understood = understander.hear_wav(wav(tmp_path, "grab_me_a_coke"))
    assert understood.match is not None and understood.match.intent == "AddToCartIntent"
    assert _product(understood) == COKE


def test_a_bare_brand_is_heard(understander: Understander, tmp_path: Path) -> None:
    """A bare product or brand name ("chobani") is heard as itself and looked up, not "didn't catch that"."""
    understood = understander.hear_wav(wav(tmp_path, "chobani"))
    assert understood.match is not None and understood.match.intent in ("SearchIntent", "ProductDetailsIntent")
    assert "chobani" in understood.heard_text


def test_a_misheard_search_is_never_answered_as_sure(understander: Understander, tmp_path: Path) -> None:
    """espeak-ng's "find oat milk" is heard "find oatmeal": rolled oats are not read out as if sure."""
    understood = understander.hear_wav(wav(tmp_path, "find_oat_milk"))
    assert understood.match is not None and understood.match.intent == "SearchIntent"
    assert understood.doubtful or _product(understood) == OAT_MILK


def test_a_search_for_a_sound_alike_is_asked_back(understander: Understander) -> None:
    """Heard word for word and sure, "find oatmeal" still asks: "oat milk" sounds the same to the ear."""
    words = tuple(HeardWord(w, 0.99, i * 0.3, i * 0.3 + 0.25) for i, w in enumerate(["find", "oatmeal"]))
    understood = understander.understand(Heard("find oatmeal", words), time.perf_counter())
    assert _product(understood) == ROLLED_OATS and understood.doubtful
    assert not understander.hear_text("find oatmeal").doubtful  # typed, it names what it names


def test_a_search_heard_unsure_is_asked_back_and_a_sure_one_is_not(understander: Understander) -> None:
    """A search with a word heard below the recognizer's floor asks; the same words heard surely search."""
    unsure = (("find", 0.95), ("pineapple", 0.4))
    sure = (("find", 0.99), ("pineapple", 0.97))
    for pairs, doubtful in ((unsure, True), (sure, False)):
        words = tuple(HeardWord(w, c, i * 0.3, i * 0.3 + 0.25) for i, (w, c) in enumerate(pairs))
        understood = understander.understand(Heard("find pineapple", words), time.perf_counter())
        assert _product(understood) == "SKU-PRO-0028" and understood.doubtful is doubtful
