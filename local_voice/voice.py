"""Speaking: render speech to a WAV, then play it with a player process that `stop()` can end.

pyttsx3's own `say()`/`runAndWait()` plays through `os.system("aplay ...")` and cannot be cut short, so a
shopper could not interrupt a long answer. Rendering first (espeak-ng needs ~20 ms for a sentence) and
playing with a subprocess makes every utterance interruptible.

Renderer choice, measured with pyttsx3 2.99 on espeak-ng 1.51: pyttsx3's `save_to_file` applies rate and
volume changes erratically within one engine (a rate change stuck only when the voice was set again; with
the voice set, volume 0.2 still rendered at full loudness), and its synthesis callback can still be
running after `runAndWait()` returns. Rate and volume are accessibility controls here, so `EspeakVoice`
renders with the espeak-ng command line by default (one process per utterance, the same engine and
voices pyttsx3 drives); `renderer="pyttsx3"` remains for machines with the library but not the CLI.
"""

from __future__ import annotations

import array
import contextlib
import io
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, TextIO, runtime_checkable

from catalog.errors import VoiceshopError

RATE_MIN, RATE_MAX, RATE_STEP = 80, 320, 20  # words per minute; below 80 espeak drags syllables apart
VOLUME_MIN, VOLUME_MAX, VOLUME_STEP = 0.2, 1.0, 0.2  # never fully silent: the shopper may not see a screen
EARCON_TEXT = "<earcon>"

Renderer = Literal["espeak-ng", "pyttsx3"]


class VoiceError(VoiceshopError):
    """Speech could not be produced; the message names the missing piece."""


class AudioOutputError(VoiceError):
    """No usable sound output (no card, no player): the caller should fall back to printing."""


@runtime_checkable
class Voice(Protocol):
    """What the kiosk loop needs from a speaker, whether real or printed."""

    @property
    def rate(self) -> int:
        """Speaking rate in words per minute."""
        ...

    @property
    def volume(self) -> float:
        """Loudness from VOLUME_MIN to 1.0."""
        ...

    def say(self, text: str) -> None:
        """Speak `text`, returning when done or when `stop()` cut it short."""
        ...

    def stop(self) -> None:
        """Cut the current utterance short (the shopper started talking or pressed a key)."""
        ...

    def earcon(self) -> None:
        """Play the short 'I am listening now' cue."""
        ...

    def slower(self) -> None:
        """Speak one step slower."""
        ...

    def faster(self) -> None:
        """Speak one step faster."""
        ...

    def louder(self) -> None:
        """Speak one step louder."""
        ...

    def softer(self) -> None:
        """Speak one step softer."""
        ...


class _Prosody:
    """Rate and volume with bounds, shared so printed and spoken voices adjust identically."""

    def __init__(self, rate: int = 160, volume: float = 1.0) -> None:
        """Start from clamped values, so a bad config cannot make the kiosk mute or unintelligible."""
        self._rate = _clamp(rate, RATE_MIN, RATE_MAX)
        self._volume = _clamp(volume, VOLUME_MIN, VOLUME_MAX)

    @property
    def rate(self) -> int:
        """Words per minute, within RATE_MIN..RATE_MAX."""
        return int(self._rate)

    @rate.setter
    def rate(self, value: int) -> None:
        """Clamp rather than refuse: 'faster' at the top should simply stay at the top."""
        self._rate = _clamp(value, RATE_MIN, RATE_MAX)

    @property
    def volume(self) -> float:
        """Loudness within VOLUME_MIN..1.0."""
        return float(self._volume)

    @volume.setter
    def volume(self, value: float) -> None:
        """Clamp rather than refuse, for the same reason as `rate`."""
        self._volume = round(_clamp(value, VOLUME_MIN, VOLUME_MAX), 3)

    def slower(self) -> None:
        """Help shoppers who need more time per word."""
        self.rate = self.rate - RATE_STEP

    def faster(self) -> None:
        """Help practised screen-reader users who listen fast."""
        self.rate = self.rate + RATE_STEP

    def louder(self) -> None:
        """Compensate for a noisy shop floor."""
        self.volume = self.volume + VOLUME_STEP

    def softer(self) -> None:
        """Keep a quiet room comfortable, without ever going silent."""
        self.volume = self.volume - VOLUME_STEP


@dataclass(frozen=True)
class Utterance:
    """One thing a `SilentVoice` would have said, with the prosody it would have used."""

    text: str
    rate: int
    volume: float


