"""Lambda's control plane through boto3 against a real `stratus serve`,
asserted against AWS's recorded answers: package size limits, runtime and
handler checks, the model's lower limits, tags, aliases, layers,
provisioned concurrency and event-invoke configs (and what deleting a
function or a version leaves behind), payload limits, LogType Tail and
ClientContext."""

import base64
import io
import json
import os
import uuid
import zipfile

import boto3
import botocore.exceptions
import pytest
import requests
from botocore.config import Config

from test_lambda import ROLE, name, zip_of

ARN = "arn:aws:lambda:us-east-1:000000000000"

PY_APP = '''
import json
def handler(event, context):
    if event.get("log"):
        print(event["log"])
    cc = context.client_context
    if event.get("app_title"):
        return {"app": cc.client.app_title}
    return {"client": cc and {"custom": cc.custom, "env": cc.env}}
'''


def zeros_zip(*sizes):
    """A highly compressible zip: one file of zeros per size."""
    buf = io.BytesIO()
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i, size in enumerate(sizes):
            with z.open(f"zeros{i}.bin", "w", force_zip64=True) as f:
                left = size
                while left:
                    n = min(left, len(chunk))
                    f.write(chunk[:n])
                    left -= n
    return buf.getvalue()


APP_ZIP = zip_of([("app.py", PY_APP, 0o644)])


@pytest.fixture
def lam(client):
    return client("lambda")


@pytest.fixture
def raw_lam(stratus):
    """A client without botocore's own parameter checks, to reach the server's."""
    return boto3.client("lambda", endpoint_url=stratus.endpoint, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}, parameter_validation=False))


def create(lam, fn, **kw):
    args = dict(FunctionName=fn, Runtime="python3.12", Role=ROLE, Handler="app.handler", Code={"ZipFile": APP_ZIP})
    args.update(kw)
    return lam.create_function(**args)


def error_of(call, *args, **kw):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call(*args, **kw)
    r = e.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"]["Message"]


# --- package size limits ----------------------------------------------------

def test_zipped_upload_over_50_mb(lam):
    # Under the request limit, the zip itself is measured.
    assert error_of(create, lam, name("big"), Code={"ZipFile": os.urandom(52_500_000)}) == (
        413, "RequestEntityTooLargeException", "Zipped size must be smaller than 52428800 bytes")
    # Past it (base64 of 50 MB plus 256 KB), the request is refused as a whole.
    too_big = os.urandom(53_000_000)
    assert error_of(create, lam, name("big"), Code={"ZipFile": too_big}) == (
        413, "RequestEntityTooLargeException",
        "Request must be smaller than 70167211 bytes for the CreateFunction operation")
    fn = name("small")
    create(lam, fn)
    assert error_of(lam.update_function_code, FunctionName=fn, ZipFile=too_big) == (
        413, "RequestEntityTooLargeException",
        "Request must be smaller than 70167211 bytes for the UpdateFunctionCode operation")


def test_unzipped_size_over_250_mb(lam):
    assert error_of(create, lam, name("wide"), Code={"ZipFile": zeros_zip(262_144_001)}) == (
        400, "InvalidParameterValueException", "Unzipped size must be smaller than 262144000 bytes")
    layer = lam.publish_layer_version(LayerName=name("wide"), Content={"ZipFile": zeros_zip(150_000_000)})
    assert error_of(create, lam, name("wide"), Code={"ZipFile": zeros_zip(120_000_000)},
                    Layers=[layer["LayerVersionArn"]]) == (
        400, "InvalidParameterValueException",
        "Function code combined with layers exceeds the maximum allowed size of 262144000 bytes. "
        "The actual size is 270000000 bytes.")
    fn = name("narrow")
    create(lam, fn, Code={"ZipFile": zeros_zip(120_000_000)})
    assert error_of(lam.update_function_configuration, FunctionName=fn, Layers=[layer["LayerVersionArn"]])[2] == (
        "Function code combined with layers exceeds the maximum allowed size of 262144000 bytes. "
        "The actual size is 270000000 bytes.")


# --- runtime, handler and lower limits ----------------------------------------

MANDATORY = "Runtime and Handler are mandatory parameters for functions created with deployment packages."


