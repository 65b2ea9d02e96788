"""The `voiceshop` command: ops and developers run the shop, its database and its channels from here.

Every sub-command that prints data also takes `--json`, so scripts never parse the human text.
Domain refusals print their explanation and exit 2; nothing is changed when that happens. A catalog
import that skipped some rows but wrote the rest exits 1, so a script never takes it for a full one.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from catalog.config import Settings
from catalog.dynamodb_local import DynamoDBLocal, DynamoDBLocalError
from catalog.errors import StoreUnavailable, VoiceshopError
from catalog.importer import read_catalog
from catalog.model import Cart, Order, OrderStatus, StockMode
from catalog.services import Shop

Handler = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, Handler] = {}
USAGE_ERROR = 2
"""What argparse exits with for a usage error; a bad `--cursor`, found only when it is read, exits the same."""


def page_size(text: str) -> int:
    """An argparse type for `--limit`: a whole number of 1 or more (0 or less asked DynamoDB for nothing)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number of 1 or more, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _jsonable(value: Any) -> Any:
    """Money as strings (never floats), dates as ISO text, dataclasses as objects."""
    if is_dataclass(value) and not isinstance(value, type):
        data = {k: _jsonable(v) for k, v in asdict(value).items()}
        for extra in ("total", "line_total"):
            if hasattr(value, extra):
                data[extra] = _jsonable(getattr(value, extra))
        return data
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def emit(args: argparse.Namespace, data: Any, text: str) -> None:
    """Print JSON for scripts or text for people."""
    print(json.dumps(_jsonable(data), indent=2) if getattr(args, "json", False) else text)


def emit_page(args: argparse.Namespace, page: Any, lines: list[str], empty: str) -> int:
    """Print one page of a listing, and the `--cursor` that fetches the next (orders, returns)."""
    text = "\n".join(lines) or empty
    if page.cursor:
        text += f"\n(more: --cursor {page.cursor})"
    emit(args, page, text)
    return 0


def cursor_refused(command: str, error: ValueError) -> int:
    """A cursor the shop could not read is a usage error in one line; nothing was asked of DynamoDB."""
    hint = "pass the one a previous page printed"
    print(f"voiceshop {command}: error: argument --cursor: {error}; {hint}", file=sys.stderr)
    return USAGE_ERROR


def money(amount: Decimal, currency: str = "USD") -> str:
    """$4.99 for dollars, '4.99 EUR' otherwise."""
    return f"${amount:.2f}" if currency == "USD" else f"{amount:.2f} {currency}"


def _shop() -> Shop:
    return Shop(Settings.from_env())


def _server(args: argparse.Namespace) -> DynamoDBLocal:
    settings = Settings.from_env()
    port = args.port or int((settings.endpoint or "http://127.0.0.1:8000").rsplit(":", 1)[-1].strip("/"))
    return DynamoDBLocal(settings.data_dir, port=port)


def cmd_db(args: argparse.Namespace) -> int:
    """Start, stop or describe the local DynamoDB emulator."""
    server = _server(args)
    if args.action == "start":
        server.start()
        settings = Settings.from_env()
        import os

        exported = os.environ.get("VOICESHOP_DYNAMODB_ENDPOINT")
        os.environ.setdefault("VOICESHOP_DYNAMODB_ENDPOINT", server.endpoint)
        created = Shop(Settings.from_env()).repository.ensure_table()
        if exported != server.endpoint and server.endpoint != Settings.from_env({}).endpoint:
            print(f"Other commands will not find it there: export VOICESHOP_DYNAMODB_ENDPOINT={server.endpoint}",
                  file=sys.stderr)  # fmt: skip
        emit(
            args,
            {
                "endpoint": server.endpoint,
                "table": settings.table,
                "created_table": created,
                "data": str(server.db_path),
            },
            f"DynamoDB Local is running at {server.endpoint} (data in {server.db_path}); "
            f"table '{settings.table}' {'created' if created else 'ready'}.",
        )
    elif args.action == "stop":
        stopped = server.stop()
        emit(args, {"stopped": stopped}, "DynamoDB Local stopped." if stopped else "DynamoDB Local was not running.")
    else:
        running = server.running()
        emit(
            args,
            {"running": running, "endpoint": server.endpoint, "pid": server.pid()},
            f"DynamoDB Local is {'running at ' + server.endpoint if running else 'not running'}.",
        )
        return 0 if running else 1
    return 0


