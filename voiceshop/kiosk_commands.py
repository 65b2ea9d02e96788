"""`voiceshop kiosk`: the offline voice front end, wired from the command line.

Defaults suit the kiosk itself (microphone in, speaker out, the shop on the local defaults); every
missing piece degrades to something usable and says so once: no microphone means typed input, no sound
card means printed replies. `--wav ... --json --mute` runs recorded utterances through the real
recognizer, which is how the tests drive it without a microphone.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from catalog.config import Settings
from catalog.errors import StoreUnavailable
from catalog.services import Shop
from intents.language import load_model
from intents.lexicon import load_lexicon
from local_voice.audio_input import (
    AudioInputError,
    WavInputError,
    check_wavs,
    open_microphone,
    run_microphone,
    run_text,
    run_wavs,
    text_lines,
)
from local_voice.kiosk import DEFAULT_IDLE_TIMEOUT, Kiosk, Turn, create_kiosk
from local_voice.model_store import KIOSK_LOCALE, ModelError, check_model, ensure_model, kiosk_locale
from local_voice.voice import AudioOutputError, EspeakVoice, SilentVoice, Voice, VoiceError

ANONYMOUS_CUSTOMER = "kiosk"


class PrintingVoice:
    """Print every reply and speak it; if the speaker fails mid-run, say so once and keep printing."""

    def __init__(self, speaker: EspeakVoice, out: TextIO) -> None:
        """Wrap a real voice; `out` is where the words are printed."""
        self.speaker: EspeakVoice | None = speaker
        self.printer = SilentVoice(speaker.rate, speaker.volume, echo=out)
        self.out = out

    @property
    def rate(self) -> int:
        """The speaking rate (kept in step on both)."""
        return self.printer.rate

    @rate.setter
    def rate(self, value: int) -> None:
        """Set both, so a fallback to printing keeps the shopper's choice."""
        self.printer.rate = value
        if self.speaker is not None:
            self.speaker.rate = value

    @property
    def volume(self) -> float:
        """The loudness."""
        return self.printer.volume

    def say(self, text: str) -> None:
        """Print first (a helper can read along), then speak."""
        self.printer.say(text)
        self._speak(lambda speaker: speaker.say(text))

    def earcon(self) -> None:
        """Beep when listening starts."""
        self._speak(lambda speaker: speaker.earcon())

    def stop(self) -> None:
        """Cut speech short."""
        if self.speaker is not None:
            self.speaker.stop()

    def slower(self) -> None:
        """One step slower on both."""
        self._adjust("slower")

    def faster(self) -> None:
        """One step faster on both."""
        self._adjust("faster")

    def louder(self) -> None:
        """One step louder on both."""
        self._adjust("louder")

    def softer(self) -> None:
        """One step softer on both."""
        self._adjust("softer")

    def close(self) -> None:
        """Remove the speaker's temporary files."""
        if self.speaker is not None:
            self.speaker.close()

    def _adjust(self, change: str) -> None:
        """Keep the printed record and the speaker in step."""
        getattr(self.printer, change)()
        if self.speaker is not None:
            getattr(self.speaker, change)()

    def _speak(self, action: Callable[[EspeakVoice], None]) -> None:
        """Run a speaker action, degrading to print-only on the first output failure."""
        if self.speaker is None:
            return
        try:
            action(self.speaker)
        except (AudioOutputError, VoiceError) as failed:
            print(f"Speech output stopped ({failed}); replies are printed only from now on.", file=sys.stderr)
            self.speaker.close()
            self.speaker = None


def make_voice(mute: bool, out: TextIO, locale: str = KIOSK_LOCALE) -> Voice:
    """--mute prints only; otherwise print and speak (the locale's espeak-ng voice), or print only without sound."""
    if mute:
        return SilentVoice(echo=out)
    speaker = EspeakVoice(voice=load_lexicon(locale).kiosk_voice)
    try:
        speaker.check_output()
    except (AudioOutputError, VoiceError) as failed:
        speaker.close()
        print(f"No audio output ({failed}); printing replies instead.", file=sys.stderr)
        return SilentVoice(echo=out)
    return PrintingVoice(speaker, out)


def resolve_model(path: Path | None, settings: Settings) -> tuple[Path, str]:
    """The Vosk model and the locale the kiosk speaks with it.

    --model is checked (its language picks the locale), else the project's English model is fetched once
    into the data folder.
    """
    if path is not None:
        locale = kiosk_locale(path)
        check_model(path)
        return path, locale
    return ensure_model(settings.data_dir), KIOSK_LOCALE


def build_understander(
    model_path: Path, shop: Shop, mode: str, locale: str = KIOSK_LOCALE, store_up: bool = True
) -> Any:
    """Compile the interaction model and today's catalog into the recognizer.

    With the store down (`store_up=False`, or failing now) it compiles the commands without products, at
    once, and the kiosk's catalog poll adds them when the store is back.
    """
    from local_voice.understanding import Understander  # loads Vosk: only when the kiosk really starts

    version: int | None = None
    products: list[Any] = []
    if store_up:
        try:
            index = shop.catalog_index()  # the search cache's read, so the first search reads nothing again
            version, products = int(index.version), list(index.products)
        except StoreUnavailable:
            version, products = None, []
    return Understander.build(model_path, load_model(locale), products, mode=mode, version=version, search=shop.search)


