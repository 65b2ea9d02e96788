"""Understanding on real audio: espeak-ng WAVs named for their text into the real Vosk model, then the matcher.

Out-of-grammar speech (`oov_*`), silence and noise must never become a confident shop action.
"""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from catalog.config import Settings
from intents.language import load_model
from local_voice.model_store import ensure_model
from local_voice.recognizer import read_pcm16_mono
from local_voice.test_speech import synthesize, write_silence
from local_voice.understanding import CHUNK_BYTES, SHOP_CHANGING, YES_NO, Understander, Understood, digit_homophones

EXPECTED = {
    "add_two_gala_apples": ("AddToCartIntent", {"product": "SKU-PRO-0003", "quantity": "2"}),
    "add_a_dozen_eggs": ("AddToCartIntent", {"product": "SKU-DAI-0036"}),  # one carton: the eggs are sold by the dozen
    "find_bananas": ("SearchIntent", {"product": "SKU-PRO-0001"}),
    "remove_the_bananas_from_my_cart": ("RemoveFromCartIntent", {"product": "SKU-PRO-0001"}),
    "what's_in_my_cart": ("ReviewCartIntent", {}),
    "check_out": ("CheckOutIntent", {}),
    "yes": ("AMAZON.YesIntent", {}),
    "no": ("AMAZON.NoIntent", {}),
    "start_over": ("AMAZON.StartOverIntent", {}),
    "speak_slower": ("SpeakSlowerIntent", {}),
    "where_is_my_order": ("OrderStatusIntent", {}),
    "what_is_your_return_policy": ("StorePolicyIntent", {"policy": "returns"}),
    "my_code_is_four_two_one_six": ("ProvideCodeIntent", {"code": "4216"}),
}
OUT_OF_GRAMMAR = [
    "oov_the_weather_is_lovely_today",
    "oov_play_some_jazz_music",
    "oov_my_brother_lives_in_chicago",
    "oov_turn_on_the_lights_in_the_kitchen",
]


@pytest.fixture(scope="module")
def understander(demo_products) -> Understander:
    """One model load and grammar build for the whole module."""
    model_path = ensure_model(Settings.from_env().data_dir)
    return Understander.build(model_path, load_model("en-US"), demo_products, mode="grammar", version=1)


@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("speech")


def wav(speech: Path, name: str, voice: str = "en-us") -> Path:
    """The WAV named for its text (cached across runs by the speech helper)."""
    text = name.removeprefix("oov_").replace("_", " ")
    return synthesize(text, speech / voice / f"{name}.wav", voice=voice)


def confident_shop_action(understood: Understood) -> bool:
    return understood.match is not None and understood.match.intent in SHOP_CHANGING and not understood.doubtful


MISHEARD = {
    ("find_bananas", "en-gb"): "heard as 'find my orders'",
    ("remove_the_bananas_from_my_cart", "en-gb"): "heard as 'remove avocados from my cart'",
}
"""Known misrecognitions on this model (seen, deterministic with dither off): strict, so a fix shows up."""
CASES = [
    pytest.param(name, voice, marks=pytest.mark.xfail(strict=True, reason=MISHEARD[(name, voice)]))
    if (name, voice) in MISHEARD
    else pytest.param(name, voice)
    for name in sorted(EXPECTED)
    for voice in ("en-us", "en-gb")
]


@pytest.mark.parametrize(("name", "voice"), CASES)
def test_named_wav_is_understood(understander: Understander, speech: Path, name: str, voice: str) -> None:
    understood = understander.hear_wav(wav(speech, name, voice))
    intent, slots = EXPECTED[name]
    assert understood.match is not None, understood.heard_text
    assert understood.match.intent == intent
    assert {k: v.resolved_id for k, v in understood.match.slots.items() if k in slots} == slots


@pytest.mark.parametrize("name", OUT_OF_GRAMMAR)
def test_out_of_grammar_speech_is_never_a_confident_shop_action(
    understander: Understander, speech: Path, name: str
) -> None:
    assert not confident_shop_action(understander.hear_wav(wav(speech, name)))


