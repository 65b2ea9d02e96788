"""Where the shop's data lives, read once from the environment with local defaults.

One place for these settings keeps the local-vs-AWS switch a single env var
(`VOICESHOP_DYNAMODB_ENDPOINT=aws`), so no code path differs between the two.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from catalog.model import DEFAULT_MAX_QUANTITY

REPO_ROOT = Path(__file__).resolve().parents[1]
LOCAL_PORT = 8000


def default_data_dir(env: Mapping[str, str]) -> Path:
    """The checkout's `.data/` when running from one, else the user's data folder, never site-packages.

    scripts/run and scripts/test keep their data in the checkout; an installed wheel uses
    `$XDG_DATA_HOME/voiceshop` (`~/.local/share/voiceshop`). A checkout is recognised by its own
    pyproject.toml beside the packages, not by the current directory.
    """
    if (REPO_ROOT / "pyproject.toml").is_file() and (REPO_ROOT / "catalog" / "config.py").is_file():
        return REPO_ROOT / ".data"
    base = env.get("XDG_DATA_HOME") or str(Path(env.get("HOME") or Path.home()) / ".local" / "share")
    return Path(base) / "voiceshop"


@dataclass(frozen=True)
class Settings:
    """Storage and policy settings; frozen so one object can be shared across threads."""

    endpoint: str | None
    region: str
    table: str
    data_dir: Path
    max_quantity: int = DEFAULT_MAX_QUANTITY
    index_check_seconds: float = 5.0
    store_timeout_seconds: float = 1.0
    """Bound on each connect and read to DynamoDB; with `store_attempts` it sets how soon a dead store is an apology."""
    store_attempts: int = 2

    @property
    def is_local(self) -> bool:
        """True when talking to DynamoDB Local rather than AWS."""
        return self.endpoint is not None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read settings; inside Lambda the default endpoint is AWS itself."""
        env = os.environ if environ is None else environ
        in_lambda = "AWS_LAMBDA_FUNCTION_NAME" in env
        raw_endpoint = env.get("VOICESHOP_DYNAMODB_ENDPOINT", "aws" if in_lambda else f"http://127.0.0.1:{LOCAL_PORT}")
        endpoint = None if raw_endpoint.strip().lower() in {"", "aws"} else raw_endpoint.strip()
        return cls(
            endpoint=endpoint,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
            table=env.get("VOICESHOP_TABLE", "voiceshop"),
            data_dir=Path(env["VOICESHOP_DATA_DIR"]) if env.get("VOICESHOP_DATA_DIR") else default_data_dir(env),
            max_quantity=int(env.get("VOICESHOP_MAX_QUANTITY", str(DEFAULT_MAX_QUANTITY))),
            index_check_seconds=float(env.get("VOICESHOP_INDEX_CHECK_SECONDS", "5")),
            store_timeout_seconds=float(env.get("VOICESHOP_STORE_TIMEOUT_SECONDS", "1")),
            store_attempts=int(env.get("VOICESHOP_STORE_ATTEMPTS", "2")),
        )


def ensure_local_credentials() -> None:
    """DynamoDB Local accepts any credentials, but botocore refuses to sign without some."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
