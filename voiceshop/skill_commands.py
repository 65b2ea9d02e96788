"""The Alexa channel's commands: `voiceshop say` (a local Alexa) and `voiceshop serve` (the web endpoint).

Registered through `voiceshop.cli.EXTENSION_MODULES`; ask-sdk and Flask are imported only when one of
these commands runs, so the other commands stay quick.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
from collections.abc import Callable
from typing import Any

from catalog.config import Settings

__all__ = ["DEFAULT_CUSTOMER", "cmd_say", "cmd_serve", "cmd_skill_package", "register"]

DEFAULT_CUSTOMER = "amzn1.ask.account.SIMULATOR"


def cmd_say(args: argparse.Namespace) -> int:
    """Say one utterance to the skill through `lambda_handler`, keeping the session between calls."""
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")  # the skill's JSON logs would drown the reply
    from intents.language import available_locales

    if args.locale not in available_locales():
        known = ", ".join(available_locales())
        print(f"voiceshop say: --locale {args.locale!r} has no interaction model (known: {known})", file=sys.stderr)
        return 2
    from skill.lambda_function import configured_skill_id, current_shop, lambda_handler
    from skill.simulator import Simulator, redacted

    simulator = Simulator(
        customer=args.customer,
        state_dir=Settings.from_env().data_dir / "simulator",
        skill_id=configured_skill_id(),
        handler=lambda_handler,
        locale=args.locale,
        apl=args.screen,
    )
    emitted = io.StringIO()
    with contextlib.redirect_stdout(emitted):  # Powertools prints its EMF metrics to stdout
        turn = simulator.say(args.text, new_session=args.new_session)
    current_shop().flush_unanswered_searches(quietly=True)  # this process ends now: its tally goes with it
    if args.json:
        # The request carries the slots as heard; a purchase code among them is masked (issue 11).
        print(json.dumps({"request": redacted(turn.request), "response": turn.response}, indent=2))
    else:
        print(turn.speech)
        if turn.ended:
            print("(session ended)", file=sys.stderr)
    return 0


def cmd_skill_package(args: argparse.Namespace) -> int:
    """Write the ASK CLI package's interaction models from `models/` (or only check them with --check)."""
    from pathlib import Path

    from voiceshop.skill_package import PACKAGE_DIR, endpoint, package_problems, set_endpoint, write_models

    package_dir = Path(args.package_dir) if args.package_dir else PACKAGE_DIR
    if not (package_dir / "skill.json").is_file():
        print(
            f"voiceshop skill package: no skill.json in {package_dir}. The ASK CLI project (skill-package/, "
            "ask-resources.json) is in the repository, not in the wheel: run this from a clone, or pass "
            "--package-dir PATH/skill-package",
            file=sys.stderr,
        )
        return 2
    if args.endpoint:
        try:
            set_endpoint(args.endpoint, package_dir)
        except ValueError as refusal:
            print(f"voiceshop skill package: {refusal}; skill.json is unchanged", file=sys.stderr)
            return 2
    if not args.check:
        changed = write_models(package_dir)
        print(f"skill-package: {', '.join(changed) or 'no'} interaction models rewritten", file=sys.stderr)
    problems = package_problems(package_dir)
    print("\n".join(problems) or "skill-package: ok (manifest, models in step, example phrases, permissions)")
    uri = endpoint(package_dir)
    if uri is None:
        print(
            "skill-package: no endpoint yet (right for the first `ask deploy`, which creates the skill); after "
            "`sam deploy`: voiceshop skill package --endpoint <FunctionArn>",
            file=sys.stderr,
        )
    else:
        print(f"skill-package: endpoint {uri}", file=sys.stderr)
    return 1 if problems else 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the verified web endpoint on waitress (see `skill/server.py` for why), behind a TLS proxy."""
    from skill.lambda_function import create_web_app
    from skill.server import ServerLimits, create_server

    limits = ServerLimits(threads=args.threads, timeout=args.timeout, connection_limit=args.connection_limit)
    server = create_server(create_web_app(), args.host, args.port, limits)
    print(
        f"serving POST /alexa and GET /health on http://{args.host}:{server.port} "
        f"({limits.threads} threads, {limits.timeout} s timeout, {limits.connection_limit} connections)",
        file=sys.stderr,
    )
    server.run()
    return 0


def register(sub: Any, leaf: Callable[..., argparse.ArgumentParser]) -> None:
    """Add `say` and `serve` to the `voiceshop` command."""
    say = leaf(sub, "say", cmd_say, "say something to the Alexa skill (a real envelope through lambda_handler)")
    say.add_argument("text", help='what you would say to Alexa, e.g. "open corner market" or "find oat milk"')
    say.add_argument("--customer", default=DEFAULT_CUSTOMER, help="the Alexa user id to speak as")
    say.add_argument("--new-session", action="store_true", help="forget the open session and start a new one")
    say.add_argument("--locale", default="en-US", help="the device's locale, one of models/<locale>.json")
    say.add_argument("--screen", action="store_true", help="speak from a device with a screen (advertises APL)")
    skill = sub.add_parser("skill", help="the ASK CLI skill package").add_subparsers(
        dest="skill_command", required=True, metavar="ACTION"
    )
    package = leaf(skill, "package", cmd_skill_package, "write skill-package/ models from models/ and check it")
    package.add_argument("--check", action="store_true", help="only check; exit 1 when anything is out of step")
    package.add_argument("--endpoint", default=None, help="set the manifest's endpoint (the FunctionArn output)")
    package.add_argument("--package-dir", default=None, help="the skill-package/ folder (default: the checkout's)")
    serve = leaf(sub, "serve", cmd_serve, "serve the skill as a self-hosted, request-verifying web service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5000)
    serve.add_argument("--threads", type=int, default=8, help="requests handled at once; others queue (default 8)")
    serve.add_argument("--timeout", type=int, default=10, help="seconds a silent connection stays open (default 10)")
    serve.add_argument("--connection-limit", type=int, default=100, help="open connections at most (default 100)")
