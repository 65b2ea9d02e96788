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


SHOP_PACKAGES = {"catalog", "intents", "skill", "models"}
"""What the Lambda imports of ours (skill.lambda_function -> skill, intents, catalog; models/ for the words)."""


def _lambda_python() -> str | None:
    """A working Python 3.13 for the Makefile's bytecode step: LAMBDA_PYTHON, python3.13, or pyenv's."""
    import glob
    import os
    import subprocess

    candidates = [os.environ.get("LAMBDA_PYTHON"), "python3.13", *sorted(glob.glob(os.path.expanduser(
        "~/.pyenv/versions/3.13*/bin/python3.13")))]  # fmt: skip
    for candidate in filter(None, candidates):
        check = "import sys; sys.exit(sys.version_info[:2] != (3, 13))"
        try:
            if subprocess.run([candidate, "-c", check], capture_output=True, check=False).returncode == 0:
                return candidate
        except OSError:
            continue
    return None


def _top_level_of_dists(artifacts: Path) -> set[str]:
    """Every top-level file or folder that some installed distribution's RECORD lists.

    Console scripts are listed as `../../bin/NAME` (pip --target puts them in the target's bin/).
    """
    owned = set()
    for record in artifacts.glob("*.dist-info/RECORD"):
        for line in record.read_text().splitlines():
            parts = [part for part in line.split(",", 1)[0].split("/") if part != ".."]
            owned.add(parts[0])
    return owned


def test_the_makefile_ships_only_the_shops_packages_and_their_dependencies(tmp_path):
    import shutil
    import subprocess

    import pytest

    python = _lambda_python()
    if shutil.which("make") is None or python is None:
        pytest.skip("needs make and a Python 3.13 (LAMBDA_PYTHON)")
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    done = subprocess.run(
        ["make", "-C", str(ROOT), "build-SkillFunction", f"ARTIFACTS_DIR={artifacts}", f"LAMBDA_PYTHON={python}"],
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    if done.returncode != 0 and "Could not find a version" in done.stderr + done.stdout:
        pytest.skip("PyPI's aarch64 wheels are not reachable from here")
    assert done.returncode == 0, done.stderr[-2000:]

    shipped = {path.name for path in artifacts.iterdir()}
    ours = shipped - _top_level_of_dists(artifacts) - {path for path in shipped if path.endswith(".dist-info")}
    assert ours - {"__pycache__"} == SHOP_PACKAGES  # nothing else of the checkout
    for kept_out in (".venv", ".data", "tests", "bench", "voiceshop", "local_voice", "scripts", "docs", "tools"):
        assert kept_out not in shipped
    ours_inside = [p for package in SHOP_PACKAGES for p in (artifacts / package).rglob("*")]
    assert not [p for p in ours_inside if p.name in {"tests", ".venv", ".data", "conftest.py"}]
    assert (artifacts / "models" / "en-US.json").is_file()
    dists = {p.name.split("-", 1)[0].lower().replace("_", "-") for p in artifacts.glob("*.dist-info")}
    needed = _names(
        line for line in (ROOT / "requirements-lambda.txt").read_text().splitlines() if not line.startswith("#")
    )
    assert needed <= dists, f"missing from the package: {needed - dists}"
    # bytecode for the function's runtime, so a cold start does not compile from source
    assert list((artifacts / "skill" / "__pycache__").glob("lambda_function.cpython-313.pyc"))


def test_sam_builds_with_the_makefile_in_the_checkout_not_from_a_copy_of_it():
    # Without build_in_source, `sam build` first copies CodeUri (the whole checkout, .venv and .data) away.
    settings = tomllib.loads((ROOT / "samconfig.toml").read_text())
    assert settings["default"]["build"]["parameters"]["build_in_source"] is True
    template = (ROOT / "template.yaml").read_text()
    assert re.search(r"^\s+BuildMethod: makefile$", template, re.M)
    assert "build-SkillFunction:" in (ROOT / "Makefile").read_text()
