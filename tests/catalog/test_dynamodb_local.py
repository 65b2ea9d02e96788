"""Running DynamoDB Local: missing tools are named, the server persists data and stops cleanly."""

import shutil

import pytest

from catalog.dynamodb_local import DynamoDBLocal, DynamoDBLocalError, ensure_jars, free_port


def test_missing_maven_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(DynamoDBLocalError) as refused:
        ensure_jars(tmp_path / "fresh")
    assert "apt-get install maven" in str(refused.value)


def test_data_survives_a_restart(tmp_path, base_settings):
    from dataclasses import replace

    from catalog.repository import Repository
    from catalog.services import Shop
    from tests.conftest import add_product

    server = DynamoDBLocal(tmp_path, port=free_port(), jars_dir=base_settings.data_dir)
    server.start()
    settings = replace(base_settings, endpoint=server.endpoint, table="vs-persist")
    Repository(settings).ensure_table()
    product = add_product(Shop(settings, Repository(settings)), stock=7)
    assert server.stop()
    assert not server.running()
    server.start()
    try:
        assert Shop(settings, Repository(settings)).product(product.sku).stock == 7
    finally:
        server.stop()


FAKE_MAVEN = """#!/bin/sh
# Maven's batch-mode log for two downloads, then the exit code the test asks for.
echo "[INFO] Scanning for projects..."
echo "[INFO] Downloading from central: https://repo.example/a/a-1.jar"
echo "[INFO] Downloaded from central: https://repo.example/a/a-1.jar (2.5 MB at 1.0 MB/s)"
echo "[INFO] Downloaded from central: https://repo.example/b/b-1.pom (512 kB at 1.0 MB/s)"
echo "[ERROR] the last words"
exit ${FAKE_MVN_EXIT:-0}
"""


def _fake_maven(tmp_path, monkeypatch, exit_code=0):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    mvn = bin_dir / "mvn"
    mvn.write_text(FAKE_MAVEN)
    mvn.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setenv("FAKE_MVN_EXIT", str(exit_code))
    return str(mvn)


def test_a_maven_fetch_is_summed_up_in_files_and_megabytes_not_silent(tmp_path, monkeypatch):
    from catalog.dynamodb_local import run_maven

    lines: list[str] = []
    code, log = run_maven([_fake_maven(tmp_path, monkeypatch), "-B"], lines.append)
    assert code == 0 and "the last words" in log
    assert lines[-1].startswith("  downloaded: 2 files, 3.0 MB (")
    assert all(line.startswith(("  still downloading: ", "  downloaded: ")) for line in lines)


def test_a_failed_fetch_says_what_it_was_and_what_maven_said(tmp_path, monkeypatch):
    if not shutil.which("java"):
        pytest.skip("needs java on the PATH")
    _fake_maven(tmp_path, monkeypatch, exit_code=1)
    lines: list[str] = []
    with pytest.raises(DynamoDBLocalError) as refused:
        ensure_jars(tmp_path / "fresh", lines.append)
    assert lines[0].startswith("setup: fetching DynamoDB Local") and "MB" in lines[0]
    assert "exit 1" in str(refused.value) and "the last words" in str(refused.value)


def test_assets_are_quiet_when_everything_is_already_there(capfd):
    from catalog.config import Settings
    from catalog.dynamodb_local import lib_dir
    from local_voice.model_store import MODEL_DIRNAME
    from voiceshop.assets import main

    data = Settings.from_env().data_dir
    if not any(lib_dir(data).glob("DynamoDBLocal-*.jar")) or not (data / MODEL_DIRNAME).is_dir():
        pytest.skip("needs scripts/setup done (jars and model in the data folder)")
    assert main(["--quiet"]) == 0
    assert capfd.readouterr() == ("", "")
    assert main([]) == 0
    assert "DynamoDB Local jars" in capfd.readouterr().out
