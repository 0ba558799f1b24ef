"""HTTP APIs served: route selection, the payload format 2.0 and 1.0
events a Python Lambda receives, the 2.0 response contract, CORS
preflights, `$default` stages without a stage segment, and 404s."""

import json

import pytest
import requests

from apigateway_support import python_function

ECHO = """
import json
def handler(event, context):
    if event.get("rawPath", "").endswith("/plain") or event.get("path", "").endswith("/plain"):
        return {"plain": True}
    answer = {"statusCode": 201, "headers": {"x-echo": "1"}, "body": json.dumps(event)}
    if event.get("version") == "2.0":
        answer["cookies"] = ["a=b"]
    return answer
"""


@pytest.fixture
def echo(client):
    return python_function(client("lambda"), "v2echo", ECHO)


def test_payload_v2_event_and_route_selection(client, stratus, echo):
    v2 = client("apigatewayv2")
    api_id = v2.create_api(Name="inv", ProtocolType="HTTP",
                           CorsConfiguration={"AllowOrigins": ["*"], "AllowMethods": ["GET", "POST"]})["ApiId"]
    integ = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=echo,
                                  PayloadFormatVersion="2.0")["IntegrationId"]
    for key in ["GET /pets/{id}", "ANY /{proxy+}", "GET /pets/plain"]:
        v2.create_route(ApiId=api_id, RouteKey=key, Target=f"integrations/{integ}")
    v2.create_stage(ApiId=api_id, StageName="dev", AutoDeploy=True, StageVariables={"v": "1"})
    base = f"{stratus.endpoint}/_aws/execute-api/{api_id}"

    r = requests.post(f"{base}/dev/pets/7?a=1&a=2&b=x", data='{"k":1}',
                      headers={"Content-Type": "application/json", "Cookie": "c1=v1; c2=v2", "X-Multi": "m"})
    assert r.status_code == 201 and r.headers["x-echo"] == "1" and r.cookies["a"] == "b"
    event = r.json()
    assert event["version"] == "2.0" and event["routeKey"] == "ANY /{proxy+}"
    assert event["rawPath"] == "/dev/pets/7" and event["rawQueryString"] == "a=1&a=2&b=x"
    assert event["queryStringParameters"] == {"a": "1,2", "b": "x"}
    assert event["cookies"] == ["c1=v1", "c2=v2"]
    assert event["headers"]["x-multi"] == "m" and "cookie" not in event["headers"]
    assert event["pathParameters"] == {"proxy": "pets/7"}
    assert event["stageVariables"] == {"v": "1"}
    assert event["body"] == '{"k":1}' and event["isBase64Encoded"] is False
    ctx = event["requestContext"]
    assert (ctx["apiId"], ctx["stage"], ctx["routeKey"]) == (api_id, "dev", "ANY /{proxy+}")
    assert ctx["http"]["method"] == "POST" and ctx["http"]["path"] == "/dev/pets/7"
    assert ctx["accountId"] == "000000000000" and ctx["timeEpoch"] > 0 and ctx["requestId"]

    event = requests.get(f"{base}/dev/pets/7").json()
    assert event["routeKey"] == "GET /pets/{id}" and event["pathParameters"] == {"id": "7"}
    r = requests.get(f"{base}/dev/pets/plain")
    assert (r.status_code, r.json(), r.headers["content-type"]) == (200, {"plain": True}, "application/json")

    r = requests.options(f"{base}/dev/pets/7", headers={"Origin": "https://a.example",
                                                         "Access-Control-Request-Method": "GET"})
    assert r.status_code == 204 and r.headers["access-control-allow-origin"] == "*"
    assert r.headers["access-control-allow-methods"] == "GET,POST"

    r = requests.get(f"{base}/nostage/x")
    assert (r.status_code, r.json()) == (404, {"message": "Not Found"})


