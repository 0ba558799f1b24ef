"""SNS mobile push through boto3: platform applications and endpoints with
the codes and messages recorded from AWS (aws-reference test_sns:
test_create_platform_application*, *_platform_endpoint*), and push
messages, published to an endpoint or through an `application`
subscription, recorded with their platform's payload at /_stratus/sns/push."""

import json
import time
import urllib.request
import uuid

from conftest import client_error


def pushes(stratus, message_id):
    with urllib.request.urlopen(f"{stratus.endpoint}/_stratus/sns/push") as r:
        return [m for m in json.loads(r.read()) if m["MessageId"] == message_id]


def new_app(sns, platform="GCM", **attrs):
    attrs = attrs or {"PlatformCredential": "server-key"}
    return sns.create_platform_application(Name=f"app-{uuid.uuid4().hex[:8]}", Platform=platform,
                                           Attributes=attrs)["PlatformApplicationArn"]


def test_applications(client):
    sns = client("sns")
    arn = new_app(sns, "ADM", PlatformCredential="secret", PlatformPrincipal="client-id")
    assert arn.startswith("arn:aws:sns:us-east-1:000000000000:app/ADM/app-")
    assert sns.get_platform_application_attributes(PlatformApplicationArn=arn)["Attributes"] == {"Enabled": "true"}
    sns.set_platform_application_attributes(PlatformApplicationArn=arn, Attributes={"SuccessFeedbackSampleRate": "50"})
    assert sns.get_platform_application_attributes(PlatformApplicationArn=arn)["Attributes"] == {
        "Enabled": "true", "SuccessFeedbackSampleRate": "50"}
    listed = {a["PlatformApplicationArn"]: a["Attributes"] for a in sns.list_platform_applications()["PlatformApplications"]}
    assert listed[arn]["Enabled"] == "true" and "PlatformCredential" not in listed[arn]

    cases = [
        (dict(Name="x", Platform="ADM", Attributes={}), "ValidationError",
         "1 validation error detected: Value null at 'attributes' failed to satisfy constraint: Member must not be null"),
        (dict(Name="x", Platform="ADM", Attributes={"PlatformPrincipal": "p"}), "InvalidParameter",
         "Invalid parameter: Attributes Reason: PlatformPrincipal attribute provided without PlatformCredential"),
        (dict(Name="x", Platform="ADM", Attributes={"PlatformCredential": "c"}), "InvalidParameter",
         "Invalid parameter: Attributes Reason: PlatformCredential attribute provided without PlatformPrincipal"),
        (dict(Name="", Platform="GCM", Attributes={"PlatformCredential": "c"}), "InvalidParameter",
         "Invalid parameter:  Reason: cannot be empty"),
        (dict(Name="@name", Platform="GCM", Attributes={"PlatformCredential": "c"}), "InvalidParameter",
         "Invalid parameter: @name Reason: must contain only characters 'a'-'z', 'A'-'Z', '0'-'9', '_', '-', and '.'"),
        (dict(Name="x", Platform="AAA", Attributes={"PlatformCredential": "c"}), "InvalidParameter",
         "Invalid parameter: Platform Reason: AAA is not supported"),
    ]
    for kwargs, code, message in cases:
        status, err = client_error(sns.create_platform_application, **kwargs)
        assert (status, err["Code"], err["Message"]) == (400, code, message), kwargs
    status, err = client_error(sns.get_platform_application_attributes, PlatformApplicationArn="invalid")
    assert err["Message"] == "Invalid parameter: PlatformApplicationArn Reason: An ARN must have at least 6 elements, not 1"
    missing = arn.rsplit("/", 1)[0] + "/missing"
    status, err = client_error(sns.get_platform_application_attributes, PlatformApplicationArn=missing)
    assert (status, err["Code"], err["Message"]) == (404, "NotFound", "PlatformApplication does not exist")


