"""API Gateway HTTP APIs (apigatewayv2) through boto3: the control plane's
shapes, defaults and errors, quick create and auto-deploy."""

import pytest

from apigateway_support import error_of


@pytest.fixture
def v2(client):
    return client("apigatewayv2")


def test_api_crud_and_defaults(v2):
    api = v2.create_api(Name="pets", ProtocolType="HTTP", Description="d", Tags={"team": "a"},
                        CorsConfiguration={"AllowOrigins": ["*"], "AllowMethods": ["GET"]})
    api_id = api["ApiId"]
    assert len(api_id) == 10
    assert api["ApiEndpoint"] == f"https://{api_id}.execute-api.us-east-1.amazonaws.com"
    assert api["RouteSelectionExpression"] == "$request.method $request.path"
    assert api["ApiKeySelectionExpression"] == "$request.header.x-api-key"
    assert api["DisableExecuteApiEndpoint"] is False
    assert api["CorsConfiguration"]["AllowOrigins"] == ["*"]
    assert v2.get_api(ApiId=api_id)["Tags"] == {"team": "a"}
    assert api_id in [a["ApiId"] for a in v2.get_apis()["Items"]]
    updated = v2.update_api(ApiId=api_id, Name="pets2", CorsConfiguration={"AllowOrigins": ["https://x"]})
    assert (updated["Name"], updated["Description"]) == ("pets2", "d")
    assert updated["CorsConfiguration"] == {"AllowOrigins": ["https://x"]}
    v2.delete_cors_configuration(ApiId=api_id)
    assert "CorsConfiguration" not in v2.get_api(ApiId=api_id)
    v2.delete_api(ApiId=api_id)
    code, _, status = error_of(lambda: v2.get_api(ApiId=api_id))
    assert (code, status) == ("NotFoundException", 404)


def test_routes_integrations_stages_deployments(v2):
    api_id = v2.create_api(Name="r", ProtocolType="HTTP")["ApiId"]
    integ = v2.create_integration(ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationUri="https://example.com",
                                  IntegrationMethod="GET", PayloadFormatVersion="1.0")
    assert integ["ConnectionType"] == "INTERNET" and integ["TimeoutInMillis"] == 30000
    route = v2.create_route(ApiId=api_id, RouteKey="GET /pets/{id}", Target=f"integrations/{integ['IntegrationId']}")
    assert (route["AuthorizationType"], route["ApiKeyRequired"]) == ("NONE", False)
    code, _, status = error_of(lambda: v2.create_route(ApiId=api_id, RouteKey="GET /pets/{id}"))
    assert (code, status) == ("ConflictException", 409)
    code, _, status = error_of(lambda: v2.create_route(ApiId=api_id, RouteKey="FETCH /x"))
    assert (code, status) == ("BadRequestException", 400)
    v2.update_route(ApiId=api_id, RouteId=route["RouteId"], RouteKey="ANY /{proxy+}")
    assert v2.get_route(ApiId=api_id, RouteId=route["RouteId"])["RouteKey"] == "ANY /{proxy+}"
    assert len(v2.get_routes(ApiId=api_id)["Items"]) == 1
    code, _, _ = error_of(lambda: v2.get_integration(ApiId=api_id, IntegrationId="nope123"))
    assert code == "NotFoundException"

    stage = v2.create_stage(ApiId=api_id, StageName="dev", StageVariables={"a": "b"})
    assert stage["AutoDeploy"] is False and stage["StageVariables"] == {"a": "b"}
    code, _, status = error_of(lambda: v2.create_stage(ApiId=api_id, StageName="dev"))
    assert (code, status) == ("ConflictException", 409)
    dep = v2.create_deployment(ApiId=api_id, StageName="dev", Description="first")
    assert dep["DeploymentStatus"] == "DEPLOYED" and dep["AutoDeployed"] is False
    assert v2.get_stage(ApiId=api_id, StageName="dev")["DeploymentId"] == dep["DeploymentId"]
    assert [d["DeploymentId"] for d in v2.get_deployments(ApiId=api_id)["Items"]] == [dep["DeploymentId"]]
    code, _, _ = error_of(lambda: v2.delete_deployment(ApiId=api_id, DeploymentId=dep["DeploymentId"]))
    assert code == "BadRequestException"

    auto = v2.create_stage(ApiId=api_id, StageName="live", AutoDeploy=True)
    assert auto["DeploymentId"]
    v2.update_integration(ApiId=api_id, IntegrationId=integ["IntegrationId"], TimeoutInMillis=5000)
    redeployed = v2.get_stage(ApiId=api_id, StageName="live")
    assert redeployed["DeploymentId"] != auto["DeploymentId"]
    assert redeployed["LastDeploymentStatusMessage"].startswith("Successfully deployed stage")

    v2.delete_stage(ApiId=api_id, StageName="dev")
    v2.delete_deployment(ApiId=api_id, DeploymentId=dep["DeploymentId"])
    code, _, _ = error_of(lambda: v2.get_stage(ApiId=api_id, StageName="dev"))
    assert code == "NotFoundException"


