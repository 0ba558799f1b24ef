//! WebSocket APIs through a real WebSocket client and the SDK's
//! `apigatewaymanagement` client: `$connect` admitting or refusing (403),
//! route selection by `$request.body.action`, a two-way route's reply,
//! `$default`, `$disconnect`, and PostToConnection, GetConnection and
//! DeleteConnection (410 GoneException afterwards).

use crate::common;
use crate::functions::{client as lambda_client, exclusive, zip_of};
use aws_sdk_apigatewaymanagement::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, Runtime};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;

const ROLE: &str = "arn:aws:iam::000000000000:role/ws-role";

/// Answers `$connect` (refusing `?deny=1`), echoes messages with the
/// `$disconnect`s it has seen (the environment stays warm between calls).
const HANDLER: &str = r#"
import json
DISCONNECTS = []
def handler(event, context):
    ctx = event["requestContext"]
    route = ctx["routeKey"]
    if route == "$connect":
        if (event.get("queryStringParameters") or {}).get("deny"):
            return {"statusCode": 401}
        return {"statusCode": 200}
    if route == "$disconnect":
        DISCONNECTS.append([ctx["connectionId"], ctx["disconnectStatusCode"]])
        return {"statusCode": 200}
    return {"statusCode": 200, "body": json.dumps({"route": route, "type": ctx["eventType"],
            "body": event["body"], "id": ctx["connectionId"], "stage": ctx["stage"],
            "disconnects": DISCONNECTS})}
"#;

/// One control-plane call to `apigatewayv2` (restJson1, unsigned).
async fn v2(endpoint: &str, method: &str, path: &str, body: Value) -> (u16, Value) {
    let host = endpoint.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    let body = body.to_string();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(format!("{head}{body}").as_bytes()).await.expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    let status = answer.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = answer.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

async fn next_text<S>(ws: &mut S) -> Value
where
    S: StreamExt<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(30), ws.next()).await.expect("a frame in time");
        match frame.expect("open").expect("frame") {
            Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap_or(Value::String(t.to_string())),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected frame {other:?}"),
        }
    }
}

