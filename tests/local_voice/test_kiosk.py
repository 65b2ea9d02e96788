"""The kiosk end to end on real audio: espeak-ng speech into the real Vosk model, the shop on DynamoDB Local.

No microphone is needed: utterances are synthesized to 16 kHz WAVs and fed through `Kiosk.handle_wav` or
`voiceshop kiosk --wav ... --json --mute`, and the assertions check what the shop did.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from catalog.config import Settings
from catalog.dynamodb_local import free_port
from catalog.model import Product
from catalog.services import SearchCache
from intents.conversation import respond
from intents.language import load_model
from intents.matching import match
from intents.request import IntentRequest
from local_voice.audio_input import AudioInputError, open_microphone
from local_voice.grammar import YES_NO
from local_voice.kiosk import Kiosk, create_kiosk
from local_voice.model_store import ensure_model
from local_voice.recognizer import Heard, HeardWord, read_pcm16_mono
from local_voice.test_speech import synthesize, write_noise, write_silence
from local_voice.understanding import Understander, Understood
from local_voice.voice import RATE_STEP, EspeakVoice, SilentVoice
from tests.conftest import dynamodb_calls, fresh_shop, random_ref
from voiceshop.cli import main
from voiceshop.kiosk_commands import PrintingVoice

CODE = "4271"


@pytest.fixture(scope="module")
def model_path() -> Path:
    return ensure_model(Settings.from_env().data_dir)


@pytest.fixture(scope="module")
def interaction_model():
    return load_model("en-US")


@pytest.fixture(scope="module")
def understander(model_path, interaction_model, demo_products):
    """One Vosk model load for the whole module."""
    return Understander.build(model_path, interaction_model, demo_products, mode="grammar")


@pytest.fixture(scope="module")
def shop(base_settings, demo_products):
    """A demo catalog of this module's own, so purchases here never change stock other tests rely on."""
    shop = fresh_shop(base_settings, products=demo_products)
    return shop


@pytest.fixture(scope="module")
def speech_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("speech")


@pytest.fixture
def speak(speech_dir):
    """Text to a 16 kHz mono WAV spoken by espeak-ng (cached across runs)."""

    def render(text: str, **options) -> Path:
        name = "_".join(text.split())[:60] + "_" + "_".join(f"{k}{v}" for k, v in options.items())
        return synthesize(text, speech_dir / f"{name}.wav", **options)

    return render


@pytest.fixture
def kiosk(shop, understander) -> Kiosk:
    return create_kiosk(shop, understander, SilentVoice(), random_ref("kiosk"))


def hear(kiosk: Kiosk, speak, text: str):
    """Say `text` to the kiosk; if it asks "did you say ...?", answer yes, as a shopper would."""
    turn = kiosk.handle_wav(speak(text))
    if turn.doubtful:
        turn = kiosk.handle_wav(speak("yes"))
    return turn


def shop_state(shop, customer: str):
    return [(line.sku, line.quantity) for line in shop.cart(customer).lines], shop.orders(customer).orders


def sign_in_customer(shop) -> tuple[str, str]:
    """A customer with a kiosk number and a purchase code."""
    customer = random_ref("cust")
    shop.set_purchase_code(customer, CODE)
    return customer, shop.customer_number(customer)


# --- a purchase, by voice -----------------------------------------------------------------------------


def test_a_spoken_purchase_places_an_order_for_the_product_heard(kiosk, shop, speak):
    searched = hear(kiosk, speak, "find skim milk")
    assert searched.intent == "SearchIntent"
    added = hear(kiosk, speak, "add the first one")
    assert added.intent == "AddToCartIntent"
    sku = shop.cart(kiosk.customer_id).lines[0].sku
    assert "Milk" in shop.product(sku).name
    assert hear(kiosk, speak, "what's in my cart").intent == "ReviewCartIntent"
    assert hear(kiosk, speak, "check out").intent == "CheckOutIntent"
    assert shop.orders(kiosk.customer_id).orders == ()
    placed = hear(kiosk, speak, "yes")
    assert "order_placed" in placed.events
    order = shop.latest_order(kiosk.customer_id)
    assert [line.sku for line in order.lines] == [sku]

    status = hear(kiosk, speak, "where is my order")
    digits, word = order.order_number.split()
    assert f"{' '.join(digits)} {word}" in status.reply


