"""AWS (non-proxy) integrations of REST APIs: a DynamoDB action called in
process with the request body passed through as its input, the outcome's
status selecting the integration response; a Lambda custom integration
whose raised error message selects a 400 response; the path-style SQS
integration (`sqs:path/{account}/{queue}`, a form body mapped by the
request template) and an action-style SNS Publish with mapped query
strings, both answered in the service's own XML."""

import json
import uuid

import requests

from apigateway_support import apigw, python_function  # noqa: F401 (apigw is a fixture)

CUSTOM = '''
def handler(event, context):
    if event.get("fail"):
        raise Exception("BadInput: " + event["fail"])
    return {"sum": event["a"] + event["b"]}
'''


def method(apigw, api_id, parent, part, verb="POST"):
    res = apigw.create_resource(restApiId=api_id, parentId=parent, pathPart=part)
    kw = dict(restApiId=api_id, resourceId=res["id"], httpMethod=verb)
    apigw.put_method(authorizationType="NONE", **kw)
    return kw


def test_dynamodb_action_and_lambda_custom(stratus, apigw, client):
    ddb = client("dynamodb")
    table = f"apigw-{uuid.uuid4().hex[:8]}"
    ddb.create_table(TableName=table, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    fn = python_function(client("lambda"), "custom", CUSTOM)
    api_id = apigw.create_rest_api(name="aws")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]

    kw = method(apigw, api_id, root, "items")
    apigw.put_integration(type="AWS", integrationHttpMethod="POST",
                          uri="arn:aws:apigateway:us-east-1:dynamodb:action/PutItem", **kw)
    apigw.put_integration_response(statusCode="200", responseTemplates={"application/json": '{"stored": true}'}, **kw)
    apigw.put_integration_response(statusCode="400", selectionPattern="4\\d{2}", **kw)

    kw2 = method(apigw, api_id, root, "sum")
    uri = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{fn}/invocations"
    apigw.put_integration(type="AWS", integrationHttpMethod="POST", uri=uri, **kw2)
    apigw.put_integration_response(statusCode="200", **kw2)
    apigw.put_integration_response(statusCode="400", selectionPattern="BadInput.*", **kw2)
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    base = f"{stratus.endpoint}/_aws/execute-api/{api_id}/dev"

    put = {"TableName": table, "Item": {"pk": {"S": "k1"}, "v": {"N": "7"}}}
    r = requests.post(f"{base}/items", json=put)
    assert (r.status_code, r.json()) == (200, {"stored": True})
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "k1"}})["Item"]["v"] == {"N": "7"}
    r = requests.post(f"{base}/items", json={"TableName": "missing-table", "Item": {"pk": {"S": "x"}}})
    assert r.status_code == 400
    # DynamoDB's own error body, as its endpoint writes it
    assert r.json()["__type"] == "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"

    r = requests.post(f"{base}/sum", json={"a": 2, "b": 3})
    assert (r.status_code, r.json()) == (200, {"sum": 5})
    r = requests.post(f"{base}/sum", json={"fail": "nope"})
    assert r.status_code == 400
    assert json.loads(r.text)["errorMessage"] == "BadInput: nope"


SQS_TEMPLATE = "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"


def test_sqs_path_and_sns_action_integrations(stratus, apigw, client):
    sqs, sns = client("sqs"), client("sns")
    queue_url = sqs.create_queue(QueueName=f"apigw-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    account, queue = queue_url.rstrip("/").split("/")[-2:]
    topic = sns.create_topic(Name=f"apigw-{uuid.uuid4().hex[:8]}")["TopicArn"]
    sub_queue = sqs.create_queue(QueueName=f"apigw-sub-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    sub_arn = sqs.get_queue_attributes(QueueUrl=sub_queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=sub_arn, Attributes={"RawMessageDelivery": "true"})
    api_id = apigw.create_rest_api(name="services")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]

    kw = method(apigw, api_id, root, "enqueue")
    apigw.put_integration(type="AWS", integrationHttpMethod="POST",
                          uri=f"arn:aws:apigateway:us-east-1:sqs:path/{account}/{queue}",
                          requestParameters={"integration.request.header.Content-Type":
                                             "'application/x-www-form-urlencoded'"},
                          requestTemplates={"application/json": SQS_TEMPLATE}, passthroughBehavior="NEVER", **kw)
    apigw.put_integration_response(statusCode="200", **kw)

    res = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="publish")
    kw2 = dict(restApiId=api_id, resourceId=res["id"], httpMethod="POST")
    apigw.put_method(authorizationType="NONE", requestParameters={"method.request.querystring.text": True}, **kw2)
    apigw.put_integration(type="AWS", integrationHttpMethod="POST",
                          uri="arn:aws:apigateway:us-east-1:sns:action/Publish",
                          requestParameters={"integration.request.querystring.TopicArn": f"'{topic}'",
                                             "integration.request.querystring.Message":
                                                 "method.request.querystring.text"}, **kw2)
    apigw.put_integration_response(statusCode="200", **kw2)
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    base = f"{stratus.endpoint}/_aws/execute-api/{api_id}/dev"

    r = requests.post(f"{base}/enqueue", json={"order": 42, "note": "a&b=c"})
    assert r.status_code == 200, r.text
    assert "<SendMessageResponse" in r.text and "<MessageId>" in r.text
    [msg] = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1)["Messages"]
    assert json.loads(msg["Body"]) == {"order": 42, "note": "a&b=c"}

    r = requests.post(f"{base}/publish", params={"text": "hello topic"})
    assert r.status_code == 200, r.text
    assert "<PublishResponse" in r.text and "<MessageId>" in r.text
    [got] = sqs.receive_message(QueueUrl=sub_queue, WaitTimeSeconds=2)["Messages"]
    assert got["Body"] == "hello topic"
