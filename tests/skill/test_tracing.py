"""X-Ray through Powertools Tracer: on in Lambda, off everywhere else, and nothing of the SDK imported when off."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest

from catalog.config import REPO_ROOT
from intents.request import Slot
from skill.simulator import build_envelope
from skill.tracing import tracing_wanted
from tests.skill.conftest import SKILL_ID, lambda_process_env

IN_LAMBDA = {"LAMBDA_TASK_ROOT": "/var/task"}

CHILD = r"""
import json, sys
from skill.lambda_function import lambda_handler, tracer

class Context:
    function_name, memory_limit_in_mb, aws_request_id = "test", 512, "traced"
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:test"

reply = lambda_handler(json.loads(sys.argv[1]), Context())
print(json.dumps({"speech": reply["response"]["outputSpeech"]["ssml"], "traced": tracer is not None,
                  "xray_loaded": "aws_xray_sdk.core" in sys.modules}))
"""


@pytest.mark.parametrize(
    ("environ", "wanted"),
    [
        (IN_LAMBDA, True),
        ({}, False),
        ({**IN_LAMBDA, "POWERTOOLS_TRACE_DISABLED": "true"}, False),
        ({**IN_LAMBDA, "POWERTOOLS_TRACE_DISABLED": "1"}, False),
        ({**IN_LAMBDA, "POWERTOOLS_TRACE_DISABLED": "false"}, True),
        ({**IN_LAMBDA, "AWS_SAM_LOCAL": "true"}, False),
    ],
)
def test_tracing_is_wanted_only_in_a_real_lambda_not_disabled(environ, wanted):
    assert tracing_wanted(environ) is wanted


def answer_in_a_new_process(demo_shop, extra_env: dict[str, str]) -> tuple[dict, list[dict]]:
    """One SearchIntent through lambda_handler in a fresh process; its reply and what it sent to a stand-in daemon."""
    daemon = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    daemon.bind(("127.0.0.1", 0))
    daemon.settimeout(0.5)
    envelope = build_envelope(
        "SearchIntent", skill_id=SKILL_ID, user_id="amzn1.ask.account.tracing", session_id="tracing",
        new_session=True, slots={"product": Slot("product", "milk")},
    )  # fmt: skip
    env = lambda_process_env(
        demo_shop,
        AWS_XRAY_DAEMON_ADDRESS=f"127.0.0.1:{daemon.getsockname()[1]}",
        _X_AMZN_TRACE_ID="Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        **extra_env,
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, json.dumps(envelope)],
            env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        documents = []
        while True:
            try:
                packet = daemon.recv(65536)
            except TimeoutError:
                break
            documents.append(json.loads(packet.decode().split("\n", 1)[1]))
    finally:
        daemon.close()
    return json.loads(done.stdout.strip().splitlines()[-1]), documents


def test_outside_lambda_the_skill_answers_without_importing_the_xray_sdk(demo_shop):
    reply, documents = answer_in_a_new_process(demo_shop, {})
    assert "Horizon" in reply["speech"]
    assert reply == {**reply, "traced": False, "xray_loaded": False}
    assert documents == []


def test_disabled_in_lambda_nothing_is_traced_or_imported(demo_shop):
    reply, documents = answer_in_a_new_process(demo_shop, {**IN_LAMBDA, "POWERTOOLS_TRACE_DISABLED": "true"})
    assert reply["traced"] is False and reply["xray_loaded"] is False and documents == []


def test_in_lambda_each_dynamodb_call_is_a_subsegment_and_the_reply_is_not_recorded(demo_shop, tmp_path):
    pytest.importorskip("aws_xray_sdk", reason="aws-xray-sdk is in the Lambda requirements; install them")
    reply, documents = answer_in_a_new_process(demo_shop, {"LAMBDA_TASK_ROOT": str(tmp_path)})
    assert reply["traced"] is True and "Horizon" in reply["speech"]
    names = [d["name"] for d in documents]
    assert "## handle_lambda_event" in names
    calls = [d for d in documents if d["name"] == "dynamodb"]
    assert calls and all(d["namespace"] == "aws" for d in calls)
    assert all(demo_shop.settings.table in str(d["aws"].get("table_name") or d["aws"]["table_names"]) for d in calls)
    assert {d["aws"]["operation"] for d in calls} >= {"GetItem", "Query"}  # the catalog version, then the catalog
    assert all(d["trace_id"] == "1-5759e988-bd862e3fe1be46a994272793" for d in documents)
    sent = json.dumps(documents)
    assert "Horizon" not in sent and "amzn1.ask.account" not in sent, "no reply or customer id in the trace"
