"""`voiceshop webhooks`, `callbacks` and `report searches`: ops' view of events, call-backs and unmet searches.

Events are delivered from the outbox locally (on AWS the table's stream carries them to EventBridge,
see template.yaml); call-back requests are what the conversation recorded when a shopper wanted a person;
the searches report is what shoppers asked for and did not get (`catalog.unanswered`).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from catalog.callbacks import Callback, CallbackDesk
from catalog.model import utcnow
from catalog.outbox import DEAD, PENDING, STATES, Outbox, OutboxEntry
from catalog.unanswered import ASKEDBACK, KEEP_DAYS, NOMATCH, UnansweredSearch
from catalog.webhooks import Deliverer, WebhookConfig

MAX_ROUNDS = 10_000


def _outbox() -> Outbox:
    from voiceshop.cli import _shop

    return Outbox(_shop().repository)


def entry_text(entry: OutboxEntry) -> str:
    """One event as a line for ops."""
    waiting = entry.state == PENDING and entry.next_attempt_at is not None
    due = f" next try {entry.next_attempt_at:%Y-%m-%d %H:%M:%S}" if waiting else ""
    error = f"  last error: {entry.last_error}" if entry.last_error else ""
    return (
        f"{entry.occurred_at:%Y-%m-%d %H:%M:%S} {entry.event_type:22} {entry.state:9} "
        f"tries {entry.attempts}{due}  {entry.event_id}{error}"
    )


def cmd_webhooks_deliver(args: argparse.Namespace) -> int:
    """Deliver what is due (one pass, or `--rounds` passes `--interval` seconds apart); exit 1 if any failed."""
    from voiceshop.cli import USAGE_ERROR, emit

    try:
        config = WebhookConfig.from_env()
    except ValueError as error:
        if not (args.url and args.secret):
            print(f"voiceshop webhooks deliver: error: {error} (or pass --url and --secret)", file=sys.stderr)
            return USAGE_ERROR
        config = WebhookConfig(url=args.url, secret=args.secret)
    config = replace(config, url=args.url or config.url, secret=args.secret or config.secret)
    deliverer = Deliverer(_outbox(), config)
    outcomes = []
    for round_number in range(min(args.rounds, MAX_ROUNDS)):
        if round_number:
            time.sleep(args.interval)
        outcomes += deliverer.deliver_due(limit=args.limit)
    lines = [f"{o.event_id} {o.result} (try {o.attempts}{', ' + o.detail if o.detail else ''})" for o in outcomes]
    emit(args, outcomes, "\n".join(lines) or "Nothing due.")
    return 1 if any(o.result in {"retry", "dead"} for o in outcomes) else 0


def _list(args: argparse.Namespace, state: str) -> int:
    from voiceshop.cli import emit

    entries = _outbox().in_state(state, limit=args.limit)
    emit(args, entries, "\n".join(entry_text(e) for e in entries) or f"No {state} events.")
    return 0


def cmd_webhooks_list(args: argparse.Namespace) -> int:
    """Events in one state (pending by default), oldest first."""
    return _list(args, args.state)


def cmd_webhooks_dead(args: argparse.Namespace) -> int:
    """Dead letters: events that used up their tries, with the last error."""
    return _list(args, DEAD)


def cmd_webhooks_requeue(args: argparse.Namespace) -> int:
    """Give a dead event a fresh round of tries; exit 2 when it is not dead."""
    from voiceshop.cli import emit

    if not _outbox().requeue(args.event, utcnow()):
        print(f"Refused: {args.event} is not a dead event.", file=sys.stderr)
        return 2
    emit(args, {"event_id": args.event, "state": PENDING}, f"{args.event} will be delivered again.")
    return 0


def callback_text(callback: Callback) -> str:
    """One call-back request, as ops read it before calling."""
    cart = ", ".join(f"{line.quantity} x {line.name}" for line in callback.cart) or "empty cart"
    heard = "\n".join(f"    heard: {line}" for line in callback.utterances)
    return (
        f"{callback.callback_id}  {callback.created_at:%Y-%m-%d %H:%M} {callback.channel:6} {callback.reason:13} "
        f"customer {callback.customer_id}\n    cart: {cart}" + (f"\n{heard}" if heard else "")
    )


def _desk() -> CallbackDesk:
    from voiceshop.cli import _shop

    return CallbackDesk(_shop().repository)


def cmd_callbacks_list(args: argparse.Namespace) -> int:
    """Open call-back requests, oldest first."""
    from voiceshop.cli import emit

    callbacks = _desk().open_requests(limit=args.limit)
    emit(args, callbacks, "\n".join(callback_text(c) for c in callbacks) or "No open call-back requests.")
    return 0


def cmd_callbacks_done(args: argparse.Namespace) -> int:
    """Close a request after calling back; exit 2 when there is no open request with that id."""
    from voiceshop.cli import emit

    closed = _desk().done(args.callback, note=args.note)
    if closed is None:
        print(f"Refused: no open call-back request {args.callback}.", file=sys.stderr)
        return 2
    emit(args, closed, f"Call-back {closed.callback_id} is done.")
    return 0


OUTCOME_WORDS = {NOMATCH: "found nothing", ASKEDBACK: "asked back"}


def searches_table(rows: list[UnansweredSearch]) -> str:
    """The report as a table for people, most asked first."""
    head = f"{'count':>5}  {'day':10}  {'channel':7}  {'outcome':13}  words"
    lines = [
        f"{r.count:>5}  {r.day.isoformat():10}  {r.channel:7}  {OUTCOME_WORDS.get(r.outcome, r.outcome):13}  {r.query}"
        for r in rows
    ]
    return "\n".join([head, *lines])


def report_days(text: str) -> int:
    """An argparse type for `--days`: 1 to KEEP_DAYS (older counts have expired)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number of days, not {text!r}") from None
    if not 1 <= value <= KEEP_DAYS:
        raise argparse.ArgumentTypeError(f"must be 1 to {KEEP_DAYS} (counts are kept {KEEP_DAYS} days), not {value}")
    return value


