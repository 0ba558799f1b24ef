"""HTTP_PROXY integrations of HTTP APIs: the request passed to a local
endpoint with the route's greedy path variable and a stage variable
substituted in the URI, its query string and headers forwarded and
amended by the integration's request parameters; the endpoint's status,
headers and body passed back. And AWS service integrations
(IntegrationSubtype) of SQS and Step Functions."""

import botocore.exceptions
import pytest
import requests

from test_apigateway_http import echo  # noqa: F401 (a fixture)


def test_http_proxy_integration(stratus, client, echo):  # noqa: F811
    v2 = client("apigatewayv2")
    api_id = v2.create_api(Name="proxy", ProtocolType="HTTP")["ApiId"]
    host = echo.split("//", 1)[1]
    integration = v2.create_integration(
        ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationMethod="ANY", PayloadFormatVersion="1.0",
        IntegrationUri="http://${stageVariables.host}/up/{proxy}",
        RequestParameters={"overwrite:header.x-custom": "$request.querystring.tag",
                           "append:querystring.extra": "yes"})
    assert (integration["IntegrationType"], integration["IntegrationMethod"]) == ("HTTP_PROXY", "ANY")
    v2.create_route(ApiId=api_id, RouteKey="ANY /things/{proxy+}",
                    Target=f"integrations/{integration['IntegrationId']}")
    v2.create_stage(ApiId=api_id, StageName="dev", AutoDeploy=True, StageVariables={"host": host})
    base = f"{stratus.endpoint}/_aws/execute-api/{api_id}/dev"

    r = requests.post(f"{base}/things/a/b c", params={"tag": "t1"}, data="hello")
    assert r.status_code == 200, r.text
    assert r.headers["X-Upstream"] == "echo"
    got = r.json()
    assert got["method"] == "POST"
    assert got["path"] == "/up/a/b%20c?tag=t1&extra=yes"
    assert (got["body"], got["header"]) == ("hello", "t1")

    missing = requests.get(f"{base}/things/missing")
    assert missing.status_code == 404  # the endpoint's own answer, passed through
    assert requests.get(f"{base}/elsewhere").json() == {"message": "Not Found"}


def test_aws_service_integrations(stratus, client):
    """SQS-SendMessage and StepFunctions-StartExecution subtypes: request
    parameters mapped from the body, header and query string; the
    service's JSON answer passed back."""
    sqs, sfn, v2 = client("sqs"), client("stepfunctions"), client("apigatewayv2")
    queue = sqs.create_queue(QueueName="v2-service")["QueueUrl"]
    machine = sfn.create_state_machine(
        name="v2-service", roleArn="arn:aws:iam::000000000000:role/r",
        definition='{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}')["stateMachineArn"]
    api_id = v2.create_api(Name="services", ProtocolType="HTTP")["ApiId"]
    send = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationSubtype="SQS-SendMessage",
                                 CredentialsArn="arn:aws:iam::000000000000:role/r",
                                 RequestParameters={"QueueUrl": queue, "MessageBody": "$request.body.message",
                                                    "DelaySeconds": "$request.querystring.delay"})
    assert send["PayloadFormatVersion"] == "1.0"
    start = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY",
                                  IntegrationSubtype="StepFunctions-StartExecution",
                                  RequestParameters={"StateMachineArn": machine, "Input": "$request.body",
                                                     "Name": "$request.header.x-run"})
    v2.create_route(ApiId=api_id, RouteKey="POST /send", Target=f"integrations/{send['IntegrationId']}")
    v2.create_route(ApiId=api_id, RouteKey="POST /start", Target=f"integrations/{start['IntegrationId']}")
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    base = f"{stratus.endpoint}/_aws/execute-api/{api_id}"

    r = requests.post(f"{base}/send", params={"delay": "0"}, json={"message": "from the api"})
    assert r.status_code == 200, r.text
    assert "MessageId" in r.json()
    [msg] = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1)["Messages"]
    assert msg["Body"] == "from the api"

    r = requests.post(f"{base}/start", headers={"x-run": "run-1"}, json={"n": 1})
    assert r.status_code == 200, r.text
    arn = r.json()["executionArn"]
    assert arn.endswith(":run-1")
    assert sfn.describe_execution(executionArn=arn)["input"] == '{"n": 1}'

    with pytest.raises(botocore.exceptions.ClientError) as e:
        v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationSubtype="SQS-SendMessage",
                              RequestParameters={"QueueUrl": queue})
    assert e.value.response["Error"]["Code"] == "BadRequestException"