def cmd_kiosk(args: argparse.Namespace) -> int:
    """Run the kiosk on the microphone, WAV files or typed text until input ends."""
    settings = Settings.from_env()
    shop = Shop(settings)
    store_up = True
    try:
        empty = shop.repository.catalog_version() == 0
    except StoreUnavailable as error:
        store_up = False  # a kiosk is for people: it starts, and says so each turn until it is back
        empty = False
        hint = " Start the local one with 'voiceshop db start'." if settings.is_local else ""
        print(
            f"DynamoDB is not answering ({error.detail}); the kiosk starts anyway, tells shoppers so, and carries"
            f" on when it is back.{hint}",
            file=sys.stderr,
        )
    if empty:
        print(
            "The catalog is empty: load one with 'voiceshop catalog import ../shared/catalog/demo_catalog.json'.",
            file=sys.stderr,
        )
    try:
        wavs = check_wavs(args.wav) if args.wav else None
        model_path, locale = resolve_model(args.model, settings)
    except (WavInputError, ModelError) as error:
        print(error, file=sys.stderr)
        return 2
    out = sys.stderr if args.json else sys.stdout
    microphone = None
    if wavs is None and not args.text:
        try:
            microphone = open_microphone()
        except AudioInputError as error:
            print(f"{error}\nFalling back to text mode: type what you would say.", file=sys.stderr)
    understander = build_understander(model_path, shop, args.mode, locale=locale, store_up=store_up)
    voice = make_voice(args.mute, out, locale)
    kiosk = create_kiosk(
        shop,
        understander,
        voice,
        args.customer or ANONYMOUS_CUSTOMER,
        idle_timeout=args.idle_timeout,
        walk_up=args.customer is None,
        locale=locale,
    )
    report = _reporter(args.json, echo_heard=wavs is not None or microphone is not None)
    try:
        report(kiosk.greet())
        _run(kiosk, wavs, microphone, report, args)
    except KeyboardInterrupt:
        pass
    finally:
        shop.flush_unanswered_searches(quietly=True)  # the last shopper's unanswered searches, if any
        close = getattr(voice, "close", None)
        if close is not None:
            close()
    return 0


def _run(kiosk: Kiosk, wavs: list[Path] | None, microphone: Any, report: Callable[[Turn], None], args: Any) -> None:
    """Drive the kiosk from whichever source is in use."""
    if wavs is not None:
        run_wavs(kiosk, wavs, report)
    elif microphone is not None:
        print("Listening. Speak after the beep; press Enter to stop the kiosk talking.", file=sys.stderr)
        run_microphone(kiosk, microphone, report, interrupt=sys.stdin if sys.stdin.isatty() else None)
    else:
        prompt_to = (sys.stderr if args.json else sys.stdout) if sys.stdin.isatty() else None
        run_text(kiosk, text_lines(sys.stdin, prompt_to), report)


def _reporter(as_json: bool, echo_heard: bool) -> Callable[[Turn], None]:
    """One JSON object per turn on stdout, or (for audio input) what was heard, for people reading along."""

    def report(turn: Turn) -> None:
        if as_json:
            print(json.dumps(turn.as_json()), flush=True)
        elif echo_heard and turn.heard:
            print(f"(heard: {turn.heard})", file=sys.stderr, flush=True)

    return report


def _positive_seconds(text: str) -> float:
    """Reject zero or negative timeouts at parse time, with argparse's usual message."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {text!r}")
    return value


def register(sub: Any, leaf: Callable[..., argparse.ArgumentParser]) -> None:
    """Add `voiceshop kiosk` to the command tree."""
    kiosk = leaf(
        sub,
        "kiosk",
        cmd_kiosk,
        "the offline voice kiosk: listen on the microphone (or read WAV files or typed text) and answer aloud",
    )
    source = kiosk.add_mutually_exclusive_group()
    source.add_argument("--text", action="store_true", help="type utterances instead of speaking (one per line)")
    source.add_argument("--wav", nargs="+", type=Path, metavar="WAV", help="WAV files, each one utterance, in order")
    kiosk.add_argument("--mute", action="store_true", help="print replies instead of speaking them")
    kiosk.add_argument(
        "--customer",
        default=None,
        help="shop as this customer id in every session (default: each walk-up session is a new anonymous customer;"
        " shoppers with an account sign in by voice)",
    )
    kiosk.add_argument("--model", type=Path, default=None, help="an unpacked Vosk model folder (default: fetched)")
    kiosk.add_argument(
        "--idle-timeout",
        type=_positive_seconds,
        default=DEFAULT_IDLE_TIMEOUT,
        metavar="S",
        help="seconds without speech before the session ends and the shopper is signed out (default 60)",
    )
    kiosk.add_argument(
        "--mode",
        choices=["grammar", "free"],
        default="grammar",
        help="grammar: hear only the shop's phrases (default); free: free-form recognition",
    )