class SilentVoice(_Prosody):
    """A voice that prints (or just records) instead of speaking: for --mute, no-sound machines and tests."""

    def __init__(self, rate: int = 160, volume: float = 1.0, echo: TextIO | None = None) -> None:
        """Record everything; also print each utterance to `echo` when given (e.g. sys.stdout)."""
        super().__init__(rate, volume)
        self.echo = echo
        self.spoken: list[Utterance] = []
        self.stops = 0

    def say(self, text: str) -> None:
        """Record `text` and print it, because a muted kiosk must still show what it would say."""
        self.spoken.append(Utterance(text, self.rate, self.volume))
        if self.echo is not None:
            print(text, file=self.echo, flush=True)

    def stop(self) -> None:
        """Count interruptions, so tests can see that the loop tried to barge in."""
        self.stops += 1

    def earcon(self) -> None:
        """Record the listening cue in sequence with the speech around it."""
        self.spoken.append(Utterance(EARCON_TEXT, self.rate, self.volume))

    @property
    def texts(self) -> list[str]:
        """The spoken texts alone, which is what most assertions need."""
        return [u.text for u in self.spoken]


@dataclass
class _Playback:
    """One running player process and whether we ended it on purpose."""

    process: subprocess.Popen[bytes]
    wav: Path
    stopped: bool = field(default=False)