def test_silence_means_nothing(understander: Understander, speech: Path) -> None:
    understood = understander.hear_wav(write_silence(speech / "silence.wav", 2.0))
    assert understood == Understood("", 0.0, None, False, decode_seconds=understood.decode_seconds)


def test_pink_noise_is_never_a_confident_shop_action(understander: Understander, speech: Path) -> None:
    noise = speech / "pink_noise.wav"
    subprocess.run(
        ["sox", "-R", "-n", "-r", "16000", "-c", "1", "-b", "16", str(noise), "synth", "2", "pinknoise", "vol", "0.3"],
        check=True,
    )
    assert not confident_shop_action(understander.hear_wav(noise))


def test_streamed_chunks_give_the_same_understanding(understander: Understander, speech: Path) -> None:
    pcm = read_pcm16_mono(wav(speech, "add_two_gala_apples"))
    stream = understander.stream()
    results = [stream.accept(pcm[i : i + CHUNK_BYTES]) for i in range(0, len(pcm), CHUNK_BYTES)]
    results.append(stream.finish())
    heard = [r for r in results if r is not None and r.heard_text]
    assert [r.match.intent for r in heard if r.match] == ["AddToCartIntent"]


def test_digit_homophones_are_read_as_digits_beside_digits() -> None:
    assert digit_homophones("my code is for to one six") == "my code is four two one six"
    assert digit_homophones("add two apples to my cart") == "add two apples to my cart"


def test_typed_text_is_matched_and_never_doubtful(understander: Understander) -> None:
    understood = understander.hear_text("add two kerrygold salted butter")
    assert understood.match is not None and understood.match.slots["product"].resolved_id == "SKU-DAI-0038"
    assert not understood.doubtful
    assert understood.confidence == 1.0


def test_unresolved_product_in_a_purchase_is_doubtful(understander: Understander) -> None:
    from local_voice.recognizer import Heard, HeardWord

    words = tuple(HeardWord(w, 1.0, 0.0, 0.1) for w in ["add", "two", "zebra"])
    understood = understander.understand(Heard("add two zebra", words), 0.0)
    assert understood.match is not None and understood.match.intent == "AddToCartIntent"
    assert understood.doubtful


def test_low_confidence_yes_is_doubtful(understander: Understander) -> None:
    from local_voice.recognizer import Heard, HeardWord

    understood = understander.understand(Heard("yes", (HeardWord("yes", 0.4, 0.0, 0.3),)), 0.0)
    assert understood.match is not None and understood.doubtful


def test_refresh_skips_an_unchanged_catalog(understander: Understander, demo_products) -> None:
    assert understander.refresh(demo_products, 2) is False
    assert understander.grammar is not None and understander.grammar.catalog_version == 2


def test_refresh_rebuilds_for_a_changed_catalog(understander: Understander, demo_products) -> None:
    renamed = replace(demo_products[0], sku="SKU-NEW-0001", name="Purple Carrot Soup", synonyms=())
    assert understander.refresh([*demo_products, renamed], 3) is True
    try:
        assert understander.recognizer.phrases is not None
        assert any("purple carrot soup" in phrase for phrase in understander.recognizer.phrases)
        found = understander.hear_text("add purple carrot soup").match
        assert found is not None and found.slots["product"].resolved_id == "SKU-NEW-0001"
    finally:
        understander.refresh(demo_products, 4)


@pytest.mark.parametrize("voice", ["en-us", "en-gb"])
@pytest.mark.parametrize(("name", "code"), [("seven_two_six_five", "7265"), ("two_nine_seven_two", "2972")])
def test_code_said_after_please_say_your_code_decodes_as_that_code(
    understander: Understander, speech: Path, name: str, code: str, voice: str
) -> None:
    understood = understander.hear_wav(wav(speech, name, voice), expecting="code")
    assert understood.match is not None, understood.heard_text
    assert understood.match.intent == "ProvideCodeIntent"
    assert understood.match.slots["code"].resolved_id == code


