"""API Gateway REST APIs through boto3 against a real `stratus serve`: the
control plane (shapes, patchOperations, AWS's errors) and invoke URLs with
`requests`, in the path form `/_aws/execute-api/{apiId}/{stage}/...` and
the host form `{apiId}.execute-api.localhost` (sent as a Host header, as
plain resolvers may not resolve `*.localhost`): MOCK and Lambda proxy."""

import json
import uuid

import requests

from apigateway_support import apigw, error_of, python_function  # noqa: F401 (apigw is a fixture)


APP = '''
import json
def handler(event, context):
    if event["path"] == "/broken":
        return {"statusCode": 200, "unexpected": True}
    return {"statusCode": 201,
            "headers": {"x-single": "one", "x-flag": True},
            "multiValueHeaders": {"x-multi": ["a", "b"]},
            "body": json.dumps({"event": event})}
'''


def new_api(apigw, **kwargs):
    api = apigw.create_rest_api(name=f"api-{uuid.uuid4().hex[:8]}", **kwargs)
    return api["id"], api["rootResourceId"]


def test_create_rest_api_shape_and_errors(apigw):
    api = apigw.create_rest_api(name="shape", description="this is my api")
    assert api["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert len(api["id"]) == 10 and api["id"].isalnum() and api["id"].lower() == api["id"]
    assert api["apiKeySource"] == "HEADER"
    assert api["disableExecuteApiEndpoint"] is False
    assert api["endpointConfiguration"] == {"ipAddressType": "ipv4", "types": ["EDGE"]}
    resources = apigw.get_resources(restApiId=api["id"])["items"]
    assert resources == [{"id": api["rootResourceId"], "path": "/"}]
    assert error_of(lambda: apigw.create_rest_api(name="x", description="")) == (
        "BadRequestException", "Description cannot be an empty string", 400)
    assert error_of(lambda: apigw.get_rest_api(restApiId="abc")) == (
        "NotFoundException", "Invalid API identifier specified 000000000000:abc", 404)
    assert error_of(lambda: apigw.create_rest_api(
        name="x", endpointConfiguration={"types": ["EDGE", "REGIONAL"]})) == (
        "BadRequestException", "Cannot create an api with multiple Endpoint Types.", 400)
    apigw.delete_rest_api(restApiId=api["id"])
    assert error_of(lambda: apigw.get_rest_api(restApiId=api["id"]))[2] == 404


def test_update_rest_api_patch_operations(apigw):
    api_id, _ = new_api(apigw, description="d")
    out = apigw.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "add", "path": "/binaryMediaTypes/image~1png"},
        {"op": "add", "path": "/binaryMediaTypes/image~1jpeg"},
        {"op": "replace", "path": "/binaryMediaTypes/image~1png", "value": "image/gif"},
        {"op": "remove", "path": "/description"},
        {"op": "replace", "path": "/minimumCompressionSize", "value": "10"},
    ])
    assert out["binaryMediaTypes"] == ["image/gif", "image/jpeg"]
    assert "description" not in out
    assert out["minimumCompressionSize"] == 10
    assert error_of(lambda: apigw.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "replace", "path": "/minimumCompressionSize", "value": "-1"}])) == (
        "BadRequestException", "Invalid minimum compression size, must be between 0 and 10485760", 400)
    assert error_of(lambda: apigw.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "add", "path": "/binaryMediaTypes", "value": "x"}])) == (
        "BadRequestException", "Invalid patch path /binaryMediaTypes", 400)