def test_the_order_code_is_read_slower_than_the_rest(kiosk, shop, speak):
    voice = kiosk.voice
    hear(kiosk, speak, "find skim milk")
    hear(kiosk, speak, "add the first one")
    hear(kiosk, speak, "check out")
    hear(kiosk, speak, "yes")
    digits, word = shop.latest_order(kiosk.customer_id).order_number.split()
    spelled = f"{' '.join(digits)} {word}"
    with_code = [u for u in voice.spoken if spelled in u.text]
    assert with_code and all(u.rate < voice.rate for u in with_code)
    assert voice.rate == 160  # and the shopper's own rate comes back afterwards


def test_wav_files_through_the_command_line_buy_with_json_turns(shop, base_settings, speak, monkeypatch, capsys):
    customer = random_ref("kiosk")
    monkeypatch.setenv("VOICESHOP_DYNAMODB_ENDPOINT", base_settings.endpoint)
    monkeypatch.setenv("VOICESHOP_TABLE", shop.settings.table)
    wavs = [speak(t) for t in ("find skim milk", "add the first one", "check out", "yes")]
    code = main(["kiosk", "--wav", *map(str, wavs), "--json", "--mute", "--customer", customer])
    assert code == 0
    turns = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert turns[0]["intent"] == "LaunchRequest"
    assert [t["intent"] for t in turns[1:]] == ["SearchIntent", "AddToCartIntent", "CheckOutIntent", "AMAZON.YesIntent"]
    assert set(turns[1]) >= {"heard", "intent", "slots", "doubtful", "reply"}
    order = shop.latest_order(customer)
    assert len(order.lines) == 1 and "Milk" in shop.product(order.lines[0].sku).name


# --- nothing changes when nothing was meant -----------------------------------------------------------


def test_a_cancelled_checkout_buys_nothing(kiosk, shop, speak):
    hear(kiosk, speak, "find skim milk")
    hear(kiosk, speak, "add the first one")
    before = shop_state(shop, kiosk.customer_id)
    hear(kiosk, speak, "check out")
    hear(kiosk, speak, "no")
    assert shop_state(shop, kiosk.customer_id) == before
    assert before[1] == ()


@pytest.mark.parametrize("kind", ["silence", "noise", "unknown words"])
def test_silence_noise_and_unknown_words_change_nothing(kind, kiosk, shop, speak, speech_dir):
    hear(kiosk, speak, "find skim milk")
    hear(kiosk, speak, "add the first one")
    before = shop_state(shop, kiosk.customer_id)
    if kind == "silence":
        wav = write_silence(speech_dir / "silence.wav", 2.0)
    elif kind == "noise":
        wav = write_noise(speech_dir / "noise.wav", 2.0, 0.3)
    else:
        wav = speak("the weather on jupiter is purple today")
    turn = kiosk.handle_wav(wav)
    if turn.doubtful:  # a false hearing may be offered for confirmation, but is not acted on
        assert turn.reply.startswith("Did you say")
        turn = kiosk.handle_wav(speak("no"))
    assert shop_state(shop, kiosk.customer_id) == before
    assert turn.intent in (None, "AMAZON.FallbackIntent", "AMAZON.NoIntent")


def test_a_doubtful_hearing_is_asked_about_and_only_a_yes_acts_on_it(kiosk, shop, interaction_model):
    def heard(text: str, doubtful: bool) -> Understood:
        return Understood(text, 0.4 if doubtful else 0.95, match(text, interaction_model), doubtful)

    first = kiosk.handle(heard("add skim milk", doubtful=True))
    assert first.doubtful and first.reply == "Did you say: add skim milk?"
    assert shop.cart(kiosk.customer_id).lines == []
    kiosk.handle(heard("no", doubtful=False))
    assert shop.cart(kiosk.customer_id).lines == []

    kiosk.handle(heard("add skim milk", doubtful=True))
    assert "say yes or no" in kiosk.handle(heard("yes", doubtful=True)).reply  # a doubtful yes is not enough
    assert shop.cart(kiosk.customer_id).lines == []
    kiosk.handle(heard("yes", doubtful=False))
    assert len(shop.cart(kiosk.customer_id).lines) == 1


def test_a_misheard_command_is_read_back_as_the_command_it_was_corrected_to(kiosk, shop, understander):
    said = "add two salted butter to by cart"  # one word misheard: no sample fits it as heard
    understood = understander.understand(Heard(said, tuple(HeardWord(w, 0.95, 0.0, 0.1) for w in said.split())), 0.0)
    assert understood.corrected and understood.doubtful

    first = kiosk.handle(understood)
    assert first.reply == "Did you say: add two salted butter?"  # the command read back, without the place
    assert shop.cart(kiosk.customer_id).lines == []
    turn = kiosk.handle(Understood("yes", 0.95, match("yes", understander.model), False))
    assert shop_state(shop, kiosk.customer_id)[0] == [("SKU-DAI-0038", 2)], turn.reply


