"""WebSocket APIs with boto3 and a real WebSocket client: the control
plane (WEBSOCKET APIs, routes, integrations, route and integration
responses), a chat whose Python Lambda keeps connection ids in DynamoDB and
posts to the other client with boto3's `apigatewaymanagementapi` (at
`http://{domainName}/{stage}`, as handlers do), `$connect` refusing (403),
`$disconnect`, GetConnection, DeleteConnection and GoneException; and
HTTP_PROXY, HTTP (request templates and integration responses against a
local HTTP server, and `$connect` through one) and AWS (DynamoDB, SQS)
integrations at invoke time."""

import json
import time
import uuid

import pytest
import websocket

from apigateway_support import error_of, python_function
from test_apigateway_http import echo  # noqa: F401 (a fixture)
from conftest import client_for

CHAT = """
import json
import boto3
TABLE = "__TABLE__"
ddb = boto3.client("dynamodb")

def handler(event, context):
    ctx = event["requestContext"]
    route, me = ctx["routeKey"], ctx["connectionId"]
    if route == "$connect":
        if (event.get("queryStringParameters") or {}).get("name") == "mallory":
            return {"statusCode": 403}
        ddb.put_item(TableName=TABLE, Item={"id": {"S": me}, "ua": {"S": event["headers"].get("User-Agent", "")}})
        return {"statusCode": 200}
    if route == "$disconnect":
        ddb.delete_item(TableName=TABLE, Key={"id": {"S": me}})
        ddb.put_item(TableName=TABLE, Item={"id": {"S": "closed/" + me},
                                           "code": {"N": str(ctx["disconnectStatusCode"])}})
        return {"statusCode": 200}
    if route == "echo":
        return {"statusCode": 200, "body": "echo:" + json.loads(event["body"])["data"]}
    data = json.loads(event["body"])["data"]
    api = boto3.client("apigatewaymanagementapi", endpoint_url=f"http://{ctx['domainName']}/{ctx['stage']}")
    sent = 0
    for item in ddb.scan(TableName=TABLE)["Items"]:
        other = item["id"]["S"]
        if other != me and not other.startswith("closed/"):
            api.post_to_connection(ConnectionId=other, Data=json.dumps({"from": me, "data": data}).encode())
            sent += 1
    return {"statusCode": 200, "body": json.dumps({"sent": sent})}
"""


def test_websocket_control_plane(client):
    v2 = client("apigatewayv2")
    code, _, status = error_of(lambda: v2.create_api(Name="ws", ProtocolType="WEBSOCKET"))
    assert (code, status) == ("BadRequestException", 400)
    api = v2.create_api(Name="ws", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")
    api_id = api["ApiId"]
    assert api["ApiEndpoint"] == f"wss://{api_id}.execute-api.us-east-1.amazonaws.com"
    assert api["ProtocolType"] == "WEBSOCKET" and api["RouteSelectionExpression"] == "$request.body.action"
    assert api["ApiKeySelectionExpression"] == "$request.header.x-api-key"
    assert v2.get_api(ApiId=api_id)["ProtocolType"] == "WEBSOCKET"

    integ = v2.create_integration(ApiId=api_id, IntegrationType="MOCK",
                                  RequestTemplates={"application/json": '{"statusCode":200}'},
                                  TemplateSelectionExpression="\\$default")
    assert integ["PayloadFormatVersion"] == "1.0" and integ["TimeoutInMillis"] == 29000
    code, _, status = error_of(lambda: v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY",
                                                             IntegrationUri="arn:aws:lambda:us-east-1:000000000000:function:f",
                                                             PayloadFormatVersion="2.0"))
    assert (code, status) == ("BadRequestException", 400)
    ir = v2.create_integration_response(ApiId=api_id, IntegrationId=integ["IntegrationId"],
                                        IntegrationResponseKey="$default")
    assert ir["IntegrationResponseKey"] == "$default" and ir["IntegrationResponseId"]
    items = v2.get_integration_responses(ApiId=api_id, IntegrationId=integ["IntegrationId"])["Items"]
    assert [i["IntegrationResponseId"] for i in items] == [ir["IntegrationResponseId"]]

    route = v2.create_route(ApiId=api_id, RouteKey="sendmessage", Target=f"integrations/{integ['IntegrationId']}",
                            RouteResponseSelectionExpression="$default")
    assert route["RouteKey"] == "sendmessage" and route["RouteResponseSelectionExpression"] == "$default"
    code, _, status = error_of(lambda: v2.create_route(ApiId=api_id, RouteKey="sendmessage"))
    assert (code, status) == ("ConflictException", 409)
    rr = v2.create_route_response(ApiId=api_id, RouteId=route["RouteId"], RouteResponseKey="$default")
    got = v2.get_route_response(ApiId=api_id, RouteId=route["RouteId"], RouteResponseId=rr["RouteResponseId"])
    assert got == {**got, "RouteResponseKey": "$default", "RouteResponseId": rr["RouteResponseId"]}
    code, _, status = error_of(lambda: v2.get_route_response(ApiId=api_id, RouteId=route["RouteId"],
                                                             RouteResponseId="nope"))
    assert (code, status) == ("NotFoundException", 404)
    v2.delete_route_response(ApiId=api_id, RouteId=route["RouteId"], RouteResponseId=rr["RouteResponseId"])
    assert v2.get_route_responses(ApiId=api_id, RouteId=route["RouteId"])["Items"] == []
    keys = {r["RouteKey"] for r in v2.get_routes(ApiId=api_id)["Items"]}
    assert keys == {"sendmessage"}
    v2.delete_api(ApiId=api_id)