def test_resource_tree_rules(apigw):
    api_id, root = new_api(apigw)
    pets = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="pets")
    assert (pets["path"], pets["pathPart"], pets["parentId"]) == ("/pets", "pets", root)
    sub = apigw.create_resource(restApiId=api_id, parentId=pets["id"], pathPart="subpets")
    assert sub["path"] == "/pets/subpets"
    moved = apigw.update_resource(restApiId=api_id, resourceId=pets["id"],
                                  patchOperations=[{"op": "replace", "path": "/pathPart", "value": "dogs"}])
    assert moved["path"] == "/dogs"
    assert apigw.get_resource(restApiId=api_id, resourceId=sub["id"])["path"] == "/dogs/subpets"
    assert error_of(lambda: apigw.update_resource(restApiId=api_id, resourceId=pets["id"], patchOperations=[
        {"op": "replace", "path": "/parentId", "value": sub["id"]}])) == (
        "BadRequestException", "Resources cannot be cyclical.", 400)
    assert error_of(lambda: apigw.update_resource(restApiId=api_id, resourceId=pets["id"], patchOperations=[
        {"op": "replace", "path": "/invalid", "value": "x"}])) == (
        "BadRequestException",
        "Invalid patch path  '/invalid' specified for op 'replace'. Must be one of: [/parentId, /pathPart]", 400)
    assert error_of(lambda: apigw.update_resource(restApiId=api_id, resourceId=root, patchOperations=[
        {"op": "replace", "path": "/pathPart", "value": "x"}])) == (
        "BadRequestException", "Root resource cannot update its pathPart.", 400)
    assert error_of(lambda: apigw.create_resource(restApiId=api_id, parentId=root, pathPart="dogs")) == (
        "ConflictException", "Another resource with the same parent already has this name: dogs", 409)
    proxy = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")
    assert error_of(lambda: apigw.create_resource(restApiId=api_id, parentId=proxy["id"], pathPart="x")) == (
        "BadRequestException", "Cannot create a child of a resource with a greedy path variable: {proxy+}", 400)
    assert error_of(lambda: apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{id}")) == (
        "BadRequestException",
        "A sibling ({proxy+}) of this resource already has a variable path part -- only one is allowed", 400)
    apigw.delete_resource(restApiId=api_id, resourceId=pets["id"])
    paths = sorted(r["path"] for r in apigw.get_resources(restApiId=api_id)["items"])
    assert paths == ["/", "/{proxy+}"]


def test_method_integration_and_responses(apigw):
    api_id, root = new_api(apigw)
    put = apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE",
                           requestParameters={"method.request.querystring.q": True})
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (put["httpMethod"], put["apiKeyRequired"]) == ("GET", False)
    assert error_of(lambda: apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="FOO",
                                             authorizationType="NONE")) == (
        "BadRequestException",
        "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY", 400)
    assert error_of(lambda: apigw.get_integration(restApiId=api_id, resourceId=root, httpMethod="GET")) == (
        "NotFoundException", "Invalid Integration identifier specified", 404)
    assert error_of(lambda: apigw.get_method(restApiId=api_id, resourceId=root, httpMethod="POST")) == (
        "NotFoundException", "Invalid Method identifier specified", 404)
    updated = apigw.update_method(restApiId=api_id, resourceId=root, httpMethod="GET", patchOperations=[
        {"op": "replace", "path": "/apiKeyRequired", "value": "true"},
        {"op": "remove", "path": "/requestParameters/method.request.querystring.q"},
        {"op": "add", "path": "/requestModels/application~1json", "value": "Empty"},
    ])
    assert updated["apiKeyRequired"] is True
    assert "requestParameters" not in updated
    assert updated["requestModels"] == {"application/json": "Empty"}
    assert error_of(lambda: apigw.update_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                                                patchOperations=[{"op": "replace", "path": "/httpMethod",
                                                                  "value": "POST"}])) == (
        "BadRequestException", "Invalid patch path /httpMethod", 400)
    mr = apigw.put_method_response(restApiId=api_id, resourceId=root, httpMethod="GET", statusCode="200")
    assert mr["statusCode"] == "200"
    i = apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK",
                              requestTemplates={"application/json": '{"statusCode": 200}'})
    assert (i["type"], i["passthroughBehavior"], i["timeoutInMillis"]) == ("MOCK", "WHEN_NO_MATCH", 29000)
    assert i["cacheKeyParameters"] == [] and i["cacheNamespace"] == root
    assert error_of(lambda: apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET",
                                                  type="HTTP", uri="http://example.com")) == (
        "BadRequestException", "Enumeration value for HttpMethod must be non-empty", 400)
    ir = apigw.put_integration_response(restApiId=api_id, resourceId=root, httpMethod="GET", statusCode="200",
                                        selectionPattern="", responseTemplates={"application/json": '"created"'})
    assert ir["statusCode"] == "200"
    ir = apigw.update_integration_response(restApiId=api_id, resourceId=root, httpMethod="GET", statusCode="200",
                                           patchOperations=[{"op": "replace", "path": "/selectionPattern",
                                                             "value": "updated-pattern"}])
    assert ir["selectionPattern"] == "updated-pattern"
    method = apigw.get_method(restApiId=api_id, resourceId=root, httpMethod="GET")
    assert method["methodIntegration"]["integrationResponses"]["200"]["selectionPattern"] == "updated-pattern"
    assert method["methodResponses"] == {"200": {"statusCode": "200"}}
    apigw.delete_integration(restApiId=api_id, resourceId=root, httpMethod="GET")
    apigw.delete_method(restApiId=api_id, resourceId=root, httpMethod="GET")
    assert error_of(lambda: apigw.get_method(restApiId=api_id, resourceId=root, httpMethod="GET"))[2] == 404