def test_a_misheard_product_name_is_asked_back_as_the_product_the_shop_would_add(kiosk, shop, understander):
    said = "add two reeses is the cups"  # "Reese's Peanut Butter Cups", as a recogniser might garble it
    understood = understander.understand(Heard(said, tuple(HeardWord(w, 0.95, 0.0, 0.1) for w in said.split())), 0.0)

    assert kiosk.handle(understood).reply == "Did you say: add two peanut butter cups?"
    assert shop.cart(kiosk.customer_id).lines == []
    kiosk.handle(Understood("yes", 0.95, match("yes", understander.model), False))
    assert shop_state(shop, kiosk.customer_id)[0] == [("SKU-SNA-0120", 2)]


def test_a_misheard_search_on_the_text_kiosk_asks_did_you_mean_and_yes_shows_it(kiosk, shop):
    asked = kiosk.handle_text("find creamy be a burger")
    assert asked.reply == "Did you mean Jif Creamy Peanut Butter?"
    shown = kiosk.handle_text("yes")
    assert shown.reply.startswith("I found one match") and "Creamy Peanut Butter" in shown.reply
    assert shop.cart(kiosk.customer_id).lines == []


def test_a_spoken_search_heard_as_a_sound_alike_asks_did_you_mean(kiosk, shop, speak):
    """espeak-ng's "find oat milk" is heard "find oatmeal": the kiosk asks before reading out rolled oats."""
    asked = kiosk.handle_wav(speak("find oat milk"))
    if asked.heard != "find oat milk":  # heard as something else: never read out as if sure
        assert asked.doubtful and asked.reply == f"Did you mean {asked.heard.removeprefix('find ')}?"
        again = kiosk.handle_wav(speak("no"))
        assert again.reply == "Okay, please say it again." and "list" not in kiosk.context
    assert shop.cart(kiosk.customer_id).lines == []


def test_yes_to_a_spoken_did_you_mean_searches_for_what_was_heard(kiosk, understander):
    words = tuple(HeardWord(w, 0.99, 0.0, 0.1) for w in ("find", "oatmeal"))
    asked = kiosk.handle(understander.understand(Heard("find oatmeal", words), 0.0))
    assert asked.doubtful and asked.reply == "Did you mean oatmeal?"
    shown = kiosk.handle(Understood("yes", 0.95, match("yes", understander.model), False))
    assert shown.intent == "AMAZON.YesIntent" and "Rolled Oats" in shown.reply


# --- accessibility ------------------------------------------------------------------------------------


def test_slower_on_real_audio_slows_the_voice_and_keeps_an_open_question(kiosk, speak):
    voice = kiosk.voice
    hear(kiosk, speak, "find skim milk")
    hear(kiosk, speak, "add the first one")
    hear(kiosk, speak, "check out")
    turn = hear(kiosk, speak, "speak slower")
    assert turn.intent == "SpeakSlowerIntent"
    assert voice.rate == 160 - RATE_STEP
    assert voice.spoken[-2].text == turn.reply and voice.spoken[-2].rate == voice.rate
    assert kiosk.context["pending"]["kind"] == "checkout"  # the checkout question is still open


def test_louder_softer_faster_and_repeat(kiosk):
    voice = kiosk.voice
    kiosk.handle_text("softer")
    assert voice.volume < 1.0
    kiosk.handle_text("louder")
    assert voice.volume == 1.0
    kiosk.handle_text("faster")
    assert voice.rate == 160 + RATE_STEP
    answer = kiosk.handle_text("what's in my cart").reply
    kiosk.handle_text("slower")
    assert kiosk.handle_text("repeat").reply == answer


def test_help_adds_the_kiosk_controls(kiosk):
    assert "slower" in kiosk.handle_text("help").reply


def test_stop_stops_speech_and_ends_the_session(kiosk):
    kiosk.handle_text("find skim milk")
    turn = kiosk.handle_text("stop")
    assert turn.session_ended and kiosk.voice.stops == 1 and kiosk.context == {}


