"""DynamoDB Contributor Insights settings (ENABLING→ENABLED,
DISABLING→DISABLED, per table and per GSI, listed) and resource-based
policies (Put/Get/Delete with RevisionId, ExpectedRevisionId and AWS's
ARN checks) through boto3."""

import json
import time

import pytest

from test_dynamodb_backups import make_table
from test_dynamodb_more import ddb, error, table_name  # noqa: F401 (ddb is a fixture)


def wait_status(ddb, status, **kwargs):
    deadline = time.time() + 10
    while True:
        d = ddb.describe_contributor_insights(**kwargs)
        if d["ContributorInsightsStatus"] == status or time.time() > deadline:
            return d
        time.sleep(0.2)


def test_contributor_insights_lifecycle(ddb):
    name = table_name("ci")
    make_table(ddb, name)
    assert ddb.describe_contributor_insights(TableName=name)["ContributorInsightsStatus"] == "DISABLED"
    out = ddb.update_contributor_insights(TableName=name, ContributorInsightsAction="ENABLE")
    assert out["TableName"] == name
    assert out["ContributorInsightsStatus"] == "ENABLING"
    d = wait_status(ddb, "ENABLED", TableName=name)
    assert d["ContributorInsightsStatus"] == "ENABLED"
    assert d["ContributorInsightsMode"] == "ACCESSED_AND_THROTTLED_KEYS"
    kinds = sorted(r.split("-")[1] for r in d["ContributorInsightsRuleList"])
    assert kinds == ["PKC", "PKT", "SKC", "SKT"]
    assert "LastUpdateDateTime" in d
    out = ddb.update_contributor_insights(TableName=name, ContributorInsightsAction="DISABLE")
    assert out["ContributorInsightsStatus"] == "DISABLING"
    assert wait_status(ddb, "DISABLED", TableName=name)["ContributorInsightsStatus"] == "DISABLED"


def test_contributor_insights_on_an_index_and_listed(ddb):
    name = table_name("ci")
    make_table(ddb, name)
    out = ddb.update_contributor_insights(
        TableName=name, IndexName="by-g", ContributorInsightsAction="ENABLE", ContributorInsightsMode="THROTTLED_KEYS"
    )
    assert out["IndexName"] == "by-g"
    d = wait_status(ddb, "ENABLED", TableName=name, IndexName="by-g")
    assert d["ContributorInsightsMode"] == "THROTTLED_KEYS"
    assert [r.split("-")[1] for r in d["ContributorInsightsRuleList"]] == ["PKT"]
    # The table itself stays disabled.
    assert ddb.describe_contributor_insights(TableName=name)["ContributorInsightsStatus"] == "DISABLED"
    ddb.update_contributor_insights(TableName=name, ContributorInsightsAction="ENABLE")
    listed = ddb.list_contributor_insights(TableName=name)["ContributorInsightsSummaries"]
    assert [(s["TableName"], s.get("IndexName")) for s in listed] == [(name, None), (name, "by-g")]
    page = ddb.list_contributor_insights(TableName=name, MaxResults=1)
    assert len(page["ContributorInsightsSummaries"]) == 1
    rest = ddb.list_contributor_insights(TableName=name, MaxResults=1, NextToken=page["NextToken"])
    assert rest["ContributorInsightsSummaries"][0]["IndexName"] == "by-g"
    assert "NextToken" not in rest


def test_contributor_insights_errors(ddb):
    r = error(ddb.describe_contributor_insights, TableName="no-such-table")
    assert r["Error"]["Code"] == "ResourceNotFoundException"
    assert r["Error"]["Message"] == "Requested resource not found: Table: no-such-table not found"
    name = table_name("ci")
    make_table(ddb, name)
    r = error(ddb.update_contributor_insights, TableName=name, IndexName="nope", ContributorInsightsAction="ENABLE")
    assert r["Error"]["Code"] == "ResourceNotFoundException"


def policy(arn, action="dynamodb:GetItem"):
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"}, "Action": action, "Resource": arn}
            ],
        }
    )