def test_runtime_and_handler_are_mandatory_for_managed_runtimes(lam, raw_lam):
    fn = name("nohandler")
    assert error_of(raw_lam.create_function, FunctionName=fn, Runtime="python3.12", Role=ROLE,
                    Code={"ZipFile": APP_ZIP}) == (400, "InvalidParameterValueException", MANDATORY)
    assert error_of(raw_lam.create_function, FunctionName=fn, Role=ROLE, Handler="app.handler",
                    Code={"ZipFile": APP_ZIP}) == (400, "InvalidParameterValueException", MANDATORY)
    # An OS-only runtime runs its bootstrap and needs no handler.
    made = lam.create_function(FunctionName=fn, Runtime="provided.al2023", Role=ROLE,
                               Code={"ZipFile": zip_of([("bootstrap", "#!/bin/sh\n", 0o755)])})
    assert "Handler" not in made
    assert error_of(create, lam, name("old"), Runtime="python3.6") == (
        400, "InvalidParameterValueException",
        "The runtime parameter of python3.6 is no longer supported for creating or updating AWS Lambda "
        "functions. We recommend you use a supported runtime while creating or updating functions.")


@pytest.mark.parametrize("runtime", ["python2.0", "foo"])
def test_unknown_runtime_is_an_invalid_parameter(lam, runtime):
    status, code, message = error_of(create, lam, name("rt"), Runtime=runtime)
    assert (status, code) == (400, "InvalidParameterValueException")
    assert message.startswith(f"Value {runtime} at 'runtime' failed to satisfy constraint: "
                              "Member must satisfy enum value set: [nodejs20.x, python3.14, provided.al2023, ")
    assert message.endswith("provided.al2, java8.al2] or be a valid ARN")


@pytest.mark.parametrize("member,value,message", [
    ("MemorySize", 127, "Value '127' at 'memorySize' failed to satisfy constraint: "
                        "Member must have value greater than or equal to 128"),
    ("Timeout", 0, "Value '0' at 'timeout' failed to satisfy constraint: "
                   "Member must have value greater than or equal to 1"),
    ("EphemeralStorage", {"Size": 511}, "Value '511' at 'ephemeralStorage.size' failed to satisfy constraint: "
                                        "Member must have value greater than or equal to 512"),
    ("Handler", "app handler", "Value 'app handler' at 'handler' failed to satisfy constraint: "
                               "Member must satisfy regular expression pattern: [^\\s]+"),
])
def test_lower_limits(raw_lam, member, value, message):
    assert error_of(create, raw_lam, name("low"), **{member: value}) == (
        400, "ValidationException", f"1 validation error detected: {message}")


# --- tags ----------------------------------------------------------------------

def test_tags(lam):
    fn = name("tags")
    arn = create(lam, fn, Tags={"a": "1"})["FunctionArn"]
    lam.tag_resource(Resource=arn, Tags={"b": "2", "a": "one"})
    assert lam.list_tags(Resource=arn)["Tags"] == {"a": "one", "b": "2"}
    assert lam.get_function(FunctionName=fn)["Tags"] == {"a": "one", "b": "2"}
    out = lam.untag_resource(Resource=arn, TagKeys=["a", "never-set"])
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert lam.list_tags(Resource=arn)["Tags"] == {"b": "2"}
    not_tagged = "Tags on function aliases and versions are not supported. Please specify a function ARN."
    assert error_of(lam.tag_resource, Resource=f"{arn}:$LATEST", Tags={"c": "3"}) == (
        400, "InvalidParameterValueException", not_tagged)
    assert error_of(lam.tag_resource, Resource=arn, Tags={f"k{i}": "v" for i in range(50)}) == (
        400, "InvalidParameterValueException", "Number of tags exceeds resource tag limit.")
    assert error_of(lam.tag_resource, Resource=arn, Tags={}) == (
        400, "InvalidParameterValueException", "An error occurred and the request cannot be processed.")
    missing = f"{ARN}:function:doesnotexist-{uuid.uuid4().hex[:6]}"
    for call in (lambda: lam.tag_resource(Resource=missing, Tags={"a": "b"}),
                 lambda: lam.untag_resource(Resource=missing, TagKeys=["a"]),
                 lambda: lam.list_tags(Resource=missing)):
        assert error_of(call) == (404, "ResourceNotFoundException", f"Function not found: {missing}")


