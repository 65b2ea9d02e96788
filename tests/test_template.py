"""Lint template.yaml and pin the security properties a reviewer cares about."""

import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from cfnlint.decode.cfn_yaml import load

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "template.yaml"

ALLOWED_ACTIONS = {
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:Query",
    "dynamodb:BatchGetItem",
}


@cache
def _template() -> dict:
    # cfn-lint's loader understands the short-form intrinsics (!Ref, !GetAtt, !Sub) and
    # turns them into their long form ({"Ref": ...}, {"Fn::GetAtt": [...]}, {"Fn::Sub": ...}).
    return load(str(TEMPLATE))


def _one(resource_type: str) -> tuple[str, dict]:
    found = [(name, r) for name, r in _template()["Resources"].items() if r["Type"] == resource_type]
    assert len(found) == 1, f"expected exactly one {resource_type}, found {[n for n, _ in found]}"
    return found[0]


def _table() -> dict:
    return _one("AWS::DynamoDB::Table")[1]


def _function_props() -> dict:
    return _one("AWS::Serverless::Function")[1]["Properties"]


def _statements() -> list[dict]:
    statements = []
    for policy in _function_props()["Policies"]:
        # Only inline policy documents: a SAM policy template (DynamoDBCrudPolicy, ...) or a
        # managed policy name would grant actions this test cannot see.
        assert isinstance(policy, dict) and "Statement" in policy, f"not an inline policy: {policy!r}"
        statements.extend(policy["Statement"])
    return statements


def _as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]


def _actions() -> list[str]:
    return [a for s in _statements() for a in _as_list(s.get("Action", []))]


def _cfn_lint_command() -> list[str]:
    exe = shutil.which("cfn-lint")
    if exe:
        return [exe]
    # `python -m cfnlint` does not work (the package has no __main__), so call the console entry point.
    return [sys.executable, "-c", "import sys; from cfnlint.runner import main; sys.exit(main())"]



@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize("artifacts", [None, "/"])
def test_make_without_a_real_artifacts_dir_refuses_before_copying(artifacts):
    env = {"PATH": "/usr/bin:/bin"} | ({"ARTIFACTS_DIR": artifacts} if artifacts else {})
    done = subprocess.run(["make", "-C", str(ROOT)], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "ARTIFACTS_DIR" in done.stderr

def test_cfn_lint_passes():
    result = subprocess.run(
        [*_cfn_lint_command(), "--regions", "us-east-1", "--", str(TEMPLATE)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, f"cfn-lint exit {result.returncode}\n{result.stdout}\n{result.stderr}"


def test_policy_actions_are_exactly_the_item_level_allow_list():
    assert set(_actions()) == ALLOWED_ACTIONS


def test_no_wildcard_actions():
    assert not [a for a in _actions() if "*" in a]


def test_no_scan_action():
    assert not [a for a in _actions() if a.lower() == "dynamodb:scan"]


def test_no_not_action_or_not_resource():
    assert not [s for s in _statements() if "NotAction" in s or "NotResource" in s]


def test_every_policy_resource_is_the_table_or_its_gsi1_index():
    table_name = _one("AWS::DynamoDB::Table")[0]
    allowed = [
        {"Fn::GetAtt": [table_name, "Arn"]},
        {"Fn::Sub": f"${{{table_name}.Arn}}/index/gsi1"},
    ]
    resources = [r for s in _statements() for r in _as_list(s["Resource"])]
    assert resources
    assert [r for r in resources if r not in allowed] == []


def test_order_events_leave_through_the_stream_to_an_eventbridge_pipe_filtered_to_outbox_inserts():
    import json

    table_name = _one("AWS::DynamoDB::Table")[0]
    assert _table()["Properties"]["StreamSpecification"]["StreamViewType"] == "NEW_IMAGE"
    pipe = _one("AWS::Pipes::Pipe")[1]["Properties"]
    bus_name = _one("AWS::Events::EventBus")[0]
    assert pipe["Source"] == {"Fn::GetAtt": [table_name, "StreamArn"]}
    assert pipe["Target"] == {"Fn::GetAtt": [bus_name, "Arn"]}
    [criteria] = pipe["SourceParameters"]["FilterCriteria"]["Filters"]
    pattern = json.loads(criteria["Pattern"])
    assert pattern == {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"pk": {"S": [{"prefix": "EVENT#"}]}}}}


def test_the_pipe_role_reads_only_the_stream_and_puts_only_on_the_bus():
    table_name = _one("AWS::DynamoDB::Table")[0]
    bus_name = _one("AWS::Events::EventBus")[0]
    role = _one("AWS::IAM::Role")[1]["Properties"]
    [trust] = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "pipes.amazonaws.com"}
    statements = [s for policy in role["Policies"] for s in policy["PolicyDocument"]["Statement"]]
    granted = {(a, json_key(s["Resource"])) for s in statements for a in _as_list(s["Action"])}
    stream = json_key({"Fn::GetAtt": [table_name, "StreamArn"]})
    assert granted == {
        ("dynamodb:DescribeStream", stream),
        ("dynamodb:GetRecords", stream),
        ("dynamodb:GetShardIterator", stream),
        ("dynamodb:ListStreams", stream),
        ("events:PutEvents", json_key({"Fn::GetAtt": [bus_name, "Arn"]})),
    }
    assert all(s["Effect"] == "Allow" and "NotAction" not in s and "NotResource" not in s for s in statements)


