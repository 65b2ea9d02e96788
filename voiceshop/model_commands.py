"""`voiceshop model generate|check`: keep the interaction models in step with the catalog and the code.

The PRODUCT and CATEGORY slot types are generated, never hand-edited, and `check` is what CI and a
person run before deploying a model to Alexa or building the kiosk's grammar from it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from catalog.importer import read_catalog
from catalog.model import Product
from intents.language import available_locales, base_locale, check_model, load_model, model_path
from intents.model_generator import write_model
from voiceshop.skill_package import PACKAGE_DIR, write_models

NOT_INTENTS = frozenset({"LaunchRequest", "SessionEndedRequest"})


def _products(args: argparse.Namespace) -> list[Product] | None:
    """Products from the catalog file, or from the shop's table when no file is given."""
    if args.catalog is None:
        from catalog.services import Shop

        return list(Shop().repository.all_products())
    try:
        parsed = read_catalog(Path(args.catalog))
    except (OSError, ValueError) as error:
        print(f"Cannot read {args.catalog}: {error}", file=sys.stderr)
        return None
    for error in parsed.errors:
        print(f"  skipped {error}", file=sys.stderr)
    return parsed.products


def cmd_model_generate(args: argparse.Namespace) -> int:
    """Rewrite a locale's PRODUCT and CATEGORY types from the catalog."""
    from voiceshop.cli import emit

    products = _products(args)
    if not products:
        print("No products to generate slot types from.", file=sys.stderr)
        return 2
    models_dir = Path(args.models_dir) if args.models_dir else None
    locales = [args.locale] if args.locale else base_locales(models_dir)
    changed = {locale: write_model(locale, products, models_dir) for locale in locales}
    if models_dir is None and PACKAGE_DIR.is_dir():  # the ASK CLI package deploys the same models
        write_models()
    categories = len({product.category for product in products if product.category})
    reports = [
        {"path": str(model_path(locale, models_dir)), "products": len(products), "categories": categories,
         "changed": updated}
        for locale, updated in changed.items()
    ]  # fmt: skip
    lines = [
        f"{r['path']}: {len(products)} products, {categories} categories ("
        + ("updated" if r["changed"] else "unchanged")
        + ")."
        for r in reports
    ]
    emit(args, reports[0] if len(reports) == 1 else reports, "\n".join(lines))
    return 0


def base_locales(models_dir: Path | None = None) -> list[str]:
    """Locales whose model holds its own slot types (en-US, es-US); the others inherit their base's."""
    return [locale for locale in available_locales(models_dir) if base_locale(locale, models_dir) is None]


def problems_for(locale: str) -> list[str]:
    """What is wrong with one locale's model, including intents the conversation does not handle."""
    from intents.registry import HANDLERS

    model = load_model(locale)
    problems = check_model(model, handled=HANDLERS)
    missing = sorted(set(HANDLERS) - set(model.intents) - NOT_INTENTS)
    return problems + [f"{locale}: handled intent {name} is not in the model" for name in missing]


def cmd_model_check(args: argparse.Namespace) -> int:
    """Validate every locale's model; exit 1 when anything would be refused."""
    from voiceshop.cli import emit

    report = {locale: problems_for(locale) for locale in available_locales()}
    lines = [problem for problems in report.values() for problem in problems]
    lines += [f"{locale}: ok" for locale, problems in report.items() if not problems]
    emit(args, report, "\n".join(lines) or "No models found.")
    return 1 if any(report.values()) or not report else 0


def register(sub: Any, leaf: Callable[..., argparse.ArgumentParser]) -> None:
    """Add the `model` commands to the `voiceshop` command tree."""
    model = sub.add_parser("model", help="generate and check the interaction models").add_subparsers(
        dest="model_command", required=True, metavar="ACTION"
    )
    generate = leaf(model, "generate", cmd_model_generate, "write the PRODUCT and CATEGORY slot types from the catalog")
    generate.add_argument("--catalog", default=None, help="catalog file (default: the products in DynamoDB)")
    generate.add_argument(
        "--locale", default=None, help="which models/<locale>.json to update (default: every locale with its own types)"
    )
    generate.add_argument(
        "--models-dir", default=None, help="folder holding <locale>.json (default: the repo's models/)"
    )
    leaf(model, "check", cmd_model_check, "validate every locale's model (exit 1 on any problem)")