def test_cancel_drops_the_open_question_and_keeps_the_session_and_cart(kiosk, shop):
    kiosk.handle_text("add two penne pasta")
    assert "place" in kiosk.handle_text("check out").reply.lower()
    turn = kiosk.handle_text("cancel")
    assert "cancelled" in turn.reply and not turn.session_ended
    assert shop.orders(kiosk.customer_id).orders == () and len(shop.cart(kiosk.customer_id).lines) == 1


def test_leaving_with_a_walk_up_cart_is_asked_about_first(kiosk, shop):
    kiosk.handle_text("add two penne pasta")
    shopper = kiosk.customer_id
    for leave in ("stop", "start over", "cancel"):
        turn = kiosk.handle_text(leave)
        assert "2 items" in turn.reply and "removed" in turn.reply and not turn.session_ended
        assert "as it was" in kiosk.handle_text("no").reply
        assert kiosk.customer_id == shopper and len(shop.cart(shopper).lines) == 1
    kiosk.handle_text("stop")
    assert kiosk.handle_text("yes").session_ended
    assert kiosk.customer_id != shopper and shop.cart(shopper).lines == []


def test_repeat_help_and_slower_keep_the_did_you_say_question_open(kiosk, shop, interaction_model):
    unsure = Understood("add two penne pasta", 0.4, match("add two penne pasta", interaction_model), True)
    question = kiosk.handle(unsure).reply
    for control in ("repeat", "help", "slower"):
        assert question in kiosk.handle_text(control).reply
    kiosk.handle_text("yes")
    assert shop.cart(kiosk.customer_id).lines[0].quantity == 2


def test_a_second_unsure_yes_is_taken_as_yes(kiosk, shop, interaction_model):
    def unsure(text: str) -> Understood:
        return Understood(text, 0.4, match(text, interaction_model), True)

    kiosk.handle(unsure("add two penne pasta"))
    assert "say yes or no" in kiosk.handle(unsure("yes")).reply.lower()
    assert shop.cart(kiosk.customer_id).lines == []
    kiosk.handle(unsure("yes"))
    assert len(shop.cart(kiosk.customer_id).lines) == 1


def test_an_unsure_purchase_code_is_never_read_aloud(kiosk, interaction_model):
    kiosk.context = {"pending": {"kind": "code"}}
    turn = kiosk.handle(Understood("four two seven one", 0.4, match("four two seven one", interaction_model), True))
    assert turn.doubtful and "four" not in turn.reply and "four" not in turn.heard
    assert not any("four" in text for text in kiosk.voice.texts)


def test_the_voice_says_when_it_is_at_its_limit_and_resets_for_the_next_shopper(kiosk):
    replies = [kiosk.handle_text("slower").reply for _ in range(12)]
    assert replies[-1] == "That's as slow as I can speak."
    kiosk.handle_text("start over")
    assert kiosk.voice.rate == 160


def test_every_answer_ends_with_the_listening_earcon(kiosk):
    kiosk.handle_text("help")
    assert kiosk.voice.texts[-1] == "<earcon>"


def test_voice_controls_on_alexa_explain_the_alexa_app(shop):
    reply = respond(IntentRequest("SpeakSlowerIntent", random_ref("cust"), channel="alexa"), shop)
    assert "Alexa app" in reply.speech and reply.events == ()


# --- one session, one customer ------------------------------------------------------------------------


def signed_in_with_apples(kiosk: Kiosk, shop) -> str:
    customer, number = sign_in_customer(shop)
    assert "purchase code" in kiosk.handle_text(f"i am customer {' '.join(number)}").reply
    assert kiosk.handle_text(" ".join(CODE)).events == ("signed_in",)
    assert kiosk.customer_id == customer
    kiosk.handle_text("find skim milk")
    kiosk.handle_text("add the first one")
    assert len(shop.cart(customer).lines) == 1
    return customer


def test_idle_timeout_signs_out_but_keeps_the_customers_cart(shop, understander):
    now = [1000.0]
    kiosk = create_kiosk(shop, understander, SilentVoice(), random_ref("kiosk"), idle_timeout=60, clock=lambda: now[0])
    customer = signed_in_with_apples(kiosk, shop)
    now[0] += 30
    kiosk.handle_text("what's in my cart")
    assert kiosk.customer_id == customer  # half a minute of thinking is fine
    now[0] += 61
    turn = kiosk.handle_text("what's in my cart")
    assert kiosk.customer_id == kiosk.anonymous_id
    assert "empty" in turn.reply  # the anonymous cart, not the customer's
    assert len(shop.cart(customer).lines) == 1
    assert "quiet for a while" in " ".join(kiosk.voice.texts)