@pytest.fixture
def chat(client, stratus):
    table = f"chat-{uuid.uuid4().hex[:8]}"
    ddb = client("dynamodb")
    ddb.create_table(TableName=table, AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
    fn = python_function(client("lambda"), "wschat", CHAT.replace("__TABLE__", table))
    v2 = client("apigatewayv2")
    api_id = v2.create_api(Name="chat", ProtocolType="WEBSOCKET",
                           RouteSelectionExpression="$request.body.action")["ApiId"]
    integ = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=fn)["IntegrationId"]
    for key in ["$connect", "$disconnect", "sendmessage", "echo"]:
        route = v2.create_route(ApiId=api_id, RouteKey=key, Target=f"integrations/{integ}")
        if key == "echo":
            v2.create_route_response(ApiId=api_id, RouteId=route["RouteId"], RouteResponseKey="$default")
    v2.create_stage(ApiId=api_id, StageName="dev", AutoDeploy=True)
    url = f"ws://127.0.0.1:{stratus.port}/_aws/execute-api/{api_id}/dev"
    return {"api_id": api_id, "url": url, "table": table, "ddb": ddb}


def connect(url, **kwargs):
    return websocket.create_connection(url, timeout=30, **kwargs)


def wait_for_item(ddb, table, key):
    for _ in range(100):
        item = ddb.get_item(TableName=table, Key={"id": {"S": key}}).get("Item")
        if item:
            return item
        time.sleep(0.1)
    raise AssertionError(f"{key} never appeared in {table}")


