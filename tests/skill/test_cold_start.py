"""The Lambda cold start: what the first request does not need stays out of it, and answers stay the same.

Two cuts measured by bench/bench_skill.py (README "Cold starts"): the cyclic collector is paused while
the skill imports and the import's objects are frozen afterwards (skill/__init__.py), and ask-sdk-model's
APL package is imported only for a device with a screen. Each test runs a new process, as Lambda does.
"""

from __future__ import annotations

import json
import subprocess
import sys

from catalog.config import REPO_ROOT
from intents.request import Slot
from skill.simulator import build_envelope
from tests.skill.conftest import SKILL_ID, lambda_process_env

APL_PACKAGE = "ask_sdk_model.interfaces.alexa.presentation.apl"

CHILD = r"""
import gc, json, sys
from skill.lambda_function import lambda_handler

after_import = {"collecting": gc.isenabled(), "frozen": gc.get_freeze_count(),
                "apl_loaded": "ask_sdk_model.interfaces.alexa.presentation.apl" in sys.modules}

class Context:
    function_name, memory_limit_in_mb, aws_request_id = "test", 512, "cold"
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:test"

replies = [lambda_handler(json.loads(sys.argv[1]), Context()), lambda_handler(json.loads(sys.argv[2]), Context())]
print(json.dumps({**after_import, "replies": replies, "collecting_after": gc.isenabled(),
                  "apl_loaded_after": "ask_sdk_model.interfaces.alexa.presentation.apl" in sys.modules}))
"""


def cold_process(demo_shop, in_lambda: bool, apl: bool = False) -> dict:
    """A search then a product's details, through lambda_handler in a fresh process (in Lambda or not)."""
    customer, milk = "amzn1.ask.account.coldstart", {"product": Slot("product", "milk")}
    envelopes = [
        build_envelope(
            intent, skill_id=SKILL_ID, user_id=customer, session_id="cold", new_session=new, slots=milk, apl=apl
        )
        for intent, new in (("SearchIntent", True), ("ProductDetailsIntent", False))
    ]
    env = lambda_process_env(
        demo_shop, POWERTOOLS_TRACE_DISABLED="true", **({"LAMBDA_TASK_ROOT": str(REPO_ROOT)} if in_lambda else {})
    )
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *(json.dumps(e) for e in envelopes)],
        env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def speech(reply: dict) -> str:
    """What Alexa says."""
    return reply["response"]["outputSpeech"]["ssml"]


def test_in_lambda_collection_is_back_on_after_the_import_with_the_import_frozen(demo_shop):
    cold = cold_process(demo_shop, in_lambda=True)
    assert cold["collecting"] is True and cold["collecting_after"] is True
    assert cold["frozen"] > 10_000, "the import's objects are in the permanent generation"


def test_outside_lambda_the_collector_is_left_alone(demo_shop):
    cold = cold_process(demo_shop, in_lambda=False)
    assert cold["collecting"] is True and cold["frozen"] == 0


def test_a_cold_lambda_says_what_a_process_outside_lambda_says(demo_shop):
    inside, outside = cold_process(demo_shop, in_lambda=True), cold_process(demo_shop, in_lambda=False)
    assert [speech(r) for r in inside["replies"]] == [speech(r) for r in outside["replies"]]
    assert "milk" in speech(inside["replies"][0]).lower()


def test_a_speaker_without_a_screen_never_loads_the_apl_classes(demo_shop):
    cold = cold_process(demo_shop, in_lambda=True)
    assert cold["apl_loaded"] is False and cold["apl_loaded_after"] is False
    assert all("directives" not in r["response"] for r in cold["replies"])


def test_a_device_with_a_screen_still_gets_the_render_document_directive(demo_shop):
    cold = cold_process(demo_shop, in_lambda=True, apl=True)
    directives = [d for r in cold["replies"] for d in r["response"].get("directives", ())]
    assert directives and all(d["type"] == "Alexa.Presentation.APL.RenderDocument" for d in directives)
    assert all(d["document"]["type"] == "APL" and d["token"] == "voiceshop" for d in directives)
