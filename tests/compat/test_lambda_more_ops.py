"""Lambda operations beyond functions and invokes, through boto3 against a
real `stratus serve`, asserted against AWS's recorded answers: code signing
configurations (and Enforce refusing unsigned packages), layer version
permissions, recursion and runtime management configs, InvokeAsync; and
that what they store survives a restart."""

import json
import time

import pytest

from conftest import client_error, client_for
from test_lambda import ROLE, name, zip_of

ARN = "arn:aws:lambda:us-east-1:000000000000"
SIGNER = "arn:aws:signer:us-east-1:000000000000:/signing-profiles/test"
APP = zip_of([("app.py", "def handler(event, context):\n    print('got', event)\n    return event\n", 0o644)])
RUNTIME_ARN = "arn:aws:lambda:us-east-1::runtime:" + "ab" * 32


@pytest.fixture
def lam(client):
    return client("lambda")


def make_function(lam, prefix, **kw):
    fn = name(prefix)
    lam.create_function(
        FunctionName=fn, Runtime="python3.12", Role=ROLE, Handler="app.handler", Code={"ZipFile": APP}, **kw
    )
    return fn


def make_csc(lam, mode="Enforce"):
    return lam.create_code_signing_config(
        Description="Testing CodeSigning Config",
        AllowedPublishers={"SigningProfileVersionArns": [SIGNER]},
        CodeSigningPolicies={"UntrustedArtifactOnDeployment": mode},
    )