def test_start_over_signs_out_and_forgets_the_conversation_but_not_the_cart(kiosk, shop):
    customer = signed_in_with_apples(kiosk, shop)
    kiosk.handle_text("start over")
    assert kiosk.customer_id == kiosk.anonymous_id and "list" not in kiosk.context
    assert len(shop.cart(customer).lines) == 1
    kiosk.handle_text("add the first one")  # "the first one" of a list that was forgotten
    assert shop.cart(kiosk.anonymous_id).lines == []


def test_what_a_walk_up_shopper_chose_comes_along_when_they_sign_in(kiosk, shop):
    kiosk.handle_text("add two chunk light tuna")
    walk_up = kiosk.customer_id
    customer, number = sign_in_customer(shop)
    kiosk.handle_text(f"i am customer {' '.join(number)}")
    turn = kiosk.handle_text(" ".join(CODE))
    assert kiosk.customer_id == customer and "2 items you chose" in turn.reply
    assert [(line.sku, line.quantity) for line in shop.cart(customer).lines] == [("SKU-PAN-0097", 2)]
    assert shop.cart(walk_up).lines == []


def test_the_next_walk_up_shopper_inherits_neither_the_cart_nor_the_orders(kiosk, shop):
    kiosk.handle_text("add two black beans")
    kiosk.handle_text("check out")
    kiosk.handle_text("yes")
    first = kiosk.customer_id
    code = shop.latest_order(first).order_number
    kiosk.handle_text("add two salsa")
    kiosk.handle_text("start over")  # "Your cart has 2 items ... Start over anyway?"
    kiosk.handle_text("yes")
    assert kiosk.customer_id != first and not kiosk.signed_in
    assert "empty" in kiosk.handle_text("what's in my cart").reply
    assert code.split()[1] not in kiosk.handle_text("list my orders").reply.lower()
    assert shop.cart(first).lines == []  # nobody can come back to a walk-up cart: it is emptied


def test_a_restarted_kiosk_starts_with_a_new_walk_up_shopper(shop, understander):
    one = create_kiosk(shop, understander, SilentVoice(), "kiosk-7")
    one.handle_text("add two marinara sauce")
    two = create_kiosk(shop, understander, SilentVoice(), "kiosk-7")
    assert two.customer_id != one.customer_id
    assert "empty" in two.handle_text("what's in my cart").reply


def test_a_customer_picked_for_the_kiosk_keeps_the_cart_across_sessions(shop, understander):
    customer = random_ref("picked")
    kiosk = create_kiosk(shop, understander, SilentVoice(), customer, walk_up=False)
    kiosk.handle_text("add two penne pasta")
    kiosk.handle_text("start over")
    assert kiosk.customer_id == customer
    assert len(shop.cart(customer).lines) == 1


# --- input sources ------------------------------------------------------------------------------------


def test_text_mode_through_the_command_line(shop, base_settings, monkeypatch, capsys):
    customer = random_ref("kiosk")
    monkeypatch.setenv("VOICESHOP_DYNAMODB_ENDPOINT", base_settings.endpoint)
    monkeypatch.setenv("VOICESHOP_TABLE", shop.settings.table)
    monkeypatch.setattr("sys.stdin", io.StringIO("find skim milk\nadd the first one\nwhat's in my cart\n"))
    assert main(["kiosk", "--text", "--mute", "--customer", customer]) == 0
    out = capsys.readouterr().out
    assert "Skim Milk" in out and "Added" in out
    assert len(shop.cart(customer).lines) == 1


def pcm_chunks(wav: Path, frames: int = 4000) -> list[bytes]:
    """A WAV as a microphone would deliver it: 0.25 s chunks of 16 kHz mono int16."""
    pcm = read_pcm16_mono(wav)
    return [pcm[i : i + frames * 2] for i in range(0, len(pcm), frames * 2)]


def test_streamed_audio_is_one_turn_and_the_microphone_is_deaf_while_the_kiosk_speaks(kiosk, speak):
    speaking: list[bool] = []
    kiosk.on_speaking = speaking.append
    turn = kiosk.handle_audio_stream(iter(pcm_chunks(speak("find skim milk"))))
    assert turn is not None and turn.intent == "SearchIntent"
    assert speaking == [True, False]


def test_streamed_noise_and_silence_get_no_answer(kiosk, speech_dir):
    silence = write_silence(speech_dir / "silence-3s.wav", 3.0)
    assert kiosk.handle_audio_stream(iter([b"", *pcm_chunks(silence), b""])) is None
    assert kiosk.voice.spoken == []