def cmd_catalog_import(args: argparse.Namespace) -> int:
    """Upsert a JSON or CSV catalog; bad rows are listed and skipped, and a partial import exits 1."""
    try:
        parsed = read_catalog(Path(args.path))
    except (OSError, ValueError) as error:
        print(f"Cannot read {args.path}: {error}", file=sys.stderr)
        return 2
    shop = _shop()
    if shop.settings.is_local:
        shop.repository.ensure_table()
    if args.if_empty and shop.repository.catalog_version() > 0:
        emit(args, {"skipped": True}, "The catalog is already loaded; leaving it (and its stock) as it is.")
        return 0
    report = shop.import_rows(parsed.rows, parsed.errors, StockMode(args.stock))
    policy = shop.import_policy(parsed.policy)
    lines = [
        f"Imported {report.written} products ({report.created} new, {report.updated} updated, "
        f"stock {report.stock.value}); catalog version {report.version}."
    ]
    if policy:
        lines.append(f"  stored the shop's {', '.join(policy)} terms")
    if report.stock_kept:
        lines.append(f"  kept the live stock of {report.stock_kept} products (--stock set or add changes it)")
    lines += [f"  skipped {error}" for error in report.errors]
    emit(args, report, "\n".join(lines))
    if not report.errors:
        return 0
    return 1 if report.written else 2


def cmd_catalog_search(args: argparse.Namespace) -> int:
    """Search as a voice channel would, with scores."""
    result = _shop().search(args.query, limit=args.limit)
    if not result.hits:
        text = f"Nothing matches '{args.query}'."
    else:
        text = "\n".join(
            f"{hit.score:5.1f}  {hit.product.sku:14} {hit.product.name} ({hit.product.brand}, {hit.product.size}) "
            f"{money(hit.product.price, hit.product.currency)}{'' if hit.product.in_stock else '  OUT OF STOCK'}"
            for hit in result.hits
        )
        notes = [
            f"price under {money(result.price_cap)}" if result.price_cap is not None else "",
            f"category {result.category}" if result.category else "",
            "ambiguous" if result.ambiguous else "",
        ]
        if any(notes):
            text += "\n(" + ", ".join(n for n in notes if n) + ")"
    emit(args, result, text)
    return 0


def cart_text(cart: Cart) -> str:
    """A cart as ops read it."""
    if not cart.lines:
        return "The cart is empty."
    rows = [
        f"{line.quantity:3} x {line.name:40} {money(line.unit_price):>9} {money(line.line_total):>10}"
        for line in cart.lines
    ]
    return "\n".join([*rows, f"{'total':>58} {money(cart.total):>10}"])


def cmd_cart_show(args: argparse.Namespace) -> int:
    """Show one customer's cart."""
    cart = _shop().cart(args.customer)
    emit(args, cart, cart_text(cart))
    return 0


def order_text(order: Order) -> str:
    """One order as a line for ops."""
    return (
        f"{order.order_number:14} {order.status.value:17} {order.created_at:%Y-%m-%d %H:%M} "
        f"{money(order.total, order.currency):>10}  deliver by {order.expected_delivery}  id {order.order_id}"
    )


def cmd_orders_list(args: argparse.Namespace) -> int:
    """A customer's orders newest first, or every order in one status oldest first (`--status`).

    A cursor this shop did not hand out (or handed out for the other listing) is a usage error (exit 2).
    """
    try:
        if args.status:
            page = _shop().orders_in_status(args.status, limit=args.limit or 50, cursor=args.cursor)
        else:
            page = _shop().orders(args.customer, limit=args.limit or 10, cursor=args.cursor)
    except ValueError as error:
        return cursor_refused("orders list", error)
    if args.status:
        lines = [f"{order_text(o)}  customer {o.customer_id}" for o in page.orders]
        return emit_page(args, page, lines, f"No {args.status} orders.")
    return emit_page(args, page, [order_text(o) for o in page.orders], "No orders.")