def test_deployments_and_stages(apigw):
    api_id, root = new_api(apigw)
    assert error_of(lambda: apigw.create_deployment(restApiId=api_id))[0:2] == (
        "BadRequestException", "The REST API doesn't contain any methods")
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
    d = apigw.create_deployment(restApiId=api_id, stageName="dev", variables={"v": "1"})
    stage = apigw.get_stage(restApiId=api_id, stageName="dev")
    assert (stage["deploymentId"], stage["variables"], stage["cacheClusterStatus"]) == (d["id"], {"v": "1"},
                                                                                         "NOT_AVAILABLE")
    assert stage["methodSettings"] == {} and stage["tracingEnabled"] is False
    s2 = apigw.create_stage(restApiId=api_id, stageName="prod", deploymentId=d["id"], description="p")
    assert s2["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert error_of(lambda: apigw.create_stage(restApiId=api_id, stageName="prod", deploymentId=d["id"]))[0] == (
        "ConflictException")
    up = apigw.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "123"},
        {"op": "replace", "path": "/~1pets/GET/caching/enabled", "value": "true"},
        {"op": "add", "path": "/variables/color", "value": "red"},
    ])
    assert up["methodSettings"]["*/*"]["throttlingBurstLimit"] == 123
    assert up["methodSettings"]["*/*"]["throttlingRateLimit"] == 10000.0
    assert up["methodSettings"]["pets/GET"]["cachingEnabled"] is True
    assert up["variables"] == {"color": "red"}
    assert error_of(lambda: apigw.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "remove", "path": "/a/GET"}])) == (
        "BadRequestException",
        "Cannot remove method setting a/GET because there is no method setting for this method ", 400)
    assert [s["stageName"] for s in apigw.get_stages(restApiId=api_id, deploymentId=d["id"])["item"]] == [
        "dev", "prod"]
    assert error_of(lambda: apigw.delete_deployment(restApiId=api_id, deploymentId=d["id"])) == (
        "BadRequestException", "Active stages pointing to this deployment must be moved or deleted", 400)
    apigw.delete_stage(restApiId=api_id, stageName="prod")
    apigw.delete_stage(restApiId=api_id, stageName="dev")
    apigw.delete_deployment(restApiId=api_id, deploymentId=d["id"])
    assert apigw.get_deployments(restApiId=api_id)["items"] == []


