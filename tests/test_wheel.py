"""The built wheel, installed outside the checkout, works: models and prompts inside it, data outside it.

Costs about 10 s: the wheel is built with pip (setuptools fetched into an isolated build environment),
installed with `--no-deps` into a fresh venv, and the dependencies are borrowed from the running
interpreter's site-packages through a `.pth` line, so nothing else is downloaded.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OUTSIDE = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
"""The environment without the checkout on the path (the build leaves voiceshop.egg-info in the checkout)."""


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding only the voiceshop wheel (dependencies visible, the checkout not)."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work / "dist"), str(ROOT)],
        check=True, capture_output=True, timeout=240, env=OUTSIDE,
    )  # fmt: skip
    wheel = next((work / "dist").glob("voiceshop-*.whl"))
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--no-deps", "-q",
         str(wheel)],
        check=True, capture_output=True, timeout=240, env=OUTSIDE,
    )  # fmt: skip
    purelib = next(venv.glob("lib/python*/site-packages"))
    # Then (so pip does not see the checkout's editable install as already there) the dependencies' folders,
    # as plain paths: the checkout's editable-install hooks are not run.
    (purelib / "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return venv


def run(venv: Path, cwd: Path, env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("VOICESHOP_", "PYTHON"))}
    return subprocess.run(
        [str(venv / "bin" / "voiceshop"), *argv], cwd=cwd, env=clean | env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip


def test_the_installed_wheel_checks_its_models_and_answers_one_turn(installed, demo_shop, tmp_path):
    (tmp_path / "catalog").mkdir()  # a folder named like a package in the current directory shadows nothing
    (tmp_path / "catalog" / "__init__.py").write_text("raise ImportError('the current directory was imported')\n")
    env = {"HOME": str(tmp_path / "home"), "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}
    checked = run(installed, tmp_path, env, "model", "check")
    assert checked.returncode == 0, checked.stderr
    assert "en-US: ok" in checked.stdout and "en-GB: ok" in checked.stdout
    shop = {"VOICESHOP_DYNAMODB_ENDPOINT": demo_shop.settings.endpoint, "VOICESHOP_TABLE": demo_shop.settings.table}
    said = run(installed, tmp_path, env | shop, "say", "find milk", "--customer", "amzn1.ask.account.WHEEL")
    assert said.returncode == 0, said.stderr
    assert "milk" in said.stdout.lower()
    assert (tmp_path / "home" / ".local" / "share" / "voiceshop" / "simulator").is_dir()
    purelib = next(installed.glob("lib/python*/site-packages"))
    assert (purelib / "intents" / "models" / "en-US.json").is_file()
    assert (purelib / "catalog" / "data" / "promotions.json").is_file()  # the demo promotions, beside the policy
    assert not (purelib / ".data").exists()


def test_the_installed_wheel_says_where_the_skill_package_is_instead_of_a_traceback(installed, tmp_path):
    env = {"HOME": str(tmp_path / "home")}
    missing = run(installed, tmp_path, env, "skill", "package", "--check")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert "run this from a clone, or pass --package-dir" in missing.stderr
    given = run(installed, tmp_path, env, "skill", "package", "--check", "--package-dir", str(ROOT / "skill-package"))
    assert given.returncode == 0, given.stderr
    assert "skill-package: ok" in given.stdout


def test_voiceshop_data_dir_puts_the_installed_wheels_data_where_it_says(installed, demo_shop, tmp_path):
    data, xdg = tmp_path / "ops-data", tmp_path / "xdg"
    env = {
        "HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(xdg), "VOICESHOP_DATA_DIR": str(data),
        "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
        "VOICESHOP_DYNAMODB_ENDPOINT": demo_shop.settings.endpoint, "VOICESHOP_TABLE": demo_shop.settings.table,
    }  # fmt: skip
    said = run(installed, tmp_path, env, "say", "find milk", "--customer", "amzn1.ask.account.DATADIR")
    assert said.returncode == 0, said.stderr
    assert (data / "simulator" / "amzn1.ask.account.DATADIR.json").is_file()
    assert not xdg.exists() and not (tmp_path / "home").exists()
    del env["VOICESHOP_DATA_DIR"]
    said = run(installed, tmp_path, env, "say", "find milk", "--customer", "amzn1.ask.account.DATADIR")
    assert said.returncode == 0, said.stderr
    assert (xdg / "voiceshop" / "simulator" / "amzn1.ask.account.DATADIR.json").is_file()  # XDG_DATA_HOME next
