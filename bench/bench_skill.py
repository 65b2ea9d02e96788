"""Alexa skill latency: per-intent `lambda_handler` time in process, and cold start in a fresh process.

Run from the checkout root:  python3 bench/bench_skill.py  [--turns 200] [--cold 5]

Starts its own DynamoDB Local (free port, temp folder) and imports the demo catalog plus one bench-only
product with deep stock (so hundreds of checkouts never run out). Every turn is a real request envelope
through `skill.lambda_function.lambda_handler` with the Powertools decorators on, exactly as Lambda runs
it; the NLU step (matching text to an intent) is Alexa's and not timed. The first `--warmup` turns of
each kind are excluded. Cold start runs a NEW python process per sample that imports the skill and
answers its first request (a LaunchRequest, then a first search that builds the index), beside a minimal
hello-world ask-sdk-core skill measured the same way in the same run.

Targets: p95 < 30 ms for search and cart intents, < 80 ms for checkout; cold start < 1.5 s and
< 3x the hello-world skill.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catalog.config import Settings, ensure_local_credentials
from catalog.dynamodb_local import DynamoDBLocal, free_port
from catalog.importer import read_catalog
from catalog.model import Product
from catalog.repository import Repository
from catalog.services import Shop
from intents.request import LAUNCH, Slot

ROOT = Path(__file__).resolve().parents[1]
DEMO_CATALOG = ROOT.parent / "shared" / "catalog" / "demo_catalog.json"
SKILL_ID = "amzn1.ask.skill.bench0000-0000-4000-8000-000000000000"
BENCH_SKU = "SKU-BENCH-0001"
QUERIES = ["oat milk", "greek yogurt", "paper towels", "bananas", "coffee", "sourdough bread", "eggs", "pasta"]
CART_SKUS = ["SKU-PRO-0011", "SKU-DAI-0043", "SKU-PRO-0007", "SKU-DAI-0047", "SKU-MEA-0064"]

LAUNCH_ENVELOPE_CODE = """
import uuid
def launch(skill_id):
    app = {"applicationId": skill_id}
    user = {"userId": "amzn1.ask.account.COLD"}
    return {
        "version": "1.0",
        "session": {"new": True, "sessionId": "amzn1.echo-api.session.cold", "application": app,
                    "attributes": {}, "user": user},
        "context": {"System": {"application": app, "user": user,
                               "device": {"deviceId": "amzn1.ask.device.COLD", "supportedInterfaces": {}},
                               "apiEndpoint": "https://api.amazonalexa.com"}},
        "request": {"type": "LaunchRequest", "requestId": "amzn1.echo-api.request." + str(uuid.uuid4()),
                    "timestamp": "2026-01-01T00:00:00Z", "locale": "en-US"},
    }
class Context:
    function_name = "cold"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:cold"
    aws_request_id = "cold"
"""

OURS_CODE = """
import time
t0 = time.perf_counter()
import contextlib, io, json, sys
from skill.lambda_function import lambda_handler
t1 = time.perf_counter()
sink = io.StringIO()
with contextlib.redirect_stdout(sink):
    first = lambda_handler(launch(SKILL_ID), Context())
t2 = time.perf_counter()
search = launch(SKILL_ID)
search["session"]["new"] = False
search["request"] = dict(search["request"], type="IntentRequest",
                         intent={"name": "SearchIntent", "confirmationStatus": "NONE",
                                 "slots": {"product": {"name": "product", "value": "oat milk"}}})
with contextlib.redirect_stdout(sink):
    second = lambda_handler(search, Context())
t3 = time.perf_counter()
assert first["response"]["outputSpeech"]["ssml"] and "Oat" in second["response"]["outputSpeech"]["ssml"]
print(json.dumps({"import": t1 - t0, "first": t2 - t1, "search": t3 - t2}))
"""

HELLO_CODE = """
import time
t0 = time.perf_counter()
import json
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.utils import is_request_type

