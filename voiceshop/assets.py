"""Fetch the big non-Python parts once: DynamoDB Local's jars and the Vosk English model.

Both come from Maven Central with `mvn`, so a fresh machine needs nothing installed by hand; later
runs find them in the data folder and return at once.
"""

from __future__ import annotations

import sys

from catalog.config import Settings
from catalog.dynamodb_local import ensure_jars
from local_voice.model_store import ensure_model


def main() -> int:
    """Ensure every asset; print where each one is."""
    settings = Settings.from_env()
    print(f"DynamoDB Local jars: {ensure_jars(settings.data_dir)}")
    print(f"Vosk English model:  {ensure_model(settings.data_dir)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
