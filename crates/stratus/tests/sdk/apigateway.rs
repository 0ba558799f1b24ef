//! API Gateway through the AWS SDK for Rust against an in-process server,
//! with reqwest on the data plane: a REST API imported from an OpenAPI 3
//! document serving a Lambda proxy route (a Python function) and a MOCK
//! route, exported again, with AWS's NotFoundException texts; and an HTTP
//! API whose route reaches the same function with the 2.0 payload.

use crate::common;
use crate::functions::{self, zip_of};

use aws_sdk_apigateway::error::ProvideErrorMetadata;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, Runtime};
use serde_json::{Value, json};

const ROLE: &str = "arn:aws:iam::000000000000:role/apigw";

const HANDLER: &str = r#"
import json
def handler(event, context):
    rc = event["requestContext"]
    return {"statusCode": 200, "headers": {"x-served-by": "lambda"},
            "body": json.dumps({"version": event.get("version", "1.0"), "path": event.get("rawPath") or event.get("path"),
                                "id": (event.get("pathParameters") or {}).get("id"),
                                "stage": rc["stage"], "query": event.get("queryStringParameters")})}
"#;

async fn python_function(server: &stratus::server::Server) -> String {
    let lambda = functions::client(server).await;
    let arn = lambda
        .create_function()
        .function_name("apigw-backend")
        .runtime(Runtime::from("python3.12"))
        .role(ROLE)
        .handler("app.handler")
        .code(FunctionCode::builder().zip_file(Blob::new(zip_of(&[("app.py", HANDLER, 0o644)]))).build())
        .send()
        .await
        .expect("create function")
        .function_arn
        .expect("function arn");
    lambda.get_function().function_name("apigw-backend").send().await.expect("get function");
    arn
}

fn openapi(function_arn: &str) -> Value {
    let uri = format!("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{function_arn}/invocations");
    json!({
        "openapi": "3.0.1",
        "info": {"title": "pets", "version": "1.0"},
        "paths": {
            "/pets/{id}": {"get": {
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "x-amazon-apigateway-integration": {"type": "aws_proxy", "httpMethod": "POST", "uri": uri}
            }},
            "/mock": {"get": {
                "responses": {"200": {"description": "ok"}},
                "x-amazon-apigateway-integration": {
                    "type": "mock",
                    "requestTemplates": {"application/json": "{\"statusCode\": 200}"},
                    "responses": {"default": {"statusCode": "200",
                        "responseTemplates": {"application/json": "{\"mocked\": true, \"stage\": \"$context.stage\"}"}}}
                }
            }}
        }
    })
}

#[tokio::test]
async fn rest_api_imported_from_openapi_serves_lambda_proxy_and_mock_routes() {
    let server = common::server().await;
    let function = python_function(&server).await;
    let apigw = aws_sdk_apigateway::Client::new(&common::sdk_config(&server).await);
    let api = apigw
        .import_rest_api()
        .body(aws_sdk_apigateway::primitives::Blob::new(openapi(&function).to_string()))
        .send()
        .await
        .expect("import");
    let api_id = api.id().expect("api id").to_string();
    assert_eq!(api.name(), Some("pets"));
    let resources = apigw.get_resources().rest_api_id(&api_id).send().await.expect("resources");
    let mut paths: Vec<&str> = resources.items().iter().filter_map(|r| r.path()).collect();
    paths.sort();
    assert_eq!(paths, ["/", "/mock", "/pets", "/pets/{id}"]);
    apigw.create_deployment().rest_api_id(&api_id).stage_name("dev").send().await.expect("deploy");

    let http = reqwest::Client::new();
    let base = format!("{}/_aws/execute-api/{api_id}/dev", server.endpoint());
    let r = http.get(format!("{base}/pets/7?color=red")).send().await.expect("proxy route");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-served-by"], "lambda");
    let body: Value = r.json().await.expect("json body");
    assert_eq!(
        body,
        json!({"version": "1.0", "path": "/pets/7", "id": "7", "stage": "dev", "query": {"color": "red"}})
    );

    let r = http.get(format!("{base}/mock")).send().await.expect("mock route");
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.expect("json"), json!({"mocked": true, "stage": "dev"}));
    let r = http.get(format!("{base}/nowhere")).send().await.expect("no route");
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.expect("json"), json!({"message": "Missing Authentication Token"}));

    let export = apigw
        .get_export()
        .rest_api_id(&api_id)
        .stage_name("dev")
        .export_type("oas30")
        .accepts("application/json")
        .send()
        .await
        .expect("export");
    let exported: Value = serde_json::from_slice(export.body().expect("body").as_ref()).expect("exported json");
    assert!(exported["paths"]["/pets/{id}"]["get"].is_object(), "{exported}");

    let err = apigw.get_rest_api().rest_api_id("nope").send().await.expect_err("unknown api");
    assert_eq!(err.code(), Some("NotFoundException"));
    assert_eq!(err.message(), Some("Invalid API identifier specified 000000000000:nope"));
    server.shutdown().await;
}

#[tokio::test]
async fn http_api_routes_to_lambda_with_payload_format_2() {
    let server = common::server().await;
    let function = python_function(&server).await;
    let v2 = aws_sdk_apigatewayv2::Client::new(&common::sdk_config(&server).await);
    let api = v2
        .create_api()
        .name("quick")
        .protocol_type(aws_sdk_apigatewayv2::types::ProtocolType::Http)
        .target(&function)
        .send()
        .await
        .expect("create api");
    let api_id = api.api_id().expect("api id").to_string();
    let routes = v2.get_routes().api_id(&api_id).send().await.expect("routes");
    assert_eq!(routes.items().iter().filter_map(|r| r.route_key()).collect::<Vec<_>>(), ["$default"]);
    let stages = v2.get_stages().api_id(&api_id).send().await.expect("stages");
    assert_eq!(stages.items().iter().filter_map(|s| s.stage_name()).collect::<Vec<_>>(), ["$default"]);

    let r = reqwest::get(format!("{}/_aws/execute-api/{api_id}/items/9?x=1", server.endpoint())).await.expect("get");
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.expect("json");
    assert_eq!(
        body,
        json!({"version": "2.0", "path": "/items/9", "id": null, "stage": "$default", "query": {"x": "1"}})
    );

    let err = v2.get_api().api_id("nope").send().await.expect_err("unknown api");
    assert_eq!(aws_sdk_apigatewayv2::error::ProvideErrorMetadata::code(&err), Some("NotFoundException"));
    server.shutdown().await;
}
