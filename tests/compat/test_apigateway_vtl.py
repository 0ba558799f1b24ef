"""Velocity mapping templates on REST API integrations: a DynamoDB PutItem
whose input is mapped from the path, the body and a stage variable; a MOCK
whose status comes from a conditional request template and whose answer
maps `$input.params` and `$context`; and `$context.responseOverride`."""

import uuid

import requests

from apigateway_support import apigw  # noqa: F401 (a fixture)

PUT_ITEM = """{
  "TableName": "$stageVariables.table",
  "Item": {
    "pk": {"S": "$input.params('id')"},
    "name": {"S": "$input.path('$.name')"},
    "tags": {"SS": [#foreach($t in $input.path('$.tags'))"$t"#if($foreach.hasNext),#end#end]}
  }
}"""


def test_vtl_mapped_dynamodb_put_item(stratus, apigw, client):
    ddb = client("dynamodb")
    table = f"vtl-{uuid.uuid4().hex[:8]}"
    ddb.create_table(TableName=table, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    api_id = apigw.create_rest_api(name="vtl")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    pets = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="pets")
    pet = apigw.create_resource(restApiId=api_id, parentId=pets["id"], pathPart="{id}")
    kw = dict(restApiId=api_id, resourceId=pet["id"], httpMethod="PUT")
    apigw.put_method(authorizationType="NONE", **kw)
    apigw.put_integration(type="AWS", integrationHttpMethod="POST", uri="arn:aws:apigateway:us-east-1:dynamodb:action/PutItem",
                          requestTemplates={"application/json": PUT_ITEM}, **kw)
    apigw.put_integration_response(statusCode="200", responseTemplates={
        "application/json": '{"stored": "$input.params(\'id\')", "stage": "$context.stage"}'}, **kw)
    apigw.create_deployment(restApiId=api_id, stageName="dev", variables={"table": table})

    r = requests.put(f"{stratus.endpoint}/_aws/execute-api/{api_id}/dev/pets/p1",
                     json={"name": "Rex", "tags": ["good", "dog"]})
    assert (r.status_code, r.json()) == (200, {"stored": "p1", "stage": "dev"})
    item = ddb.get_item(TableName=table, Key={"pk": {"S": "p1"}})["Item"]
    assert item["name"] == {"S": "Rex"}
    assert sorted(item["tags"]["SS"]) == ["dog", "good"]


def test_vtl_mock_status_and_overrides(stratus, apigw):
    api_id = apigw.create_rest_api(name="vtl-mock")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    kw = dict(restApiId=api_id, resourceId=root, httpMethod="GET")
    apigw.put_method(authorizationType="NONE", **kw)
    apigw.put_integration(type="MOCK", requestTemplates={
        "application/json": '{"statusCode": #if($input.params(\'fail\') == "yes")500#{else}200#end}'}, **kw)
    apigw.put_integration_response(statusCode="200", responseTemplates={"application/json": (
        '#set($context.responseOverride.header.X-Who = $input.params(\'who\'))'
        '{"hello": "$input.params(\'who\')", "path": "$context.resourcePath"}')}, **kw)
    apigw.put_integration_response(statusCode="500", selectionPattern="5\\d{2}", responseTemplates={
        "application/json": '#set($context.responseOverride.status = 503){"failed": true}'}, **kw)
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    url = f"{stratus.endpoint}/_aws/execute-api/{api_id}/dev/"
    r = requests.get(url, params={"who": "ana"})
    assert (r.status_code, r.json(), r.headers["X-Who"]) == (200, {"hello": "ana", "path": "/"}, "ana")
    r = requests.get(url, params={"fail": "yes"})
    assert (r.status_code, r.json()) == (503, {"failed": True})
