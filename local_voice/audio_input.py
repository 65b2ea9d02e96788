"""Where the kiosk's utterances come from: a microphone, a list of WAV files, or typed lines.

Each source is driven by a small `run_*` function that hands one utterance at a time to a `Kiosk` and
reports each `Turn`, so the kiosk itself never knows which source it serves.

The microphone is 16 kHz mono int16 through sounddevice's `RawInputStream`, the format Vosk wants, with
Vosk's own endpointing deciding where an utterance ends. While the kiosk speaks, everything the
microphone hears is dropped (the kiosk must not answer its own voice) and the buffer is emptied again
when it is done.
"""

from __future__ import annotations

import contextlib
import queue
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from catalog.errors import VoiceshopError
from local_voice.kiosk import Kiosk, Turn

SAMPLE_RATE = 16000
BLOCK_FRAMES = 4000  # 0.25 s per chunk: short enough to notice the shopper stopped, long enough to be cheap
POLL_SECONDS = 0.5  # how often an empty chunk lets the idle timeout run when nobody speaks

TurnSink = Callable[[Turn], None]


class AudioInputError(VoiceshopError):
    """No usable microphone; the message says so and suggests typing instead."""


class WavInputError(VoiceshopError):
    """A WAV file given on the command line cannot be read."""


class Microphone:
    """A 16 kHz mono int16 input stream whose chunks can be paused (dropped) while the kiosk speaks."""

    def __init__(self, device: int | str | None = None, block_frames: int = BLOCK_FRAMES) -> None:
        """Open the default (or named) input device now, so a missing one is reported before the greeting."""
        try:
            import sounddevice
        except OSError as missing:  # the module raises OSError when libportaudio2 is not installed
            raise AudioInputError(
                f"No microphone: PortAudio is not installed ({missing}); `apt-get install libportaudio2`, "
                "or type instead with --text."
            ) from missing
        self._chunks: queue.Queue[bytes] = queue.Queue()
        self._paused = threading.Event()
        try:
            self._stream = sounddevice.RawInputStream(
                samplerate=SAMPLE_RATE,
                blocksize=block_frames,
                device=device,
                channels=1,
                dtype="int16",
                callback=self._on_audio,
            )
            self._stream.start()
        except (sounddevice.PortAudioError, ValueError) as failed:
            raise AudioInputError(
                f"No microphone: no audio input device could be opened ({failed}). "
                "Connect a microphone, or type instead with --text."
            ) from failed

    def _on_audio(self, data: Any, frames: int, time_info: Any, status: Any) -> None:
        """PortAudio's thread: queue the chunk unless the kiosk is speaking."""
        if not self._paused.is_set():
            self._chunks.put(bytes(data))

    def set_paused(self, paused: bool) -> None:
        """Drop input while the kiosk talks; on resuming, also drop what was already queued."""
        if paused:
            self._paused.set()
            return
        self.drain()
        self._paused.clear()

    def drain(self) -> None:
        """Throw away queued audio (the tail of the kiosk's own voice)."""
        with contextlib.suppress(queue.Empty):
            while True:
                self._chunks.get_nowait()

    def chunks(self, poll_seconds: float = POLL_SECONDS) -> Iterator[bytes]:
        """Yield audio as it arrives, and an empty chunk every `poll_seconds` of nothing."""
        while True:
            try:
                yield self._chunks.get(timeout=poll_seconds)
            except queue.Empty:
                yield b""

    def close(self) -> None:
        """Stop capturing."""
        with contextlib.suppress(Exception):
            self._stream.stop()
            self._stream.close()


def open_microphone(device: int | str | None = None) -> Microphone:
    """Open the microphone or raise `AudioInputError` saying why and suggesting --text."""
    return Microphone(device)


def run_microphone(kiosk: Kiosk, microphone: Microphone, on_turn: TurnSink, interrupt: TextIO | None = None) -> None:
    """Listen and answer until the process is stopped (Ctrl-C).

    With `interrupt` (an interactive stdin), pressing Enter cuts the kiosk's speech short, since the
    microphone is deaf while the kiosk talks.
    """
    kiosk.on_speaking = microphone.set_paused
    if interrupt is not None:
        threading.Thread(target=_stop_on_enter, args=(kiosk, interrupt), daemon=True).start()
    try:
        while True:
            turn = kiosk.handle_audio_stream(microphone.chunks())
            if turn is not None:
                on_turn(turn)
    finally:
        kiosk.on_speaking = None
        microphone.close()


def _stop_on_enter(kiosk: Kiosk, stream: TextIO) -> None:
    """Background thread: every Enter stops the current speech."""
    for _ in stream:
        kiosk.voice.stop()


def check_wavs(paths: Sequence[Path]) -> list[Path]:
    """Refuse missing or empty files before the session starts, naming each one."""
    bad = [str(p) for p in paths if not Path(p).is_file() or Path(p).stat().st_size == 0]
    if bad:
        raise WavInputError("Cannot read WAV file(s): " + ", ".join(bad))
    return [Path(p) for p in paths]


def run_wavs(kiosk: Kiosk, paths: Sequence[Path], on_turn: TurnSink) -> None:
    """Each file is one utterance, heard in the order given."""
    for path in check_wavs(paths):
        on_turn(kiosk.handle_wav(path))


def text_lines(stdin: TextIO | None = None, prompt_to: TextIO | None = None, prompt: str = "> ") -> Iterator[str]:
    """Yield typed lines (prompting with "> " on a terminal) until end of input."""
    source = sys.stdin if stdin is None else stdin
    while True:
        if prompt_to is not None:
            prompt_to.write(prompt)
            prompt_to.flush()
        line = source.readline()
        if not line:
            return
        if line.strip():
            yield line.strip()


def run_text(kiosk: Kiosk, lines: Iterator[str], on_turn: TurnSink) -> None:
    """Each typed line is one utterance."""
    for line in lines:
        on_turn(kiosk.handle_text(line))


__all__ = [
    "AudioInputError",
    "Microphone",
    "WavInputError",
    "check_wavs",
    "open_microphone",
    "run_microphone",
    "run_text",
    "run_wavs",
    "text_lines",
]
