"""HTTP APIs from OpenAPI 3.0: ImportApi makes routes, integrations, a JWT
authorizer and CORS from the `x-amazon-apigateway-*` extensions; the
imported Lambda route serves requests; ExportApi's document re-imports
(ReimportApi); bad documents and unknown APIs fail as AWS's do."""

import json

import pytest
import requests

from apigateway_support import error_of, python_function

HELLO = """
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"route": event["routeKey"], "id": event["pathParameters"]["id"]})}
"""


def document(function_arn):
    return {
        "openapi": "3.0.1",
        "info": {"title": "imported-pets", "version": "2024-05-01", "description": "from OpenAPI"},
        "x-amazon-apigateway-cors": {"allowOrigins": ["https://example.com"], "allowMethods": ["GET"],
                                     "maxAge": 600},
        "components": {"securitySchemes": {"auth0": {
            "type": "oauth2",
            "x-amazon-apigateway-authorizer": {
                "type": "jwt", "identitySource": "$request.header.Authorization",
                "jwtConfiguration": {"issuer": "https://issuer.example.com/", "audience": ["pets-api"]}}}}},
        "paths": {
            "/pets/{id}": {"get": {"x-amazon-apigateway-integration": {
                "type": "aws_proxy", "httpMethod": "POST", "uri": function_arn, "payloadFormatVersion": "2.0"}}},
            "/private": {"post": {
                "security": [{"auth0": ["pets/write"]}],
                "x-amazon-apigateway-integration": {
                    "type": "aws_proxy", "httpMethod": "POST", "uri": function_arn, "payloadFormatVersion": "2.0"}}},
            "/web/{proxy+}": {"x-amazon-apigateway-any-method": {"x-amazon-apigateway-integration": {
                "type": "http_proxy", "httpMethod": "ANY", "uri": "https://example.com/{proxy}",
                "payloadFormatVersion": "1.0", "timeoutInMillis": 5000}}},
        },
    }


@pytest.fixture
def hello(client):
    return python_function(client("lambda"), "v2import", HELLO)


