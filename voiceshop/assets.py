"""Fetch the big non-Python parts once: DynamoDB Local's jars and the Vosk English model.

Both come from Maven Central with `mvn`, so a fresh machine needs nothing installed by hand; later
runs find them in the data folder and return at once.
"""

from __future__ import annotations

import sys

from catalog.config import Settings
from catalog.dynamodb_local import ensure_jars
from local_voice.model_store import ensure_model


def _progress(line: str) -> None:
    """Progress of a fetch, on stderr at once (setup may be piped into a CI log)."""
    print(line, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Ensure every asset; print where each one is, unless `--quiet` and both were already there."""
    quiet = "--quiet" in (sys.argv[1:] if argv is None else argv)
    settings = Settings.from_env()
    fetched: list[str] = []

    def progress(line: str) -> None:
        fetched.append(line)
        _progress(line)

    jars = ensure_jars(settings.data_dir, progress)
    model = ensure_model(settings.data_dir, progress)
    if fetched or not quiet:
        print(f"DynamoDB Local jars: {jars}")
        print(f"Vosk English model:  {model}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
