"""ImportRestApi and PutRestApi through boto3: a Swagger document with an
`x-amazon-apigateway-integration` of type aws_proxy becomes a REST API
whose deployed route invokes the Lambda function; the petstore document
AWS's own tests import yields the resource tree AWS recorded for it (read
from ../shared/aws-reference when present)."""

import json
import os

import pytest
import requests

from apigateway_support import apigw, error_of, python_function  # noqa: F401 (apigw is a fixture)

REFERENCE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "aws-reference", "files")

APP = '''
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"id": event["pathParameters"]["id"],
                                                   "resource": event["resource"]})}
'''


def swagger_for(function_arn):
    uri = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    return {
        "swagger": "2.0",
        "info": {"title": "imported", "version": "2.1", "description": "from a file"},
        "x-amazon-apigateway-binary-media-types": ["image/png"],
        "paths": {
            "/items/{id}": {
                "get": {
                    "parameters": [{"name": "id", "in": "path", "required": True, "type": "string"}],
                    "responses": {"200": {"description": "ok"}},
                    "x-amazon-apigateway-integration": {"type": "aws_proxy", "httpMethod": "POST", "uri": uri},
                }
            },
            "/health": {
                "get": {
                    "responses": {"200": {"description": "ok"}},
                    "x-amazon-apigateway-integration": {
                        "type": "mock",
                        "requestTemplates": {"application/json": '{"statusCode": 200}'},
                        "responses": {"default": {"statusCode": "200",
                                                  "responseTemplates": {"application/json": '{"up": true}'}}},
                    },
                }
            },
        },
    }


