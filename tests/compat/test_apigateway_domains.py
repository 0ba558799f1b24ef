"""API Gateway (REST, v1) custom domain names and base path mappings
through boto3: CRUD values, patch updates, AWS's error codes and
messages; and invoking a deployed MOCK method through a domain, by Host
header (`Host: api.example.com`) and by the DNS-free path form
`/_aws/domain/{domainName}/{basePath}/...`."""

import uuid

import requests

from apigateway_support import apigw, error_of  # noqa: F401 (apigw is a fixture)

CERT = "arn:aws:acm:us-east-1:000000000000:certificate/00000000-0000-0000-0000-000000000000"


def unique_domain():
    return f"api-{uuid.uuid4().hex[:8]}.example.com"


def mock_api(apigw, body):
    """A REST API with GET /pets → MOCK 200 `body`, deployed to dev and prod."""
    api_id = apigw.create_rest_api(name=f"domains-{uuid.uuid4().hex[:8]}")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    pets = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="pets")["id"]
    kw = dict(restApiId=api_id, resourceId=pets, httpMethod="GET")
    apigw.put_method(authorizationType="NONE", **kw)
    apigw.put_integration(type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'}, **kw)
    apigw.put_method_response(statusCode="200", **kw)
    apigw.put_integration_response(statusCode="200", responseTemplates={"application/json": body}, **kw)
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    return api_id


def test_domain_name_crud_and_errors(apigw):
    name = unique_domain()
    created = apigw.create_domain_name(domainName=name, regionalCertificateArn=CERT,
                                       endpointConfiguration={"types": ["REGIONAL"]}, tags={"team": "pets"})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (created["domainName"], created["domainNameStatus"]) == (name, "AVAILABLE")
    assert created["endpointConfiguration"]["types"] == ["REGIONAL"]
    assert created["regionalDomainName"].startswith("d-")
    assert created["regionalDomainName"].endswith(".execute-api.us-east-1.amazonaws.com")
    assert created["regionalHostedZoneId"]
    assert (created["regionalCertificateArn"], created["tags"]) == (CERT, {"team": "pets"})

    got = apigw.get_domain_name(domainName=name)
    assert got["regionalDomainName"] == created["regionalDomainName"]
    assert name in [d["domainName"] for d in apigw.get_domain_names(limit=500)["items"]]

    edge = apigw.create_domain_name(domainName=unique_domain(), certificateArn=CERT)
    assert edge["endpointConfiguration"]["types"] == ["EDGE"]
    assert edge["distributionDomainName"].endswith(".cloudfront.net")
    assert edge["distributionHostedZoneId"] == "Z2FDTNDATAQYW2"

    assert error_of(lambda: apigw.create_domain_name(domainName=name, regionalCertificateArn=CERT)) == (
        "ConflictException", "The domain name you provided already exists.", 409)

    updated = apigw.update_domain_name(domainName=name, patchOperations=[
        {"op": "replace", "path": "/securityPolicy", "value": "TLS_1_0"}])
    assert updated["securityPolicy"] == "TLS_1_0"
    code, _, status = error_of(lambda: apigw.update_domain_name(domainName=name, patchOperations=[
        {"op": "replace", "path": "/domainName", "value": "x.example.com"}]))
    assert (code, status) == ("BadRequestException", 400)

    arn = f"arn:aws:apigateway:us-east-1::/domainnames/{name}"
    assert created["domainNameArn"] == arn
    apigw.tag_resource(resourceArn=arn, tags={"env": "dev"})
    apigw.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert apigw.get_tags(resourceArn=arn)["tags"] == {"env": "dev"}
    assert apigw.get_domain_name(domainName=name)["tags"] == {"env": "dev"}

    assert apigw.delete_domain_name(domainName=edge["domainName"])["ResponseMetadata"]["HTTPStatusCode"] == 202
    missing = ("NotFoundException", "Invalid domain name identifier specified", 404)
    assert error_of(lambda: apigw.get_domain_name(domainName=edge["domainName"])) == missing
    assert error_of(lambda: apigw.delete_domain_name(domainName=edge["domainName"])) == missing
    assert error_of(lambda: apigw.get_base_path_mappings(domainName=edge["domainName"])) == missing
    apigw.delete_domain_name(domainName=name)


def test_base_path_mapping_crud_patch_and_errors(apigw):
    api_id = mock_api(apigw, '{"v": 1}')
    name = unique_domain()
    apigw.create_domain_name(domainName=name, certificateArn=CERT)
    none = apigw.create_base_path_mapping(domainName=name, restApiId=api_id, stage="dev")
    assert none["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (none["basePath"], none["restApiId"], none["stage"]) == ("(none)", api_id, "dev")
    v2 = apigw.create_base_path_mapping(domainName=name, restApiId=api_id, basePath="v2", stage="prod")
    assert v2["basePath"] == "v2"
    got = apigw.get_base_path_mapping(domainName=name, basePath="(none)")
    assert (got["restApiId"], got["stage"]) == (api_id, "dev")
    assert sorted(m["basePath"] for m in apigw.get_base_path_mappings(domainName=name)["items"]) == ["(none)", "v2"]

    assert error_of(lambda: apigw.create_base_path_mapping(domainName=name, restApiId=api_id, basePath="v2")) == (
        "ConflictException", "Base path already exists for this domain name", 409)
    assert error_of(lambda: apigw.create_base_path_mapping(domainName=name, restApiId="nope123", basePath="x")) == (
        "BadRequestException", "Invalid REST API identifier specified", 400)
    assert error_of(lambda: apigw.create_base_path_mapping(
        domainName=name, restApiId=api_id, basePath="x", stage="nope")) == (
        "BadRequestException", "Invalid stage identifier specified", 400)
    assert error_of(lambda: apigw.create_base_path_mapping(
        domainName="missing.example.com", restApiId=api_id)) == (
        "NotFoundException", "Invalid domain name identifier specified", 404)
    no_mapping = ("NotFoundException", "Invalid base path mapping identifier specified", 404)
    assert error_of(lambda: apigw.get_base_path_mapping(domainName=name, basePath="v9")) == no_mapping

    moved = apigw.update_base_path_mapping(domainName=name, basePath="v2", patchOperations=[
        {"op": "replace", "path": "/basePath", "value": "v3"},
        {"op": "replace", "path": "/stage", "value": "dev"}])
    assert (moved["basePath"], moved["restApiId"], moved["stage"]) == ("v3", api_id, "dev")
    assert error_of(lambda: apigw.get_base_path_mapping(domainName=name, basePath="v2")) == no_mapping
    other = mock_api(apigw, '{"v": 2}')
    moved = apigw.update_base_path_mapping(domainName=name, basePath="v3", patchOperations=[
        {"op": "replace", "path": "/restapiId", "value": other}])
    assert moved["restApiId"] == other
    assert error_of(lambda: apigw.update_base_path_mapping(domainName=name, basePath="v3", patchOperations=[
        {"op": "replace", "path": "/basePath", "value": "(none)"}])) == (
        "ConflictException", "Base path already exists for this domain name", 409)
    assert error_of(lambda: apigw.update_base_path_mapping(domainName=name, basePath="v3", patchOperations=[
        {"op": "replace", "path": "/stage", "value": "nope"}])) == (
        "BadRequestException", "Invalid stage identifier specified", 400)

    deleted = apigw.delete_base_path_mapping(domainName=name, basePath="v3")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert error_of(lambda: apigw.delete_base_path_mapping(domainName=name, basePath="v3")) == no_mapping
    assert [m["basePath"] for m in apigw.get_base_path_mappings(domainName=name)["items"]] == ["(none)"]
    apigw.delete_domain_name(domainName=name)


def test_invoke_through_custom_domain(apigw, stratus):
    endpoint = stratus.endpoint
    first = mock_api(apigw, '{"api": "first"}')
    second = mock_api(apigw, '{"api": "second"}')
    name = unique_domain()
    apigw.create_domain_name(domainName=name, regionalCertificateArn=CERT,
                             endpointConfiguration={"types": ["REGIONAL"]})
    apigw.create_base_path_mapping(domainName=name, restApiId=first, stage="dev")
    apigw.create_base_path_mapping(domainName=name, restApiId=second, basePath="v2", stage="prod")

    r = requests.get(f"{endpoint}/pets", headers={"Host": name})
    assert (r.status_code, r.json()) == (200, {"api": "first"})
    r = requests.get(f"{endpoint}/v2/pets", headers={"Host": f"{name}:4566"})
    assert (r.status_code, r.json()) == (200, {"api": "second"})
    r = requests.get(f"{endpoint}/_aws/domain/{name}/pets")
    assert (r.status_code, r.json()) == (200, {"api": "first"})
    r = requests.get(f"{endpoint}/_aws/domain/{name}/v2/pets")
    assert (r.status_code, r.json()) == (200, {"api": "second"})
    r = requests.get(f"{endpoint}/cats", headers={"Host": name})
    assert (r.status_code, r.json()) == (403, {"message": "Missing Authentication Token"})

    # A mapping without a stage takes the stage from the path.
    apigw.create_base_path_mapping(domainName=name, restApiId=second, basePath="any")
    r = requests.get(f"{endpoint}/any/dev/pets", headers={"Host": name})
    assert (r.status_code, r.json()) == (200, {"api": "second"})

    apigw.delete_domain_name(domainName=name)
    r = requests.get(f"{endpoint}/_aws/domain/{name}/pets")
    assert r.status_code != 200