def json_key(value: object) -> str:
    """A resource reference as a comparable string (intrinsics are dicts)."""
    import json

    return json.dumps(value, sort_keys=True)


def test_table_point_in_time_recovery_enabled():
    spec = _table()["Properties"]["PointInTimeRecoverySpecification"]
    assert spec["PointInTimeRecoveryEnabled"] is True


def test_table_server_side_encryption_enabled():
    assert _table()["Properties"]["SSESpecification"]["SSEEnabled"] is True


def test_table_deletion_policy_retain():
    assert _table()["DeletionPolicy"] == "Retain"


def test_table_update_replace_policy_retain():
    assert _table()["UpdateReplacePolicy"] == "Retain"


def test_table_billing_mode_pay_per_request():
    assert _table()["Properties"]["BillingMode"] == "PAY_PER_REQUEST"


def test_alexa_skill_event_uses_skill_id_parameter():
    events = [e for e in _function_props()["Events"].values() if e["Type"] == "AlexaSkill"]
    assert len(events) == 1
    assert events[0]["Properties"]["SkillId"] == {"Ref": "AlexaSkillId"}
    assert "AlexaSkillId" in _template()["Parameters"]


@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_the_function_has_an_alarm_on(metric):
    alarms = [r["Properties"] for r in _template()["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    mine = [a for a in alarms if a["MetricName"] == metric and a["Namespace"] == "AWS/Lambda"]
    assert len(mine) == 1 and mine[0]["Dimensions"][0]["Value"] == {"Ref": "SkillFunction"}


def test_the_function_is_traced_with_x_ray():
    assert _template()["Resources"]["SkillFunction"]["Properties"]["Tracing"] == "Active"


def test_function_runtime_python313():
    assert _function_props()["Runtime"] == "python3.13"


def test_function_architecture_arm64():
    assert _function_props()["Architectures"] == ["arm64"]


def test_the_lambda_policy_grants_exactly_the_calls_a_whole_shopping_session_makes(base_settings, dynamodb_local):
    """Least privilege, measured: every granted action is used by some use case, and nothing else is called."""
    from dataclasses import replace

    from catalog.errors import WrongPurchaseCode
    from tests.conftest import add_product, fresh_shop, random_ref
    from tests.faultproxy import FaultProxy

    proxy = FaultProxy(dynamodb_local.port)
    try:
        shop = fresh_shop(replace(base_settings, endpoint=proxy.endpoint))
        milk, bread = add_product(shop, stock=30), add_product(shop, stock=30)
        proxy.seen.clear()  # table creation and the import are ops' work, not the Lambda's
        customer = random_ref("cust")
        shop.search("milk")
        shop.record_unanswered_search("dragon fruit", "alexa", "nomatch")  # a search that found nothing ...
        shop.record_unanswered_search("star fruit", "alexa", "askedback")
        shop.flush_unanswered_searches()  # ... is counted in a batch of ADDs: no action of its own
        shop.product(milk.sku)
        shop.add_to_cart(customer, milk.sku, 2)
        shop.add_to_cart(customer, bread.sku, 1)
        shop.set_quantity(customer, milk.sku, 3)
        shop.remove_from_cart(customer, bread.sku)
        shop.set_purchase_code(customer, "4271")
        quote = shop.quote(customer)
        with pytest.raises(WrongPurchaseCode):
            shop.place(quote.quote_id, confirmed=True, purchase_code="1111")
        order = shop.place(quote.quote_id, confirmed=True, purchase_code="4271")
        shop.orders(customer)
        shop.order(customer, order.order_number)
        shop.cancel(customer, order.order_number)
        shop.place(shop.reorder(customer, order.order_number).quote_id, confirmed=True, purchase_code="4271")
        shop.customer_number(customer)
        shop.update_profile(customer, display_name="Sam")
        shop.add_to_cart(customer, bread.sku, 1)
        shop.clear_cart(customer)
        used = proxy.iam_actions()
    finally:
        proxy.close()
    assert used == ALLOWED_ACTIONS
    assert set(_actions()) == ALLOWED_ACTIONS