def test_imported_api_serves_lambda_proxy_route(stratus, apigw, client):
    arn = python_function(client("lambda"), "imported", APP)
    api = apigw.import_rest_api(body=json.dumps(swagger_for(arn)).encode())
    assert api["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (api["name"], api["version"], api["description"]) == ("imported", "2.1", "from a file")
    assert api["binaryMediaTypes"] == ["image/png"]
    paths = {r["path"]: sorted(r.get("resourceMethods", {})) for r in apigw.get_resources(restApiId=api["id"])["items"]}
    assert paths == {"/": [], "/health": ["GET"], "/items": [], "/items/{id}": ["GET"]}
    item = next(r for r in apigw.get_resources(restApiId=api["id"])["items"] if r["path"] == "/items/{id}")
    method = apigw.get_method(restApiId=api["id"], resourceId=item["id"], httpMethod="GET")
    assert method["requestParameters"] == {"method.request.path.id": True}
    assert method["methodIntegration"]["type"] == "AWS_PROXY"
    assert method["methodIntegration"]["cacheNamespace"] == item["id"]
    apigw.create_deployment(restApiId=api["id"], stageName="v1")
    r = requests.get(f"{stratus.endpoint}/_aws/execute-api/{api['id']}/v1/items/42")
    assert (r.status_code, r.json()) == (200, {"id": "42", "resource": "/items/{id}"})
    r = requests.get(f"{stratus.endpoint}/_aws/execute-api/{api['id']}/v1/health")
    assert (r.status_code, r.json()) == (200, {"up": True})

    replaced = {"swagger": "2.0", "info": {"title": "replaced"}, "paths": {"/only": {"post": {
        "responses": {}, "x-amazon-apigateway-integration": {"type": "mock"}}}}}
    out = apigw.put_rest_api(restApiId=api["id"], mode="overwrite", body=json.dumps(replaced).encode())
    assert out["name"] == "replaced"
    paths = {r["path"] for r in apigw.get_resources(restApiId=api["id"])["items"]}
    assert paths == {"/", "/only"}
    merged = {"swagger": "2.0", "info": {"title": "replaced"}, "paths": {"/more": {"get": {
        "responses": {}, "x-amazon-apigateway-integration": {"type": "mock"}}}}}
    apigw.put_rest_api(restApiId=api["id"], mode="merge", body=json.dumps(merged).encode())
    paths = {r["path"] for r in apigw.get_resources(restApiId=api["id"])["items"]}
    assert paths == {"/", "/only", "/more"}


def test_import_rejects_non_openapi(apigw):
    assert error_of(lambda: apigw.import_rest_api(body=b'{"hello": "world"}')) == (
        "BadRequestException", "Invalid OpenAPI input.", 400)


@pytest.mark.skipif(not os.path.exists(os.path.join(REFERENCE, "petstore-swagger.json")),
                    reason="aws-reference is not present")
def test_petstore_import_matches_aws_tree(apigw):
    with open(os.path.join(REFERENCE, "petstore-swagger.json"), "rb") as f:
        api = apigw.import_rest_api(body=f.read())
    assert api["name"] == "PetStore"
    tree = {r["path"]: sorted(r.get("resourceMethods", {})) for r in apigw.get_resources(restApiId=api["id"])["items"]}
    assert tree == {"/": ["GET"], "/pets": ["GET", "OPTIONS", "POST"], "/pets/{petId}": ["GET", "OPTIONS"]}
    pets = next(r for r in apigw.get_resources(restApiId=api["id"])["items"] if r["path"] == "/pets")
    integration = apigw.get_integration(restApiId=api["id"], resourceId=pets["id"], httpMethod="GET")
    assert (integration["type"], integration["connectionType"], integration["httpMethod"]) == ("HTTP", "INTERNET", "GET")
    assert integration["integrationResponses"]["200"]["responseParameters"] == {
        "method.response.header.Access-Control-Allow-Origin": "'*'"}
    response = apigw.get_method_response(restApiId=api["id"], resourceId=pets["id"], httpMethod="GET", statusCode="200")
    assert response["responseParameters"] == {"method.response.header.Access-Control-Allow-Origin": False}


SNAPSHOTS = os.path.join(REFERENCE, "..", "services", "apigateway", "test_apigateway_extended.snapshot.json")


@pytest.mark.skipif(not os.path.exists(SNAPSHOTS), reason="aws-reference is not present")
def test_export_swagger_matches_aws_recording(apigw):
    with open(SNAPSHOTS) as f:
        recorded = next(v["recorded-content"] for k, v in json.load(f).items()
                        if k.endswith("test_export_swagger_openapi[TEST_IMPORT_PETSTORE_SWAGGER]"))
    with open(os.path.join(REFERENCE, "petstore-swagger.json"), "rb") as f:
        api = apigw.import_rest_api(body=f.read())
    apigw.create_deployment(restApiId=api["id"], stageName="local")
    plain = apigw.get_export(restApiId=api["id"], stageName="local", exportType="swagger")
    assert plain["contentType"] == "application/octet-stream"
    assert plain["contentDisposition"].startswith('attachment; filename="swagger_')
    doc = json.loads(plain["body"].read())
    want = recorded["get-export"]["body"]
    assert (doc["swagger"], doc["basePath"], doc["schemes"], doc["info"]["title"]) == ("2.0", "/local", ["https"],
                                                                                       "PetStore")
    assert doc["host"] == f"{api['id']}.execute-api.us-east-1.amazonaws.com"
    assert sorted(doc["paths"]) == sorted(want["paths"])
    for path, item in want["paths"].items():
        assert sorted(doc["paths"][path]) == sorted(item)
        for verb, op in item.items():
            # Body parameters come from request models, which Stratus does not keep yet.
            params = [p for p in op.get("parameters", []) if p["in"] != "body"] or None
            assert doc["paths"][path][verb].get("parameters") == params, (path, verb)
            for code, r in op["responses"].items():
                mine = doc["paths"][path][verb]["responses"][code]
                assert (mine["description"], mine.get("headers")) == (r["description"], r.get("headers"))
    extended = apigw.get_export(restApiId=api["id"], stageName="local", exportType="swagger",
                                parameters={"extensions": "integrations"})
    doc = json.loads(extended["body"].read())
    want = recorded["get-export-with-extensions"]["body"]
    for path, item in want["paths"].items():
        for verb, op in item.items():
            mine = dict(doc["paths"][path][verb]["x-amazon-apigateway-integration"])
            theirs = dict(op["x-amazon-apigateway-integration"])
            mine.pop("uri", None), theirs.pop("uri", None)
            assert mine == theirs, (path, verb)
    oas = json.loads(apigw.get_export(restApiId=api["id"], stageName="local", exportType="oas30")["body"].read())
    assert oas["openapi"] == "3.0.1"
    assert oas["servers"][0]["variables"] == {"basePath": {"default": "local"}}


YAML_API = """
openapi: 3.0.1
info:
  title: yaml-pets
  version: '1'
paths:
  /pets:
    get:
      responses:
        200:
          description: ok
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: '{"statusCode": 200}'
        responses:
          default:
            statusCode: '200'
            responseTemplates:
              application/json: '{"from": "yaml"}'
"""


def test_yaml_import_and_export(stratus, apigw, client):
    api = apigw.import_rest_api(body=YAML_API.encode())
    assert api["name"] == "yaml-pets"
    apigw.create_deployment(restApiId=api["id"], stageName="dev")
    r = requests.get(f"{stratus.endpoint}/_aws/execute-api/{api['id']}/dev/pets")
    assert (r.status_code, r.json()) == (200, {"from": "yaml"})
    out = apigw.get_export(restApiId=api["id"], stageName="dev", exportType="oas30", accepts="application/yaml")
    assert out["contentType"] == "application/yaml"
    text = out["body"].read().decode()
    assert text.startswith("openapi: 3.0.1") and "/pets:" in text, text

    v2 = client("apigatewayv2")
    http_api = v2.import_api(Body=YAML_API.replace("yaml-pets", "yaml-http").replace("type: mock", "type: http_proxy\n        httpMethod: ANY\n        uri: http://example.com\n        payloadFormatVersion: '1.0'"))
    assert http_api["Name"] == "yaml-http"
    exported = v2.export_api(ApiId=http_api["ApiId"], Specification="OAS30", OutputType="YAML")["body"].read().decode()
    assert exported.startswith("openapi: 3.0.1") and "/pets:" in exported, exported
