"""HTTP API (v2) custom domain names and API mappings through boto3's
`apigatewayv2`: CRUD values in v2's shapes (DomainNameConfigurations with
ApiGatewayDomainName and HostedZoneId), AWS's error codes; one set of
domain names and mappings seen by both the v1 and the v2 API; and
requests reaching an HTTP API's stages through a domain, by Host header
and by `/_aws/domain/{name}/...`, with multi-level API mapping keys; and
WebSocket connections to a mapped WebSocket API."""

import json
import uuid

import requests
import websocket

from apigateway_support import apigw, error_of  # noqa: F401 (apigw is a fixture)
from conftest import client_for
from test_apigateway_domains import mock_api
from test_apigateway_http import echo  # noqa: F401 (a fixture)

CERT = "arn:aws:acm:us-east-1:000000000000:certificate/11111111-1111-1111-1111-111111111111"
NO_DOMAIN = ("NotFoundException", "Invalid domain name identifier specified", 404)


def unique_domain():
    return f"v2-{uuid.uuid4().hex[:8]}.example.com"


def test_domain_name_crud_and_errors(client):
    v2 = client("apigatewayv2")
    name = unique_domain()
    created = v2.create_domain_name(DomainName=name, Tags={"team": "orders"}, DomainNameConfigurations=[
        {"CertificateArn": CERT, "EndpointType": "REGIONAL", "SecurityPolicy": "TLS_1_2"}])
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["DomainName"] == name
    assert created["DomainNameArn"] == f"arn:aws:apigateway:us-east-1::/domainnames/{name}"
    assert created["ApiMappingSelectionExpression"] == "$request.basepath"
    assert created["Tags"] == {"team": "orders"}
    [config] = created["DomainNameConfigurations"]
    assert config["ApiGatewayDomainName"].startswith("d-")
    assert config["ApiGatewayDomainName"].endswith(".execute-api.us-east-1.amazonaws.com")
    assert config["HostedZoneId"] == "Z1UJRXOUMOOFQ8"
    assert (config["EndpointType"], config["DomainNameStatus"]) == ("REGIONAL", "AVAILABLE")
    assert (config["CertificateArn"], config["SecurityPolicy"]) == (CERT, "TLS_1_2")

    got = v2.get_domain_name(DomainName=name)
    assert got["DomainNameConfigurations"] == created["DomainNameConfigurations"]
    assert name in [d["DomainName"] for d in v2.get_domain_names()["Items"]]

    # Defaults: one REGIONAL configuration with TLS 1.2.
    plain = v2.create_domain_name(DomainName=unique_domain())
    assert plain["DomainNameConfigurations"][0]["EndpointType"] == "REGIONAL"
    assert plain["DomainNameConfigurations"][0]["SecurityPolicy"] == "TLS_1_2"

    code, message, status = error_of(lambda: v2.create_domain_name(DomainName=name))
    assert (code, status) == ("ConflictException", 409)
    code, _, status = error_of(lambda: v2.create_domain_name(DomainName="not a domain"))
    assert (code, status) == ("BadRequestException", 400)
    code, _, status = error_of(lambda: v2.create_domain_name(DomainName=unique_domain(), DomainNameConfigurations=[
        {"EndpointType": "REGIONAL"}, {"EndpointType": "EDGE"}]))
    assert (code, status) == ("BadRequestException", 400)
    assert error_of(lambda: v2.get_domain_name(DomainName=unique_domain())) == NO_DOMAIN

    updated = v2.update_domain_name(DomainName=name, DomainNameConfigurations=[{"SecurityPolicy": "TLS_1_0"}])
    assert updated["DomainNameConfigurations"][0]["SecurityPolicy"] == "TLS_1_0"
    assert updated["DomainNameConfigurations"][0]["CertificateArn"] == CERT
    assert v2.get_domain_name(DomainName=name)["DomainNameConfigurations"][0]["SecurityPolicy"] == "TLS_1_0"
    code, _, status = error_of(lambda: v2.update_domain_name(DomainName=name, DomainNameConfigurations=[
        {"EndpointType": "EDGE"}]))
    assert (code, status) == ("BadRequestException", 400)
    assert error_of(lambda: v2.update_domain_name(DomainName=unique_domain())) == NO_DOMAIN

    arn = created["DomainNameArn"]
    v2.tag_resource(ResourceArn=arn, Tags={"tier": "gold"})
    v2.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert v2.get_tags(ResourceArn=arn)["Tags"] == {"tier": "gold"}
    assert v2.get_domain_name(DomainName=name)["Tags"] == {"tier": "gold"}

    v2.delete_domain_name(DomainName=name)
    assert error_of(lambda: v2.get_domain_name(DomainName=name)) == NO_DOMAIN
    assert error_of(lambda: v2.delete_domain_name(DomainName=name)) == NO_DOMAIN
    assert error_of(lambda: v2.get_tags(ResourceArn=arn)) == NO_DOMAIN
    v2.delete_domain_name(DomainName=plain["DomainName"])


