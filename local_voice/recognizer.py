"""Hearing: Vosk at 16 kHz behind a small typed API, for whole WAV files and for streamed audio.

Vosk estimates a bigram from a phrase list each time a `KaldiRecognizer` is built with it: about 6 s of CPU
for the kiosk's 300k phrases on a loaded two-CPU machine, where the decode of a command takes tens of
milliseconds. So one decoder per phrase list is built once and kept (`_Decoders`), and each utterance is
ended with `FinalResult`, after which Vosk starts the next one with a fresh decoder and feature pipeline
on the same graph: no state of the previous utterance is carried over, and the bigram is not rebuilt.

With `alternatives`, a second decoder with `SetMaxAlternatives` hears the same chunks beside the first:
Vosk gives per-word confidences only without alternatives and no confidences with them, and the kiosk
needs both (word confidences guard against false accepts, the n-best lets the understanding and the
dialogue context pick "yes" over "yes leave"). Both decode while the shopper speaks, a few per cent of a
CPU each once built. (One decoder's partial result with words lags the audio by up to a second of
frames, so it cannot stand in for the confidences of the whole utterance.)
"""

from __future__ import annotations

import array
import json
import logging
import math
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import vosk

from local_voice.model_store import ModelError, check_model, supports_grammar

SAMPLE_RATE = 16000
UNKNOWN = "[unk]"
_READ_FRAMES = 4000  # 0.25 s at 16 kHz: what a streaming caller would typically send
POSTERIOR_SCALE = 1.0
"""Vosk's alternative `confidence` is a lattice log score: posteriors are a softmax of it at this scale."""

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HeardWord:
    """One recognised word, with Vosk's posterior confidence (0..1) and its time span in seconds."""

    word: str
    confidence: float
    start: float
    end: float


@dataclass(frozen=True)
class Alternative:
    """One of Vosk's n-best transcripts, with its share of the n-best's probability (0..1)."""

    text: str
    posterior: float


@dataclass(frozen=True)
class Heard:
    """What one utterance was recognised as, carrying confidences so callers can confirm doubtful ones."""

    text: str
    words: tuple[HeardWord, ...] = ()
    alternatives: tuple[Alternative, ...] = ()
    """The n-best, best first (empty without `alternatives`); `text` is the MBR transcript with `words`."""
    beside: Heard | None = None
    """The same audio heard with the companion phrase list (`Recognizer.set_companion`), None without one."""

    @property
    def confidence(self) -> float:
        """Mean word confidence (0.0 when nothing was heard), a cheap guard against false accepts."""
        if not self.words:
            return 0.0
        return sum(w.confidence for w in self.words) / len(self.words)

    @property
    def is_unknown(self) -> bool:
        """True for silence or speech the grammar could only file under [unk]."""
        return all(token == UNKNOWN for token in self.text.split())

    @property
    def contains_unknown(self) -> bool:
        """True when part of the utterance fell outside the grammar ("[unk] apples"): worth confirming."""
        return UNKNOWN in self.text.split()

    @classmethod
    def from_vosk(cls, result_json: str, offset: float = 0.0) -> Heard:
        """Parse a Vosk result (with SetWords) into the typed form, word times `offset` seconds earlier.

        A reused decoder counts its times from its first utterance, not from this one's start.
        """
        result = json.loads(result_json)
        found = result.get("result", [])
        words = tuple(
            HeardWord(w["word"], float(w.get("conf", 0.0)), _ms(w["start"], offset), _ms(w["end"], offset))
            for w in found
        )
        return cls(text=result.get("text", "").strip(), words=words)

    def with_alternatives(self, nbest_json: str | None) -> Heard:
        """Attach a `SetMaxAlternatives` result's transcripts, scored as posteriors over the n-best."""
        if nbest_json is None:
            return self
        return replace(self, alternatives=parse_alternatives(nbest_json))


def _ms(seconds: float, offset: float) -> float:
    """A word time from the utterance's start, to the millisecond (Vosk's frames are 30 ms)."""
    return round(float(seconds) - offset, 3)


def parse_alternatives(nbest_json: str) -> tuple[Alternative, ...]:
    """Vosk's n-best (`{"alternatives": [...]}`) as transcripts with softmax posteriors, repeats merged."""
    found = json.loads(nbest_json).get("alternatives", [])
    scores: dict[str, float] = {}
    for alternative in found:
        text = " ".join(alternative.get("text", "").split())
        score = float(alternative.get("confidence", 0.0)) * POSTERIOR_SCALE
        scores[text] = max(scores.get(text, score), score)
    if not scores:
        return ()
    top = max(scores.values())
    weights = {text: math.exp(score - top) for text, score in scores.items()}
    total = sum(weights.values())
    ranked = sorted(weights.items(), key=lambda item: -item[1])
    return tuple(Alternative(text, weight / total) for text, weight in ranked)