#[tokio::test]
async fn websocket_api_routes_messages_and_manages_connections() {
    let _one = exclusive().await;
    let server = common::server().await;
    let endpoint = server.endpoint();
    let lambda = lambda_client(&server).await;
    let function = lambda
        .create_function()
        .function_name("ws-handler")
        .runtime(Runtime::from("python3.12"))
        .role(ROLE)
        .handler("app.handler")
        .code(
            FunctionCode::builder()
                .zip_file(aws_sdk_lambda::primitives::Blob::new(zip_of(&[("app.py", HANDLER, 0o644)])))
                .build(),
        )
        .send()
        .await
        .expect("create function");
    let arn = function.function_arn().unwrap_or_default().to_string();

    let (status, api) = v2(&endpoint, "POST", "/v2/apis", json!({"name": "chat", "protocolType": "WEBSOCKET"})).await;
    assert_eq!((status, api["message"].as_str().is_some()), (400, true), "{api}");
    let (status, api) = v2(
        &endpoint,
        "POST",
        "/v2/apis",
        json!({"name": "chat", "protocolType": "WEBSOCKET", "routeSelectionExpression": "$request.body.action"}),
    )
    .await;
    assert_eq!(status, 201, "{api}");
    let api_id = api["apiId"].as_str().unwrap_or_default().to_string();
    assert_eq!(api["apiEndpoint"], format!("wss://{api_id}.execute-api.us-east-1.amazonaws.com"));
    assert_eq!(api["protocolType"], "WEBSOCKET");
    let apis = format!("/v2/apis/{api_id}");
    let (_, integ) = v2(
        &endpoint,
        "POST",
        &format!("{apis}/integrations"),
        json!({"integrationType": "AWS_PROXY", "integrationUri": arn}),
    )
    .await;
    assert_eq!((integ["payloadFormatVersion"].as_str(), integ["timeoutInMillis"].as_i64()), (Some("1.0"), Some(29000)));
    let target = format!("integrations/{}", integ["integrationId"].as_str().unwrap_or_default());
    for key in ["$connect", "$disconnect", "echo"] {
        let (status, route) =
            v2(&endpoint, "POST", &format!("{apis}/routes"), json!({"routeKey": key, "target": target})).await;
        assert_eq!(status, 201, "{route}");
        if key == "echo" {
            let path = format!("{apis}/routes/{}/routeresponses", route["routeId"].as_str().unwrap_or_default());
            let (status, rr) = v2(&endpoint, "POST", &path, json!({"routeResponseKey": "$default"})).await;
            assert_eq!((status, rr["routeResponseKey"].as_str()), (201, Some("$default")), "{rr}");
        }
    }
    let (status, _) =
        v2(&endpoint, "POST", &format!("{apis}/stages"), json!({"stageName": "dev", "autoDeploy": true})).await;
    assert_eq!(status, 201);

    // `$connect` refusing: the handshake fails with 403.
    let ws_base = format!("ws://{}/_aws/execute-api/{api_id}/dev", server.addr);
    match tokio_tungstenite::connect_async(format!("{ws_base}?deny=1")).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => assert_eq!(resp.status().as_u16(), 403),
        other => panic!("expected a refused handshake, got {:?}", other.map(|(_, r)| r.status())),
    }

    let (mut ws, resp) = tokio_tungstenite::connect_async(&ws_base).await.expect("connect");
    assert_eq!(resp.status().as_u16(), 101);
    ws.send(Message::Text(r#"{"action":"echo","n":1}"#.into())).await.expect("send");
    let reply = next_text(&mut ws).await;
    assert_eq!((reply["route"].as_str(), reply["type"].as_str()), (Some("echo"), Some("MESSAGE")));
    assert_eq!((reply["body"].as_str(), reply["stage"].as_str()), (Some(r#"{"action":"echo","n":1}"#), Some("dev")));
    let id = reply["id"].as_str().unwrap_or_default().to_string();
    assert!(id.len() == 16 && id.ends_with('='), "{id}");

    // No route for `other` and no `$default`: API Gateway says Forbidden.
    ws.send(Message::Text(r#"{"action":"other"}"#.into())).await.expect("send");
    let refused = next_text(&mut ws).await;
    assert_eq!((refused["message"].as_str(), refused["connectionId"].as_str()), (Some("Forbidden"), Some(id.as_str())));

    // The management API, signed for execute-api, at `http://{domainName}/{stage}`.
    let conf = aws_sdk_apigatewaymanagement::config::Builder::from(&common::sdk_config(&server).await)
        .endpoint_url(format!("{endpoint}/dev"))
        .build();
    let manage = aws_sdk_apigatewaymanagement::Client::from_conf(conf);
    let got = manage.get_connection().connection_id(&id).send().await.expect("get connection");
    assert_eq!(got.identity().and_then(|i| i.source_ip()), Some("127.0.0.1"));
    assert!(got.connected_at().is_some() && got.last_active_at().is_some());
    // Without the stage segment the router finds the model: the same connection.
    let conf = aws_sdk_apigatewaymanagement::config::Builder::from(&common::sdk_config(&server).await).build();
    let plain = aws_sdk_apigatewaymanagement::Client::from_conf(conf);
    let same = plain.get_connection().connection_id(&id).send().await.expect("get connection (plain endpoint)");
    assert_eq!(same.connected_at(), got.connected_at());
    manage.post_to_connection().connection_id(&id).data(Blob::new("pushed")).send().await.expect("post");
    let frame = tokio::time::timeout(Duration::from_secs(10), ws.next()).await.expect("in time");
    assert_eq!(frame.expect("open").expect("frame"), Message::Text("pushed".into()));

    manage.delete_connection().connection_id(&id).send().await.expect("delete");
    let closed = tokio::time::timeout(Duration::from_secs(10), ws.next()).await.expect("in time");
    assert!(matches!(closed, Some(Ok(Message::Close(_)))), "{closed:?}");
    let gone = manage.post_to_connection().connection_id(&id).data(Blob::new("x")).send().await;
    let err = gone.expect_err("gone").into_service_error();
    assert!(err.is_gone_exception(), "{err:?}");
    let gone = manage.get_connection().connection_id("nopeNOPEnope123=").send().await;
    assert!(gone.expect_err("gone").into_service_error().is_gone_exception());

    // `$disconnect` ran, with the close status; a new connection asks.
    let (mut other, _) = tokio_tungstenite::connect_async(&ws_base).await.expect("connect again");
    let mut seen = Value::Null;
    for _ in 0..50 {
        other.send(Message::Text(r#"{"action":"echo"}"#.into())).await.expect("send");
        seen = next_text(&mut other).await["disconnects"].clone();
        if seen.as_array().is_some_and(|d| d.iter().any(|d| d[0] == id.as_str())) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let entry = seen.as_array().and_then(|d| d.iter().find(|d| d[0] == id.as_str()).cloned());
    assert!(entry.is_some_and(|e| e[1].as_i64().is_some()), "{seen}");
    server.shutdown().await;
}