def test_import_invoke_export_reimport(client, stratus, hello):
    v2 = client("apigatewayv2")
    api = v2.import_api(Body=json.dumps(document(hello)))
    api_id = api["ApiId"]
    assert (api["Name"], api["Version"], api["Description"]) == ("imported-pets", "2024-05-01", "from OpenAPI")
    assert api["ProtocolType"] == "HTTP"
    assert api["CorsConfiguration"]["AllowOrigins"] == ["https://example.com"]
    assert api["CorsConfiguration"]["MaxAge"] == 600

    authorizers = v2.get_authorizers(ApiId=api_id)["Items"]
    assert len(authorizers) == 1
    jwt = authorizers[0]
    assert (jwt["Name"], jwt["AuthorizerType"]) == ("auth0", "JWT")
    assert jwt["IdentitySource"] == ["$request.header.Authorization"]
    assert jwt["JwtConfiguration"] == {"Issuer": "https://issuer.example.com/", "Audience": ["pets-api"]}

    integrations = {i["IntegrationType"]: i for i in v2.get_integrations(ApiId=api_id)["Items"]}
    assert len(integrations) == 2
    lam = integrations["AWS_PROXY"]
    assert (lam["IntegrationUri"], lam["PayloadFormatVersion"], lam["IntegrationMethod"]) == (hello, "2.0", "POST")
    web = integrations["HTTP_PROXY"]
    assert (web["IntegrationUri"], web["IntegrationMethod"], web["TimeoutInMillis"]) == (
        "https://example.com/{proxy}", "ANY", 5000)

    routes = {r["RouteKey"]: r for r in v2.get_routes(ApiId=api_id)["Items"]}
    assert set(routes) == {"GET /pets/{id}", "POST /private", "ANY /web/{proxy+}"}
    assert routes["GET /pets/{id}"]["Target"] == f"integrations/{lam['IntegrationId']}"
    assert routes["GET /pets/{id}"]["AuthorizationType"] == "NONE"
    assert routes["POST /private"]["Target"] == f"integrations/{lam['IntegrationId']}"
    assert routes["ANY /web/{proxy+}"]["Target"] == f"integrations/{web['IntegrationId']}"
    private = routes["POST /private"]
    assert (private["AuthorizationType"], private["AuthorizerId"]) == ("JWT", jwt["AuthorizerId"])
    assert private["AuthorizationScopes"] == ["pets/write"]

    v2.create_stage(ApiId=api_id, StageName="live", AutoDeploy=True)
    r = requests.get(f"{stratus.endpoint}/_aws/execute-api/{api_id}/live/pets/42")
    assert r.status_code == 200, r.text
    assert r.json() == {"route": "GET /pets/{id}", "id": "42"}
    assert requests.post(f"{stratus.endpoint}/_aws/execute-api/{api_id}/live/private").status_code == 401

    exported = json.loads(v2.export_api(ApiId=api_id, Specification="OAS30", OutputType="JSON",
                                        StageName="live")["body"].read())
    assert exported["openapi"].startswith("3.0")
    assert exported["info"]["title"] == "imported-pets"
    assert set(exported["paths"]) == {"/pets/{id}", "/private", "/web/{proxy+}"}
    assert exported["paths"]["/private"]["post"]["security"] == [{"auth0": ["pets/write"]}]
    assert exported["paths"]["/pets/{id}"]["get"]["x-amazon-apigateway-integration"]["uri"] == hello
    assert exported["x-amazon-apigateway-cors"]["allowOrigins"] == ["https://example.com"]
    bare = json.loads(v2.export_api(ApiId=api_id, Specification="OAS30", OutputType="JSON",
                                    IncludeExtensions=False)["body"].read())
    assert "x-amazon-apigateway-integration" not in bare["paths"]["/pets/{id}"]["get"]

    # Re-import a trimmed export: the routes become the document's, the id and stage stay.
    del exported["paths"]["/web/{proxy+}"]
    again = v2.reimport_api(ApiId=api_id, Body=json.dumps(exported))
    assert again["ApiId"] == api_id
    assert {r["RouteKey"] for r in v2.get_routes(ApiId=api_id)["Items"]} == {"GET /pets/{id}", "POST /private"}
    assert [i["IntegrationType"] for i in v2.get_integrations(ApiId=api_id)["Items"]] == ["AWS_PROXY"]
    assert [s["StageName"] for s in v2.get_stages(ApiId=api_id)["Items"]] == ["live"]
    r = requests.get(f"{stratus.endpoint}/_aws/execute-api/{api_id}/live/pets/7")
    assert r.json() == {"route": "GET /pets/{id}", "id": "7"}

    copy = v2.import_api(Body=json.dumps(exported))
    assert copy["ApiId"] != api_id
    assert {r["RouteKey"] for r in v2.get_routes(ApiId=copy["ApiId"])["Items"]} == {"GET /pets/{id}", "POST /private"}


def test_import_errors_and_warnings(client):
    v2 = client("apigatewayv2")
    code, _, status = error_of(lambda: v2.import_api(Body="not a document"))
    assert (code, status) == ("BadRequestException", 400)
    swagger = {"swagger": "2.0", "info": {"title": "old", "version": "1"}, "paths": {}}
    code, message, _ = error_of(lambda: v2.import_api(Body=json.dumps(swagger)))
    assert code == "BadRequestException" and "OpenAPI 3.0" in message

    unsupported = {"openapi": "3.0.1", "info": {"title": "warn", "version": "1"},
                   "paths": {"/mock": {"get": {"x-amazon-apigateway-integration": {"type": "mock"}}}}}
    code, message, _ = error_of(lambda: v2.import_api(Body=json.dumps(unsupported), FailOnWarnings=True))
    assert code == "BadRequestException" and "MOCK" in message
    api = v2.import_api(Body=json.dumps(unsupported))
    assert len(api["Warnings"]) == 1
    assert [r["RouteKey"] for r in v2.get_routes(ApiId=api["ApiId"])["Items"]] == ["GET /mock"]

    for call in [lambda: v2.reimport_api(ApiId="nosuchapi", Body=json.dumps(unsupported)),
                 lambda: v2.export_api(ApiId="nosuchapi", Specification="OAS30", OutputType="JSON")]:
        assert error_of(call) == ("NotFoundException", "Invalid API identifier specified nosuchapi", 404)
    yaml = v2.export_api(ApiId=api["ApiId"], Specification="OAS30", OutputType="YAML")["body"].read().decode()
    assert yaml.startswith("openapi: 3.0.1"), yaml
    code, message, _ = error_of(lambda: v2.export_api(ApiId=api["ApiId"], Specification="OAS30", OutputType="JSON",
                                                      StageName="nostage"))
    assert (code, message) == ("NotFoundException", "Invalid stage identifier specified nostage")
