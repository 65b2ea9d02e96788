"""The ASK CLI v2 skill package: generated from `models/`, and what certification checks offline."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from intents.language import available_locales, resolved_model_json
from voiceshop.cli import main
from voiceshop.skill_package import PACKAGE_DIR, manifest, package_problems, set_endpoint, write_models

ROOT = Path(__file__).resolve().parents[1]


def test_the_committed_package_is_in_step_with_models_and_passes_the_local_checks():
    assert package_problems() == []


def test_every_locale_is_deployed_with_its_base_merged_in():
    for locale in available_locales():
        deployed = json.loads((PACKAGE_DIR / "interactionModels" / "custom" / f"{locale}.json").read_text())
        assert deployed == resolved_model_json(locale)
        assert "extends" not in deployed


def test_a_model_changed_without_regenerating_is_caught(tmp_path):
    package = tmp_path / "skill-package"
    shutil.copytree(PACKAGE_DIR, package)
    stale = package / "interactionModels" / "custom" / "en-GB.json"
    data = json.loads(stale.read_text())
    data["interactionModel"]["languageModel"]["intents"][0]["samples"].pop()
    stale.write_text(json.dumps(data))
    assert package_problems(package) == ["en-GB: model not in step with models/"]
    assert write_models(package) == ["en-GB"] and package_problems(package) == []


def test_the_manifest_asks_only_for_what_the_skill_uses_and_answers_privacy_truthfully():
    data = manifest()["manifest"]
    assert [p["name"] for p in data["permissions"]] == ["alexa::person_id:read"]
    privacy = data["privacyAndCompliance"]
    assert privacy["allowsPurchases"] is True  # it places orders (paid on delivery)
    assert privacy["usesPersonalInfo"] is True  # orders and a purchase code hash per customer
    assert privacy["containsAds"] is False and privacy["isChildDirected"] is False


def test_an_example_phrase_the_model_cannot_hear_is_refused(tmp_path):
    package = tmp_path / "skill-package"
    shutil.copytree(PACKAGE_DIR, package)
    data = manifest(package)
    phrases = data["manifest"]["publishingInformation"]["locales"]["en-US"]["examplePhrases"]
    phrases[1] = "Alexa, ask corner market to fly"
    (package / "skill.json").write_text(json.dumps(data))
    assert any("fly" in problem for problem in package_problems(package))


def test_the_endpoint_is_set_from_the_stacks_function_arn(tmp_path):
    package = tmp_path / "skill-package"
    shutil.copytree(PACKAGE_DIR, package)
    set_endpoint("arn:aws:lambda:eu-west-1:111122223333:function:voiceshop-SkillFunction-abc", package)
    assert manifest(package)["manifest"]["apis"]["custom"]["endpoint"]["uri"].endswith("SkillFunction-abc")


def test_the_committed_manifest_has_no_endpoint_so_the_first_ask_deploy_can_create_the_skill():
    # ask deploy refuses a Lambda ARN that does not yet allow this skill (alexa/ask-cli#365), and the
    # stack can only allow a skill id that exists: the first deploy creates the skill without an endpoint.
    assert "endpoint" not in manifest()["manifest"]["apis"]["custom"]


@pytest.mark.parametrize(
    "pasted",
    [
        "voiceshop",  # the stack name
        "voiceshop-SkillFunction-abc",  # the function name
        "arn:aws:cloudformation:us-east-1:111122223333:stack/voiceshop/0a1b",  # the stack's ARN
        "http://example.com/alexa",  # Alexa calls only https
        '[{"OutputKey": "FunctionArn"}]',
    ],
)
def test_anything_but_a_function_arn_or_https_url_is_refused_and_the_manifest_left_alone(tmp_path, pasted):
    package = tmp_path / "skill-package"
    shutil.copytree(PACKAGE_DIR, package)
    before = (package / "skill.json").read_text()
    with pytest.raises(ValueError, match="FunctionArn"):
        set_endpoint(pasted, package)
    assert (package / "skill.json").read_text() == before


def test_the_cli_refuses_a_pasted_stack_name_with_exit_2(capsys):
    before = (PACKAGE_DIR / "skill.json").read_text()
    assert main(["skill", "package", "--check", "--endpoint", "voiceshop"]) == 2
    assert "neither a Lambda function ARN" in capsys.readouterr().err
    assert (PACKAGE_DIR / "skill.json").read_text() == before


def test_an_https_endpoint_says_its_certificate_is_trusted(tmp_path):
    package = tmp_path / "skill-package"
    shutil.copytree(PACKAGE_DIR, package)
    set_endpoint("https://shop.example.com/alexa", package)
    assert manifest(package)["manifest"]["apis"]["custom"]["endpoint"] == {
        "uri": "https://shop.example.com/alexa",
        "sslCertificateType": "Trusted",
    }


def test_ask_resources_deploys_the_package_folder():
    resources = json.loads((ROOT / "ask-resources.json").read_text())
    assert resources["profiles"]["default"]["skillMetadata"]["src"] == "./skill-package"


def test_voiceshop_skill_package_check_exits_0(capsys):
    assert main(["skill", "package", "--check"]) == 0
    assert "ok" in capsys.readouterr().out


def test_a_folder_without_skill_json_is_exit_2_not_a_traceback(tmp_path, capsys):
    assert main(["skill", "package", "--check", "--package-dir", str(tmp_path)]) == 2
    assert "no skill.json in" in capsys.readouterr().err


def test_another_package_folder_is_written_and_checked_there(tmp_path, capsys):
    package = tmp_path / "skill-package"
    shutil.copytree(PACKAGE_DIR, package)
    (package / "interactionModels" / "custom" / "en-GB.json").unlink()
    assert main(["skill", "package", "--check", "--package-dir", str(package)]) == 1
    assert main(["skill", "package", "--package-dir", str(package)]) == 0
    assert "en-GB" in capsys.readouterr().err
    assert package_problems(package) == []