def deploy_mock(apigw):
    api_id, root = new_api(apigw)
    res = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="mock")
    kw = dict(restApiId=api_id, resourceId=res["id"], httpMethod="ANY")
    apigw.put_method(authorizationType="NONE", **kw)
    apigw.put_integration(type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'}, **kw)
    apigw.put_method_response(statusCode="200", **kw)
    apigw.put_integration_response(statusCode="200", responseTemplates={"application/json": '{"mocked": true}'},
                                   responseParameters={"method.response.header.X-Mock": "'yes'"}, **kw)
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    return api_id


def test_mock_route_by_path_and_host(stratus, apigw):
    api_id = deploy_mock(apigw)
    r = requests.post(f"{stratus.endpoint}/_aws/execute-api/{api_id}/dev/mock", data="{}")
    assert (r.status_code, r.json(), r.headers["X-Mock"]) == (200, {"mocked": True}, "yes")
    r = requests.get(f"{stratus.endpoint}/dev/mock", headers={"Host": f"{api_id}.execute-api.localhost"})
    assert (r.status_code, r.json()) == (200, {"mocked": True})
    r = requests.get(f"{stratus.endpoint}/restapis/{api_id}/dev/_user_request_/mock")
    assert r.status_code == 200
    r = requests.get(f"{stratus.endpoint}/_aws/execute-api/{api_id}/dev/other")
    assert (r.status_code, r.json()) == (403, {"message": "Missing Authentication Token"})
    r = requests.get(f"{stratus.endpoint}/_aws/execute-api/{api_id}/nostage/mock")
    assert r.status_code == 403


def test_lambda_proxy_event_and_response(stratus, apigw, client):
    arn = python_function(client("lambda"), "apigw", APP)
    api_id, root = new_api(apigw)
    proxy = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")
    kw = dict(restApiId=api_id, resourceId=proxy["id"], httpMethod="ANY")
    apigw.put_method(authorizationType="NONE", **kw)
    uri = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"
    apigw.put_integration(type="AWS_PROXY", integrationHttpMethod="POST", uri=uri, **kw)
    apigw.create_deployment(restApiId=api_id, stageName="test", variables={"env": "t"})

    r = requests.post(f"{stratus.endpoint}/_aws/execute-api/{api_id}/test/pets/a%20b?q=1&q=2&z=3",
                      data='{"x": 1}', headers={"Content-Type": "application/json", "X-Custom": "c"})
    assert r.status_code == 201
    assert (r.headers["x-single"], r.headers["x-flag"], r.headers["x-multi"]) == ("one", "true", "a, b")
    event = r.json()["event"]
    assert (event["resource"], event["path"], event["httpMethod"]) == ("/{proxy+}", "/pets/a b", "POST")
    assert event["pathParameters"] == {"proxy": "pets/a b"}
    assert event["queryStringParameters"] == {"q": "2", "z": "3"}
    assert event["multiValueQueryStringParameters"] == {"q": ["1", "2"], "z": ["3"]}
    assert event["stageVariables"] == {"env": "t"}
    assert event["body"] == '{"x": 1}' and event["isBase64Encoded"] is False
    assert event["headers"]["x-custom"] == "c" and event["multiValueHeaders"]["x-custom"] == ["c"]
    ctx = event["requestContext"]
    assert (ctx["stage"], ctx["resourcePath"], ctx["path"], ctx["apiId"]) == ("test", "/{proxy+}",
                                                                             "/test/pets/a b", api_id)
    assert (ctx["resourceId"], ctx["accountId"], ctx["protocol"]) == (proxy["id"], "000000000000", "HTTP/1.1")
    assert ctx["identity"]["sourceIp"] and ctx["requestTimeEpoch"] > 0

    r = requests.get(f"{stratus.endpoint}/_aws/execute-api/{api_id}/test/broken")
    assert (r.status_code, r.json()) == (502, {"message": "Internal server error"})


def test_models_and_request_validators(apigw):
    api_id, root = new_api(apigw)
    models = apigw.get_models(restApiId=api_id)["items"]
    assert [(m["name"], m["description"]) for m in models] == [
        ("Empty", "This is a default empty schema model"), ("Error", "This is a default error schema model")]
    assert json.loads(models[0]["schema"])["title"] == "Empty Schema"
    m = apigw.create_model(restApiId=api_id, name="Calc", contentType="application/json",
                           schema=json.dumps({"type": "object", "properties": {"a": {"type": "number"}}}))
    assert m["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert error_of(lambda: apigw.create_model(restApiId=api_id, name="Calc", contentType="application/json",
                                               schema='{"type": "object"}')) == (
        "ConflictException", "Model name already exists for this REST API", 409)
    assert error_of(lambda: apigw.get_model(restApiId=api_id, modelName="MySchema")) == (
        "NotFoundException", "Invalid model name specified: MySchema", 404)
    assert error_of(lambda: apigw.update_model(restApiId=api_id, modelName="Calc", patchOperations=[
        {"op": "replace", "path": "/name", "value": "x"}])) == (
        "BadRequestException",
        "Invalid patch path  '/name' specified for op 'replace'. Must be one of: [/description, /schema]", 400)
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="ANY", authorizationType="NONE",
                     requestModels={"application/json": "Calc"})
    assert error_of(lambda: apigw.delete_model(restApiId=api_id, modelName="Calc")) == (
        "ConflictException", "Cannot delete model 'Calc', is referenced in method request: //ANY", 409)

    v = apigw.create_request_validator(restApiId=api_id, name="v")
    assert (v["validateRequestBody"], v["validateRequestParameters"]) == (False, False)
    assert error_of(lambda: apigw.update_request_validator(restApiId=api_id, requestValidatorId=v["id"], patchOperations=[
        {"op": "add", "path": "/validateRequestBody", "value": "true"}])) == (
        "BadRequestException",
        "Invalid patch path  '/validateRequestBody' specified for op 'add'. Please choose supported operations", 400)
    assert error_of(lambda: apigw.update_request_validator(restApiId=api_id, requestValidatorId=v["id"], patchOperations=[
        {"op": "replace", "path": "/name", "value": ""}])) == (
        "BadRequestException", "Request Validator name cannot be blank", 400)
    assert error_of(lambda: apigw.create_request_validator(restApiId="nope", name="v")) == (
        "BadRequestException", "Invalid REST API identifier specified", 400)
    apigw.delete_request_validator(restApiId=api_id, requestValidatorId=v["id"])
    assert error_of(lambda: apigw.get_request_validator(restApiId=api_id, requestValidatorId=v["id"])) == (
        "NotFoundException", "Invalid Request Validator identifier specified", 404)


