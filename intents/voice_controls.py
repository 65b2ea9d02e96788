"""Speaking slower, faster, louder or softer: the kiosk changes its own voice, Alexa users are told where.

The handlers only report what was asked (`voice_slower`, ...) in `Reply.events`; the kiosk turns the event
into a change of its espeak-ng voice, because `intents` does no I/O. Alexa's speaking rate and volume
belong to the device, so on Alexa the reply explains where to change them instead.

The reply leaves the context as it was (no new "last"), so "slower" followed by "repeat" repeats the
previous answer, now more slowly.
"""

from __future__ import annotations

from html import escape
from typing import Any

from intents.dialog import Dialog
from intents.request import IntentRequest, Reply

KIOSK_WORDS: dict[str, dict[str, str]] = {
    "en-US": {
        "slower": "Okay, I'll speak more slowly.",
        "faster": "Okay, I'll speak faster.",
        "louder": "Okay, I'll speak louder.",
        "softer": "Okay, I'll speak more softly.",
    },
    "es-US": {
        "slower": "Muy bien, hablaré más despacio.",
        "faster": "Muy bien, hablaré más rápido.",
        "louder": "Muy bien, hablaré más fuerte.",
        "softer": "Muy bien, hablaré más bajo.",
    },
}
ALEXA_WORDS: dict[str, dict[str, str]] = {
    "en-US": {
        "rate": (
            "I can't change how fast Alexa talks from here. In the Alexa app, open Settings, then Accessibility, "
            "then Alexa Speaking Speed."
        ),
        "volume": (
            "I can't change the volume from here. Use the volume buttons on your device, "
            "or say Alexa, volume up, or Alexa, volume down."
        ),
    },
    "es-US": {
        "rate": (
            "Desde aquí no puedo cambiar qué tan rápido habla Alexa. En la app de Alexa, abre Configuración, "
            "luego Accesibilidad, y luego Velocidad de habla de Alexa."
        ),
        "volume": (
            "Desde aquí no puedo cambiar el volumen. Usa los botones de volumen de tu dispositivo, "
            "o di Alexa, sube el volumen, o Alexa, baja el volumen."
        ),
    },
}
CHANGES = ("slower", "faster", "louder", "softer")


def _words(table: dict[str, dict[str, str]], locale: str) -> dict[str, str]:
    """Fall back to en-US so a new locale still answers before it is translated."""
    return table.get(locale) or table["en-US"]


def _adjust(request: IntentRequest, shop: Any, change: str) -> Reply:
    """Acknowledge on the kiosk (which acts on the event) or explain the Alexa settings."""
    events: tuple[str, ...]
    if request.channel == "alexa":
        key = "rate" if change in ("slower", "faster") else "volume"
        speech, events = _words(ALEXA_WORDS, request.locale)[key], ()
    else:
        speech, events = _words(KIOSK_WORDS, request.locale)[change], (f"voice_{change}",)
    reprompt = Dialog(request, shop).say("anything_else").text
    return Reply(
        speech=speech,
        ssml=f"<speak>{escape(speech, quote=False)}</speak>",
        reprompt=reprompt,
        context=dict(request.context),
        events=events,
    )


def handle_speak_slower(request: IntentRequest, shop: Any) -> Reply:
    """Some shoppers need more time per word."""
    return _adjust(request, shop, "slower")


def handle_speak_faster(request: IntentRequest, shop: Any) -> Reply:
    """Practised screen-reader users listen fast."""
    return _adjust(request, shop, "faster")


def handle_speak_louder(request: IntentRequest, shop: Any) -> Reply:
    """Shop floors are noisy."""
    return _adjust(request, shop, "louder")


def handle_speak_softer(request: IntentRequest, shop: Any) -> Reply:
    """Quiet rooms and private questions."""
    return _adjust(request, shop, "softer")


HANDLERS = {
    "SpeakSlowerIntent": handle_speak_slower,
    "SpeakFasterIntent": handle_speak_faster,
    "SpeakLouderIntent": handle_speak_louder,
    "SpeakSofterIntent": handle_speak_softer,
}

__all__ = [
    "CHANGES",
    "HANDLERS",
    "handle_speak_faster",
    "handle_speak_louder",
    "handle_speak_slower",
    "handle_speak_softer",
]