def test_resource_policy_put_get_delete(ddb):
    name = table_name("rp")
    make_table(ddb, name)
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    r = error(ddb.get_resource_policy, ResourceArn=arn)
    assert r["Error"]["Code"] == "PolicyNotFoundException"
    assert r["Error"]["Message"] == f"Resource-based policy not found for the provided ResourceArn: {arn}"
    rev1 = ddb.put_resource_policy(ResourceArn=arn, Policy=policy(arn))["RevisionId"]
    got = ddb.get_resource_policy(ResourceArn=arn)
    assert got["RevisionId"] == rev1 and json.loads(got["Policy"]) == json.loads(policy(arn))
    # The same document again changes nothing.
    assert ddb.put_resource_policy(ResourceArn=arn, Policy=policy(arn))["RevisionId"] == rev1
    rev2 = ddb.put_resource_policy(ResourceArn=arn, Policy=policy(arn, "dynamodb:PutItem"), ExpectedRevisionId=rev1)[
        "RevisionId"
    ]
    assert rev2 != rev1
    r = error(ddb.put_resource_policy, ResourceArn=arn, Policy=policy(arn, "dynamodb:Query"), ExpectedRevisionId=rev1)
    assert r["Error"]["Code"] == "PolicyNotFoundException"
    assert r["Error"]["Message"] == (
        "Resource-based policy not found for the provided ResourceArn: Requested update for policy with revision id "
        f"{rev1}, but the policy associated to target table {name} has revision id {rev2}."
    )
    r = error(ddb.put_resource_policy, ResourceArn=arn, Policy=policy(arn), ExpectedRevisionId="NO_POLICY")
    assert r["Error"]["Code"] == "PolicyNotFoundException"
    r = error(ddb.delete_resource_policy, ResourceArn=arn, ExpectedRevisionId=rev1)
    assert r["Error"]["Code"] == "PolicyNotFoundException"
    assert ddb.delete_resource_policy(ResourceArn=arn, ExpectedRevisionId=rev2)["RevisionId"] == rev2
    assert error(ddb.get_resource_policy, ResourceArn=arn)["Error"]["Code"] == "PolicyNotFoundException"
    assert error(ddb.delete_resource_policy, ResourceArn=arn)["Error"]["Code"] == "PolicyNotFoundException"


def test_a_stream_has_its_own_policy(ddb):
    name = table_name("rp")
    make_table(ddb, name)
    t = ddb.describe_table(TableName=name)["Table"]
    stream = t["LatestStreamArn"]
    ddb.put_resource_policy(ResourceArn=stream, Policy=policy(stream, "dynamodb:GetRecords"))
    assert "GetRecords" in ddb.get_resource_policy(ResourceArn=stream)["Policy"]
    assert error(ddb.get_resource_policy, ResourceArn=t["TableArn"])["Error"]["Code"] == "PolicyNotFoundException"


@pytest.mark.parametrize(
    "arn, code, message",
    [
        ("{name}", "ValidationException", "One or more parameter values were invalid: ARNs must start with 'arn:': {name}"),
        (
            "arn:aws:dynamodb:us-east-1:000000000000:table/no-such-table",
            "ResourceNotFoundException",
            "Requested resource not found: Table: no-such-table not found",
        ),
        (
            "arn:aws:dynamodb:us-west-2:000000000000:table/{name}",
            "ValidationException",
            "One or more parameter values were invalid: Invalid resource Arn: arn:aws:dynamodb:us-west-2:000000000000:table/{name}",
        ),
        (
            "arn:aws:dynamodb:us-east-1:111122223333:table/{name}",
            "ValidationException",
            "This action is only supported by accounts that match the resource owner’s account.",
        ),
        (
            "arn:aws:dynamodb:us-east-1:000000000000:table/{name}/index/by-g",
            "ValidationException",
            "One or more parameter values were invalid: Invalid resource arn provided, only table or stream is accepted. "
            "Provided resource arn: arn:aws:dynamodb:us-east-1:000000000000:table/{name}/index/by-g",
        ),
        (
            "arn:aws:dynamodb:us-east-1:000000000000:table/{name}/stream/2000-01-01T00:00:00.000",
            "ResourceNotFoundException",
            "Requested resource not found: Stream: 2000-01-01T00:00:00.000 not found for Table: {name}",
        ),
    ],
)
def test_resource_policy_arn_checks(ddb, arn, code, message):
    name = table_name("rp")
    make_table(ddb, name)
    arn, message = arn.format(name=name), message.format(name=name)
    r = error(ddb.get_resource_policy, ResourceArn=arn)
    assert (r["Error"]["Code"], r["Error"]["Message"]) == (code, message)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 400