def test_the_idle_timeout_fires_while_the_microphone_hears_nothing(shop, understander):
    now = [0.0]
    kiosk = create_kiosk(shop, understander, SilentVoice(), random_ref("kiosk"), idle_timeout=60, clock=lambda: now[0])
    customer = signed_in_with_apples(kiosk, shop)

    def quiet_minute():
        for _ in range(130):
            now[0] += 0.5
            yield b""

    assert kiosk.handle_audio_stream(quiet_minute()) is None
    assert kiosk.customer_id == kiosk.anonymous_id and kiosk.voice.texts[-2].startswith("It has been quiet")
    assert len(shop.cart(customer).lines) == 1


def test_no_microphone_is_a_clear_error_suggesting_text():
    with pytest.raises(AudioInputError, match="--text") as raised:
        open_microphone()  # this machine has no input device: the real PortAudio call fails
    assert "microphone" in str(raised.value).lower()


def test_without_a_microphone_the_command_falls_back_to_text(shop, base_settings, monkeypatch, capsys):
    monkeypatch.setenv("VOICESHOP_DYNAMODB_ENDPOINT", base_settings.endpoint)
    monkeypatch.setenv("VOICESHOP_TABLE", shop.settings.table)
    monkeypatch.setattr("sys.stdin", io.StringIO("help\n"))
    assert main(["kiosk", "--mute", "--customer", random_ref("kiosk")]) == 0
    captured = capsys.readouterr()
    assert "No microphone" in captured.err and "text mode" in captured.err
    assert "You can say" in captured.out


def test_without_a_sound_card_replies_are_printed(shop, base_settings, monkeypatch, capsys):
    monkeypatch.setenv("VOICESHOP_DYNAMODB_ENDPOINT", base_settings.endpoint)
    monkeypatch.setenv("VOICESHOP_TABLE", shop.settings.table)
    monkeypatch.setattr("sys.stdin", io.StringIO("what's in my cart\n"))
    assert main(["kiosk", "--text", "--customer", random_ref("kiosk")]) == 0  # no --mute: it tries to speak
    captured = capsys.readouterr()
    assert captured.err.count("No audio output") == 1 and "printing replies instead" in captured.err
    assert "cart is empty" in captured.out


def test_printing_voice_prints_speaks_and_degrades_once_when_the_player_fails(capsys):
    out = io.StringIO()
    voice = PrintingVoice(EspeakVoice(player=("true",)), out)  # a player that always succeeds
    voice.slower()
    voice.say("hello")
    assert out.getvalue() == "hello\n" and voice.speaker is not None and voice.speaker.rate == voice.rate
    voice.speaker.player = ("false",)  # the sound device went away
    voice.say("still here")
    voice.say("and here")
    assert out.getvalue().splitlines() == ["hello", "still here", "and here"] and voice.speaker is None
    assert capsys.readouterr().err.count("printed only") == 1