def test_websocket_chat_between_two_clients(chat, stratus):
    alice = connect(chat["url"] + "?name=alice", header=["User-Agent: alice-client"])
    bob = connect(chat["url"] + "?name=bob")
    alice.send(json.dumps({"action": "sendmessage", "data": "hi"}))
    received = json.loads(bob.recv())
    assert received["data"] == "hi"
    alice_id = received["from"]
    assert len(alice_id) == 16 and alice_id.endswith("=")
    assert chat["ddb"].get_item(TableName=chat["table"],
                                Key={"id": {"S": alice_id}})["Item"]["ua"]["S"] == "alice-client"

    # A two-way route answers the sender; a one-way route does not.
    alice.send(json.dumps({"action": "echo", "data": "ping"}))
    assert alice.recv() == "echo:ping"
    # No route and no `$default`: API Gateway answers Forbidden.
    alice.send(json.dumps({"action": "nothing"}))
    refused = json.loads(alice.recv())
    assert refused["message"] == "Forbidden" and refused["connectionId"] == alice_id and refused["requestId"]

    manage = client_for(f"{stratus.endpoint}/_aws/execute-api/{chat['api_id']}/dev", "apigatewaymanagementapi")
    conn = manage.get_connection(ConnectionId=alice_id)
    assert conn["Identity"] == {"SourceIp": "127.0.0.1", "UserAgent": "alice-client"}
    assert conn["ConnectedAt"] <= conn["LastActiveAt"]
    # The plain endpoint (no stage segment) reaches the same connections.
    plain = client_for(stratus.endpoint, "apigatewaymanagementapi")
    assert plain.get_connection(ConnectionId=alice_id)["Identity"]["UserAgent"] == "alice-client"
    code, _, status = error_of(lambda: plain.get_connection(ConnectionId="nopeNOPEnope123="))
    assert (code, status) == ("GoneException", 410)
    manage.post_to_connection(ConnectionId=alice_id, Data=b"from the server")
    assert alice.recv() == "from the server"

    # Bob speaks too, so Alice learns his id; then he leaves: `$disconnect`
    # runs with his close status, and posting to him is GoneException.
    bob.send(json.dumps({"action": "sendmessage", "data": "bye"}))
    bob_id = json.loads(alice.recv())["from"]
    bob.close()
    closed = wait_for_item(chat["ddb"], chat["table"], f"closed/{bob_id}")
    assert closed["code"]["N"] == "1000"
    code, _, status = error_of(lambda: manage.post_to_connection(ConnectionId=bob_id, Data=b"x"))
    assert (code, status) == ("GoneException", 410)

    # DeleteConnection closes Alice's socket; she is gone afterwards.
    manage.delete_connection(ConnectionId=alice_id)
    with pytest.raises(websocket.WebSocketConnectionClosedException):
        while True:
            if alice.recv() in ("", b""):
                raise websocket.WebSocketConnectionClosedException()
    wait_for_item(chat["ddb"], chat["table"], f"closed/{alice_id}")
    code, _, status = error_of(lambda: manage.get_connection(ConnectionId=alice_id))
    assert (code, status) == ("GoneException", 410)
    code, _, status = error_of(lambda: manage.delete_connection(ConnectionId=alice_id))
    assert (code, status) == ("GoneException", 410)


def test_websocket_connect_refused_and_plain_http(chat, stratus):
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        connect(chat["url"] + "?name=mallory")
    assert refused.value.status_code == 403
    with pytest.raises(websocket.WebSocketBadStatusException) as unknown:
        connect(f"ws://127.0.0.1:{stratus.port}/_aws/execute-api/{chat['api_id']}/nostage")
    assert unknown.value.status_code == 403

    # The host form reaches the same API.
    ws = connect(f"ws://127.0.0.1:{stratus.port}/dev",
                 host=f"{chat['api_id']}.execute-api.localhost:{stratus.port}")
    ws.send(json.dumps({"action": "echo", "data": "host form"}))
    assert ws.recv() == "echo:host form"
    ws.close()


GUARD = """
import json
def handler(event, context):
    if event.get("type") == "REQUEST":
        token = event["queryStringParameters"]["token"]
        effect = "Allow" if token == "good" else "Deny"
        return {"principalId": "user-" + token, "context": {"tier": "gold"},
                "policyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}]}}
    if event["requestContext"]["routeKey"] == "$connect":
        return {"statusCode": 200}
    return {"statusCode": 200, "body": json.dumps(event["requestContext"]["authorizer"])}
"""