def test_code_signing_config_lifecycle(lam):
    out = make_csc(lam)
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 201
    csc = out["CodeSigningConfig"]
    arn = csc["CodeSigningConfigArn"]
    assert csc["CodeSigningConfigId"].startswith("csc-") and len(csc["CodeSigningConfigId"]) == 21
    assert arn == f"{ARN}:code-signing-config:{csc['CodeSigningConfigId']}"
    assert csc["AllowedPublishers"] == {"SigningProfileVersionArns": [SIGNER]}
    assert csc["CodeSigningPolicies"] == {"UntrustedArtifactOnDeployment": "Enforce"}
    assert csc["Description"] == "Testing CodeSigning Config"

    upd = lam.update_code_signing_config(
        CodeSigningConfigArn=arn, CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Warn"}
    )
    assert upd["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert upd["CodeSigningConfig"]["CodeSigningPolicies"] == {"UntrustedArtifactOnDeployment": "Warn"}
    got = lam.get_code_signing_config(CodeSigningConfigArn=arn)["CodeSigningConfig"]
    assert got == upd["CodeSigningConfig"]
    assert got in lam.list_code_signing_configs()["CodeSigningConfigs"]

    fn = make_function(lam, "csc")
    put = lam.put_function_code_signing_config(CodeSigningConfigArn=arn, FunctionName=fn)
    assert (put["CodeSigningConfigArn"], put["FunctionName"]) == (arn, fn)
    get = lam.get_function_code_signing_config(FunctionName=fn)
    assert (get["CodeSigningConfigArn"], get["FunctionName"]) == (arn, fn)
    listed = lam.list_functions_by_code_signing_config(CodeSigningConfigArn=arn)
    assert listed["FunctionArns"] == [f"{ARN}:function:{fn}"]

    # In use: it cannot be deleted.
    status, err = client_error(lam.delete_code_signing_config, CodeSigningConfigArn=arn)
    assert (status, err["Code"]) == (409, "ResourceConflictException")

    out = lam.delete_function_code_signing_config(FunctionName=fn)
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 204
    got = lam.get_function_code_signing_config(FunctionName=fn)
    assert {k: v for k, v in got.items() if k != "ResponseMetadata"} == {}
    assert lam.list_functions_by_code_signing_config(CodeSigningConfigArn=arn)["FunctionArns"] == []
    out = lam.delete_code_signing_config(CodeSigningConfigArn=arn)
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_code_signing_config_tags(lam):
    csc = lam.create_code_signing_config(
        AllowedPublishers={"SigningProfileVersionArns": [SIGNER]}, Tags={"team": "a"}
    )["CodeSigningConfig"]
    assert "Tags" not in csc
    assert csc["CodeSigningPolicies"] == {"UntrustedArtifactOnDeployment": "Warn"}  # AWS's default
    arn = csc["CodeSigningConfigArn"]
    assert lam.list_tags(Resource=arn)["Tags"] == {"team": "a"}
    lam.tag_resource(Resource=arn, Tags={"env": "dev"})
    lam.untag_resource(Resource=arn, TagKeys=["team"])
    assert lam.list_tags(Resource=arn)["Tags"] == {"env": "dev"}
    assert "Tags" not in lam.get_code_signing_config(CodeSigningConfigArn=arn)["CodeSigningConfig"]
    lam.delete_code_signing_config(CodeSigningConfigArn=arn)
    status, err = client_error(lam.list_tags, Resource=arn)
    assert (status, err["Message"]) == (404, f"The Lambda code signing configuration {arn} can not be found.")


def test_code_signing_not_found_errors(lam):
    missing = f"{ARN}:code-signing-config:csc-0123456789abcdef0"
    text = f"The Lambda code signing configuration {missing} can not be found."
    for call in (lam.get_code_signing_config, lam.delete_code_signing_config, lam.update_code_signing_config):
        status, err = client_error(call, CodeSigningConfigArn=missing)
        assert (status, err["Code"], err["Message"]) == (404, "ResourceNotFoundException", text)
    status, err = client_error(lam.list_functions_by_code_signing_config, CodeSigningConfigArn=missing)
    assert (status, err["Message"]) == (404, text)

    gone = "csc-test-doesnotexist"
    fn_missing = f"Function not found: {ARN}:function:{gone}"
    for call in (lam.get_function_code_signing_config, lam.delete_function_code_signing_config):
        status, err = client_error(call, FunctionName=gone)
        assert (status, err["Code"], err["Message"]) == (404, "ResourceNotFoundException", fn_missing)
    arn = make_csc(lam)["CodeSigningConfig"]["CodeSigningConfigArn"]
    status, err = client_error(lam.put_function_code_signing_config, CodeSigningConfigArn=arn, FunctionName=gone)
    assert (status, err["Message"]) == (404, fn_missing)
    fn = make_function(lam, "csc-missing")
    status, err = client_error(lam.put_function_code_signing_config, CodeSigningConfigArn=missing, FunctionName=fn)
    assert (status, err["Code"]) == (404, "CodeSigningConfigNotFoundException")
    assert err["Message"] == (
        f"The code signing configuration cannot be found. Check that the provided configuration is not deleted: {missing}."
    )
    # A function without one: an empty 200, as Terraform reads on every refresh.
    out = lam.get_function_code_signing_config(FunctionName=fn)
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert "CodeSigningConfigArn" not in out


def test_enforce_refuses_unsigned_packages_and_warn_accepts_them(lam):
    enforce = make_csc(lam, "Enforce")["CodeSigningConfig"]["CodeSigningConfigArn"]
    warn = make_csc(lam, "Warn")["CodeSigningConfig"]["CodeSigningConfigArn"]
    status, err = client_error(
        lam.create_function,
        FunctionName=name("enforced"),
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": APP},
        CodeSigningConfigArn=enforce,
    )
    assert (status, err["Code"]) == (400, "CodeVerificationFailedException")

    fn = make_function(lam, "warned", CodeSigningConfigArn=warn)
    assert lam.get_function_code_signing_config(FunctionName=fn)["CodeSigningConfigArn"] == warn
    lam.update_function_code(FunctionName=fn, ZipFile=APP)  # Warn: deployed anyway

    lam.put_function_code_signing_config(CodeSigningConfigArn=enforce, FunctionName=fn)
    status, err = client_error(lam.update_function_code, FunctionName=fn, ZipFile=APP)
    assert (status, err["Code"]) == (400, "CodeVerificationFailedException")


def publish_layer(lam):
    layer = name("layer")
    out = lam.publish_layer_version(LayerName=layer, Content={"ZipFile": APP}, CompatibleRuntimes=["python3.12"])
    return layer, out["LayerVersionArn"]


def test_layer_version_policy_lifecycle(lam):
    layer, version_arn = publish_layer(lam)
    status, err = client_error(lam.get_layer_version_policy, LayerName=layer, VersionNumber=1)
    assert (status, err["Message"]) == (404, "No policy is associated with the given resource.")

    out = lam.add_layer_version_permission(
        LayerName=layer, VersionNumber=1, StatementId="s1", Action="lambda:GetLayerVersion", Principal="*"
    )
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 201
    s1 = {"Sid": "s1", "Effect": "Allow", "Principal": "*", "Action": "lambda:GetLayerVersion", "Resource": version_arn}
    assert json.loads(out["Statement"]) == s1
    got = lam.get_layer_version_policy(LayerName=layer, VersionNumber=1)
    assert json.loads(got["Policy"]) == {"Version": "2012-10-17", "Id": "default", "Statement": [s1]}
    assert got["RevisionId"] == out["RevisionId"]

    out2 = lam.add_layer_version_permission(
        LayerName=version_arn.rsplit(":", 1)[0],  # the layer's ARN works as its name
        VersionNumber=1,
        StatementId="s2",
        Action="lambda:GetLayerVersion",
        Principal="*",
        OrganizationId="o-1234567890",
        RevisionId=out["RevisionId"],
    )
    s2 = json.loads(out2["Statement"])
    assert s2["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-1234567890"}}
    out3 = lam.add_layer_version_permission(
        LayerName=layer, VersionNumber=1, StatementId="acct", Action="lambda:GetLayerVersion", Principal="123456789012"
    )
    assert json.loads(out3["Statement"])["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    got = lam.get_layer_version_policy(LayerName=layer, VersionNumber=1)
    assert [s["Sid"] for s in json.loads(got["Policy"])["Statement"]] == ["s1", "s2", "acct"]

    out = lam.remove_layer_version_permission(LayerName=layer, VersionNumber=1, StatementId="s2")
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 204
    after = lam.get_layer_version_policy(LayerName=layer, VersionNumber=1)
    assert [s["Sid"] for s in json.loads(after["Policy"])["Statement"]] == ["s1", "acct"]
    assert after["RevisionId"] != got["RevisionId"]

    # Deleting the version takes its policy with it.
    lam.delete_layer_version(LayerName=layer, VersionNumber=1)
    status, err = client_error(lam.get_layer_version_policy, LayerName=layer, VersionNumber=1)
    assert (status, err["Message"]) == (404, f"Layer version {version_arn} does not exist.")


def test_layer_version_policy_errors(lam):
    layer, version_arn = publish_layer(lam)
    add = dict(LayerName=layer, VersionNumber=1, StatementId="s1", Action="lambda:GetLayerVersion", Principal="*")
    lam.add_layer_version_permission(**add)

    status, err = client_error(lam.add_layer_version_permission, **{**add, "StatementId": "s2", "Action": "*"})
    assert (status, err["Code"]) == (400, "ValidationException")
    assert err["Message"] == (
        "1 validation error detected: Value '*' at 'action' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: lambda:GetLayerVersion"
    )
    status, err = client_error(lam.add_layer_version_permission, **add)
    assert (status, err["Code"], err["Message"]) == (
        409,
        "ResourceConflictException",
        "The statement id (s1) provided already exists. Please provide a new statement id, or remove the existing statement.",
    )
    stale = (
        "The Revision Id provided does not match the latest Revision Id. "
        "Call the GetLayerPolicy API to retrieve the latest Revision Id"
    )
    status, err = client_error(lam.add_layer_version_permission, **{**add, "StatementId": "s2", "RevisionId": "x"})
    assert (status, err["Code"], err["Message"]) == (412, "PreconditionFailedException", stale)
    status, err = client_error(
        lam.remove_layer_version_permission, LayerName=layer, VersionNumber=1, StatementId="s1", RevisionId="x"
    )
    assert (status, err["Message"]) == (412, stale)
    status, err = client_error(
        lam.remove_layer_version_permission, LayerName=layer, VersionNumber=1, StatementId="doesnotexist"
    )
    assert (status, err["Message"]) == (404, "Statement doesnotexist is not found in resource policy.")

    for layer_name, version, arn in [
        (layer + "-doesnotexist", 1, f"{ARN}:layer:{layer}-doesnotexist:1"),
        (layer, 2, f"{version_arn[:-2]}:2"),
    ]:
        text = f"Layer version {arn} does not exist."
        where = dict(LayerName=layer_name, VersionNumber=version)
        for call, extra in [
            (lam.add_layer_version_permission, {k: add[k] for k in ("StatementId", "Action", "Principal")}),
            (lam.get_layer_version_policy, {}),
            (lam.remove_layer_version_permission, {"StatementId": "s1"}),
        ]:
            status, err = client_error(call, **where, **extra)
            assert (status, err["Code"], err["Message"]) == (404, "ResourceNotFoundException", text)


def test_recursion_config(lam):
    fn = make_function(lam, "recursion")
    assert lam.get_function_recursion_config(FunctionName=fn)["RecursiveLoop"] == "Terminate"
    out = lam.put_function_recursion_config(FunctionName=fn, RecursiveLoop="Allow")
    assert out["RecursiveLoop"] == "Allow"
    assert lam.get_function_recursion_config(FunctionName=fn)["RecursiveLoop"] == "Allow"
    status, err = client_error(lam.put_function_recursion_config, FunctionName=fn, RecursiveLoop="InvalidValue")
    assert (status, err["Code"], err["Message"]) == (
        400,
        "ValidationException",
        "1 validation error detected: Value 'InvalidValue' at 'recursiveLoop' failed to satisfy constraint: "
        "Member must satisfy enum value set: [Terminate, Allow]",
    )
    status, err = client_error(lam.get_function_recursion_config, FunctionName=fn + "-gone")
    assert (status, err["Message"]) == (404, f"Function not found: {ARN}:function:{fn}-gone")


def test_runtime_management_config(lam):
    fn = make_function(lam, "rtm")
    out = lam.get_runtime_management_config(FunctionName=fn)
    assert (out["UpdateRuntimeOn"], out["FunctionArn"]) == ("Auto", f"{ARN}:function:{fn}")
    assert "RuntimeVersionArn" not in out

    out = lam.put_runtime_management_config(FunctionName=fn, UpdateRuntimeOn="Manual", RuntimeVersionArn=RUNTIME_ARN)
    assert (out["UpdateRuntimeOn"], out["RuntimeVersionArn"]) == ("Manual", RUNTIME_ARN)
    got = lam.get_runtime_management_config(FunctionName=fn)
    assert (got["UpdateRuntimeOn"], got["RuntimeVersionArn"]) == ("Manual", RUNTIME_ARN)

    v = lam.publish_version(FunctionName=fn)["Version"]
    out = lam.put_runtime_management_config(FunctionName=fn, Qualifier=v, UpdateRuntimeOn="FunctionUpdate")
    assert (out["UpdateRuntimeOn"], out["FunctionArn"]) == ("FunctionUpdate", f"{ARN}:function:{fn}:{v}")
    assert lam.get_runtime_management_config(FunctionName=fn)["UpdateRuntimeOn"] == "Manual"

    status, err = client_error(lam.put_runtime_management_config, FunctionName=fn, UpdateRuntimeOn="Manual")
    assert (status, err["Code"]) == (400, "InvalidParameterValueException")
    status, err = client_error(
        lam.put_runtime_management_config, FunctionName=fn, UpdateRuntimeOn="Auto", RuntimeVersionArn=RUNTIME_ARN
    )
    assert (status, err["Code"]) == (400, "InvalidParameterValueException")
    lam.create_alias(FunctionName=fn, Name="live", FunctionVersion=v)
    status, err = client_error(
        lam.put_runtime_management_config, FunctionName=fn, Qualifier="live", UpdateRuntimeOn="Auto"
    )
    assert (status, err["Message"]) == (
        400,
        f"The provided function name {ARN}:function:{fn}:live is invalid. Aliases are not allowed.",
    )
    status, err = client_error(lam.get_runtime_management_config, FunctionName=fn, Qualifier="9")
    assert (status, err["Code"]) == (404, "ResourceNotFoundException")


def test_invoke_async_queues_the_event(client):
    lam = client("lambda")
    fn = make_function(lam, "async")
    out = lam.invoke_async(FunctionName=fn, InvokeArgs=b'{"via": "invoke-async"}')
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert out["Status"] == 202
    logs = client("logs")
    group = f"/aws/lambda/{fn}"
    found, deadline = [], time.time() + 30
    while time.time() < deadline and not found:
        if logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]:
            for s in logs.describe_log_streams(logGroupName=group)["logStreams"]:
                events = logs.get_log_events(logGroupName=group, logStreamName=s["logStreamName"])["events"]
                found += [e for e in events if "invoke-async" in e["message"]]
        time.sleep(0.2)
    assert found, "the event queued by InvokeAsync ran"
    status, err = client_error(lam.invoke_async, FunctionName=fn + "-gone", InvokeArgs=b"{}")
    assert (status, err["Code"]) == (404, "ResourceNotFoundException")