class Hello(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_request_type("LaunchRequest")(handler_input)
    def handle(self, handler_input):
        return handler_input.response_builder.speak("Hello world").set_should_end_session(True).response

sb = SkillBuilder()
sb.skill_id = SKILL_ID
sb.add_request_handler(Hello())
lambda_handler = sb.lambda_handler()
t1 = time.perf_counter()
first = lambda_handler(launch(SKILL_ID), Context())
t2 = time.perf_counter()
assert "Hello" in first["response"]["outputSpeech"]["ssml"]
print(json.dumps({"import": t1 - t0, "first": t2 - t1, "search": None}))
"""


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def start_shop(data: Path) -> tuple[DynamoDBLocal, Shop]:
    """DynamoDB Local in `data`, a fresh table with the demo catalog and the deep-stock bench product."""
    base = Settings.from_env()
    server = DynamoDBLocal(data, port=free_port(), jars_dir=base.data_dir)
    server.start()
    settings = replace(base, endpoint=server.endpoint, table=f"bench-skill-{uuid.uuid4().hex[:8]}")
    repository = Repository(settings)
    repository.ensure_table()
    shop = Shop(settings, repository)
    products = read_catalog(DEMO_CATALOG).products
    products.append(Product(BENCH_SKU, "Bench Beans", "Bench", "pantry", "1 can", Decimal("1.25"), "USD", 10**7))
    shop.import_products(products)
    return server, shop


class Turns:
    """Sends envelopes through `lambda_handler` for one customer, carrying session attributes like Alexa."""

    def __init__(self, handler: object, customer: str) -> None:
        self.handler, self.customer = handler, customer
        self.session_id = f"amzn1.echo-api.session.{uuid.uuid4()}"
        self.attributes: dict = {}
        self.new = True

    def send(self, intent: str, **slots: Slot) -> tuple[float, dict]:
        """One turn; returns its wall time in seconds and the response envelope."""
        from skill.simulator import FakeLambdaContext, build_envelope

        envelope = build_envelope(
            intent, skill_id=SKILL_ID, user_id=self.customer, session_id=self.session_id, new_session=self.new,
            attributes=self.attributes, slots=slots,
        )
        context = FakeLambdaContext()
        start = time.perf_counter()
        response = self.handler(envelope, context)  # type: ignore[operator]
        elapsed = time.perf_counter() - start
        self.new = False
        self.attributes = response.get("sessionAttributes") or {}
        return elapsed, response


def speech(response: dict) -> str:
    """The SSML the turn answered with."""
    return (response.get("response", {}).get("outputSpeech") or {}).get("ssml", "")


def measure_turns(shop: Shop, turns: int, warmup: int) -> dict[str, list[float]]:
    """Time each kind of turn, `turns` samples after `warmup`, checking every answer is the expected one."""
    from skill import lambda_function

    lambda_function.configure(shop=shop, skill_id=SKILL_ID)
    timings: dict[str, list[float]] = {k: [] for k in
                                       ("search", "add to cart", "review cart", "checkout: quote",
                                        "checkout: yes (place)", "checkout: quote + yes", "order status")}
    sink = open(os.devnull, "w")  # noqa: SIM115 - Powertools prints EMF metrics to stdout on every turn
    with sink, contextlib.redirect_stdout(sink):
        for n in range(turns + warmup):
            keep = n >= warmup
            customer = f"amzn1.ask.account.BENCH{n:05d}{uuid.uuid4().hex[:6]}"
            talk = Turns(lambda_function.lambda_handler, customer)
            talk.send(LAUNCH)
            query = QUERIES[n % len(QUERIES)]
            took, response = talk.send("SearchIntent", product=Slot("product", query))
            assert "found" in speech(response), speech(response)
            samples = {"search": took}
            sku = CART_SKUS[n % len(CART_SKUS)]
            samples["add to cart"], response = talk.send("AddToCartIntent", product=Slot("product", "it", sku))
            assert "Added" in speech(response), speech(response)
            took, response = talk.send(
                "AddToCartIntent", product=Slot("product", "bench beans", BENCH_SKU), quantity=Slot("quantity", "2")
            )
            samples["add to cart 2"] = took
            samples["review cart"], response = talk.send("ReviewCartIntent")
            shop.remove_from_cart(customer, sku)  # check out only the deep-stock line, so demo stock lasts
            samples["checkout: quote"], response = talk.send("CheckOutIntent")
            assert "Shall I place" in speech(response), speech(response)
            samples["checkout: yes (place)"], response = talk.send("AMAZON.YesIntent")
            assert "order is placed" in speech(response), speech(response)
            samples["checkout: quote + yes"] = samples["checkout: quote"] + samples["checkout: yes (place)"]
            samples["order status"], response = talk.send("OrderStatusIntent")
            assert "received" in speech(response), speech(response)
            if keep:
                for name, value in samples.items():
                    timings["add to cart" if name == "add to cart 2" else name].append(value)
    lambda_function.configure()
    return timings


def cold_start(kind: str, shop: Shop) -> dict[str, float | None]:
    """One new python process: import the skill and answer its first request(s); times from inside it."""
    code = LAUNCH_ENVELOPE_CODE + f"SKILL_ID = {SKILL_ID!r}\n" + (OURS_CODE if kind == "ours" else HELLO_CODE)
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        VOICESHOP_DYNAMODB_ENDPOINT=shop.settings.endpoint or "aws",
        VOICESHOP_TABLE=shop.settings.table,
        VOICESHOP_SKILL_ID=SKILL_ID,
        POWERTOOLS_LOG_LEVEL="WARNING",
    )
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process"] = wall
    return result


def main() -> None:
    """Start DynamoDB Local, time the turns, then the cold starts, and print one table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=200, help="timed conversations (each: every intent once)")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--cold", type=int, default=5, help="cold-start samples per skill")
    args = parser.parse_args()
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")  # a JSON log line per turn would skew the timings
    ensure_local_credentials()
    with tempfile.TemporaryDirectory() as tmp:
        server, shop = start_shop(Path(tmp))
        try:
            timings = measure_turns(shop, args.turns, args.warmup)
            colds: dict[str, list[dict]] = {"ours": [], "hello": []}
            for _ in range(args.cold):
                for kind in ("hello", "ours"):  # alternate, so drift in machine load hits both alike
                    colds[kind].append(cold_start(kind, shop))
        finally:
            server.stop()

    targets = {"search": 30, "add to cart": 30, "review cart": 30, "checkout: quote": 80,
               "checkout: yes (place)": 80, "checkout: quote + yes": 80, "order status": 30}
    print(f"in-process lambda_handler, DynamoDB Local, {args.turns} turns each after {args.warmup} warm-up")
    print(f"{'turn':<24}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}  target p95")
    for name, values in timings.items():
        p95 = percentile(values, 0.95)
        verdict = "ok" if p95 < targets[name] else "MISSED"
        print(f"{name:<24}{len(values):>6}{percentile(values, 0.5):>9.1f}{p95:>9.1f}{max(values) * 1000:>9.1f}"
              f"  < {targets[name]} ms {verdict}")

    def median(kind: str, key: str) -> float:
        return statistics.median(sample[key] for sample in colds[kind])

    print()
    print(f"cold start, new python process, median of {args.cold}")
    print(f"{'skill':<30}{'import ms':>10}{'1st req ms':>11}{'import+1st':>11}{'process ms':>11}")
    for kind, label in (("hello", "hello-world ask-sdk-core"), ("ours", "voiceshop (LaunchRequest)")):
        total = statistics.median(sample["import"] + sample["first"] for sample in colds[kind])
        print(f"{label:<30}{median(kind, 'import') * 1000:>10.0f}{median(kind, 'first') * 1000:>11.0f}"
              f"{total * 1000:>11.0f}{median(kind, 'process') * 1000:>11.0f}")
    print(f"{'voiceshop first search (index)':<30}{'':>10}{median('ours', 'search') * 1000:>11.0f}")
    ours = statistics.median(s["import"] + s["first"] for s in colds["ours"])
    hello = statistics.median(s["import"] + s["first"] for s in colds["hello"])
    ours_process = median("ours", "process")
    hello_process = median("hello", "process")
    print(f"import+1st: {ours * 1000:.0f} ms (target < 1500 ms: {'ok' if ours < 1.5 else 'MISSED'}), "
          f"{ours / hello:.1f}x hello-world (target < 3x: {'ok' if ours / hello < 3 else 'MISSED'}); "
          f"whole process {ours_process / hello_process:.1f}x")


if __name__ == "__main__":
    main()
