"""`voiceshop promotions import|list`: ops load the shop's promotions like the catalog, and see what is stored.

An import is all or nothing: every bad row is named on stderr and nothing changes (exit 2), because a
half-imported promotions file would put some prices on sale and leave their companions at full price.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from catalog.deals import read_promotions, shop_today
from catalog.promotions import Promotion, PromotionKind, promotion_row


def promotion_text(promotion: Promotion) -> str:
    """One promotion as a line for ops: id, what it takes off, on what, when, and whether it runs today."""
    from voiceshop.cli import money

    if promotion.kind is PromotionKind.PERCENT:
        off = f"{promotion.value.normalize():f}% off"
    elif promotion.kind is PromotionKind.AMOUNT:
        off = f"{money(promotion.value, promotion.currency)} off each"
    else:
        off = f"buy {promotion.buy} get {promotion.free} free"
    today = shop_today()
    state = "running" if promotion.active_on(today) else "ended" if promotion.ends < today else "starts later"
    return (
        f"{promotion.promotion_id:20} {off:22} {promotion.target.value} {promotion.target_value:16} "
        f"{promotion.starts} to {promotion.ends}  {state:12} {promotion.title}"
    )


def cmd_promotions_import(args: argparse.Namespace) -> int:
    """Check every row, then store them all or none; a refused file names each bad row and exits 2."""
    from voiceshop.cli import USAGE_ERROR, _shop, emit

    try:
        rows = read_promotions(Path(args.path))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        print(f"Cannot read {args.path}: {error}", file=sys.stderr)
        return USAGE_ERROR
    shop = _shop()
    if shop.settings.is_local:
        shop.repository.ensure_table()
    if args.if_empty and shop.promotions_imported():
        emit(args, {"skipped": True}, "Promotions are already imported; leaving them as they are.")
        return 0
    report = shop.import_promotions(rows, replace_all=args.replace_all)
    if not report.stored:
        for error in report.errors:
            print(f"refused {error}", file=sys.stderr)
        print(f"Nothing imported: {len(report.errors)} of {len(rows)} rows refused; fix them and import again.",
              file=sys.stderr)  # fmt: skip
        if args.json:
            emit(args, report, "")
        return USAGE_ERROR
    ended = " (every other promotion ended)" if args.replace_all else f", {report.kept} kept"
    emit(args, report, f"Imported {report.created + report.updated} promotions "
                       f"({report.created} new, {report.updated} updated){ended}.")  # fmt: skip
    return 0


def cmd_promotions_list(args: argparse.Namespace) -> int:
    """Every stored promotion, past, running and future, by start date."""
    from voiceshop.cli import _shop, emit

    promotions = _shop().promotions()
    rows = [promotion_row(promotion) | {"running": promotion.active_on(shop_today())} for promotion in promotions]
    emit(args, rows, "\n".join(promotion_text(p) for p in promotions) or "No promotions.")
    return 0


def register(sub: Any, leaf: Callable[..., argparse.ArgumentParser]) -> None:
    """Add `promotions import` and `promotions list` to the `voiceshop` command tree."""
    from voiceshop.cli import command_group

    promotions = command_group(sub, "promotions", "import and list the shop's promotions")
    importer = leaf(
        promotions,
        "import",
        cmd_promotions_import,
        "import promotions from JSON or CSV, all or nothing (a bad row refuses the file, exit 2)",
    )
    importer.add_argument(
        "path",
        help='.json ({"promotions": [...]} or a list) or .csv with the columns '
        "id,title,kind,target,applies_to,starts,ends,value,buy,free,currency",
    )
    importer.add_argument(
        "--replace-all", action="store_true", help="end every promotion the file does not hold (default: keep them)"
    )
    importer.add_argument("--if-empty", action="store_true", help="only import when no promotions were ever imported")
    leaf(promotions, "list", cmd_promotions_list, "every stored promotion, past, running and future")