def test_gateway_responses(stratus, apigw):
    api_id = deploy_mock(apigw)
    listed = apigw.get_gateway_responses(restApiId=api_id)["items"]
    assert len(listed) == 21
    assert {r["responseType"]: r.get("statusCode") for r in listed}["QUOTA_EXCEEDED"] == "429"
    put = apigw.put_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN", statusCode="404",
                                     responseParameters={"gatewayresponse.header.X-Why": "'no route'"})
    assert put == {**put, "defaultResponse": False, "statusCode": "404",
                   "responseTemplates": {"application/json": '{"message":$context.error.messageString}'}}
    r = requests.get(f"{stratus.endpoint}/_aws/execute-api/{api_id}/dev/nowhere")
    assert (r.status_code, r.json(), r.headers["X-Why"]) == (404, {"message": "Missing Authentication Token"}, "no route")
    assert error_of(lambda: apigw.update_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN",
                                                          patchOperations=[{"op": "add", "path": "/statusCode",
                                                                            "value": "400"}])) == (
        "BadRequestException", "Invalid patch path /statusCode", 400)
    assert error_of(lambda: apigw.update_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN",
                                                          patchOperations=[{"op": "replace",
                                                                            "path": "/responseParameters/nope",
                                                                            "value": "'x'"}])) == (
        "NotFoundException", "Invalid parameter name specified", 404)
    apigw.delete_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN")
    assert error_of(lambda: apigw.delete_gateway_response(restApiId=api_id,
                                                          responseType="MISSING_AUTHENTICATION_TOKEN")) == (
        "NotFoundException", "Gateway response type not defined on api", 404)
    assert requests.get(f"{stratus.endpoint}/_aws/execute-api/{api_id}/dev/nowhere").status_code == 403