class EspeakVoice(_Prosody):
    """espeak-ng speech, rendered to a WAV and played by an interruptible player process."""

    def __init__(
        self,
        voice: str = "en-us",
        rate: int = 160,
        volume: float = 1.0,
        renderer: Renderer = "espeak-ng",
        player: tuple[str, ...] = ("aplay", "-q"),
    ) -> None:
        """Pick the espeak voice (en-us, en-gb, en-us+f2, ...) and the player (the WAV path is appended)."""
        super().__init__(rate, volume)
        self.voice = voice
        self.renderer = renderer
        self.player = player
        self._workdir = Path(tempfile.mkdtemp(prefix="voiceshop-voice-"))
        self._lock = threading.Lock()
        self._playback: _Playback | None = None
        self._count = 0
        self._earcon_wav: Path | None = None

    def render(self, text: str, path: Path) -> Path:
        """Write `text` as a WAV at the current rate and volume, without playing it."""
        path = Path(path)
        if self.renderer == "pyttsx3":
            _render_pyttsx3(text, path, self.voice, self.rate, self.volume)
        else:
            _render_espeak_ng(text, path, self.voice, self.rate, self.volume)
        return path

    def say(self, text: str) -> None:
        """Speak `text` and wait; raise AudioOutputError if the player cannot reach a sound device."""
        self.start(self.render(text, self._next_wav()))
        self.wait()

    def earcon(self) -> None:
        """Play the listening cue, so a shopper who cannot see the screen knows when to talk."""
        if self._earcon_wav is None:
            self._earcon_wav = write_earcon(self._workdir / "earcon.wav")
        self.start(self._earcon_wav, keep=True)
        self.wait()

    def start(self, wav: Path, keep: bool = False) -> None:
        """Begin playing a WAV without waiting, cutting off whatever was playing."""
        self.stop()
        try:
            process = subprocess.Popen(
                [*self.player, str(wav)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                start_new_session=True,  # its own process group, so stop() also ends any helpers it spawned
            )
        except FileNotFoundError as missing:
            raise AudioOutputError(
                f"{self.player[0]} is not installed (`apt-get install alsa-utils`); falling back to printing"
            ) from missing
        with self._lock:
            self._playback = _Playback(process, wav if not keep else Path())

    def wait(self) -> None:
        """Block until playback ends; a player failure that `stop()` did not cause is an output error."""
        with self._lock:
            playback = self._playback
        if playback is None:
            return
        _, stderr = playback.process.communicate()
        with self._lock:
            if self._playback is playback:
                self._playback = None
        _discard(playback.wav)
        if playback.process.returncode != 0 and not playback.stopped:
            detail = stderr.decode(errors="replace").strip().splitlines()
            raise AudioOutputError(
                f"{self.player[0]} could not play audio (exit {playback.process.returncode}: "
                f"{detail[0] if detail else 'no message'}); no sound output device?"
            )

    def stop(self) -> None:
        """End the player process, so speech stops mid-word rather than at the end of the sentence."""
        with self._lock:
            playback = self._playback
            if playback is None or playback.process.poll() is not None:
                return
            playback.stopped = True
        _signal_group(playback.process, signal.SIGTERM)
        try:
            playback.process.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            _signal_group(playback.process, signal.SIGKILL)

    @property
    def speaking(self) -> bool:
        """True while a player process is running."""
        with self._lock:
            return self._playback is not None and self._playback.process.poll() is None

    def check_output(self) -> None:
        """Play 50 ms of silence at startup, so a missing sound card is found before the first prompt."""
        silence = self._workdir / "probe.wav"
        _write_tone(silence, frequency=0.0, seconds=0.05, amplitude=0.0)
        self.start(silence, keep=True)
        self.wait()

    def close(self) -> None:
        """Stop speaking and remove rendered files."""
        self.stop()
        shutil.rmtree(self._workdir, ignore_errors=True)

    def __enter__(self) -> EspeakVoice:
        """Use as a context manager so temporary WAVs never outlive the kiosk."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Clean up on any exit."""
        self.close()

    def _next_wav(self) -> Path:
        """Give each utterance its own file, so a stopped one can be deleted while the next renders."""
        self._count += 1
        return self._workdir / f"utterance-{self._count}.wav"


def write_earcon(path: Path, frequency: float = 880.0, seconds: float = 0.15, amplitude: float = 0.4) -> Path:
    """Write a short soft beep: a cue that is not a word, so it cannot be mistaken for speech."""
    return _write_tone(Path(path), frequency, seconds, amplitude)


def _write_tone(path: Path, frequency: float, seconds: float, amplitude: float, rate: int = 22050) -> Path:
    """Synthesize a sine with 10 ms fades (no clicks) using only the standard library."""
    count = int(seconds * rate)
    fade = max(1, int(0.01 * rate))
    peak = amplitude * 32767
    samples = array.array("h", bytes(2 * count))
    for i in range(count):
        envelope = min(1.0, i / fade, (count - 1 - i) / fade)
        samples[i] = int(peak * envelope * math.sin(2 * math.pi * frequency * i / rate))
    if sys.byteorder == "big":
        samples.byteswap()
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return path


def _render_espeak_ng(text: str, path: Path, voice: str, rate: int, volume: float) -> None:
    """Render with the espeak-ng CLI; text goes on stdin so a leading '-' is never read as an option."""
    command = ["espeak-ng", "-v", voice, "-s", str(rate), "-a", str(round(volume * 100)), "-w", str(path)]
    try:
        done = subprocess.run([*command, "--stdin"], input=text.encode(), capture_output=True, check=False)
    except FileNotFoundError as missing:
        raise VoiceError("espeak-ng is not installed: `apt-get install espeak-ng`") from missing
    if done.returncode != 0 or not _has_audio(path):
        raise VoiceError(f"espeak-ng could not render speech: {done.stderr.decode(errors='replace').strip()}")


def _render_pyttsx3(text: str, path: Path, voice: str, rate: int, volume: float) -> None:
    """Render with pyttsx3, hiding its 'Audio saved to' print and waiting for the late-written file."""
    import pyttsx3  # optional: only this renderer needs it

    engine = pyttsx3.init("espeak")
    engine.setProperty("voice", voice)
    engine.setProperty("rate", rate)  # not reliably honoured by pyttsx3 2.99, see the module docstring
    engine.setProperty("volume", volume)
    path.unlink(missing_ok=True)
    with contextlib.redirect_stdout(io.StringIO()):  # keep stdout clean for callers that emit JSON on it
        engine.save_to_file(text, str(path))
        engine.runAndWait()
        deadline = time.monotonic() + 5.0
        while not _has_audio(path) and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.05)  # its print follows the file write; let it land in the redirect
    if not _has_audio(path):
        raise VoiceError(f"pyttsx3 did not write {path}; try renderer='espeak-ng'")


def _has_audio(path: Path) -> bool:
    """Check a rendered WAV is complete enough to play."""
    try:
        with wave.open(str(path)) as rendered:
            return rendered.getnframes() > 0
    except (OSError, EOFError, wave.Error):
        return False


def _discard(path: Path) -> None:
    """Delete a played utterance; the earcon and probe are kept (marked by an empty path)."""
    if path != Path():
        path.unlink(missing_ok=True)


def _signal_group(process: subprocess.Popen[bytes], signum: signal.Signals) -> None:
    """Signal the player's own process group; it may have ended a moment ago, which is fine."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


def _clamp(value: float, low: float, high: float) -> float:
    """Keep a setting inside its bounds."""
    return max(low, min(high, value))