def cmd_orders_reindex(args: argparse.Namespace) -> int:
    """One-off after upgrading: list orders written before the status index under their status (a scan)."""
    written = _shop().reindex_orders()
    emit(args, {"reindexed": written}, f"Indexed {written} orders by status.")
    return 0


def cmd_orders_show(args: argparse.Namespace) -> int:
    """One order by id or spoken number ("4821 maple"), with its lines and history."""
    order = _shop().order(args.customer, args.order)
    lines = [f"  {line.quantity:3} x {line.name:40} {money(line.line_total, order.currency)}" for line in order.lines]
    history = [f"  {change.at:%Y-%m-%d %H:%M} {change.status.value}" for change in order.history]
    emit(args, order, "\n".join([order_text(order), *lines, *history]))
    return 0


def cmd_customers_unlock(args: argparse.Namespace) -> int:
    """Lift a purchase (or kiosk sign-in) lockout now; exit 2 for a customer the shop does not know."""
    unlocked = _shop().unlock(args.customer, "sign_in" if args.sign_in else "purchase")
    emit(args, {"unlocked": unlocked}, "Unlocked." if unlocked else "No such customer; nothing changed.")
    return 0 if unlocked else USAGE_ERROR


def cmd_orders_advance(args: argparse.Namespace) -> int:
    """Move an order along; illegal moves are refused."""
    order = _shop().advance(args.order, args.to)
    emit(args, order, f"Order {order.order_number} is now {order.status.value}.")
    return 0