class _Decoder:
    """One built KaldiRecognizer and how much audio it has heard in all (Vosk's word times run on across uses)."""

    def __init__(self, recognizer: vosk.KaldiRecognizer) -> None:
        self._recognizer = recognizer
        self._samples = 0
        self._start = 0

    def accept(self, chunk: bytes) -> bool:
        """Feed audio; True once Vosk's endpoint rules close the utterance."""
        self._samples += len(chunk) // 2
        return bool(self._recognizer.AcceptWaveform(chunk))

    def final(self) -> Heard:
        """The utterance's result; the next audio starts a fresh utterance (new decoder state, same graph)."""
        heard = Heard.from_vosk(self._recognizer.FinalResult(), self._start / SAMPLE_RATE)
        self._start = self._samples
        return heard

    def final_json(self) -> str:
        """The utterance's raw result (an n-best), closed like `final`."""
        result = str(self._recognizer.FinalResult())
        self._start = self._samples
        return result


class _Decoders:
    """Built decoders, kept per phrase list (None: free-form) and n-best size, lent out one utterance at a time.

    A decoder is given back only after `FinalResult`, so the next utterance on it starts from nothing.
    The `kept` phrase lists used last keep their decoders (full grammar, code answers, digit runs...).
    """

    def __init__(self, model: vosk.Model, kept: int = 5) -> None:
        self._model = model
        self._kept = kept
        self._idle: OrderedDict[str | None, dict[int, list[_Decoder]]] = OrderedDict()
        self.built = 0
        """How many decoders were built (each one a bigram estimate of its phrase list)."""

    def take(self, grammar: str | None, alternatives: int) -> _Decoder:
        """An idle decoder for this phrase list: word confidences (no alternatives), or an n-best."""
        idle = self._idle.get(grammar, {}).get(alternatives)
        if idle:
            return idle.pop()
        self.built += 1
        if grammar is None:
            recognizer = vosk.KaldiRecognizer(self._model, SAMPLE_RATE)
        else:
            recognizer = vosk.KaldiRecognizer(self._model, SAMPLE_RATE, grammar)
        if alternatives:
            recognizer.SetMaxAlternatives(alternatives)
        recognizer.SetWords(True)
        return _Decoder(recognizer)

    def give(self, grammar: str | None, alternatives: int, recognizer: _Decoder) -> None:
        """Keep a finished decoder (after `FinalResult`) for the next utterance with this phrase list."""
        self._idle.setdefault(grammar, {}).setdefault(alternatives, []).append(recognizer)
        self._idle.move_to_end(grammar)
        while len(self._idle) > self._kept:
            self._idle.popitem(last=False)


