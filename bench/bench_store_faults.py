"""What each store fault does to a shopper's turn: seconds to the reply, and what the reply says.

Starts its own DynamoDB Local, imports two products, then for each fault runs one turn and prints a table:
- frozen (SIGSTOP) under `voiceshop say`, `voiceshop orders list` and the text kiosk (real subprocesses);
- through tests/faultproxy.py: a checkout whose TransactWriteItems stalls or loses its reply, and every
  call reset or throttled.

Run: .venv/bin/python bench/bench_store_faults.py
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from catalog.config import Settings  # noqa: E402
from catalog.dynamodb_local import DynamoDBLocal, free_port  # noqa: E402
from catalog.errors import VoiceshopError  # noqa: E402
from catalog.model import Product  # noqa: E402
from catalog.repository import Repository  # noqa: E402
from catalog.services import Shop  # noqa: E402
from intents.conversation import respond  # noqa: E402
from intents.request import IntentRequest  # noqa: E402
from tests.faultproxy import FaultProxy  # noqa: E402


def shop_on(settings: Settings, endpoint: str, table: str) -> Shop:
    bound = replace(settings, endpoint=endpoint, table=table, index_check_seconds=0.0)
    repository = Repository(bound)
    repository.ensure_table()
    return Shop(bound, repository)


def run_cli(env: dict[str, str], *args: str, stdin: str | None = None) -> tuple[float, int, str]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "voiceshop.cli", *args], env=env, input=stdin, capture_output=True, text=True, timeout=90
    )
    said = (done.stdout.strip().splitlines() or done.stderr.strip().splitlines() or [""])[-1]
    return time.monotonic() - started, done.returncode, said


def main() -> None:
    base = Settings.from_env()
    rows: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        server = DynamoDBLocal(Path(tmp) / "ddb", port=free_port(), jars_dir=base.data_dir)
        server.start()
        try:
            shop = shop_on(base, server.endpoint, "bench-faults")
            peas = Product("BF-1", "Frozen Peas", "Cold Co", "frozen", "1 bag", Decimal("2.00"), "USD", 50)
            shop.import_products([peas])
            env = {
                **os.environ,
                "VOICESHOP_DYNAMODB_ENDPOINT": server.endpoint,
                "VOICESHOP_TABLE": "bench-faults",
                "VOICESHOP_DATA_DIR": tmp,
            }
            pid = server.pid()
            assert pid is not None
            for name, args, stdin in (
                ("frozen: voiceshop say", ("say", "what is in my cart", "--new-session"), None),
                ("frozen: voiceshop orders list", ("orders", "list", "--customer", "ops"), None),
                ("frozen: kiosk --text, one turn", ("kiosk", "--text", "--mute"), "what is in my cart\n"),
            ):
                os.kill(pid, signal.SIGSTOP)
                try:
                    seconds, code, said = run_cli(env, *args, stdin=stdin)
                finally:
                    os.kill(pid, signal.SIGCONT)
                rows.append((name, f"{seconds:.1f} s (whole process)", f"exit {code}", said[:90]))

            proxy = FaultProxy(server.port)
            try:
                faulty = shop_on(base, proxy.endpoint, "bench-faults")
                for fault, operation in (("drop_reply", "TransactWriteItems"), ("stall", "TransactWriteItems")):
                    customer = f"bench-{fault}"
                    faulty.add_to_cart(customer, peas.sku, 1)
                    asked = respond(IntentRequest("CheckOutIntent", customer), faulty)
                    started = time.monotonic()
                    with proxy.fault(operation, fault):
                        reply = respond(IntentRequest("AMAZON.YesIntent", customer, context=asked.context), faulty)
                    seconds = time.monotonic() - started
                    orders = len(faulty.orders(customer).orders)
                    rows.append((f"checkout, {operation} {fault}", f"{seconds:.1f} s", f"{orders} order", reply.speech))
                for fault in ("reset", "throttle", "stall"):
                    started = time.monotonic()
                    with proxy.fault("*", fault):
                        try:
                            faulty.add_to_cart("bench-all", peas.sku, 1)
                            outcome = "no error"
                        except VoiceshopError as error:
                            outcome = type(error).__name__
                    rows.append((f"every call {fault}", f"{time.monotonic() - started:.1f} s", outcome, ""))
            finally:
                proxy.close()
        finally:
            server.stop()
    print("| fault | time to reply | outcome | what the shopper hears |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