def test_endpoints(client):
    sns = client("sns")
    app = new_app(sns)
    ep = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="token_1")["EndpointArn"]
    assert ep.startswith(app.replace(":app/", ":endpoint/") + "/")
    assert sns.create_platform_endpoint(PlatformApplicationArn=app, Token="token_1")["EndpointArn"] == ep
    status, err = client_error(sns.create_platform_endpoint, PlatformApplicationArn=app, Token="token_1",
                               CustomUserData="other")
    assert err["Message"] == (f"Invalid parameter: Token Reason: Endpoint {ep} already exists with the same Token, "
                              "but different attributes.")
    assert sns.get_endpoint_attributes(EndpointArn=ep)["Attributes"] == {"Enabled": "true", "Token": "token_1"}
    sns.set_endpoint_attributes(EndpointArn=ep, Attributes={"Enabled": "false"})
    assert sns.get_endpoint_attributes(EndpointArn=ep)["Attributes"]["Enabled"] == "false"
    listed = sns.list_endpoints_by_platform_application(PlatformApplicationArn=app)["Endpoints"]
    assert listed == [{"EndpointArn": ep, "Attributes": {"Enabled": "false", "Token": "token_1"}}]

    for attrs, message in (({"PlatformPrincipal": "x"}, "Invalid attribute name: PlatformPrincipal"),
                           ({"CustomUserData": "x" * 2049}, "Invalid value for attribute: CustomUserData: "
                                                            "must be at most 2048 bytes long in UTF-8 encoding")):
        status, err = client_error(sns.set_endpoint_attributes, EndpointArn=ep, Attributes=attrs)
        assert (status, err["Message"]) == (400, f"Invalid parameter: Attributes Reason: {message}")
    status, err = client_error(sns.set_endpoint_attributes, EndpointArn=ep + "/extra", Attributes={"Enabled": "true"})
    assert err["Message"] == "Invalid parameter: EndpointArn Reason: Wrong number of slashes in relative portion of the ARN."
    gone = ep.rsplit("/", 1)[0] + "/" + str(uuid.uuid4())
    status, err = client_error(sns.get_endpoint_attributes, EndpointArn=gone)
    assert (status, err["Code"], err["Message"]) == (404, "NotFound", "Endpoint does not exist")

    with_data = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="token_2", CustomUserData="foo")
    assert sns.get_endpoint_attributes(EndpointArn=with_data["EndpointArn"])["Attributes"]["CustomUserData"] == "foo"
    sns.delete_endpoint(EndpointArn=with_data["EndpointArn"])
    sns.delete_endpoint(EndpointArn=with_data["EndpointArn"])
    assert len(sns.list_endpoints_by_platform_application(PlatformApplicationArn=app)["Endpoints"]) == 1

    sns.delete_platform_application(PlatformApplicationArn=app)
    status, err = client_error(sns.list_endpoints_by_platform_application, PlatformApplicationArn=app)
    assert (status, err["Message"]) == (404, "PlatformApplication does not exist")
    status, err = client_error(sns.create_platform_endpoint, PlatformApplicationArn=app, Token="t")
    assert (status, err["Code"]) == (404, "NotFound")


def test_push_messages(stratus, client):
    sns = client("sns")
    app = new_app(sns)
    ep = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="device-1")["EndpointArn"]
    structured = json.dumps({"default": "plain", "GCM": json.dumps({"notification": {"title": "hi"}})})
    mid = sns.publish(TargetArn=ep, Message=structured, MessageStructure="json")["MessageId"]
    [push] = pushes(stratus, mid)
    assert (push["Platform"], push["Token"], json.loads(push["Message"])) == ("GCM", "device-1", {"notification": {"title": "hi"}})

    topic = sns.create_topic(Name=f"push-{uuid.uuid4().hex[:8]}")["TopicArn"]
    sub = sns.subscribe(TopicArn=topic, Protocol="application", Endpoint=ep)["SubscriptionArn"]
    mid = sns.publish(TopicArn=topic, Message="to every device")["MessageId"]
    for _ in range(50):
        if pushes(stratus, mid):
            break
        time.sleep(0.05)
    [push] = pushes(stratus, mid)
    assert (push["Message"], push["SubscriptionArn"]) == ("to every device", sub)

    sns.set_endpoint_attributes(EndpointArn=ep, Attributes={"Enabled": "false"})
    status, err = client_error(sns.publish, TargetArn=ep, Message="x")
    assert (status, err["Code"], err["Message"]) == (400, "EndpointDisabled", "Endpoint is disabled")
    missing = ep.rsplit("/", 1)[0] + "/" + str(uuid.uuid4())
    status, err = client_error(sns.publish, TargetArn=missing, Message="x")
    assert err["Message"] == "Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified"