def test_quick_create_default_stage_and_payload_v1(client, stratus, echo):
    v2 = client("apigatewayv2")
    api_id = v2.create_api(Name="q", ProtocolType="HTTP", Target=echo, RouteKey="GET /hello")["ApiId"]
    base = f"{stratus.endpoint}/_aws/execute-api/{api_id}"
    event = requests.get(f"{base}/hello?x=1").json()
    assert event["routeKey"] == "GET /hello" and event["rawPath"] == "/hello"
    assert event["requestContext"]["stage"] == "$default"
    r = requests.get(f"{base}/other")
    assert (r.status_code, r.json()) == (404, {"message": "Not Found"})

    integ = v2.get_integrations(ApiId=api_id)["Items"][0]["IntegrationId"]
    v2.update_integration(ApiId=api_id, IntegrationId=integ, PayloadFormatVersion="1.0")
    event = requests.get(f"{base}/hello?x=1&x=2").json()
    assert event["version"] == "1.0" and event["httpMethod"] == "GET" and event["resource"] == "/hello"
    assert event["multiValueQueryStringParameters"] == {"x": ["1", "2"]}


AUTHORIZER = """
def handler(event, context):
    assert event["type"] == "REQUEST" and event["routeArn"].startswith("arn:aws:execute-api:")
    return {"isAuthorized": event["identitySource"] == ["ok"], "context": {"user": "u1"}}
"""


def test_request_authorizer_with_simple_responses(client, stratus, echo):
    v2 = client("apigatewayv2")
    auth_fn = python_function(client("lambda"), "v2auth", AUTHORIZER)
    api_id = v2.create_api(Name="ra", ProtocolType="HTTP", Target=echo)["ApiId"]
    auth = v2.create_authorizer(ApiId=api_id, Name="fn", AuthorizerType="REQUEST", AuthorizerUri=auth_fn,
                                IdentitySource=["$request.header.X-Token"], AuthorizerPayloadFormatVersion="2.0",
                                EnableSimpleResponses=True)["AuthorizerId"]
    [route] = v2.get_routes(ApiId=api_id)["Items"]
    v2.update_route(ApiId=api_id, RouteId=route["RouteId"], AuthorizationType="CUSTOM", AuthorizerId=auth)
    url = f"{stratus.endpoint}/_aws/execute-api/{api_id}/x"
    r = requests.get(url, headers={"X-Token": "ok"})
    assert r.status_code == 201, r.text
    assert r.json()["requestContext"]["authorizer"] == {"lambda": {"user": "u1"}}
    assert (requests.get(url).status_code, requests.get(url).json()) == (401, {"message": "Unauthorized"})
    assert requests.get(url, headers={"X-Token": "bad"}).status_code == 403


COUNTING = """
CALLS = {"n": 0}
def handler(event, context):
    CALLS["n"] += 1
    return {"isAuthorized": event["identitySource"] != ["bad"], "context": {"calls": CALLS["n"]}}
"""


def test_request_authorizer_results_are_cached_per_identity(client, stratus, echo):
    v2 = client("apigatewayv2")
    auth_fn = python_function(client("lambda"), "v2count", COUNTING)
    api_id = v2.create_api(Name="cached", ProtocolType="HTTP", Target=echo)["ApiId"]
    auth = v2.create_authorizer(ApiId=api_id, Name="fn", AuthorizerType="REQUEST", AuthorizerUri=auth_fn,
                                IdentitySource=["$request.header.X-Token"], AuthorizerPayloadFormatVersion="2.0",
                                EnableSimpleResponses=True, AuthorizerResultTtlInSeconds=300)
    assert auth["AuthorizerResultTtlInSeconds"] == 300
    [route] = v2.get_routes(ApiId=api_id)["Items"]
    v2.update_route(ApiId=api_id, RouteId=route["RouteId"], AuthorizationType="CUSTOM",
                    AuthorizerId=auth["AuthorizerId"])
    url = f"{stratus.endpoint}/_aws/execute-api/{api_id}/x"
    calls = lambda token: requests.get(url, headers={"X-Token": token}).json()["requestContext"]["authorizer"]["lambda"]["calls"]  # noqa: E731
    first = calls("a")
    assert calls("a") == first  # the cached answer
    assert calls("b") == first + 1  # another identity calls the function
    assert requests.get(url, headers={"X-Token": "bad"}).status_code == 403
    assert requests.get(url, headers={"X-Token": "bad"}).status_code == 403  # a cached refusal
