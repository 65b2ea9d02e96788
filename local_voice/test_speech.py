"""Synthetic customer speech for tests and the kiosk benchmark: espeak-ng voices, optional pink noise.

Output is always what Vosk wants (16 kHz, mono, 16-bit PCM). Rendering is cached on disk by
(text, voice, rate, noise), so a rerun of a few hundred cases costs file copies, not sox runs.
Noise uses sox's repeatable mode (`-R`), so a cached and a fresh rendering are the same samples.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

__test__ = False  # a helper module, despite its name: keep pytest from collecting it

SAMPLE_RATE = 16000
PCM16 = ("-r", str(SAMPLE_RATE), "-c", "1", "-b", "16")
CACHE_VERSION = 1
TAIL_SILENCE_S = 0.6  # long enough for Vosk's endpoint rules (0.5-1.0 s of trailing silence)


class SpeechToolMissing(RuntimeError):
    """espeak-ng or sox is not installed, so no test speech can be made."""


def synthesize(
    text: str,
    path: Path,
    voice: str = "en-us",
    rate: int = 160,
    noise: float = 0.0,
    cache_dir: Path | None = None,
) -> Path:
    """Write `text` spoken by espeak-ng to `path` (16 kHz mono 16-bit), reusing an earlier rendering.

    `noise` is the pink noise's peak amplitude (sox `vol`, 0..1; 0.05 is a quiet shop, 0.3 a loud one).
    """
    path = Path(path)
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    cached = cache / f"{_cache_key(text, voice, rate, noise)}.wav"
    if not cached.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=cache) as scratch:
            rendered = _render(text, Path(scratch), voice, rate, noise)
            os.replace(rendered, cached)  # atomic, so parallel test runs never read half a file
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, path)
    return path


def write_silence(path: Path, seconds: float) -> Path:
    """Write digital silence in Vosk's format, the baseline 'nobody spoke' input."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(b"\x00\x00" * int(seconds * SAMPLE_RATE))
    return path


def write_noise(path: Path, seconds: float, level: float) -> Path:
    """Write repeatable pink noise in Vosk's format: the 'a room, nobody speaking' input."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _run(["sox", "-R", "-n", *PCM16, str(path), "synth", f"{seconds:.3f}", "pinknoise", "vol", f"{level:.6f}"])
    return path


def default_cache_dir() -> Path:
    """Keep the cache beside the model data when the project says where that is."""
    explicit = os.environ.get("VOICESHOP_SPEECH_CACHE")
    if explicit:
        return Path(explicit)
    data_dir = os.environ.get("VOICESHOP_DATA_DIR")
    if data_dir:
        return Path(data_dir) / "speech-cache"
    return Path.home() / ".cache" / "voiceshop" / "speech"


def _cache_key(text: str, voice: str, rate: int, noise: float) -> str:
    """Hash every input that changes the samples, plus a version to invalidate old renderings."""
    fields = [CACHE_VERSION, text, voice, int(rate), round(float(noise), 6), TAIL_SILENCE_S]
    return hashlib.sha256(json.dumps(fields).encode()).hexdigest()[:24]


def _render(text: str, scratch: Path, voice: str, rate: int, noise: float) -> Path:
    """Run espeak-ng, convert to Vosk's format with trailing silence, and mix noise if asked."""
    raw, speech = scratch / "raw.wav", scratch / "speech.wav"
    _run(["espeak-ng", "-v", voice, "-s", str(int(rate)), "-w", str(raw), text])
    _run(["sox", str(raw), *PCM16, str(speech), "pad", "0.2", str(TAIL_SILENCE_S)])
    if noise <= 0:
        return speech
    with wave.open(str(speech)) as spoken:
        seconds = spoken.getnframes() / spoken.getframerate()
    hiss = write_noise(scratch / "noise.wav", seconds, noise)
    mixed = scratch / "mixed.wav"
    _run(["sox", "-R", "-m", "-v", "1", str(speech), "-v", "1", str(hiss), "-b", "16", str(mixed)])
    return mixed


def _run(command: list[str]) -> None:
    """Run a speech tool, turning 'not installed' into an actionable message."""
    try:
        subprocess.run(command, check=True, capture_output=True)
    except FileNotFoundError as missing:
        raise SpeechToolMissing(
            f"{command[0]} is not installed: `apt-get install espeak-ng sox` makes test speech."
        ) from missing
    except subprocess.CalledProcessError as failed:
        raise RuntimeError(f"{' '.join(command)} failed: {failed.stderr.decode(errors='replace')}") from failed
