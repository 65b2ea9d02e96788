"""Running DynamoDB Local: missing tools are named, the server persists data and stops cleanly."""

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
