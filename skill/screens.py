"""APL screens for Echo Show and other devices that advertise `Alexa.Presentation.APL`.

The conversation describes what a screen may show (`intents.request.Screen`); this module turns it into
ask-sdk-model's `RenderDocumentDirective`. One small document serves all four screens (search results,
a product, the cart, the checkout summary): a title, a list of rows and a footer, bound through a
datasource, so the layouts cannot drift apart. Devices without APL get no directive, and the speech
says everything the screen shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_supported_interfaces

from intents.request import Screen

if TYPE_CHECKING:  # the APL package imports ~70 modules (~13 ms of a cold start); only screen devices need it
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

__all__ = ["APL_VERSION", "DOCUMENT", "TOKEN", "render_document", "supports_apl"]

APL_VERSION = "2023.3"
TOKEN = "voiceshop"
DOCUMENT: dict[str, Any] = {
    "type": "APL",
    "version": APL_VERSION,
    "theme": "dark",
    "import": [{"name": "alexa-layouts", "version": "1.7.0"}],
    "mainTemplate": {
        "parameters": ["payload"],
        "items": [
            {
                "type": "Container",
                "width": "100vw",
                "height": "100vh",
                "paddingLeft": "@marginHorizontal",
                "paddingRight": "@marginHorizontal",
                "paddingTop": "@spacingMedium",
                "items": [
                    {"type": "Text", "text": "${payload.screen.title}", "style": "textStyleDisplay4"},
                    {
                        "type": "Sequence",
                        "grow": 1,
                        "data": "${payload.screen.lines}",
                        "numbered": True,
                        "items": [
                            {
                                "type": "AlexaTextListItem",
                                "primaryText": "${data.title}",
                                "secondaryText": "${data.detail}",
                                "hideOrdinal": "${payload.screen.kind != 'results'}",
                            }
                        ],
                    },
                    {"type": "Text", "text": "${payload.screen.footer}", "style": "textStyleHeadline"},
                ],
            }
        ],
    },
}
"""One layout for every screen; `kind` only decides whether rows are numbered ("add the second one")."""


def supports_apl(handler_input: HandlerInput) -> bool:
    """True when the device says it renders APL (Echo Show, Fire TV); never for a screenless speaker."""
    try:
        interfaces = get_supported_interfaces(handler_input)
    except (AttributeError, TypeError):
        return False
    return getattr(interfaces, "alexa_presentation_apl", None) is not None


def render_document(screen: Screen) -> RenderDocumentDirective:
    """The directive that shows one screen (ask-sdk-model's APL classes are loaded on the first screen)."""
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

    payload = {
        "screen": {
            "kind": screen.kind,
            "title": screen.title,
            "lines": [{"title": line.title, "detail": line.detail} for line in screen.lines],
            "footer": screen.footer,
        }
    }
    return RenderDocumentDirective(token=TOKEN, document=DOCUMENT, datasources={"payload": payload})
