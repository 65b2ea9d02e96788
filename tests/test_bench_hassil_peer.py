"""The spoken bench's hassil peer reads the sentences its own Vosk phrase list lets it hear.

A peer whose templates cannot read its own phrases measures itself short: the held-out figure it gives
the kiosk to beat would be a bench bug, not the peer's ear. Rows are the peer's own phrases and dev
phrasings, never held-out rows.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from catalog.config import Settings
from catalog.importer import read_catalog
from intents.language import load_model
from local_voice.model_store import ensure_model
from local_voice.recognizer import Recognizer

pytest.importorskip("hassil")

from bench.hassil_peer import HassilPeer

DEMO_CATALOG = Path(__file__).resolve().parents[2] / "shared" / "catalog" / "demo_catalog.json"


@pytest.fixture(scope="module")
def peer() -> HassilPeer:
    if not DEMO_CATALOG.is_file():
        pytest.skip("the demo catalog is not beside the checkout")
    recognizer = Recognizer(ensure_model(Settings.from_env().data_dir))
    known = lambda word: not recognizer.unknown_words([word])  # noqa: E731
    return HassilPeer(load_model("en-US"), read_catalog(DEMO_CATALOG).products, known)


def test_peer_reads_its_own_phrases(peer: HassilPeer) -> None:
    """Every sampled sentence but a bare list value (no template says a bare name) reads as an intent."""
    bare = {v.text_in.text for name in ("product", "category") for v in peer.intents.slot_lists[name].values}  # type: ignore[attr-defined]
    sentences = [p for p in peer.phrases if p not in bare]
    unread = [p for p in random.Random(0).sample(sentences, 300) if peer.read(p).intent is None]
    assert len(unread) <= 3, unread


def test_contraction_heard_as_spelled_reads(peer: HassilPeer) -> None:
    """The phrase list keeps "what's" (Vosk's "whats" is another word), and the template reads it."""
    assert "what's in my basket" in peer.phrases
    reading = peer.read("what's in my basket")
    assert (reading.intent, reading.corrected) == ("ReviewCartIntent", False)


def test_bare_code_wildcard_does_not_hide_a_reading(peer: HassilPeer) -> None:
    """A sentence the "{code}" wildcard swallows still reads as its own intent; digits read as a code."""
    assert peer.read("add two bananas").intent == "AddToCartIntent"
    assert peer.read("whats the status of order zero two four six lemon").slots.get("order_digits") == "0246"
    code = peer.read("my code is one two three four")
    assert (code.intent, code.slots) == ("ProvideCodeIntent", {"code": "1234"})