def test_one_set_of_domain_names_for_v1_and_v2(client, apigw):  # noqa: F811
    v2 = client("apigatewayv2")
    name = unique_domain()
    created = v2.create_domain_name(DomainName=name, DomainNameConfigurations=[{"CertificateArn": CERT}])
    v1 = apigw.get_domain_name(domainName=name)
    assert v1["regionalDomainName"] == created["DomainNameConfigurations"][0]["ApiGatewayDomainName"]
    assert (v1["regionalCertificateArn"], v1["endpointConfiguration"]["types"]) == (CERT, ["REGIONAL"])
    code, _, status = error_of(lambda: apigw.create_domain_name(domainName=name, regionalCertificateArn=CERT))
    assert (code, status) == ("ConflictException", 409)

    edge = unique_domain()
    apigw.create_domain_name(domainName=edge, certificateArn=CERT)
    seen = v2.get_domain_name(DomainName=edge)["DomainNameConfigurations"][0]
    assert (seen["EndpointType"], seen["HostedZoneId"]) == ("EDGE", "Z2FDTNDATAQYW2")
    assert seen["ApiGatewayDomainName"].endswith(".cloudfront.net") and seen["CertificateArn"] == CERT
    apigw.delete_domain_name(domainName=edge)
    assert error_of(lambda: v2.get_domain_name(DomainName=edge)) == NO_DOMAIN
    v2.delete_domain_name(DomainName=name)
    code, _, status = error_of(lambda: apigw.get_domain_name(domainName=name))
    assert (code, status) == ("NotFoundException", 404)


def http_api(v2, backend):
    """An HTTP API passing `ANY /{proxy+}` to `backend`, on `$default` and `prod`."""
    api_id = v2.create_api(Name=f"mapped-{uuid.uuid4().hex[:6]}", ProtocolType="HTTP")["ApiId"]
    integ = v2.create_integration(ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationMethod="ANY",
                                  PayloadFormatVersion="1.0",
                                  IntegrationUri=backend + "/${stageVariables.name}/{proxy}")["IntegrationId"]
    v2.create_route(ApiId=api_id, RouteKey="ANY /{proxy+}", Target=f"integrations/{integ}")
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True, StageVariables={"name": "default"})
    v2.create_stage(ApiId=api_id, StageName="prod", AutoDeploy=True, StageVariables={"name": "prod"})
    return api_id