def cmd_report_searches(args: argparse.Namespace) -> int:
    """What shoppers asked for that found nothing or was asked back, most asked first; no customer in it."""
    from voiceshop.cli import _shop, emit

    rows = _shop().unanswered_searches(days=args.days)
    emit(args, rows, searches_table(rows) if rows else f"No unanswered searches in the last {args.days} days.")
    return 0


def register(sub: Any, leaf: Callable[..., argparse.ArgumentParser]) -> None:
    """Add the `webhooks`, `callbacks` and `report` commands to the `voiceshop` command tree."""
    from voiceshop.cli import command_group, page_size

    hooks = sub.add_parser("webhooks", help="deliver order events as signed webhooks").add_subparsers(
        dest="webhooks_command", required=True, metavar="ACTION"
    )
    deliver = leaf(hooks, "deliver", cmd_webhooks_deliver, "send due events to VOICESHOP_WEBHOOK_URL, signed")
    deliver.add_argument("--url", default=None, help="receiver URL (default: VOICESHOP_WEBHOOK_URL)")
    deliver.add_argument("--secret", default=None, help="signing secret (default: VOICESHOP_WEBHOOK_SECRET)")
    deliver.add_argument("--limit", type=page_size, default=100, help="events per pass")
    deliver.add_argument("--rounds", type=page_size, default=1, help="passes to make (retries come due between them)")
    deliver.add_argument("--interval", type=float, default=30.0, help="seconds between passes")
    listing = leaf(hooks, "list", cmd_webhooks_list, "events and where their delivery stands")
    listing.add_argument("--state", choices=STATES, default=PENDING)
    listing.add_argument("--limit", type=page_size, default=50)
    leaf(hooks, "dead", cmd_webhooks_dead, "events that used up their tries").add_argument(
        "--limit", type=page_size, default=50
    )
    leaf(hooks, "requeue", cmd_webhooks_requeue, "deliver a dead event again").add_argument("event", help="event id")

    calls = sub.add_parser("callbacks", help="shoppers who asked for a person").add_subparsers(
        dest="callbacks_command", required=True, metavar="ACTION"
    )
    leaf(calls, "list", cmd_callbacks_list, "open call-back requests, oldest first").add_argument(
        "--limit", type=page_size, default=50
    )
    done = leaf(calls, "done", cmd_callbacks_done, "close a request after calling back")
    done.add_argument("callback", help="call-back id (see 'callbacks list')")
    done.add_argument("--note", default=None, help="what was done, for the record")

    report = command_group(sub, "report", "what the shop learns from its shoppers")
    searches = leaf(
        report, "searches", cmd_report_searches,
        "what shoppers asked for that found nothing or was asked back (counts per day and channel, no customer)",
    )  # fmt: skip
    searches.add_argument("--days", type=report_days, default=7, help="days back, today (UTC) included (default 7)")