class Recognizer:
    """A loaded Vosk model plus an optional phrase list, decoding one utterance at a time."""

    def __init__(
        self, model_path: Path, phrases: Sequence[str] | None = None, log_level: int = -1, alternatives: int = 0
    ) -> None:
        """Load the model once; `phrases` restricts what can be heard (None means free-form).

        `alternatives` > 1 also decodes an n-best of that many transcripts (`Heard.alternatives`).
        """
        check_model(Path(model_path))
        vosk.SetLogLevel(log_level)  # Kaldi's LOG lines on stderr would drown the kiosk's own output
        started = time.perf_counter()
        try:
            self._model = vosk.Model(str(model_path))
        except Exception as failed:  # vosk raises a bare Exception("Failed to create a model")
            raise ModelError(f"Vosk could not load {model_path}: {failed}; re-run setup or pick --model") from failed
        self.load_seconds = time.perf_counter() - started
        self.model_path = Path(model_path)
        self.supports_grammar = supports_grammar(self.model_path)
        self.alternatives = alternatives if alternatives > 1 else 0
        self._decoders = _Decoders(self._model)
        self._grammar: str | None = None
        self._pending_grammar: str | None = None
        self._stream: _Decoder | None = None
        self._nbest: _Decoder | None = None
        self._nbest_early: str | None = None
        self._stream_grammar: str | None = None
        self._companion: str | None = None
        self.companion_on = True
        """Whether the next utterance is decoded with the companion list too (off while a narrow grammar listens)."""
        self._beside: _Decoder | None = None
        self._beside_grammar: str | None = None
        self._json_cache: dict[tuple[str, ...], str] = {}
        self.set_grammar(phrases)

    @property
    def phrases(self) -> list[str] | None:
        """The phrase list new utterances are decoded with, [unk] included (None when free-form)."""
        return None if self._pending_grammar is None else json.loads(self._pending_grammar)

    @property
    def decoders_built(self) -> int:
        """How many decoders were built so far: once per phrase list, not once per utterance."""
        return self._decoders.built

    def set_grammar(self, phrases: Sequence[str] | None) -> None:
        """Change what can be heard, from the next utterance on (Vosk cannot switch mid-utterance)."""
        grammar = None if phrases is None else self._dumped(phrases)
        if grammar is not None and not self.supports_grammar:
            log.warning("%s has a static graph (HCLG.fst): phrase lists are ignored", self.model_path)
        if self._stream is not None:
            self._pending_grammar = grammar
        else:
            self._grammar = self._pending_grammar = grammar

    def set_companion(self, phrases: Sequence[str] | None) -> None:
        """A second phrase list each streamed utterance is also decoded with, from the next one on (None: none).

        Its transcript, with word confidences, comes back as `Heard.beside`; it costs a third decoder while
        the shopper speaks, a small one for a small list.
        """
        self._companion = None if phrases is None else self._dumped(phrases)
        if self._companion is not None:
            self.prepare_one(self._companion)

    def prepare_one(self, grammar: str) -> None:
        """Build one word-confidence decoder for a dumped phrase list now."""
        self._decoders.give(grammar, 0, self._decoders.take(grammar, 0))

    def prepare(self, phrases: Sequence[str] | None) -> None:
        """Build the decoders for a phrase list now, so the first utterance heard with it does not wait."""
        grammar = None if phrases is None else self._dumped(phrases)
        for alternatives in {0, self.alternatives}:
            self._decoders.give(grammar, alternatives, self._decoders.take(grammar, alternatives))

    def _dumped(self, phrases: Sequence[str]) -> str:
        """The JSON Vosk takes for a phrase list, remembered for the last few lists (grammars switch per turn)."""
        key = tuple(phrases)
        grammar = self._json_cache.get(key)
        if grammar is None:
            grammar = json.dumps(_with_unknown(phrases))
            if len(self._json_cache) >= 8:
                self._json_cache.pop(next(iter(self._json_cache)))
            self._json_cache[key] = grammar
        return grammar

    def unknown_words(self, phrases: Sequence[str]) -> list[str]:
        """List phrase words missing from the model's vocabulary, which Vosk would silently drop."""
        words = {w for phrase in phrases for w in phrase.split() if w != UNKNOWN}
        return sorted(w for w in words if self._model.vosk_model_find_word(w) < 0)

    def transcribe_wav(self, path: Path) -> Heard:
        """Decode a whole WAV file (any rate, width or channel count) as one utterance."""
        return self.transcribe_pcm(read_pcm16_mono(Path(path)), self.phrases)

    def transcribe_pcm(self, pcm: bytes, phrases: Sequence[str] | None) -> Heard:
        """Decode audio already heard once more, with another phrase list; the streamed utterance is untouched."""
        grammar = None if phrases is None else self._dumped(phrases)
        recognizer = self._decoders.take(grammar, 0)
        nbest = self._decoders.take(grammar, self.alternatives) if self.alternatives else None
        for offset in range(0, len(pcm), _READ_FRAMES * 2):
            recognizer.accept(pcm[offset : offset + _READ_FRAMES * 2])
            if nbest is not None:
                nbest.accept(pcm[offset : offset + _READ_FRAMES * 2])
        heard = recognizer.final()
        self._decoders.give(grammar, 0, recognizer)
        if nbest is None:
            return heard
        heard = heard.with_alternatives(nbest.final_json())
        self._decoders.give(grammar, self.alternatives, nbest)
        return heard

    def accept_chunk(self, chunk: bytes) -> Heard | None:
        """Feed 16 kHz mono 16-bit audio; return the utterance once Vosk's endpoint rules close it."""
        if self._stream is None:
            self._stream_grammar = self._grammar
            self._stream = self._decoders.take(self._grammar, 0)
            self._nbest = self._decoders.take(self._grammar, self.alternatives) if self.alternatives else None
            self._beside_grammar = self._companion if self.companion_on and self._companion != self._grammar else None
            self._beside = None if self._beside_grammar is None else self._decoders.take(self._beside_grammar, 0)
        if self._beside is not None:
            self._beside.accept(chunk)
        nbest_closed = self._nbest.accept(chunk) if self._nbest is not None else False
        if not self._stream.accept(chunk):
            if nbest_closed and self._nbest is not None and self._nbest_early is None:
                self._nbest_early = self._nbest.final_json()  # closed a chunk early: its result for the close
            return None
        return self._close_stream()

    def finish(self) -> Heard | None:
        """Flush a streamed utterance cut off before its endpoint (end of file, push-to-talk release)."""
        if self._stream is None:
            return None
        return self._close_stream()

    def _close_stream(self) -> Heard:
        """End the streamed utterance so the next chunk starts a fresh decoder with the latest grammar.

        Each decoder is closed with `FinalResult`, after which Vosk starts its next utterance from nothing.
        The n-best decoder hears the same audio with the same graph, so it normally reaches the same
        endpoint; if it closed a chunk earlier, the result it gave then is the one taken.
        """
        stream, nbest, self._stream, self._nbest = self._stream, self._nbest, None, None
        early, self._nbest_early = self._nbest_early, None
        assert stream is not None
        heard = stream.final()
        self._decoders.give(self._stream_grammar, 0, stream)
        if nbest is not None:
            final = nbest.final_json()  # after an early close, a fragment heard since: dropped
            heard = heard.with_alternatives(early if early is not None else final)
            self._decoders.give(self._stream_grammar, self.alternatives, nbest)
        beside, self._beside = self._beside, None
        if beside is not None:
            heard = replace(heard, beside=beside.final())
            self._decoders.give(self._beside_grammar, 0, beside)
        self._grammar = self._pending_grammar
        return heard


