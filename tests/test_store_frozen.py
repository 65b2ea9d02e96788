"""A frozen DynamoDB (SIGSTOP), through the public surface: an apology inside Alexa's budget, no process dies.

Runs the `voiceshop` command as a shopper or an ops engineer would, against a DynamoDB Local of its
own (the suite's shared one is never frozen), and thaws it afterwards to show the shop carries on.
"""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import replace

import pytest

from catalog.dynamodb_local import DynamoDBLocal, free_port
from tests.conftest import add_product, fresh_shop, random_ref

ALEXA_BUDGET_SECONDS = 7.0


@pytest.fixture(scope="module")
def own_store(tmp_path_factory, base_settings):
    server = DynamoDBLocal(tmp_path_factory.mktemp("frozen"), port=free_port(), jars_dir=base_settings.data_dir)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def store(own_store, base_settings, tmp_path_factory):
    shop = fresh_shop(replace(base_settings, endpoint=own_store.endpoint))
    product = add_product(shop, name="Frozen Peas")
    env = {
        **os.environ,
        "VOICESHOP_DYNAMODB_ENDPOINT": own_store.endpoint,
        "VOICESHOP_TABLE": shop.settings.table,
        "VOICESHOP_DATA_DIR": str(tmp_path_factory.mktemp("data")),
        "VOICESHOP_INDEX_CHECK_SECONDS": "0",
    }
    return own_store, shop, product, env


@contextmanager
def frozen(server):
    pid = server.pid()
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


def voiceshop(env, *args, stdin=None):
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "voiceshop.cli", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done, time.monotonic() - started


def test_alexa_apologises_within_its_budget_and_answers_once_the_store_is_back(store):
    server, _, _, env = store
    customer = random_ref("alexa")
    with frozen(server):
        done, seconds = voiceshop(env, "say", "what is in my cart", "--customer", customer, "--new-session")
    assert done.returncode == 0, done.stderr
    assert "trouble" in done.stdout
    assert seconds < ALEXA_BUDGET_SECONDS
    again, _ = voiceshop(env, "say", "what is in my cart", "--customer", customer)
    assert again.returncode == 0 and "empty" in again.stdout


def test_an_ops_command_exits_3_with_one_sentence(store):
    server, _, _, env = store
    with frozen(server):
        done, seconds = voiceshop(env, "orders", "list", "--customer", random_ref("ops"))
    assert done.returncode == 3
    assert "Traceback" not in done.stderr
    assert "not reachable" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert seconds < ALEXA_BUDGET_SECONDS


def test_the_text_kiosk_keeps_talking_through_a_freeze(store):
    server, _, product, env = store
    with frozen(server):
        done, _ = voiceshop(env, "kiosk", "--text", "--mute", stdin="what is in my cart\nstop\n")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "not reachable" in done.stdout or "trouble" in done.stdout
    thawed, _ = voiceshop(env, "kiosk", "--text", "--mute", stdin="add one frozen peas\nwhat is in my cart\n")
    assert thawed.returncode == 0, thawed.stderr
    assert product.name in thawed.stdout
