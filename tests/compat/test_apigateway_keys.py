"""API Gateway API keys and usage plans through boto3, and their effect on
invoke URLs: a method requiring an API key answers 403 without a valid
key, 429 "Too Many Requests" past the plan's throttle and 429 "Limit
Exceeded" past its quota; GetUsage reports the counted requests."""

import datetime
import uuid

import requests

from apigateway_support import apigw, error_of  # noqa: F401 (apigw is a fixture)


def keyed_mock_api(apigw):
    api_id = apigw.create_rest_api(name=f"keys-{uuid.uuid4().hex[:8]}")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    kw = dict(restApiId=api_id, resourceId=root, httpMethod="GET")
    apigw.put_method(authorizationType="NONE", apiKeyRequired=True, **kw)
    apigw.put_integration(type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'}, **kw)
    apigw.put_integration_response(statusCode="200", responseTemplates={"application/json": '{"ok": true}'}, **kw)
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    return api_id


def test_api_key_crud_and_errors(apigw):
    name = f"key-{uuid.uuid4().hex[:8]}"
    key = apigw.create_api_key(name=name)
    assert key["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (key["enabled"], key["stageKeys"], len(key["value"])) == (False, [], 40)
    assert "value" not in apigw.get_api_key(apiKey=key["id"])
    assert apigw.get_api_key(apiKey=key["id"], includeValue=True)["value"] == key["value"]
    assert [k["id"] for k in apigw.get_api_keys(nameQuery=name)["items"]] == [key["id"]]
    assert apigw.get_api_keys(nameQuery=name.upper())["items"] == []
    updated = apigw.update_api_key(apiKey=key["id"], patchOperations=[
        {"op": "replace", "path": "/enabled", "value": "true"}])
    assert (updated["enabled"], updated["tags"]) == (True, {})
    assert error_of(lambda: apigw.update_api_key(apiKey=key["id"], patchOperations=[
        {"op": "replace", "path": "/id", "value": "x"}])) == (
        "BadRequestException",
        "Invalid patch path  '/id' specified for op 'replace'. Must be one of: [/description, /enabled, /name, /customerId]",
        400)
    assert error_of(lambda: apigw.create_api_key(name="short", value="tooshort")) == (
        "BadRequestException", "API Key value should be at least 20 characters", 400)
    apigw.delete_api_key(apiKey=key["id"])
    assert error_of(lambda: apigw.get_api_key(apiKey=key["id"])) == (
        "NotFoundException", "Invalid API Key identifier specified", 404)


def test_usage_plan_crud(apigw):
    api_id = keyed_mock_api(apigw)
    plan = apigw.create_usage_plan(name="plan", apiStages=[{"apiId": api_id, "stage": "dev"}])
    assert plan["apiStages"] == [{"apiId": api_id, "stage": "dev"}]
    up = apigw.update_usage_plan(usagePlanId=plan["id"], patchOperations=[
        {"op": "replace", "path": "/throttle/burstLimit", "value": "100"},
        {"op": "replace", "path": "/throttle/rateLimit", "value": "200"},
        {"op": "replace", "path": "/quota/limit", "value": "5000"},
        {"op": "replace", "path": "/quota/period", "value": "MONTH"},
    ])
    assert up["throttle"] == {"burstLimit": 100, "rateLimit": 200.0}
    assert up["quota"] == {"limit": 5000, "offset": 0, "period": "MONTH"}
    assert error_of(lambda: apigw.update_usage_plan(usagePlanId=plan["id"], patchOperations=[
        {"op": "add", "path": "/apiStages", "value": f"{api_id}:nostage"}])) == (
        "NotFoundException", f"Invalid API Stage {{api: {api_id}, stage: nostage}} specified for usageplan {plan['id']}",
        404)
    assert error_of(lambda: apigw.update_usage_plan(usagePlanId=plan["id"], patchOperations=[
        {"op": "add", "path": "/apiStages", "value": "novalue"}])) == (
        "BadRequestException", "Invalid API Stage specified", 400)
    assert error_of(lambda: apigw.update_usage_plan(usagePlanId="nope", patchOperations=[])) == (
        "NotFoundException", "Invalid Usage Plan ID specified", 404)
    key = apigw.create_api_key(name="k1")
    pk = apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    assert pk == {**pk, "id": key["id"], "type": "API_KEY", "value": key["value"], "name": "k1"}
    assert [k["id"] for k in apigw.get_usage_plan_keys(usagePlanId=plan["id"])["items"]] == [key["id"]]
    assert [p["id"] for p in apigw.get_usage_plans(keyId=key["id"])["items"]] == [plan["id"]]
    assert apigw.get_usage_plan_keys(usagePlanId="nope")["items"] == []
    apigw.delete_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"])
    apigw.delete_usage_plan(usagePlanId=plan["id"])


def test_key_required_route_throttle_quota_and_usage(stratus, apigw):
    api_id = keyed_mock_api(apigw)
    url = f"{stratus.endpoint}/_aws/execute-api/{api_id}/dev/"
    assert requests.get(url).json() == {"message": "Forbidden"}
    key = apigw.create_api_key(name="caller", enabled=True)
    assert requests.get(url, headers={"x-api-key": key["value"]}).status_code == 403  # in no plan yet
    plan = apigw.create_usage_plan(name="limited", apiStages=[{"apiId": api_id, "stage": "dev"}],
                                   quota={"limit": 3, "period": "DAY"})
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    answers = [requests.get(url, headers={"x-api-key": key["value"]}) for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert answers[3].json() == {"message": "Limit Exceeded"}
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    usage = apigw.get_usage(usagePlanId=plan["id"], startDate=today, endDate=today)
    assert usage["items"] == {key["id"]: [[3, 0]]}

    throttled_key = apigw.create_api_key(name="burst", enabled=True)
    fast = apigw.create_usage_plan(name="burst", apiStages=[{"apiId": api_id, "stage": "dev"}],
                                   throttle={"rateLimit": 0.01, "burstLimit": 2})
    apigw.create_usage_plan_key(usagePlanId=fast["id"], keyId=throttled_key["id"], keyType="API_KEY")
    codes = [requests.get(url, headers={"x-api-key": throttled_key["value"]}) for _ in range(3)]
    assert [r.status_code for r in codes] == [200, 200, 429]
    assert codes[2].json() == {"message": "Too Many Requests"}