def read_pcm16_mono(path: Path) -> bytes:
    """Return a WAV's samples as 16 kHz mono 16-bit PCM, converting in process where quality allows."""
    try:
        with wave.open(str(path)) as source:
            rate, width, channels = source.getframerate(), source.getsampwidth(), source.getnchannels()
            frames = source.readframes(source.getnframes())
    except (wave.Error, EOFError):
        return _convert_with_sox(path)  # float, A-law, extensible headers: let sox decode them
    samples = _to_int16(frames, width)
    if channels > 1:
        samples = _downmix(samples, channels)
    if rate != SAMPLE_RATE:
        if shutil.which("sox"):
            return _convert_with_sox(path)
        log.warning("sox not found: resampling %s by linear interpolation (less accurate)", path)
        samples = _resample_linear(samples, rate, SAMPLE_RATE)
    return samples.tobytes()


def _to_int16(frames: bytes, width: int) -> array.array:
    """Bring 8-, 16-, 24- or 32-bit integer PCM to 16-bit signed samples."""
    if width == 2:
        samples = array.array("h", frames)
    elif width == 1:  # WAV 8-bit is unsigned
        samples = array.array("h", ((b - 128) << 8 for b in frames))
    elif width in (3, 4):
        samples = array.array(
            "h",
            (
                int.from_bytes(frames[i + width - 2 : i + width], "little", signed=True)
                for i in range(0, len(frames), width)
            ),
        )
    else:
        raise ValueError(f"unsupported sample width: {width} bytes")
    if width == 2 and sys.byteorder == "big":
        samples.byteswap()
    return samples


def _downmix(samples: array.array, channels: int) -> array.array:
    """Average interleaved channels into one, as a single microphone would have heard them."""
    return array.array("h", (sum(samples[i : i + channels]) // channels for i in range(0, len(samples), channels)))


def _resample_linear(samples: array.array, rate: int, target: int) -> array.array:
    """Resample without dependencies; measured ~40% more word errors than sox, hence only a fallback."""
    count = len(samples) * target // rate
    last = len(samples) - 1
    step = rate / target
    out = array.array("h", bytes(2 * count))
    for i in range(count):
        position = i * step
        j = int(position)
        k = min(j + 1, last)
        out[i] = int(samples[j] + (samples[k] - samples[j]) * (position - j))
    return out


def _convert_with_sox(path: Path) -> bytes:
    """Use sox's band-limited resampler and decoders, which beat anything done here in plain Python."""
    with tempfile.TemporaryDirectory() as scratch:
        converted = Path(scratch) / "16k.wav"
        try:
            subprocess.run(
                [
                    "sox",
                    str(path),
                    "-r",
                    str(SAMPLE_RATE),
                    "-c",
                    "1",
                    "-b",
                    "16",
                    "-e",
                    "signed",
                    str(converted),
                ],
                check=True,
                capture_output=True,
            )
        except FileNotFoundError as missing:
            raise ValueError(f"{path} needs sox to convert (`apt-get install sox`)") from missing
        except subprocess.CalledProcessError as failed:
            raise ValueError(f"{path} is not readable audio: {failed.stderr.decode(errors='replace')}") from failed
        with wave.open(str(converted)) as source:
            return source.readframes(source.getnframes())


def _with_unknown(phrases: Sequence[str]) -> list[str]:
    """Give out-of-grammar speech somewhere to go, so it is not forced onto a real phrase."""
    cleaned = [" ".join(p.lower().split()) for p in phrases]
    return [p for p in cleaned if p] + ([] if UNKNOWN in cleaned else [UNKNOWN])  # repeats are weight
