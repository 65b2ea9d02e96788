"""The Lambda package and the Python package must agree on what the shop depends on."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~\[ ]", line.strip(), maxsplit=1)[0].lower() for line in requirements if line.strip()}


def test_lambda_requirements_are_pinned_like_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["skill"]
    pins = {_names([d]).pop(): d for d in declared}
    lines = [
        line
        for line in (ROOT / "requirements-lambda.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for line in lines:
        name = _names([line]).pop()
        assert name in pins, f"{name} is shipped to Lambda but not declared in pyproject.toml"
        assert line.replace(" ", "") == pins[name].replace(" ", ""), f"{name}: {line} vs {pins[name]}"


def test_every_dependency_has_an_upper_bound_and_the_ci_lock_pins_it_within_its_range():
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [Requirement(d) for d in project["dependencies"]]
    declared += [Requirement(d) for extra in project["optional-dependencies"].values() for d in extra]
    locked = dict(
        line.split("==", 1) for line in (ROOT / "requirements-ci.txt").read_text().splitlines() if "==" in line
    )
    for requirement in declared:
        assert any(spec.operator in {"<", "<=", "==", "~="} for spec in requirement.specifier), requirement
        assert requirement.name in locked, f"{requirement.name} is not in requirements-ci.txt: run scripts/lock"
        assert requirement.specifier.contains(locked[requirement.name]), f"{requirement} vs {locked[requirement.name]}"


def test_lambda_package_ships_every_layer_the_handler_imports():
    makefile = (ROOT / "Makefile").read_text()
    for package in ("catalog", "intents", "skill", "models"):
        assert package in makefile


def test_lambda_bytecode_is_compiled_for_the_templates_runtime():
    # A .pyc for another Python is ignored, and /var/task is read-only: every cold start would compile again.
    makefile = (ROOT / "Makefile").read_text()
    runtime = re.search(r"^\s+Runtime: python(3\.\d+)$", (ROOT / "template.yaml").read_text(), re.M).group(1)
    assert re.search(rf"^LAMBDA_PYTHON \?= python{re.escape(runtime)}$", makefile, re.M)
    assert f"--python-version {runtime}" in makefile
    assert f"sys.version_info[:2] != ({runtime.replace('.', ', ')})" in makefile
    assert "--no-compile" in makefile
    assert "compileall" in makefile