def test_request_validation_on_invoke(stratus, apigw):
    api_id, root = new_api(apigw)
    apigw.create_model(restApiId=api_id, name="Pet", contentType="application/json", schema=json.dumps({
        "$schema": "http://json-schema.org/draft-04/schema#", "type": "object", "required": ["name"],
        "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}}}))
    v = apigw.create_request_validator(restApiId=api_id, name="all", validateRequestBody=True,
                                       validateRequestParameters=True)
    kw = dict(restApiId=api_id, resourceId=root, httpMethod="POST")
    apigw.put_method(authorizationType="NONE", requestValidatorId=v["id"], requestModels={"application/json": "Pet"},
                     requestParameters={"method.request.header.x-tenant": True}, **kw)
    apigw.put_integration(type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'}, **kw)
    apigw.put_integration_response(statusCode="200", responseTemplates={"application/json": '{"ok": true}'}, **kw)
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    url = f"{stratus.endpoint}/_aws/execute-api/{api_id}/dev/"
    r = requests.post(url, json={"name": "rex"})
    assert (r.status_code, r.json()) == (400, {"message": "Missing required request parameters: [x-tenant]"})
    r = requests.post(url, json={"age": -1}, headers={"x-tenant": "t"})
    assert (r.status_code, r.json()) == (400, {"message": "Invalid request body"})
    r = requests.post(url, json={"name": "rex", "age": 3}, headers={"x-tenant": "t"})
    assert (r.status_code, r.json()) == (200, {"ok": True})


def test_tags_of_rest_apis_and_stages(apigw):
    api = apigw.create_rest_api(name="tagged", tags={"MY_TAG1": "MY_VALUE1"})
    assert api["tags"] == {"MY_TAG1": "MY_VALUE1"}
    arn = f"arn:aws:apigateway:us-east-1::/restapis/{api['id']}"
    apigw.tag_resource(resourceArn=arn, tags={"team": "core"})
    assert apigw.get_tags(resourceArn=arn)["tags"] == {"MY_TAG1": "MY_VALUE1", "team": "core"}
    apigw.untag_resource(resourceArn=arn, tagKeys=["MY_TAG1"])
    assert apigw.get_rest_api(restApiId=api["id"])["tags"] == {"team": "core"}
    apigw.put_method(restApiId=api["id"], resourceId=api["rootResourceId"], httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api["id"], resourceId=api["rootResourceId"], httpMethod="GET", type="MOCK")
    apigw.create_deployment(restApiId=api["id"], stageName="dev")
    apigw.tag_resource(resourceArn=f"{arn}/stages/dev", tags={"env": "dev"})
    assert apigw.get_stage(restApiId=api["id"], stageName="dev")["tags"] == {"env": "dev"}
    assert error_of(lambda: apigw.get_tags(resourceArn=f"{arn}/stages/nope"))[:2] == (
        "NotFoundException", "Invalid Stage identifier specified")


def test_account_settings(apigw):
    account = apigw.get_account()
    assert account["throttleSettings"] == {"burstLimit": 5000, "rateLimit": 10000.0}
    assert (account["features"], account["apiKeyVersion"]) == (["UsagePlans"], "4")
    role = "arn:aws:iam::000000000000:role/apigw-logs"
    out = apigw.update_account(patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": role}])
    assert out["cloudwatchRoleArn"] == role
    assert apigw.get_account()["cloudwatchRoleArn"] == role
    assert error_of(lambda: apigw.update_account(patchOperations=[
        {"op": "replace", "path": "/throttleSettings/rateLimit", "value": "1"}])) == (
        "BadRequestException", "Invalid patch path /throttleSettings/rateLimit", 400)