def test_websocket_connect_authorizer(client, stratus):
    fn = python_function(client("lambda"), "wsguard", GUARD)
    v2 = client("apigatewayv2")
    api_id = v2.create_api(Name="guarded", ProtocolType="WEBSOCKET",
                           RouteSelectionExpression="$request.body.action")["ApiId"]
    auth = v2.create_authorizer(ApiId=api_id, Name="guard", AuthorizerType="REQUEST", AuthorizerUri=fn,
                                IdentitySource=["route.request.querystring.token"])
    integ = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=fn)["IntegrationId"]
    v2.create_route(ApiId=api_id, RouteKey="$connect", Target=f"integrations/{integ}",
                    AuthorizationType="CUSTOM", AuthorizerId=auth["AuthorizerId"])
    v2.create_route(ApiId=api_id, RouteKey="$default", Target=f"integrations/{integ}",
                    RouteResponseSelectionExpression="$default")
    v2.create_stage(ApiId=api_id, StageName="prod", AutoDeploy=True)
    url = f"ws://127.0.0.1:{stratus.port}/_aws/execute-api/{api_id}/prod"

    for query, status in [("", 401), ("?token=bad", 403)]:
        with pytest.raises(websocket.WebSocketBadStatusException) as refused:
            connect(url + query)
        assert refused.value.status_code == status
    ws = connect(url + "?token=good")
    ws.send("anything")
    assert json.loads(ws.recv()) == {"tier": "gold", "principalId": "user-good"}
    ws.close()


def test_websocket_http_and_http_proxy_integrations(client, stratus, echo):  # noqa: F811
    backend = echo
    v2 = client("apigatewayv2")
    api_id = v2.create_api(Name="wshttp", ProtocolType="WEBSOCKET",
                           RouteSelectionExpression="$request.body.action")["ApiId"]
    proxy = v2.create_integration(ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationMethod="POST",
                                  IntegrationUri=backend + "/proxy/${stageVariables.env}")["IntegrationId"]
    templates = {
        "$default": '{"who":"$context.connectionId","data":$input.json(\'$.data\'),"env":"$stageVariables.env"}',
        "loud": '{"LOUD":$input.json(\'$.data\')}',
    }
    mapped = v2.create_integration(ApiId=api_id, IntegrationType="HTTP", IntegrationMethod="POST",
                                   IntegrationUri=backend + "/mapped",
                                   RequestParameters={"integration.request.header.x-custom": "'acme'"},
                                   TemplateSelectionExpression="$request.body.mode",
                                   RequestTemplates=templates)
    assert mapped["TemplateSelectionExpression"] == "$request.body.mode"
    assert mapped["PassthroughBehavior"] == "WHEN_NO_MATCH"
    v2.create_integration_response(ApiId=api_id, IntegrationId=mapped["IntegrationId"],
                                   IntegrationResponseKey="$default", TemplateSelectionExpression="\\$default",
                                   ResponseTemplates={"$default": "reply:$input.path('$.header') $input.path('$.body')"})
    v2.create_integration_response(ApiId=api_id, IntegrationId=mapped["IntegrationId"],
                                   IntegrationResponseKey="/4\\d\\d/",
                                   ResponseTemplates={"$default": "not found at $input.path('$.path')"})
    missing = v2.create_integration(ApiId=api_id, IntegrationType="HTTP", IntegrationMethod="POST",
                                    IntegrationUri=backend + "/missing")["IntegrationId"]
    v2.create_integration_response(ApiId=api_id, IntegrationId=missing, IntegrationResponseKey="/4\\d\\d/",
                                   ResponseTemplates={"$default": "not found at $input.path('$.path')"})
    down = v2.create_integration(ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationMethod="POST",
                                 IntegrationUri="http://127.0.0.1:1/down")["IntegrationId"]
    for key, integ, two_way in [("proxy", proxy, True), ("mapped", mapped["IntegrationId"], True),
                                ("oneway", proxy, False), ("missing", missing, True), ("down", down, True)]:
        kw = {"RouteResponseSelectionExpression": "$default"} if two_way else {}
        v2.create_route(ApiId=api_id, RouteKey=key, Target=f"integrations/{integ}", **kw)
    v2.create_stage(ApiId=api_id, StageName="dev", AutoDeploy=True, StageVariables={"env": "test"})
    ws = connect(f"ws://127.0.0.1:{stratus.port}/_aws/execute-api/{api_id}/dev")

    # HTTP_PROXY: the message as it is, the endpoint's answer as the reply.
    message = json.dumps({"action": "proxy", "data": "raw"})
    ws.send(message)
    assert json.loads(ws.recv()) == {"method": "POST", "path": "/proxy/test", "body": message, "header": None}

    # HTTP: the message mapped by the template the selection expression
    # picks ($default here), the answer mapped by the integration response.
    ws.send(json.dumps({"action": "mapped", "data": {"n": 1}}))
    reply = ws.recv()
    assert reply.startswith("reply:acme ")  # the mapped header reached the endpoint
    sent = json.loads(reply[len("reply:acme "):])
    assert sent["data"] == {"n": 1} and sent["env"] == "test" and len(sent["who"]) == 16
    ws.send(json.dumps({"action": "mapped", "mode": "loud", "data": "hey"}))
    assert json.loads(ws.recv()[len("reply:acme "):]) == {"LOUD": "hey"}

    # A one-way route replies nothing: the next frame is the next answer.
    ws.send(json.dumps({"action": "oneway", "data": 1}))
    ws.send(json.dumps({"action": "proxy", "data": "after"}))
    assert json.loads(ws.recv())["body"] == json.dumps({"action": "proxy", "data": "after"})

    # A 404 selects the /4\d\d/ integration response.
    ws.send(json.dumps({"action": "missing"}))
    assert ws.recv() == "not found at /missing"

    # An unreachable endpoint: API Gateway's internal server error.
    ws.send(json.dumps({"action": "down"}))
    failed = json.loads(ws.recv())
    assert failed["message"] == "Internal server error" and failed["requestId"]
    ws.close()