def test_authorizers_and_tags(v2):
    api = v2.create_api(Name="a", ProtocolType="HTTP")
    api_id = api["ApiId"]
    auth = v2.create_authorizer(ApiId=api_id, Name="jwt", AuthorizerType="JWT",
                                IdentitySource=["$request.header.Authorization"],
                                JwtConfiguration={"Issuer": "https://issuer", "Audience": ["aud"]})
    assert auth["JwtConfiguration"] == {"Issuer": "https://issuer", "Audience": ["aud"]}
    v2.update_authorizer(ApiId=api_id, AuthorizerId=auth["AuthorizerId"], Name="jwt2")
    assert v2.get_authorizer(ApiId=api_id, AuthorizerId=auth["AuthorizerId"])["Name"] == "jwt2"
    v2.create_route(ApiId=api_id, RouteKey="GET /x", AuthorizationType="JWT", AuthorizerId=auth["AuthorizerId"])
    code, _, _ = error_of(lambda: v2.create_route(ApiId=api_id, RouteKey="GET /y", AuthorizationType="JWT",
                                                  AuthorizerId="nope"))
    assert code == "BadRequestException"
    code, _, _ = error_of(lambda: v2.create_authorizer(ApiId=api_id, Name="r", AuthorizerType="REQUEST",
                                                       IdentitySource=["$request.header.Authorization"]))
    assert code == "BadRequestException"
    assert len(v2.get_authorizers(ApiId=api_id)["Items"]) == 1

    arn = f"arn:aws:apigateway:us-east-1::/apis/{api_id}"
    v2.tag_resource(ResourceArn=arn, Tags={"k": "v", "x": "y"})
    v2.untag_resource(ResourceArn=arn, TagKeys=["x"])
    assert v2.get_tags(ResourceArn=arn)["Tags"] == {"k": "v"}


def test_quick_create(v2):
    api = v2.create_api(Name="quick", ProtocolType="HTTP",
                        Target="arn:aws:lambda:us-east-1:000000000000:function:f")
    api_id = api["ApiId"]
    [route] = v2.get_routes(ApiId=api_id)["Items"]
    [integ] = v2.get_integrations(ApiId=api_id)["Items"]
    assert route["RouteKey"] == "$default" and route["ApiGatewayManaged"] is True
    assert route["Target"] == f"integrations/{integ['IntegrationId']}"
    assert (integ["IntegrationType"], integ["PayloadFormatVersion"]) == ("AWS_PROXY", "2.0")
    [stage] = v2.get_stages(ApiId=api_id)["Items"]
    assert (stage["StageName"], stage["AutoDeploy"]) == ("$default", True)
    assert stage["DeploymentId"]