def test_api_mapping_crud_and_errors(client, apigw, echo):  # noqa: F811
    v2 = client("apigatewayv2")
    api_id = http_api(v2, echo)
    name = v2.create_domain_name(DomainName=unique_domain())["DomainName"]

    created = v2.create_api_mapping(DomainName=name, ApiId=api_id, Stage="prod", ApiMappingKey="orders/v2")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (created["ApiId"], created["Stage"], created["ApiMappingKey"]) == (api_id, "prod", "orders/v2")
    mapping_id = created["ApiMappingId"]
    got = v2.get_api_mapping(DomainName=name, ApiMappingId=mapping_id)
    assert {k: got[k] for k in ("ApiId", "ApiMappingId", "ApiMappingKey", "Stage")} == {
        "ApiId": api_id, "ApiMappingId": mapping_id, "ApiMappingKey": "orders/v2", "Stage": "prod"}
    root = v2.create_api_mapping(DomainName=name, ApiId=api_id, Stage="$default")
    assert root["ApiMappingKey"] == ""
    items = v2.get_api_mappings(DomainName=name)["Items"]
    assert sorted(i["ApiMappingId"] for i in items) == sorted([mapping_id, root["ApiMappingId"]])

    code, _, status = error_of(lambda: v2.create_api_mapping(DomainName=name, ApiId=api_id, Stage="prod",
                                                             ApiMappingKey="orders/v2"))
    assert (code, status) == ("ConflictException", 409)
    for bad in ["/orders", "a//b", "sp ace"]:
        code, _, status = error_of(lambda: v2.create_api_mapping(DomainName=name, ApiId=api_id, Stage="prod",
                                                                 ApiMappingKey=bad))
        assert (code, status) == ("BadRequestException", 400), bad
    code, _, status = error_of(lambda: v2.create_api_mapping(DomainName=name, ApiId="nope123456", Stage="prod"))
    assert (code, status) == ("NotFoundException", 404)
    code, _, status = error_of(lambda: v2.create_api_mapping(DomainName=name, ApiId=api_id, Stage="nostage",
                                                             ApiMappingKey="x"))
    assert (code, status) == ("NotFoundException", 404)
    assert error_of(lambda: v2.create_api_mapping(DomainName=unique_domain(), ApiId=api_id,
                                                  Stage="prod")) == NO_DOMAIN
    code, _, status = error_of(lambda: v2.get_api_mapping(DomainName=name, ApiMappingId="nope"))
    assert (code, status) == ("NotFoundException", 404)

    # v1 sees single-level mappings as base path mappings, and v2 sees v1's.
    assert [m["basePath"] for m in apigw.get_base_path_mappings(domainName=name)["items"]] == ["(none)"]
    rest_id = mock_api(apigw, '{"from": "rest"}')
    apigw.create_base_path_mapping(domainName=name, basePath="legacy", restApiId=rest_id, stage="dev")
    legacy = [i for i in v2.get_api_mappings(DomainName=name)["Items"] if i["ApiMappingKey"] == "legacy"]
    assert [(m["ApiId"], m["Stage"]) for m in legacy] == [(rest_id, "dev")]

    moved = v2.update_api_mapping(DomainName=name, ApiMappingId=mapping_id, ApiId=api_id, ApiMappingKey="orders/v3")
    assert (moved["ApiMappingId"], moved["ApiMappingKey"], moved["Stage"]) == (mapping_id, "orders/v3", "prod")
    code, _, status = error_of(lambda: v2.update_api_mapping(DomainName=name, ApiMappingId=mapping_id, ApiId=api_id,
                                                             ApiMappingKey="legacy"))
    assert (code, status) == ("ConflictException", 409)
    v2.delete_api_mapping(DomainName=name, ApiMappingId=mapping_id)
    code, _, status = error_of(lambda: v2.get_api_mapping(DomainName=name, ApiMappingId=mapping_id))
    assert (code, status) == ("NotFoundException", 404)
    code, _, status = error_of(lambda: v2.delete_api_mapping(DomainName=name, ApiMappingId=mapping_id))
    assert (code, status) == ("NotFoundException", 404)
    v2.delete_domain_name(DomainName=name)
    assert error_of(lambda: v2.get_api_mappings(DomainName=name)) == NO_DOMAIN


