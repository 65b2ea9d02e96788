"""The skill wired to the test's DynamoDB Local table."""

from __future__ import annotations

import pytest
from alexa_envelopes import SKILL_ID

from skill import lambda_function


@pytest.fixture
def skill(demo_shop):
    """lambda_handler and handle_envelope answering SKILL_ID from the demo shop's table."""
    lambda_function.configure(demo_shop, skill_id=SKILL_ID)
    yield lambda_function
    lambda_function.configure(None)