@pytest.mark.parametrize(("name", "intent"), [("cancel", "AMAZON.CancelIntent"), ("help", "AMAZON.HelpIntent")])
def test_a_shopper_asked_for_a_code_can_still_give_up_or_ask_for_help(
    understander: Understander, speech: Path, name: str, intent: str
) -> None:
    understood = understander.hear_wav(wav(speech, name), expecting="code")
    assert understood.match is not None and understood.match.intent == intent


def test_the_code_grammar_lasts_one_utterance(understander: Understander, speech: Path) -> None:
    understander.hear_wav(wav(speech, "seven_two_six_five"), expecting="code")
    understood = understander.hear_wav(wav(speech, "find_bananas"))
    assert understood.match is not None and understood.match.intent == "SearchIntent"
    assert understander.recognizer.phrases == list(understander.grammar.phrases)


def test_a_misheard_digit_run_command_is_heard_again_with_digits_and_confirmed(
    understander: Understander, speech: Path
) -> None:
    """In the full grammar en-gb "seven" came out as "salmon"; the digit-run grammar hears it as seven."""
    understood = understander.hear_wav(wav(speech, "set_my_purchase_code_to_seven_two_six_five", "en-gb"))
    assert understood.match is not None, understood.heard_text
    assert understood.match.intent == "SetPurchaseCodeIntent"
    assert understood.match.slots["code"].resolved_id == "7265"
    assert understood.doubtful  # a second hearing is confirmed before it changes anything


def test_a_fine_hearing_is_not_decoded_twice(understander: Understander, speech: Path, monkeypatch) -> None:
    again: list[bytes] = []
    monkeypatch.setattr(understander.recognizer, "transcribe_pcm", lambda pcm, phrases: again.append(pcm))
    understood = understander.hear_wav(wav(speech, "find_bananas"))
    assert understood.match is not None and understood.match.intent == "SearchIntent"
    assert again == []


def test_a_customer_number_heard_a_digit_short_is_asked_about(understander: Understander) -> None:
    from local_voice.recognizer import Heard, HeardWord

    said = "my customer number is four oh two one nine"
    understood = understander.understand(Heard(said, tuple(HeardWord(w, 1.0, 0.0, 0.1) for w in said.split())), 0.0)
    assert understood.match is not None and understood.match.intent == "IdentifyCustomerIntent"
    assert understood.doubtful  # five digits: never signs anyone in unasked


def test_a_garbled_answer_to_a_yes_no_question_is_asked_about_as_a_yes(understander: Understander) -> None:
    from local_voice.recognizer import Heard, HeardWord

    heard = Heard("yes lean", (HeardWord("yes", 0.9, 0.0, 0.2), HeardWord("lean", 0.9, 0.2, 0.4)))
    understander.select_grammar(None)
    assert understander.understand(heard, 0.0).match is None  # out of the blue, half a yes is nothing
    understander.select_grammar(YES_NO)
    try:
        understood = understander.understand(heard, 0.0)
    finally:
        understander.select_grammar(None)
    assert understood.match is not None and understood.match.intent == "AMAZON.YesIntent"
    assert understood.doubtful  # "Did you say: yes?" before anything is bought


def test_a_guess_never_drops_a_word_it_could_not_place(understander: Understander) -> None:
    from local_voice.recognizer import Heard, HeardWord

    said = "add two zebra"  # "add {quantity}" is one extra word away, but would add two of something else
    understood = understander.understand(Heard(said, tuple(HeardWord(w, 1.0, 0.0, 0.1) for w in said.split())), 0.0)
    assert understood.match is not None and understood.match.slots["product"].value == "zebra"
    assert understood.match.slots["product"].resolved_id is None and understood.doubtful


@pytest.mark.parametrize("name", ["show_me_zebras", "add_two_lawn_mowers", "do_you_sell_motor_oil"])
def test_a_product_the_shop_does_not_sell_is_not_heard_as_the_nearest_one(
    understander: Understander, speech: Path, name: str
) -> None:
    understood = understander.hear_wav(wav(speech, name))
    product = understood.match.slots.get("product") if understood.match is not None else None
    assert product is None or product.resolved_id is None, understood.heard_text
    assert not confident_shop_action(understood)
