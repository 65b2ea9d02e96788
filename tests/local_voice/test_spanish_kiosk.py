"""The kiosk stays English unless its Vosk model is for another language the shop has a locale for.

Vosk publishes no Spanish model on Maven Central, so no Spanish speech is decoded here: the Spanish kiosk is
built on the English acoustic model (typed text never reaches it) and driven as `voiceshop kiosk --text` is.
What is tested is what the model's language decides: the grammar, the prompts, the kiosk's own words and the
espeak-ng voice.
"""

from __future__ import annotations

import io
import wave
from pathlib import Path

import pytest

from catalog.config import Settings
from intents.language import load_model
from intents.lexicon import load_lexicon
from local_voice.kiosk import Kiosk, create_kiosk
from local_voice.model_store import KIOSK_LOCALE, ModelError, ensure_model, kiosk_locale
from local_voice.test_speech import synthesize
from local_voice.understanding import Understander
from local_voice.voice import EspeakVoice, SilentVoice
from tests.conftest import fresh_shop, random_ref
from voiceshop.kiosk_commands import PrintingVoice, make_voice


@pytest.mark.parametrize(
    ("folder", "locale"),
    [
        ("vosk-model-small-en-us-0.15", "en-US"),
        ("vosk-model-en-us", "en-US"),
        ("vosk-model-en-in-0.5", "en-US"),
        ("my-own-model", "en-US"),
        ("vosk-model-small-es-0.42", "es-US"),
        ("vosk-model-es-0.42", "es-US"),
    ],
)
def test_the_models_language_picks_the_kiosks_locale(tmp_path: Path, folder: str, locale: str) -> None:
    assert kiosk_locale(tmp_path / folder) == locale


def test_no_model_named_means_english() -> None:
    assert kiosk_locale(None) == KIOSK_LOCALE == "en-US"


def test_a_model_for_a_language_the_shop_does_not_speak_is_refused_naming_what_it_speaks(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"no fr locale.*es-US"):
        kiosk_locale(tmp_path / "vosk-model-small-fr-0.22")


def test_each_locale_names_an_espeak_voice_the_kiosk_can_speak_with() -> None:
    assert load_lexicon("en-US").kiosk_voice == "en-us"
    assert load_lexicon("en-GB").kiosk_voice == "en-us"  # English locales share the English base
    assert load_lexicon("es-US").kiosk_voice == "es-419"


@pytest.fixture(scope="module")
def understander(demo_products) -> Understander:
    """The es-US grammar on the English acoustic model (the only one the project can fetch)."""
    model_path: Path = ensure_model(Settings.from_env().data_dir)
    return Understander.build(model_path, load_model("es-US"), demo_products, mode="grammar")


@pytest.fixture(scope="module")
def shop(base_settings, demo_products):
    shop = fresh_shop(base_settings, products=demo_products)
    return shop


@pytest.fixture
def kiosk(shop, understander) -> Kiosk:
    return create_kiosk(shop, understander, SilentVoice(), random_ref("kiosk"), locale="es-US")


def test_a_spanish_kiosk_greets_finds_and_fills_the_cart_in_spanish(kiosk: Kiosk) -> None:
    assert "Bienvenido" in kiosk.greet().reply
    found = kiosk.handle_text("busca leche de avena").reply
    assert "Encontré" in found and "Oat Milk" in found
    added = kiosk.handle_text("añade dos leche de avena")
    if added.doubtful:
        added = kiosk.handle_text("sí")
    assert "Añadí 2" in added.reply
    assert {line.quantity for line in kiosk.shop.cart(kiosk.customer_id).lines} == {2}


def test_the_kiosks_own_words_are_spanish_too(kiosk: Kiosk) -> None:
    assert "No puedo hablar más alto" in kiosk.handle_text("más alto").reply  # SilentVoice starts at full volume
    assert "También puede decir más despacio" in kiosk.handle_text("ayuda").reply


def test_a_speaking_spanish_kiosk_uses_the_locales_espeak_voice(monkeypatch) -> None:
    monkeypatch.setattr(EspeakVoice, "check_output", lambda self: None)  # this machine may have no sound card
    voice = make_voice(mute=False, out=io.StringIO(), locale="es-US")
    assert isinstance(voice, PrintingVoice) and voice.speaker is not None
    assert voice.speaker.voice == "es-419"
    voice.close()


def test_espeak_ng_speaks_spanish_with_that_voice(tmp_path: Path) -> None:
    wav = synthesize("su pedido está hecho", tmp_path / "es.wav", voice=load_lexicon("es-US").kiosk_voice)
    with wave.open(str(wav)) as audio:
        assert audio.getnframes() / audio.getframerate() > 0.5
