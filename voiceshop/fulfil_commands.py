"""`voiceshop customers set-address` and `voiceshop returns list|advance`: ops' side of delivery and returns.

Addresses are set by ops rather than by voice (an address misheard by a recognizer would send an order
to the wrong door), and a return moves requested -> received -> refunded only when ops say it arrived.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from catalog.returns import ReturnRecord, ReturnStatus


def return_text(record: ReturnRecord) -> str:
    """One return as a line for ops."""
    from voiceshop.cli import money

    units = sum(line.quantity for line in record.lines)
    return (
        f"{record.return_number:14} {record.status.value:9} {record.created_at:%Y-%m-%d %H:%M} "
        f"{money(record.refund, record.currency):>10}  {units} units of order {record.order_number}  "
        f"id {record.return_id}"
    )


def cmd_customers_set_address(args: argparse.Namespace) -> int:
    """Store a customer's delivery address (and optionally their default delivery option)."""
    from voiceshop.cli import _shop, emit

    customer = _shop().set_delivery_profile(args.customer, address=args.address, option=args.delivery)
    option = customer.delivery_option or "the shop's default"
    emit(
        args,
        customer,
        f"Customer {customer.customer_id}: deliver to {customer.address or '(no address)'}, by {option}.",
    )
    return 0


def cmd_returns_list(args: argparse.Namespace) -> int:
    """Every return, newest first, a page at a time."""
    from voiceshop.cli import _shop, cursor_refused, emit_page

    try:
        page = _shop().returns(limit=args.limit, cursor=args.cursor)
    except ValueError as error:
        return cursor_refused("returns list", error)
    return emit_page(args, page, [return_text(record) for record in page.returns], "No returns.")


def cmd_returns_advance(args: argparse.Namespace) -> int:
    """Move a return one step; receiving it puts its units back in stock."""
    from voiceshop.cli import _shop, emit

    record = _shop().advance_return(args.return_id, args.to)
    emit(args, record, f"Return {record.return_number} is now {record.status.value}.")
    return 0


def register(sub: Any, leaf: Callable[..., argparse.ArgumentParser]) -> None:
    """Add the `customers` and `returns` commands to the `voiceshop` command tree."""
    from voiceshop.cli import command_group, page_size

    customers = command_group(sub, "customers", "customer accounts: lockouts, addresses")
    address = leaf(customers, "set-address", cmd_customers_set_address, "set a customer's delivery address")
    address.add_argument("customer", help="customer id (an Alexa user or person id, or a kiosk customer's id)")
    address.add_argument("address", help='the delivery address as it should be read back, e.g. "12 Elm Street"')
    address.add_argument("--delivery", default=None, help="default delivery option (standard, express, pickup)")

    returns = sub.add_parser("returns", help="list and move returns").add_subparsers(
        dest="returns_command", required=True, metavar="ACTION"
    )
    listing = leaf(returns, "list", cmd_returns_list, "every return, newest first")
    listing.add_argument("--limit", type=page_size, default=20, help="returns per page (1 or more)")
    listing.add_argument("--cursor", default=None, help="continue after a previous page")
    advance = leaf(returns, "advance", cmd_returns_advance, "move a return to its next status")
    advance.add_argument("return_id", help="return id (see 'returns list')")
    advance.add_argument(
        "--to", required=True, choices=[s.value for s in ReturnStatus if s is not ReturnStatus.REQUESTED]
    )
