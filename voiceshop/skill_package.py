"""The ASK CLI v2 skill package (`skill-package/`), kept in step with `models/`, the one source of phrases.

`skill-package/skill.json` is the manifest, edited by hand (publishing text, privacy answers,
permissions). `skill-package/interactionModels/custom/<locale>.json` is generated: every locale's model
with its base merged in (`intents.language.resolved_model_json`), because Alexa knows nothing of our
`extends`. `voiceshop skill package` writes them; `package_problems` is the local part of certification
that `tests/test_skill_package.py` and `voiceshop skill package --check` run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from catalog.text import normalize
from intents.language import available_locales, load_model, resolved_model_json
from intents.lexicon import load_lexicon
from intents.matching import match

__all__ = ["PACKAGE_DIR", "endpoint", "manifest", "package_problems", "set_endpoint", "write_models"]

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "skill-package"
USED_PERMISSIONS = {"alexa::person_id:read"}
"""Skill personalization: the person id keeps two voices in one household apart (`skill.envelope.customer_id`)."""


def _render(data: dict[str, Any]) -> str:
    """JSON as committed: two-space indent, non-ASCII kept, one trailing newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _model_file(package_dir: Path, locale: str) -> Path:
    return package_dir / "interactionModels" / "custom" / f"{locale}.json"


def _stale(package_dir: Path, locale: str) -> bool:
    """True when the package's model for a locale is missing or differs from `models/`."""
    path = _model_file(package_dir, locale)
    return not path.is_file() or json.loads(path.read_text(encoding="utf-8")) != resolved_model_json(locale)


def write_models(package_dir: Path = PACKAGE_DIR) -> list[str]:
    """Write every locale's resolved model into the package; the locales whose file changed."""
    changed = []
    for locale in available_locales():
        path = _model_file(package_dir, locale)
        text = _render(resolved_model_json(locale))
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            changed.append(locale)
    return changed


def manifest(package_dir: Path = PACKAGE_DIR) -> dict[str, Any]:
    """The committed `skill.json`."""
    return dict(json.loads((package_dir / "skill.json").read_text(encoding="utf-8")))


LAMBDA_ARN = re.compile(
    r"arn:aws[a-z-]*:lambda:[a-z]{2}(-[a-z]+)+-\d:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?"
)
"""A function ARN, optionally with a version or alias: what the stack's `FunctionArn` output holds."""


def endpoint(package_dir: Path = PACKAGE_DIR) -> str | None:
    """The manifest's endpoint URI, None while it is unset (as committed: see `set_endpoint`)."""
    custom = manifest(package_dir)["manifest"]["apis"]["custom"]
    return custom.get("endpoint", {}).get("uri")


def set_endpoint(uri: str, package_dir: Path = PACKAGE_DIR) -> None:
    """Point the manifest at the deployed backend (the SAM stack's FunctionArn, or an HTTPS URL).

    The committed manifest has no endpoint on purpose: `ask deploy` refuses a Lambda ARN whose function
    does not yet let this skill invoke it ("The trigger setting for the Lambda ... is invalid",
    alexa/ask-cli#365), and the stack can only allow a skill id that exists. So the first deploy creates
    the skill without one, and this sets it once the stack is up. Anything but a function ARN or an
    https URL is refused before the file is touched (a pasted stack name would fail only at `ask deploy`).
    """
    uri = uri.strip()
    if not (LAMBDA_ARN.fullmatch(uri) or re.fullmatch(r"https://[^\s/]+\.[^\s/]+(/\S*)?", uri)):
        raise ValueError(
            f"{uri!r} is neither a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME, the stack's "
            "FunctionArn output) nor an https:// URL"
        )
    data = manifest(package_dir)
    endpoint: dict[str, Any] = {"uri": uri}
    if uri.startswith("https://"):
        endpoint["sslCertificateType"] = "Trusted"
    data["manifest"]["apis"]["custom"]["endpoint"] = endpoint
    (package_dir / "skill.json").write_text(_render(data), encoding="utf-8")


def _phrase_problems(locale: str, phrases: list[str]) -> list[str]:
    """Certification's example-phrase rules: at most three, the first a launch, each one the model hears.

    The launch and "ask" verbs are the locale's language's ("Alexa, abre ...", "Alexa, pregúntale a ...").
    """
    model = load_model(locale)
    lexicon = load_lexicon(locale)
    name = normalize(model.invocation_name)
    problems = [] if 1 <= len(phrases) <= 3 else [f"{locale}: needs one to three example phrases"]
    opens = {f"alexa {verb} {name}" for verb in lexicon.launch_open[:2]}
    if phrases and normalize(phrases[0]) not in opens:
        problems.append(f"{locale}: the first example phrase must be 'Alexa, {lexicon.launch_open[0]} {name}'")
    asks = [f"alexa {ask} {name} {joiner}".strip() + " " for ask in lexicon.launch_ask for joiner in ("to", "")]
    for phrase in phrases[1:]:
        said = normalize(phrase)
        prefix = next((p for p in asks if said.startswith(p)), None)
        if prefix is None or match(said[len(prefix) :], model) is None:
            problems.append(f"{locale}: example {phrase!r} is not 'Alexa, ask {name} to <something the model hears>'")
    return problems


def package_problems(package_dir: Path = PACKAGE_DIR) -> list[str]:
    """What Alexa's validation or certification would refuse and can be told offline; empty when fine."""
    data = manifest(package_dir)["manifest"]
    locales = set(available_locales())
    published = data["publishingInformation"]["locales"]
    problems = [f"manifest lists {loc} without a model" for loc in sorted(set(published) - locales)]
    problems += [f"model {loc} is not in the manifest" for loc in sorted(locales - set(published))]
    problems += [f"{loc}: model not in step with models/" for loc in sorted(locales) if _stale(package_dir, loc)]
    for locale, info in sorted(published.items()):
        if locale in locales:
            problems += _phrase_problems(locale, list(info.get("examplePhrases", ())))
        for key in ("name", "summary", "description", "smallIconUri", "largeIconUri"):
            if not info.get(key):
                problems.append(f"{locale}: publishing information lacks {key}")
        for key in ("smallIconUri", "largeIconUri"):
            uri = str(info.get(key, ""))
            if uri.startswith("file://") and not (package_dir / uri.removeprefix("file://")).is_file():
                problems.append(f"{locale}: {key} {uri} is missing")
    asked = {permission["name"] for permission in data.get("permissions", ())}
    problems += [f"permission {name} is asked for but not used" for name in sorted(asked - USED_PERMISSIONS)]
    privacy = data["privacyAndCompliance"]
    if privacy.get("usesPersonalInfo") and not all(
        info.get("privacyPolicyUrl") for info in privacy.get("locales", {}).values()
    ):
        problems.append("usesPersonalInfo needs a privacyPolicyUrl in every locale")
    return problems