def test_resource_policy_by_arn_replaces_the_function_policy(lam):
    fn = make_function(lam, "rbp")
    v = lam.publish_version(FunctionName=fn)["Version"]
    arn = f"{ARN}:function:{fn}:{v}"
    status, err = client_error(lam.get_resource_policy, ResourceArn=arn)
    assert (status, err["Code"]) == (404, "ResourceNotFoundException")
    lam.add_permission(
        FunctionName=fn, Qualifier=v, StatementId="old", Action="lambda:InvokeFunction", Principal="s3.amazonaws.com"
    )
    statement = {
        "Sid": "new",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "lambda:InvokeFunction",
        "Resource": arn,
    }
    out = lam.put_resource_policy(ResourceArn=arn, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    assert json.loads(out["Policy"])["Statement"] == [statement]
    # The same document as GetPolicy's: AddPermission's statement is gone.
    got = lam.get_policy(FunctionName=fn, Qualifier=v)
    assert json.loads(got["Policy"])["Statement"] == [statement]
    assert lam.get_resource_policy(ResourceArn=arn)["RevisionId"] == got["RevisionId"] == out["RevisionId"]

    stale = "00000000-0000-0000-0000-000000000000"
    status, err = client_error(lam.delete_resource_policy, ResourceArn=arn, RevisionId=stale)
    assert (status, err["Code"]) == (412, "PreconditionFailedException")
    status, err = client_error(lam.put_resource_policy, ResourceArn=arn, Policy="not json")
    assert (status, err["Code"]) == (400, "InvalidParameterValueException")
    out = lam.delete_resource_policy(ResourceArn=arn, RevisionId=got["RevisionId"])
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 204
    status, err = client_error(lam.get_policy, FunctionName=fn, Qualifier=v)
    assert status == 404
    status, err = client_error(lam.get_resource_policy, ResourceArn=f"{ARN}:function:{fn}-gone")
    assert (status, err["Message"]) == (404, f"Function not found: {ARN}:function:{fn}-gone")


def test_records_survive_a_restart(fresh_stratus):
    server = fresh_stratus()
    lam = client_for(server.endpoint, "lambda")
    csc = make_csc(lam, "Warn")["CodeSigningConfig"]
    fn = make_function(lam, "durable-ops", CodeSigningConfigArn=csc["CodeSigningConfigArn"])
    lam.put_function_recursion_config(FunctionName=fn, RecursiveLoop="Allow")
    lam.put_runtime_management_config(FunctionName=fn, UpdateRuntimeOn="Manual", RuntimeVersionArn=RUNTIME_ARN)
    layer, _ = publish_layer(lam)
    lam.add_layer_version_permission(
        LayerName=layer, VersionNumber=1, StatementId="s1", Action="lambda:GetLayerVersion", Principal="*"
    )
    policy = lam.get_layer_version_policy(LayerName=layer, VersionNumber=1)
    server.restart()
    lam = client_for(server.endpoint, "lambda")
    assert lam.get_code_signing_config(CodeSigningConfigArn=csc["CodeSigningConfigArn"])["CodeSigningConfig"] == csc
    assert lam.get_function_code_signing_config(FunctionName=fn)["CodeSigningConfigArn"] == csc["CodeSigningConfigArn"]
    assert lam.get_function_recursion_config(FunctionName=fn)["RecursiveLoop"] == "Allow"
    assert lam.get_runtime_management_config(FunctionName=fn)["RuntimeVersionArn"] == RUNTIME_ARN
    again = lam.get_layer_version_policy(LayerName=layer, VersionNumber=1)
    assert (again["Policy"], again["RevisionId"]) == (policy["Policy"], policy["RevisionId"])
