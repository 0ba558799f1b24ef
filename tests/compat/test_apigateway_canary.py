"""Canary releases of REST API stages through boto3: canarySettings from
CreateStage, CreateDeployment and UpdateStage with AWS's validation
messages, and invoke requests routed to the canary deployment for its
share of traffic."""

import requests

from apigateway_support import apigw, error_of  # noqa: F401 (apigw is a fixture)


def versioned_mock(apigw):
    api_id = apigw.create_rest_api(name="canary")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    kw = dict(restApiId=api_id, resourceId=root, httpMethod="GET")
    apigw.put_method(authorizationType="NONE", **kw)
    apigw.put_integration(type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'}, **kw)

    def answer(version):
        apigw.put_integration_response(statusCode="200", responseTemplates={"application/json": f'{{"v": {version}}}'},
                                       **kw)
    return api_id, answer


def test_canary_settings_and_routing(stratus, apigw):
    api_id, answer = versioned_mock(apigw)
    answer(1)
    d1 = apigw.create_deployment(restApiId=api_id)["id"]
    apigw.create_stage(restApiId=api_id, stageName="dev", deploymentId=d1, variables={"testVar": "default"})
    url = f"{stratus.endpoint}/_aws/execute-api/{api_id}/dev/"
    assert requests.get(url).json() == {"v": 1}

    assert error_of(lambda: apigw.create_deployment(restApiId=api_id, canarySettings={"percentTraffic": 50})) == (
        "BadRequestException",
        "Invalid deployment content specified.Non null and non empty stageName must be provided for canary deployment. "
        "Provided value is null", 400)
    assert error_of(lambda: apigw.create_deployment(restApiId=api_id, stageName="non-existing",
                                                    canarySettings={"percentTraffic": 50})) == (
        "BadRequestException",
        "Invalid deployment content specified.Stage non-existing must already be created before making a canary "
        "release deployment", 400)
    answer(2)
    d2 = apigw.create_deployment(restApiId=api_id, stageName="dev",
                                 canarySettings={"percentTraffic": 100, "stageVariableOverrides": {"testVar": "canary"}})["id"]
    stage = apigw.get_stage(restApiId=api_id, stageName="dev")
    assert stage["deploymentId"] == d1
    assert stage["canarySettings"] == {"deploymentId": d2, "percentTraffic": 100.0,
                                       "stageVariableOverrides": {"testVar": "canary"}, "useStageCache": False}
    assert requests.get(url).json() == {"v": 2}

    up = apigw.update_stage(restApiId=api_id, stageName="dev", patchOperations=[
        {"op": "replace", "path": "/canarySettings/percentTraffic", "value": "0"},
        {"op": "replace", "path": "/canarySettings/stageVariableOverrides/testVar", "value": "updated"}])
    assert up["canarySettings"]["percentTraffic"] == 0.0
    assert up["canarySettings"]["stageVariableOverrides"] == {"testVar": "updated"}
    assert requests.get(url).json() == {"v": 1}
    assert error_of(lambda: apigw.update_stage(restApiId=api_id, stageName="dev", patchOperations=[
        {"op": "add", "path": "/canarySettings/deploymentId", "value": d2}])) == (
        "BadRequestException", "Invalid add operation with path: /canarySettings/deploymentId", 400)
    assert error_of(lambda: apigw.update_stage(restApiId=api_id, stageName="dev", patchOperations=[
        {"op": "replace", "path": "/canarySettings/deploymentId", "value": "nope"}])) == (
        "BadRequestException", "Deployment id does not exist", 400)
    assert error_of(lambda: apigw.update_stage(restApiId=api_id, stageName="dev", patchOperations=[
        {"op": "remove", "path": "/canarySettings/badPath"}])) == (
        "BadRequestException",
        "Cannot remove method setting canarySettings/badPath because there is no method setting for this method ", 400)
    gone = apigw.update_stage(restApiId=api_id, stageName="dev", patchOperations=[
        {"op": "remove", "path": "/canarySettings"}])
    assert "canarySettings" not in gone