# --- aliases -------------------------------------------------------------------

def publish_two(lam, fn):
    create(lam, fn)
    lam.publish_version(FunctionName=fn)
    lam.update_function_configuration(FunctionName=fn, Description="second")
    lam.publish_version(FunctionName=fn)


def test_list_and_delete_aliases(lam):
    fn = name("alias")
    publish_two(lam, fn)
    lam.create_alias(FunctionName=fn, Name="one", FunctionVersion="1")
    lam.create_alias(FunctionName=fn, Name="two", FunctionVersion="2")
    names = lambda **kw: [a["Name"] for a in lam.list_aliases(FunctionName=fn, **kw)["Aliases"]]
    assert names() == ["one", "two"]
    assert names(FunctionVersion="1") == ["one"]
    listed = lam.list_aliases(FunctionName=fn, FunctionVersion="2")["Aliases"][0]
    assert listed["AliasArn"] == f"{ARN}:function:{fn}:two"
    assert lam.delete_alias(FunctionName=fn, Name="one")["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert names() == ["two"]
    assert error_of(lam.get_alias, FunctionName=fn, Name="one") == (
        404, "ResourceNotFoundException", f"Cannot find alias arn: {ARN}:function:{fn}:one")
    # Deleting an alias that does not exist succeeds, as on AWS.
    assert lam.delete_alias(FunctionName=fn, Name="one")["ResponseMetadata"]["HTTPStatusCode"] == 204


# --- layers --------------------------------------------------------------------

def test_layer_versions(lam):
    layer = name("layer")
    v1 = lam.publish_layer_version(LayerName=layer, Content={"ZipFile": zip_of([("python/a.py", "A = 1", 0o644)])},
                                   CompatibleRuntimes=["python3.12"], CompatibleArchitectures=["x86_64"])
    v2 = lam.publish_layer_version(LayerName=layer, Content={"ZipFile": zip_of([("nodejs/a.js", "1", 0o644)])},
                                   CompatibleRuntimes=["nodejs20.x"], Description="node")
    assert (v1["Version"], v2["Version"]) == (1, 2)
    assert v1["LayerVersionArn"] == f"{ARN}:layer:{layer}:1"
    got = lam.get_layer_version(LayerName=layer, VersionNumber=1)
    assert got["LayerArn"] == f"{ARN}:layer:{layer}"
    assert got["CompatibleRuntimes"] == ["python3.12"]
    assert got["Content"]["CodeSha256"] == v1["Content"]["CodeSha256"]
    by_arn = lam.get_layer_version_by_arn(Arn=v2["LayerVersionArn"])
    assert by_arn["Description"] == "node" and by_arn["Version"] == 2

    versions = lam.list_layer_versions(LayerName=layer)["LayerVersions"]
    assert [v["Version"] for v in versions] == [2, 1]
    assert "Content" not in versions[0] and "LayerArn" not in versions[0]
    assert [v["Version"] for v in lam.list_layer_versions(LayerName=layer, CompatibleRuntime="python3.12")[
        "LayerVersions"]] == [1]
    assert lam.list_layer_versions(LayerName=layer, CompatibleRuntime="java21")["LayerVersions"] == []
    assert lam.list_layer_versions(LayerName=name("never"))["LayerVersions"] == []

    ours = lambda **kw: [l for l in lam.list_layers(**kw)["Layers"] if l["LayerName"] == layer]
    assert ours()[0]["LatestMatchingVersion"]["Version"] == 2
    assert ours(CompatibleRuntime="python3.12")[0]["LatestMatchingVersion"]["Version"] == 1
    assert ours(CompatibleRuntime="java21") == []

    less = (400, "InvalidParameterValueException", "Layer Version Cannot be less than 1")
    assert error_of(lam.get_layer_version, LayerName=layer, VersionNumber=0) == less
    assert error_of(lam.delete_layer_version, LayerName=layer, VersionNumber=0) == less
    gone = (404, "ResourceNotFoundException", "The resource you requested does not exist.")
    assert error_of(lam.get_layer_version, LayerName=layer, VersionNumber=9) == gone
    assert error_of(lam.get_layer_version_by_arn, Arn=f"{ARN}:layer:{layer}:9") == gone

    fn = name("twolayers")
    assert error_of(create, lam, fn, Layers=[v1["LayerVersionArn"], v2["LayerVersionArn"]]) == (
        400, "InvalidParameterValueException",
        "Two different versions of the same layer are not allowed to be referenced in the same function. "
        f"{v1['LayerVersionArn']} and {v2['LayerVersionArn']} are versions of the same layer.")

    assert lam.delete_layer_version(LayerName=layer, VersionNumber=1)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error_of(lam.get_layer_version, LayerName=layer, VersionNumber=1) == gone
    assert lam.delete_layer_version(LayerName=layer, VersionNumber=1)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert [v["Version"] for v in lam.list_layer_versions(LayerName=layer)["LayerVersions"]] == [2]



LAYER_USER = """
import os
import shared
def handler(event, context):
    return {"from_layer": shared.VALUE, "at_opt": os.path.isfile("/opt/python/shared.py")}
"""


def test_a_deleted_layer_version_stays_with_the_functions_that_use_it(lam, stratus):
    """AWS: deleted versions can no longer be viewed or added to functions, but
    a copy remains while functions refer to it, and version numbers are not reused."""
    layer = name("keep")
    v1 = lam.publish_layer_version(LayerName=layer, Content={"ZipFile": zip_of([("python/shared.py", "VALUE = 41", 0o644)])})
    fn = name("layeruser")
    create(lam, fn, Code={"ZipFile": zip_of([("app.py", LAYER_USER, 0o644)])}, Layers=[v1["LayerVersionArn"]])
    lam.get_waiter("function_active_v2").wait(FunctionName=fn)
    lam.delete_layer_version(LayerName=layer, VersionNumber=1)
    # A new environment (after a configuration change) still unpacks the deleted layer.
    lam.update_function_configuration(FunctionName=fn, Environment={"Variables": {"NEW": "1"}})
    lam.get_waiter("function_updated_v2").wait(FunctionName=fn)
    out = lam.invoke(FunctionName=fn)
    assert "FunctionError" not in out, out["Payload"].read()
    # Bound over /opt where the OS gives environments a mount namespace (the health report says which).
    at_opt = requests.get(f"{stratus.endpoint}/_stratus/health", timeout=30).json()["isolation"]["layers_at_opt"]
    assert json.loads(out["Payload"].read()) == {"from_layer": 41, "at_opt": at_opt["status"] == "enforced"}
    assert lam.get_function_configuration(FunctionName=fn)["Layers"][0]["Arn"] == v1["LayerVersionArn"]

    gone = (404, "ResourceNotFoundException", "The resource you requested does not exist.")
    assert error_of(lam.get_layer_version_by_arn, Arn=v1["LayerVersionArn"]) == gone
    assert lam.list_layer_versions(LayerName=layer)["LayerVersions"] == []
    assert [l for l in lam.list_layers()["Layers"] if l["LayerName"] == layer] == []
    assert error_of(create, lam, name("late"), Layers=[v1["LayerVersionArn"]]) == (
        400, "InvalidParameterValueException", f"Layer version {v1['LayerVersionArn']} does not exist.")
    # The number is not given out again.
    v2 = lam.publish_layer_version(LayerName=layer, Content={"ZipFile": zip_of([("python/shared.py", "VALUE = 2", 0o644)])})
    assert v2["Version"] == 2


# --- provisioned concurrency, event-invoke configs, and deletes ------------------

NO_PC = (404, "ProvisionedConcurrencyConfigNotFoundException", "No Provisioned Concurrency Config found for this function")


def test_provisioned_concurrency_configs(lam):
    fn = name("pc")
    publish_two(lam, fn)
    lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="2")
    assert lam.list_provisioned_concurrency_configs(FunctionName=fn)["ProvisionedConcurrencyConfigs"] == []
    put = lam.put_provisioned_concurrency_config(FunctionName=fn, Qualifier="1",
                                                 ProvisionedConcurrentExecutions=1)
    assert put["RequestedProvisionedConcurrentExecutions"] == 1
    listed = lam.list_provisioned_concurrency_configs(FunctionName=fn)["ProvisionedConcurrencyConfigs"]
    assert [c["FunctionArn"] for c in listed] == [f"{ARN}:function:{fn}:1"]
    not_alias_or_version = (400, "InvalidParameterValueException",
                            "The function resource provided must be an alias or a published version.")
    assert error_of(lam.get_provisioned_concurrency_config, FunctionName=fn, Qualifier="$LATEST") == \
        not_alias_or_version
    assert error_of(lam.delete_provisioned_concurrency_config, FunctionName=fn, Qualifier="$LATEST") == \
        not_alias_or_version
    assert error_of(lam.get_provisioned_concurrency_config, FunctionName=fn, Qualifier="noalias") == (
        404, "ResourceNotFoundException", f"Cannot find alias arn: {ARN}:function:{fn}:noalias")
    assert error_of(lam.get_provisioned_concurrency_config, FunctionName=fn, Qualifier="10") == (
        404, "ResourceNotFoundException", f"Function not found: {ARN}:function:{fn}:10")
    assert error_of(lam.get_provisioned_concurrency_config, FunctionName=fn, Qualifier="live") == NO_PC
    # Deleting a config that is not there answers 204, as AWS does.
    out = lam.delete_provisioned_concurrency_config(FunctionName=fn, Qualifier="live")
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_recreated_function_has_none_of_the_old_ones_configs(lam):
    fn = name("again")
    create(lam, fn)
    lam.publish_version(FunctionName=fn)
    lam.put_provisioned_concurrency_config(FunctionName=fn, Qualifier="1", ProvisionedConcurrentExecutions=1)
    lam.put_function_event_invoke_config(FunctionName=fn, Qualifier="1", MaximumRetryAttempts=0)
    lam.add_permission(FunctionName=fn, Qualifier="1", StatementId="s1", Action="lambda:InvokeFunction",
                       Principal="sns.amazonaws.com")
    lam.delete_function(FunctionName=fn)

    create(lam, fn)
    lam.publish_version(FunctionName=fn)
    assert error_of(lam.get_provisioned_concurrency_config, FunctionName=fn, Qualifier="1") == NO_PC
    assert lam.list_provisioned_concurrency_configs(FunctionName=fn)["ProvisionedConcurrencyConfigs"] == []
    assert error_of(lam.get_function_event_invoke_config, FunctionName=fn, Qualifier="1") == (
        404, "ResourceNotFoundException", f"The function {ARN}:function:{fn}:1 doesn't have an EventInvokeConfig")
    assert lam.list_function_event_invoke_configs(FunctionName=fn)["FunctionEventInvokeConfigs"] == []
    assert error_of(lam.get_policy, FunctionName=fn, Qualifier="1") == (
        404, "ResourceNotFoundException", "The resource you requested does not exist.")