def test_requests_reach_http_api_stages_through_a_domain(stratus, client, echo):  # noqa: F811
    v2 = client("apigatewayv2")
    api_id = http_api(v2, echo)
    name = v2.create_domain_name(DomainName=unique_domain())["DomainName"]
    v2.create_api_mapping(DomainName=name, ApiId=api_id, Stage="$default")
    v2.create_api_mapping(DomainName=name, ApiId=api_id, Stage="prod", ApiMappingKey="orders/v2")

    # The path form, with a multi-level key: the rest of the path is the API's.
    r = requests.get(f"{stratus.endpoint}/_aws/domain/{name}/orders/v2/items/1")
    assert r.status_code == 200, r.text
    assert r.json()["path"] == "/prod/items/1"
    # By Host header; a path matching only part of a key goes to the empty key.
    r = requests.post(f"{stratus.endpoint}/orders/other", headers={"Host": name}, data="hi")
    assert (r.status_code, r.json()["path"], r.json()["body"]) == (200, "/default/orders/other", "hi")
    r = requests.get(f"{stratus.endpoint}/orders/v2/x", headers={"Host": f"{name}:{stratus.port}"})
    assert r.json()["path"] == "/prod/x"

    # Deleted, the domain no longer serves.
    v2.delete_domain_name(DomainName=name)
    r = requests.get(f"{stratus.endpoint}/_aws/domain/{name}/orders/v2/items/1")
    assert r.status_code != 200 or "path" not in r.text


def test_websocket_api_through_a_domain(stratus, client, echo):  # noqa: F811
    v2 = client("apigatewayv2")
    api_id = v2.create_api(Name="ws-mapped", ProtocolType="WEBSOCKET",
                           RouteSelectionExpression="$request.body.action")["ApiId"]
    integ = v2.create_integration(ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationMethod="POST",
                                  IntegrationUri=echo + "/ws")["IntegrationId"]
    v2.create_route(ApiId=api_id, RouteKey="$default", Target=f"integrations/{integ}",
                    RouteResponseSelectionExpression="$default")
    v2.create_stage(ApiId=api_id, StageName="live", AutoDeploy=True)
    name = v2.create_domain_name(DomainName=unique_domain())["DomainName"]
    v2.create_api_mapping(DomainName=name, ApiId=api_id, Stage="live", ApiMappingKey="chat")

    ws = websocket.create_connection(f"ws://127.0.0.1:{stratus.port}/_aws/domain/{name}/chat", timeout=30)
    ws.send("hello")
    assert json.loads(ws.recv())["body"] == "hello"
    ws.close()
    ws = websocket.create_connection(f"ws://127.0.0.1:{stratus.port}/chat", timeout=30, host=name)
    ws.send("by host")
    assert json.loads(ws.recv())["body"] == "by host"
    ws.close()
    v2.delete_domain_name(DomainName=name)


def test_domains_served_after_a_restart_and_a_reset(fresh_stratus, echo):  # noqa: F811
    """The names the data plane serves are kept in memory: read again from
    the store at start, and forgotten when `/_stratus/reset` wipes it."""
    server = fresh_stratus()
    v2 = client_for(server.endpoint, "apigatewayv2")
    api_id = http_api(v2, echo)
    name = v2.create_domain_name(DomainName=unique_domain())["DomainName"]
    v2.create_api_mapping(DomainName=name, ApiId=api_id, Stage="prod", ApiMappingKey="p")
    server.restart()
    r = requests.get(f"{server.endpoint}/p/after-restart", headers={"Host": name})
    assert (r.status_code, r.json()["path"]) == (200, "/prod/after-restart")
    requests.post(f"{server.endpoint}/_stratus/reset").raise_for_status()
    r = requests.get(f"{server.endpoint}/_aws/domain/{name}/p/after-reset")
    assert "after-reset" not in r.text
