"""The skill wired to the test's DynamoDB Local table."""

from __future__ import annotations

import os
import sys

import pytest
from alexa_envelopes import SKILL_ID

from skill import lambda_function


@pytest.fixture
def skill(demo_shop):
    """lambda_handler and handle_envelope answering SKILL_ID from the demo shop's table."""
    lambda_function.configure(demo_shop, skill_id=SKILL_ID)
    yield lambda_function
    lambda_function.configure(None)


def simulated_device(skill, state_dir, prefix: str, **options):
    """A simulated Alexa device for a new customer of its own, its session file under `state_dir`."""
    from skill.simulator import Simulator
    from tests.conftest import random_ref

    return Simulator(
        customer=f"amzn1.ask.account.{random_ref(prefix)}",
        state_dir=state_dir,
        skill_id=SKILL_ID,
        handler=skill.lambda_handler,
        **options,
    )


@pytest.fixture
def alexa(skill, tmp_path):
    """A simulated device for a new customer, its session file in a temp folder."""
    return simulated_device(skill, tmp_path / "simulator", "S")


def lambda_process_env(shop, **extra: str) -> dict[str, str]:
    """The environment of a fresh process running lambda_handler against `shop`'s table.

    Lambda's own markers (`LAMBDA_TASK_ROOT`, `POWERTOOLS_TRACE_DISABLED`) are dropped from this process's
    environment, so each test says whether its child is "inside Lambda" and traced through `extra`.
    """
    from catalog.config import REPO_ROOT

    return {
        **{k: v for k, v in os.environ.items() if k not in ("LAMBDA_TASK_ROOT", "POWERTOOLS_TRACE_DISABLED")},
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), *sys.path]),
        "VOICESHOP_DYNAMODB_ENDPOINT": shop.settings.endpoint,
        "VOICESHOP_TABLE": shop.settings.table,
        "VOICESHOP_SKILL_ID": SKILL_ID,
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        **extra,
    }
