"""Lambda authorizers on REST APIs through boto3 and `requests`: a TOKEN
authorizer allowing one token, denying another and refusing a third as
Unauthorized, its answer cached per token; a REQUEST authorizer reading a
header and a query string; the granted context reaching the integration
as `requestContext.authorizer`; and the authorizer CRUD with AWS's errors."""

import requests

from apigateway_support import apigw, error_of, python_function  # noqa: F401 (apigw is a fixture)

AUTHORIZER = '''
CALLS = {"n": 0}
def handler(event, context):
    CALLS["n"] += 1
    token = event.get("authorizationToken") or event["headers"].get("x-token", "")
    if event["type"] == "REQUEST":
        token = token + ":" + (event["queryStringParameters"] or {}).get("who", "")
    if token.startswith("bad"):
        raise Exception("Unauthorized")
    effect = "Deny" if token.startswith("deny") else "Allow"
    return {"principalId": "user-" + token, "usageIdentifierKey": token,
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}]},
            "context": {"calls": CALLS["n"], "type": event["type"], "arnOk": event["methodArn"].endswith("/GET/hello")}}
'''

BACKEND = '''
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event["requestContext"]["authorizer"])}
'''


def lambda_uri(arn):
    return f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"


def api_with_authorizer(apigw, client, key_source="HEADER", key_required=False, **authorizer):
    auth_arn = python_function(client("lambda"), "authz", AUTHORIZER)
    backend_arn = python_function(client("lambda"), "backend", BACKEND)
    api_id = apigw.create_rest_api(name="authorized", apiKeySource=key_source)["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    res = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="hello")
    a = apigw.create_authorizer(restApiId=api_id, name="lambda", authorizerUri=lambda_uri(auth_arn), **authorizer)
    kw = dict(restApiId=api_id, resourceId=res["id"], httpMethod="GET")
    apigw.put_method(authorizationType="CUSTOM", authorizerId=a["id"], apiKeyRequired=key_required, **kw)
    apigw.put_integration(type="AWS_PROXY", integrationHttpMethod="POST", uri=lambda_uri(backend_arn), **kw)
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    return api_id, a


def test_token_authorizer_allows_denies_and_caches(stratus, apigw, client):
    api_id, a = api_with_authorizer(apigw, client, type="TOKEN",
                                    identitySource="method.request.header.Authorization")
    assert (a["type"], a["identitySource"], a["name"]) == ("TOKEN", "method.request.header.Authorization", "lambda")
    url = f"{stratus.endpoint}/_aws/execute-api/{api_id}/dev/hello"
    ok = requests.get(url, headers={"Authorization": "good-token"})
    assert ok.status_code == 200
    granted = ok.json()
    assert (granted["principalId"], granted["type"], granted["arnOk"]) == ("user-good-token", "TOKEN", True)
    again = requests.get(url, headers={"Authorization": "good-token"}).json()
    assert again["calls"] == granted["calls"]  # cached for the same token
    denied = requests.get(url, headers={"Authorization": "deny-me"})
    assert (denied.status_code, denied.json()) == (
        403, {"message": "User is not authorized to access this resource with an explicit deny"})
    refused = requests.get(url, headers={"Authorization": "bad-token"})
    assert (refused.status_code, refused.json()) == (401, {"message": "Unauthorized"})
    missing = requests.get(url)
    assert (missing.status_code, missing.json()) == (401, {"message": "Unauthorized"})


def test_request_authorizer_with_identity_sources(stratus, apigw, client):
    api_id, _ = api_with_authorizer(apigw, client, type="REQUEST", authorizerResultTtlInSeconds=0,
                                    identitySource="method.request.header.x-token, method.request.querystring.who")
    url = f"{stratus.endpoint}/_aws/execute-api/{api_id}/dev/hello"
    ok = requests.get(url, params={"who": "me"}, headers={"x-token": "t1"})
    assert (ok.status_code, ok.json()["principalId"], ok.json()["type"]) == (200, "user-t1:me", "REQUEST")
    second = requests.get(url, params={"who": "me"}, headers={"x-token": "t1"}).json()
    assert second["calls"] != ok.json()["calls"]  # TTL 0: no caching
    assert requests.get(url, params={"who": "x"}, headers={"x-token": "deny"}).status_code == 403


def test_api_key_from_authorizer(stratus, apigw, client):
    api_id, _ = api_with_authorizer(apigw, client, key_source="AUTHORIZER", key_required=True, type="TOKEN",
                                    identitySource="method.request.header.Authorization")
    value = "authorizer-supplied-key-0001"
    key = apigw.create_api_key(name="from-authorizer", enabled=True, value=value)
    plan = apigw.create_usage_plan(name="one", apiStages=[{"apiId": api_id, "stage": "dev"}],
                                   quota={"limit": 1, "period": "DAY"})
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    url = f"{stratus.endpoint}/_aws/execute-api/{api_id}/dev/hello"
    assert requests.get(url, headers={"Authorization": value}).status_code == 200
    over = requests.get(url, headers={"Authorization": value})
    assert (over.status_code, over.json()) == (429, {"message": "Limit Exceeded"})
    assert requests.get(url, headers={"Authorization": "good-but-no-key"}).status_code == 403


def test_authorizer_crud_errors(apigw):
    assert error_of(lambda: apigw.create_authorizer(restApiId="nope", name="a", type="TOKEN",
                                                    authorizerUri="arn:x", identitySource="x")) == (
        "ConflictException", "Unable to complete operation due to concurrent modification. Please try again later.", 409)
    assert error_of(lambda: apigw.get_authorizers(restApiId="nope")) == (
        "NotFoundException", "Invalid API identifier specified 000000000000:nope", 404)
    api_id = apigw.create_rest_api(name="crud")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    assert error_of(lambda: apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                                             authorizationType="CUSTOM", authorizerId="missing")) == (
        "BadRequestException",
        "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.",
        400)
    a = apigw.create_authorizer(restApiId=api_id, name="a", type="TOKEN", authorizerUri="arn:x",
                                identitySource="method.request.header.Authorization")
    up = apigw.update_authorizer(restApiId=api_id, authorizerId=a["id"], patchOperations=[
        {"op": "replace", "path": "/authorizerResultTtlInSeconds", "value": "60"}])
    assert up["authorizerResultTtlInSeconds"] == 60
    assert [x["id"] for x in apigw.get_authorizers(restApiId=api_id)["items"]] == [a["id"]]
    apigw.delete_authorizer(restApiId=api_id, authorizerId=a["id"])
    assert error_of(lambda: apigw.get_authorizer(restApiId=api_id, authorizerId=a["id"])) == (
        "NotFoundException", "Invalid Authorizer identifier specified", 404)