def test_websocket_aws_integration_calls_dynamodb(client, stratus):
    ddb = client("dynamodb")
    table = f"wsaws-{uuid.uuid4().hex[:8]}"
    ddb.create_table(TableName=table, AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
    v2 = client("apigatewayv2")
    api_id = v2.create_api(Name="wsaws", ProtocolType="WEBSOCKET",
                           RouteSelectionExpression="$request.body.action")["ApiId"]
    put = v2.create_integration(
        ApiId=api_id, IntegrationType="AWS", IntegrationMethod="POST",
        IntegrationUri="arn:aws:apigateway:us-east-1:dynamodb:action/PutItem",
        TemplateSelectionExpression="\\$default",
        RequestTemplates={"$default": '{"TableName":"$stageVariables.table","Item":{"id":{"S":"$context.connectionId"},'
                                      '"note":{"S":$input.json(\'$.note\')}}}'})["IntegrationId"]
    get = v2.create_integration(
        ApiId=api_id, IntegrationType="AWS", IntegrationMethod="POST",
        IntegrationUri="arn:aws:apigateway:us-east-1:dynamodb:action/GetItem",
        RequestTemplates={"$default": '{"TableName":"$stageVariables.table","Key":{"id":{"S":"$context.connectionId"}}}'})
    v2.create_integration_response(ApiId=api_id, IntegrationId=get["IntegrationId"], IntegrationResponseKey="$default",
                                   ResponseTemplates={"$default": "note=$input.path('$.Item.note.S')"})
    v2.create_integration_response(ApiId=api_id, IntegrationId=get["IntegrationId"], IntegrationResponseKey="/4\\d\\d/",
                                   ResponseTemplates={"$default": "error=$input.path('$.__type')"})
    v2.create_route(ApiId=api_id, RouteKey="put", Target=f"integrations/{put}")
    v2.create_route(ApiId=api_id, RouteKey="get", Target=f"integrations/{get['IntegrationId']}",
                    RouteResponseSelectionExpression="$default")
    v2.create_stage(ApiId=api_id, StageName="dev", AutoDeploy=True, StageVariables={"table": table})
    ws = connect(f"ws://127.0.0.1:{stratus.port}/_aws/execute-api/{api_id}/dev")

    ws.send(json.dumps({"action": "put", "note": "stored by API Gateway"}))
    for _ in range(50):
        items = ddb.scan(TableName=table)["Items"]
        if items:
            break
        time.sleep(0.1)
    assert len(items) == 1 and items[0]["note"] == {"S": "stored by API Gateway"}
    assert len(items[0]["id"]["S"]) == 16
    ws.send(json.dumps({"action": "get"}))
    assert ws.recv() == "note=stored by API Gateway"

    # The service's error selects the /4\d\d/ integration response.
    v2.update_stage(ApiId=api_id, StageName="dev", StageVariables={"table": "no-such-table"})
    ws.send(json.dumps({"action": "get"}))
    assert ws.recv() == "error=com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"
    ws.close()


def test_websocket_aws_integration_sends_to_sqs(client, stratus):
    """The path form with a mapped Content-Type header and a form body, as
    AWS's WebSocket-to-SQS examples write it."""
    sqs = client("sqs")
    queue = f"wsq-{uuid.uuid4().hex[:8]}"
    url = sqs.create_queue(QueueName=queue)["QueueUrl"]
    v2 = client("apigatewayv2")
    api_id = v2.create_api(Name="wssqs", ProtocolType="WEBSOCKET",
                           RouteSelectionExpression="$request.body.action")["ApiId"]
    integ = v2.create_integration(
        ApiId=api_id, IntegrationType="AWS", IntegrationMethod="POST",
        IntegrationUri=f"arn:aws:apigateway:us-east-1:sqs:path/000000000000/{queue}",
        RequestParameters={"integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"},
        RequestTemplates={"$default": "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"})["IntegrationId"]
    v2.create_integration_response(ApiId=api_id, IntegrationId=integ, IntegrationResponseKey="$default")
    v2.create_route(ApiId=api_id, RouteKey="$default", Target=f"integrations/{integ}",
                    RouteResponseSelectionExpression="$default")
    v2.create_stage(ApiId=api_id, StageName="dev", AutoDeploy=True)
    ws = connect(f"ws://127.0.0.1:{stratus.port}/_aws/execute-api/{api_id}/dev")
    ws.send('{"order": 42}')
    reply = ws.recv()
    assert "<SendMessageResponse" in reply and "<MessageId>" in reply
    got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"]
    assert [m["Body"] for m in got] == ['{"order": 42}']
    ws.close()


def test_websocket_connect_through_an_http_integration(client, stratus, echo):  # noqa: F811
    """`$connect` on an HTTP integration: the handshake's query string
    mapped into the request; a non-2xx answer refuses the connection."""
    v2 = client("apigatewayv2")
    api_id = v2.create_api(Name="wsgate", ProtocolType="WEBSOCKET",
                           RouteSelectionExpression="$request.body.action")["ApiId"]
    gate = v2.create_integration(ApiId=api_id, IntegrationType="HTTP", IntegrationMethod="POST",
                                 IntegrationUri=echo + "/gate",
                                 RequestParameters={"integration.request.querystring.who":
                                                    "route.request.querystring.name"},
                                 RequestTemplates={"$default": '{"ua":"$input.params(\'User-Agent\')"}'})
    v2.create_route(ApiId=api_id, RouteKey="$connect", Target=f"integrations/{gate['IntegrationId']}")
    echo_back = v2.create_integration(ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationMethod="POST",
                                      IntegrationUri=echo + "/msg")["IntegrationId"]
    v2.create_route(ApiId=api_id, RouteKey="$default", Target=f"integrations/{echo_back}",
                    RouteResponseSelectionExpression="$default")
    v2.create_stage(ApiId=api_id, StageName="dev", AutoDeploy=True)
    url = f"ws://127.0.0.1:{stratus.port}/_aws/execute-api/{api_id}/dev"

    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        connect(url + "?name=missing")
    assert refused.value.status_code == 403
    ws = connect(url + "?name=alice")
    ws.send("after the gate")
    assert json.loads(ws.recv())["body"] == "after the gate"
    ws.close()