def test_deleted_version_takes_its_configs_along(lam):
    fn = name("delver")
    publish_two(lam, fn)
    for q in ("1", "2"):
        lam.put_function_event_invoke_config(FunctionName=fn, Qualifier=q, MaximumRetryAttempts=1)
        lam.add_permission(FunctionName=fn, Qualifier=q, StatementId="s", Action="lambda:InvokeFunction",
                           Principal="sns.amazonaws.com")
    lam.put_provisioned_concurrency_config(FunctionName=fn, Qualifier="1", ProvisionedConcurrentExecutions=1)
    lam.delete_function(FunctionName=fn, Qualifier="1")
    configs = lam.list_function_event_invoke_configs(FunctionName=fn)["FunctionEventInvokeConfigs"]
    assert [c["FunctionArn"] for c in configs] == [f"{ARN}:function:{fn}:2"]
    assert lam.list_provisioned_concurrency_configs(FunctionName=fn)["ProvisionedConcurrencyConfigs"] == []
    assert json.loads(lam.get_policy(FunctionName=fn, Qualifier="2")["Policy"])["Statement"][0]["Sid"] == "s"


def test_event_invoke_config_lifecycle(lam):
    fn = name("eic")
    create(lam, fn)
    latest = f"{ARN}:function:{fn}:$LATEST"
    put = lam.put_function_event_invoke_config(FunctionName=fn, MaximumRetryAttempts=0)
    assert put["FunctionArn"] == latest and put["MaximumRetryAttempts"] == 0
    assert put["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {}}
    # Put replaces the whole config; Update changes only what it names.
    put = lam.put_function_event_invoke_config(FunctionName=fn, MaximumEventAgeInSeconds=60)
    assert "MaximumRetryAttempts" not in put
    upd = lam.update_function_event_invoke_config(FunctionName=fn, MaximumRetryAttempts=1)
    assert (upd["MaximumEventAgeInSeconds"], upd["MaximumRetryAttempts"]) == (60, 1)
    listed = lam.list_function_event_invoke_configs(FunctionName=fn)["FunctionEventInvokeConfigs"]
    assert [(c["FunctionArn"], c["MaximumRetryAttempts"]) for c in listed] == [(latest, 1)]
    out = lam.delete_function_event_invoke_config(FunctionName=fn)
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 204
    missing = (404, "ResourceNotFoundException", f"The function {latest} doesn't have an EventInvokeConfig")
    assert error_of(lam.get_function_event_invoke_config, FunctionName=fn) == missing
    assert error_of(lam.update_function_event_invoke_config, FunctionName=fn, MaximumRetryAttempts=2) == missing
    assert lam.list_function_event_invoke_configs(FunctionName=fn)["FunctionEventInvokeConfigs"] == []


# --- invoke: payload limits, LogType Tail, ClientContext --------------------------

def test_payload_limits(lam):
    fn = name("payload")
    create(lam, fn)
    sync = b'"' + b"x" * (6_291_456 - 1) + b'"'
    assert error_of(lam.invoke, FunctionName=fn, Payload=sync) == (
        413, "RequestEntityTooLargeException",
        "Request must be smaller than 6291456 bytes for the InvokeFunction operation")
    event = b'"' + b"x" * 1_048_576 + b'"'
    assert error_of(lam.invoke, FunctionName=fn, Payload=event, InvocationType="Event") == (
        413, "RequestEntityTooLargeException",
        f"{len(event)} byte payload is too large for the Event invocation type (limit 1048576 bytes)")
    # Just under each limit is accepted.
    ok = lam.invoke(FunctionName=fn, Payload=b'"' + b"x" * (1_048_576 - 2) + b'"', InvocationType="Event")
    assert ok["StatusCode"] == 202


def test_log_tail_is_the_last_4_kb(lam):
    fn = name("tail")
    create(lam, fn)
    out = lam.invoke(FunctionName=fn, Payload=json.dumps({"log": "y" * 10_000 + "END-MARK"}).encode(),
                     LogType="Tail")
    tail = base64.b64decode(out["LogResult"])
    assert len(tail) == 4096
    assert tail.startswith(b"y")
    assert b"END-MARK" in tail
    assert tail.rstrip().splitlines()[-1].startswith(b"REPORT RequestId: ")


CLIENT_CONTEXT = {"client": {"app_title": "demo"}, "custom": {"k": "v"}, "env": {"platform": "test"}}


def invoke_with_context(lam, fn, event):
    out = lam.invoke(FunctionName=fn, Payload=json.dumps(event).encode(),
                     ClientContext=base64.b64encode(json.dumps(CLIENT_CONTEXT).encode()).decode())
    return json.loads(out["Payload"].read())


def test_client_context_reaches_a_python_handler(lam):
    fn = name("cc")
    create(lam, fn)
    assert invoke_with_context(lam, fn, {}) == {"client": {"custom": {"k": "v"}, "env": {"platform": "test"}}}
    out = lam.invoke(FunctionName=fn, Payload=b"{}")
    assert json.loads(out["Payload"].read()) == {"client": None}


def test_client_context_client_is_an_object(lam):
    fn = name("ccapp")
    create(lam, fn)
    assert invoke_with_context(lam, fn, {"app_title": True}) == {"app": "demo"}