def _version() -> str:
    """The installed distribution's version (one number: pyproject.toml's)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("voiceshop")
    except PackageNotFoundError:
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    """The command tree; each leaf sets `handler`."""
    parser = argparse.ArgumentParser(
        prog="voiceshop",
        description="Run the voiceshop backend: its local database, catalog, carts, orders and voice channels.",
        epilog="Storage: VOICESHOP_DYNAMODB_ENDPOINT (default http://127.0.0.1:8000; 'aws' for DynamoDB on AWS), "
        "VOICESHOP_TABLE (default voiceshop), AWS_REGION, "
        "VOICESHOP_DATA_DIR (default: the checkout's .data, else ~/.local/share/voiceshop).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def leaf(parent: Any, name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        node = parent.add_parser(name, help=help_text, description=help_text)
        node.add_argument("--json", action="store_true", help="print machine-readable JSON")
        node.set_defaults(handler=handler)
        return node

    db = leaf(sub, "db", cmd_db, "start, stop or check DynamoDB Local (data kept under the data folder)")
    db.add_argument("action", choices=["start", "stop", "status"])
    db.add_argument("--port", type=int, default=None, help="port (default: the endpoint's, 8000)")

    catalog = sub.add_parser("catalog", help="import and search the product catalog").add_subparsers(
        dest="catalog_command", required=True, metavar="ACTION"
    )
    importer = leaf(catalog, "import", cmd_catalog_import, "import a JSON or CSV catalog (re-import updates in place)")
    importer.add_argument("path", help="catalog file (.json like the demo catalog, or .csv with the same columns)")
    importer.add_argument("--if-empty", action="store_true", help="only import when no catalog is loaded yet")
    importer.add_argument(
        "--stock",
        choices=[mode.value for mode in StockMode],
        default=StockMode.KEEP.value,
        help="existing products: keep live stock (default), set it to the file's count, or add the file's count; "
        "new products start at the file's count (0 if none). Exit 1: some rows skipped, the rest imported; "
        "exit 2: nothing imported",
    )
    search = leaf(catalog, "search", cmd_catalog_search, "search the catalog the way a voice channel does")
    search.add_argument("query", help='what a shopper might say, e.g. "oat milk under five dollars"')
    search.add_argument("--limit", type=page_size, default=5, help="how many results (1 or more)")

    cart = sub.add_parser("cart", help="inspect carts").add_subparsers(
        dest="cart_command", required=True, metavar="ACTION"
    )
    leaf(cart, "show", cmd_cart_show, "show a customer's cart").add_argument("--customer", required=True)

    orders = sub.add_parser("orders", help="list and move orders").add_subparsers(
        dest="orders_command", required=True, metavar="ACTION"
    )
    listing = leaf(
        orders, "list", cmd_orders_list, "a customer's orders newest first, or every order in one status oldest first"
    )
    whose = listing.add_mutually_exclusive_group(required=True)
    whose.add_argument("--customer", help="one customer's orders")
    whose.add_argument(
        "--status", choices=[s.value for s in OrderStatus], help="every customer's orders in this status (an index)"
    )
    listing.add_argument("--limit", type=page_size, default=None, help="orders per page (1 or more; 10, by status 50)")
    listing.add_argument("--cursor", default=None, help="continue after a previous page")
    leaf(orders, "reindex", cmd_orders_reindex, "one-off: index orders from before 'list --status' existed (scans)")
    show = leaf(orders, "show", cmd_orders_show, "one order by id or spoken number, with lines and history")
    show.add_argument("order", help='order id or spoken number ("4821 maple")')
    show.add_argument("--customer", required=True)
    customers = command_group(sub, "customers", "customer accounts: lockouts, addresses")
    unlock = leaf(customers, "unlock", cmd_customers_unlock, "lift a purchase-code lockout now")
    unlock.add_argument("customer")
    unlock.add_argument("--sign-in", action="store_true", help="lift the kiosk sign-in pause instead")
    advance = leaf(orders, "advance", cmd_orders_advance, "move an order to its next status")
    advance.add_argument("order", help="order id (see 'orders list')")
    advance.add_argument("--to", required=True, choices=[s.value for s in OrderStatus])

    for register in _extensions():
        register(sub, leaf)
    return parser


Extension = Callable[[Any, Callable[..., argparse.ArgumentParser]], None]
def command_group(sub: Any, name: str, help_text: str) -> Any:
    """The sub-commands of `voiceshop NAME`, made once: several modules add actions to one group."""
    existing = sub.choices.get(name)
    if existing is not None:
        return next(action for action in existing._actions if isinstance(action, argparse._SubParsersAction))
    return sub.add_parser(name, help=help_text).add_subparsers(dest=f"{name}_command", required=True, metavar="ACTION")


EXTENSION_MODULES = (
    "voiceshop.model_commands",
    "voiceshop.ops_commands",
    "voiceshop.fulfil_commands",
    "voiceshop.promotion_commands",
    "voiceshop.skill_commands",
    "voiceshop.kiosk_commands",
)


def _extensions() -> list[Extension]:
    """Channel commands live beside their channel; each module exposes `register(sub, leaf)`."""
    import importlib

    found: list[Extension] = []
    for name in EXTENSION_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            continue
        found.append(module.register)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run one command, turning refusals into readable messages."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except StoreUnavailable as error:
        settings = Settings.from_env()
        where = settings.endpoint or f"AWS ({settings.region})"
        print(
            f"DynamoDB is not reachable at {where} ({error.detail}). "
            "Start the local one with 'voiceshop db start', or check VOICESHOP_DYNAMODB_ENDPOINT.",
            file=sys.stderr,
        )
        return 3
    except DynamoDBLocalError as error:
        print(str(error), file=sys.stderr)
        return 3
    except VoiceshopError as error:
        print(f"Refused: {describe_error(error)}", file=sys.stderr)
        return 2


def describe_error(error: VoiceshopError) -> str:
    """A one-line, data-only explanation for ops (channels word their own, per locale)."""
    fields = ", ".join(f"{k}={v}" for k, v in _jsonable(error).items()) if is_dataclass(error) else str(error)
    return f"{type(error).__name__} ({fields})"


if __name__ == "__main__":
    sys.exit(main())