def test_a_broken_model_folder_is_refused_with_the_fix(shop, base_settings, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("VOICESHOP_DYNAMODB_ENDPOINT", base_settings.endpoint)
    monkeypatch.setenv("VOICESHOP_TABLE", shop.settings.table)
    (tmp_path / "am").mkdir()
    assert main(["kiosk", "--text", "--model", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "--model" in err and "am/final.mdl" in err


def test_dynamodb_down_says_how_to_start_it_and_the_kiosk_still_starts(monkeypatch, capsys):
    monkeypatch.setenv("VOICESHOP_DYNAMODB_ENDPOINT", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setattr("sys.stdin", io.StringIO("what is in my cart\n"))
    assert main(["kiosk", "--text", "--mute"]) == 0  # a kiosk is for people: it answers, it does not exit
    out, err = capsys.readouterr()
    assert "voiceshop db start" in err
    assert "trouble" in out or "not reachable" in out


# --- what the kiosk waits for decides what it listens for -----------------------------------------


def test_a_spoken_code_after_please_say_your_code_signs_in(kiosk, shop, speak):
    customer, number = sign_in_customer(shop)
    assert kiosk.expecting is None
    digits = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    kiosk.handle_text(f"i am customer {' '.join(digits[int(d)] for d in number)}")
    assert kiosk.expecting == "code"  # "Now please say your four digit purchase code."
    turn = kiosk.handle_wav(speak("four two seven one", voice="en-gb"))
    assert turn.intent == "ProvideCodeIntent"
    assert kiosk.customer_id == customer  # only the right code signs in
    assert turn.slots["code"] == {"value": "****", "id": "****"} and "four" not in turn.heard  # never printed
    assert kiosk.expecting is None


def test_only_an_open_code_question_narrows_the_grammar(kiosk, understander):
    for kind, expected in [("code", "code"), ("new_code", "code"), ("current_code", "code"), ("sign_in", "code")]:
        kiosk.context = {"pending": {"kind": kind}}
        assert kiosk.expecting == expected
    for kind in ("checkout", "cancel_order", "clear_cart", "add"):  # a yes/no question: any command may answer
        kiosk.context = {"pending": {"kind": kind}}
        assert kiosk.expecting == YES_NO
        understander.select_grammar(kiosk.expecting)
        assert understander.recognizer.phrases == list(understander.grammar.phrases)
    kiosk.context = {"pending": {"kind": "choose"}}
    assert kiosk.expecting is None
    kiosk.context = {}
    assert kiosk.expecting is None


# --- recommendations from real orders -----------------------------------------------------------------


@pytest.fixture
def sales_shop(base_settings, demo_products):
    """The demo catalog on a table of this test's own: its sales figures are only the orders it places."""
    shop = fresh_shop(base_settings, products=demo_products)
    return shop


def _order(shop, customer, *skus, code=None):
    for sku in skus:
        shop.add_to_cart(customer, sku, 1)
    return shop.place(shop.quote(customer).quote_id, confirmed=True, purchase_code=code)


def test_the_kiosk_says_what_goes_with_spaghetti_from_orders_placed(sales_shop, understander):
    spaghetti, marinara, parmesan = "SKU-PAN-0078", "SKU-PAN-0080", "SKU-DAI-0042"
    _order(sales_shop, random_ref("c"), spaghetti, marinara)
    _order(sales_shop, random_ref("c"), spaghetti, marinara, parmesan)
    kiosk = create_kiosk(sales_shop, understander, SilentVoice(), random_ref("kiosk"))
    turn = kiosk.handle_text("what goes with spaghetti")
    assert turn.intent == "RecommendIntent"
    assert "People who bought Barilla Spaghetti also got 1: Rao's Marinara Sauce" in turn.reply
    assert "best seller" not in turn.reply.lower()
    kiosk.handle_text("add the first one")
    assert [line.sku for line in sales_shop.cart(kiosk.customer_id).lines] == [marinara]


def test_a_signed_in_kiosk_shopper_hears_what_they_often_buy(sales_shop, understander):
    customer, number = sign_in_customer(sales_shop)
    salsa, chips = "SKU-SNA-0110", "SKU-SNA-0109"
    _order(sales_shop, customer, salsa, chips, code=CODE)
    _order(sales_shop, customer, salsa, code=CODE)
    kiosk = create_kiosk(sales_shop, understander, SilentVoice(), random_ref("kiosk"))
    walk_up = kiosk.handle_text("what do you recommend").reply
    assert walk_up.startswith("Popular right now: 1: Tostitos Salsa")  # a walk-up shopper has no history
    kiosk.handle_text(f"i am customer {' '.join(number)}")
    kiosk.handle_text(" ".join(CODE))
    regular = kiosk.handle_text("what do you recommend").reply
    assert regular.startswith("You often buy 1: Tostitos Salsa") and "Tortilla" not in regular


# --- promotions -----------------------------------------------------------------------------------------


@pytest.fixture
def deals_shop(base_settings, demo_products):
    """The demo catalog and the demo promotions on a table of this test's own (promotions are shop-wide)."""
    from catalog.deals import DEMO_PROMOTIONS, read_promotions

    shop = fresh_shop(base_settings, products=demo_products)
    assert shop.import_promotions(read_promotions(DEMO_PROMOTIONS)).stored
    return shop


def test_the_kiosk_lists_todays_deals_and_adds_the_second_one_at_its_sale_price(deals_shop, understander):
    kiosk = create_kiosk(deals_shop, understander, SilentVoice(), random_ref("kiosk"))
    turn = kiosk.handle_text("any deals today")
    assert turn.intent == "DealsIntent"
    first = "1: Clorox Bleach, 4 dollars and 49 cents, 1 dollar off each."
    assert turn.reply.startswith(f"4 products are on sale today. {first}")
    assert "3: Oatly Oat Milk, 4 dollars and 99 cents, 10% off." in turn.reply
    kiosk.handle_text("add the second one")
    assert [line.sku for line in deals_shop.cart(kiosk.customer_id).lines] == ["SKU-HOU-0158"]
    kiosk.handle_text("add two oat milk")
    read_back = kiosk.handle_text("check out").reply
    assert "you save 2 dollars." in read_back  # 1.00 off the wipes, 10% of 9.98 rounds to 1.00
    assert "The total is 13 dollars and 97 cents" in read_back  # 15.97 less 2.00, pickup free
    kiosk.handle_text("yes")
    (order,) = deals_shop.orders(kiosk.customer_id).orders
    assert str(order.savings) == "2.00" and {d.promotion_id for d in order.discounts} == {"clorox-1-off", "oat-milk-10"}


def test_the_kiosk_says_whether_a_product_is_on_sale(deals_shop, understander):
    kiosk = create_kiosk(deals_shop, understander, SilentVoice(), random_ref("kiosk"))
    on_sale = kiosk.handle_text("is oat milk on sale").reply
    assert on_sale.startswith("Oatly Oat Milk is on sale: 10% off until Friday, December 31")
    not_on_sale = kiosk.handle_text("is greek yogurt on sale").reply
    assert not_on_sale.startswith("Fage Greek Yogurt Plain isn't on sale right now")
    assert kiosk.handle_text("any offers on cleaning supplies").reply.startswith("2 products in household are on sale")


def test_deals_through_the_text_kiosk_command(deals_shop, base_settings, monkeypatch, capsys):
    customer = random_ref("kiosk")
    monkeypatch.setenv("VOICESHOP_DYNAMODB_ENDPOINT", base_settings.endpoint)
    monkeypatch.setenv("VOICESHOP_TABLE", deals_shop.settings.table)
    monkeypatch.setattr("sys.stdin", io.StringIO("what's on sale\nadd the third one\nis oat milk on sale\ncheck out\n"))
    assert main(["kiosk", "--text", "--mute", "--customer", customer]) == 0
    out = capsys.readouterr().out
    assert "4 products are on sale today." in out and "10% off until" in out
    assert "With 10% off Oatly oat milk, you save 50 cents." in out  # 10% of 4.99, rounded half up
    assert [line.sku for line in deals_shop.cart(customer).lines] == ["SKU-DAI-0035"]
# --- the catalog, read once ---------------------------------------------------------------------------


def _catalog_reads(calls) -> dict[str, int]:
    """How often a turn read the catalog version item, and the whole catalog (gsi1 PRODUCTS pages)."""
    text = [(operation, json.dumps(params, default=str)) for operation, params in calls]
    return {
        "version": sum(op == "GetItem" and '"CATALOG"' in p and '"VERSION"' in p for op, p in text),
        "catalog": sum(op == "Query" and '"PRODUCTS"' in p for op, p in text),
    }


def test_a_turn_checks_the_catalog_version_once_and_reads_a_new_catalog_once(
    base_settings, demo_products, understander
):
    now = [1000.0]
    shop = fresh_shop(replace(base_settings, index_check_seconds=5.0))
    shop.search_cache = SearchCache(shop.repository, 5.0, clock=lambda: now[0])
    shop.import_products(demo_products)
    kiosk = create_kiosk(shop, understander, SilentVoice(), random_ref("kiosk"), clock=lambda: now[0])
    now[0] += 6  # both the kiosk's grammar and the conversation's search are due a check
    with dynamodb_calls(shop) as calls:
        assert kiosk.handle_text("find skim milk").intent == "SearchIntent"
    assert _catalog_reads(calls) == {"version": 1, "catalog": 0}

    new = Product("SKU-T-KUMQUAT", "Fresh Kumquats", "Grove", "produce", "1 lb", Decimal("4.99"), "USD", 5)
    shop.import_products([new])
    now[0] += 6
    with dynamodb_calls(shop) as calls:
        turn = kiosk.handle_text("find kumquats")
    assert "Kumquats" in turn.reply and _catalog_reads(calls) == {"version": 1, "catalog": 1}
    assert understander.catalog_version == kiosk.catalog_version  # the ears learnt the new name from that read


def test_a_question_the_kiosk_only_guessed_is_asked_back_and_yes_answers_it(kiosk, shop):
    asked = kiosk.handle_text("has the order for my mother gone out yet")
    assert asked.reply.startswith("Did you say:") and asked.doubtful
    assert not kiosk.handle_text("yes").reply.startswith("Did you say")
