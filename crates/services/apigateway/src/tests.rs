//! Service-level tests: control-plane calls through `Service::call` and
//! invoke requests through `Service::serve`, on an in-memory store.

use crate::ApiGateway;
use serde_json::{Value, json};
use stratus_core::{AwsError, HttpRequest, RequestContext, Service, Settings};

fn service() -> ApiGateway {
    let store = stratus_store::Store::in_memory().expect("store");
    ApiGateway::new(store, &Settings::default())
}

async fn call(s: &ApiGateway, op: &'static str, input: Value) -> Result<Value, AwsError> {
    s.call(&RequestContext::internal("apigateway", op), input).await
}

/// A GET of `path` with Host `host`.
pub(crate) fn get(host: &str, path: &str) -> HttpRequest {
    let mut headers = http::HeaderMap::new();
    headers.insert("host", host.parse().expect("host"));
    HttpRequest {
        method: http::Method::GET,
        path: path.into(),
        query: String::new(),
        headers,
        body: Default::default(),
    }
}

/// An API with `/pets/{id}` GET → MOCK 200 with a static body, deployed to `dev`.
async fn mock_api(s: &ApiGateway) -> (String, String) {
    let api = call(s, "CreateRestApi", json!({"name": "pets"})).await.expect("api");
    let id = api["id"].as_str().expect("id").to_string();
    let root = api["rootResourceId"].as_str().expect("root").to_string();
    let pets =
        call(s, "CreateResource", json!({"restApiId": id, "parentId": root, "pathPart": "pets"})).await.expect("pets");
    let pet = call(s, "CreateResource", json!({"restApiId": id, "parentId": pets["id"], "pathPart": "{id}"}))
        .await
        .expect("pet");
    let rid = pet["id"].as_str().expect("rid").to_string();
    let m = json!({"restApiId": id, "resourceId": rid, "httpMethod": "GET"});
    call(s, "PutMethod", json!({"restApiId": id, "resourceId": rid, "httpMethod": "GET", "authorizationType": "NONE"}))
        .await
        .expect("method");
    let mut i = m.clone();
    i["type"] = "MOCK".into();
    i["requestTemplates"] = json!({"application/json": "{\"statusCode\": 200}"});
    call(s, "PutIntegration", i).await.expect("integration");
    let mut ir = m.clone();
    ir["statusCode"] = "200".into();
    ir["responseTemplates"] = json!({"application/json": "{\"pet\": \"rex\"}"});
    ir["responseParameters"] = json!({"method.response.header.X-Kind": "'mock'"});
    call(s, "PutIntegrationResponse", ir).await.expect("integration response");
    call(s, "CreateDeployment", json!({"restApiId": id, "stageName": "dev"})).await.expect("deployment");
    (id, rid)
}

#[tokio::test]
async fn resource_tree_paths_and_errors() {
    let s = service();
    let (id, rid) = mock_api(&s).await;
    let got = call(&s, "GetResource", json!({"restApiId": id, "resourceId": rid})).await.expect("get");
    assert_eq!(got["path"], "/pets/{id}");
    assert_eq!(got["resourceMethods"], json!({"GET": {}}));
    let e = call(&s, "GetRestApi", json!({"restApiId": "nope"})).await.unwrap_err();
    assert_eq!((e.status, e.code.as_str()), (404, "NotFoundException"));
    assert_eq!(e.message, "Invalid API identifier specified 000000000000:nope");
    let e = call(&s, "CreateResource", json!({"restApiId": id, "parentId": got["parentId"], "pathPart": "{other}"}))
        .await
        .unwrap_err();
    assert_eq!(e.message, "A sibling ({id}) of this resource already has a variable path part -- only one is allowed");
    let e = call(
        &s,
        "PutMethod",
        json!({"restApiId": id, "resourceId": rid, "httpMethod": "GET", "authorizationType": "NONE"}),
    )
    .await
    .unwrap_err();
    assert_eq!((e.status, e.message.as_str()), (409, "Method already exists for this resource"));
}

#[tokio::test]
async fn update_rest_api_with_patch_operations() {
    let s = service();
    let api = call(&s, "CreateRestApi", json!({"name": "a", "description": "d"})).await.expect("api");
    let ops = json!([
        {"op": "add", "path": "/binaryMediaTypes/image~1png"},
        {"op": "remove", "path": "/description"},
        {"op": "replace", "path": "/name", "value": "b"},
    ]);
    let out = call(&s, "UpdateRestApi", json!({"restApiId": api["id"], "patchOperations": ops})).await.expect("update");
    assert_eq!(out["binaryMediaTypes"], json!(["image/png"]));
    assert_eq!(out["name"], "b");
    assert!(out.get("description").is_none());
    let bad = json!([{"op": "add", "path": "/binaryMediaTypes"}]);
    let e = call(&s, "UpdateRestApi", json!({"restApiId": api["id"], "patchOperations": bad})).await.unwrap_err();
    assert_eq!(e.message, "Invalid patch path /binaryMediaTypes");
}

#[tokio::test]
async fn mock_route_served_by_host_and_path() {
    let s = service();
    let (id, _) = mock_api(&s).await;
    assert!(s.claims(&get(&format!("{id}.execute-api.localhost:4566"), "/dev/pets/1")));
    let resp = s.serve(get(&format!("{id}.execute-api.localhost:4566"), "/dev/pets/1")).await;
    assert_eq!(resp.status, 200);
    assert_eq!(&resp.body[..], br#"{"pet": "rex"}"#);
    assert!(resp.headers.contains(&("X-Kind".to_string(), "mock".to_string())));
    let resp = s.serve(get("localhost:4566", &format!("/_aws/execute-api/{id}/dev/pets/2"))).await;
    assert_eq!(resp.status, 200);
    let resp = s.serve(get("localhost:4566", &format!("/_aws/execute-api/{id}/dev/cats"))).await;
    assert_eq!((resp.status, &resp.body[..]), (403, &br#"{"message":"Missing Authentication Token"}"#[..]));
    let resp = s.serve(get("localhost:4566", &format!("/_aws/execute-api/{id}/prod/pets/1"))).await;
    assert_eq!(resp.status, 403);
}

/// `mock_api`'s method made to require an API key, redeployed.
async fn require_key(s: &ApiGateway, id: &str, rid: &str) {
    let ops = json!([{"op": "replace", "path": "/apiKeyRequired", "value": "true"}]);
    call(s, "UpdateMethod", json!({"restApiId": id, "resourceId": rid, "httpMethod": "GET", "patchOperations": ops}))
        .await
        .expect("update method");
    call(s, "CreateDeployment", json!({"restApiId": id, "stageName": "dev"})).await.expect("redeploy");
}

#[tokio::test]
async fn api_key_usage_plan_throttle_and_quota() {
    let s = service();
    let (id, rid) = mock_api(&s).await;
    require_key(&s, &id, &rid).await;
    let host = format!("{id}.execute-api.localhost");
    let with_key = |value: &str| {
        let mut r = get(&host, "/dev/pets/1");
        r.headers.insert("x-api-key", value.parse().expect("key"));
        r
    };
    assert_eq!(s.serve(get(&host, "/dev/pets/1")).await.status, 403);
    let key = call(&s, "CreateApiKey", json!({"name": "k", "enabled": true})).await.expect("key");
    let value = key["value"].as_str().expect("value").to_string();
    assert_eq!(value.len(), 40);
    let refused = s.serve(with_key(&value)).await;
    assert_eq!((refused.status, &refused.body[..]), (403, &br#"{"message":"Forbidden"}"#[..]));
    let plan = call(
        &s,
        "CreateUsagePlan",
        json!({"name": "p", "apiStages": [{"apiId": id, "stage": "dev"}],
               "throttle": {"rateLimit": 0.001, "burstLimit": 2}, "quota": {"limit": 3, "period": "DAY"}}),
    )
    .await
    .expect("plan");
    assert_eq!(plan["quota"], json!({"limit": 3, "period": "DAY", "offset": 0}));
    let plan_id = plan["id"].as_str().expect("plan id").to_string();
    call(&s, "CreateUsagePlanKey", json!({"usagePlanId": plan_id, "keyId": key["id"], "keyType": "API_KEY"}))
        .await
        .expect("plan key");
    assert_eq!(s.serve(with_key(&value)).await.status, 200);
    assert_eq!(s.serve(with_key(&value)).await.status, 200);
    let throttled = s.serve(with_key(&value)).await;
    assert_eq!((throttled.status, &throttled.body[..]), (429, &br#"{"message":"Too Many Requests"}"#[..]));
    let today = stratus_core::clock::now().date().to_string();
    let usage = call(&s, "GetUsage", json!({"usagePlanId": plan_id, "startDate": today, "endDate": today}))
        .await
        .expect("usage");
    assert_eq!(usage["items"][key["id"].as_str().expect("id")], json!([[2, 1]]));
    let e = call(&s, "GetUsagePlan", json!({"usagePlanId": "nope"})).await.unwrap_err();
    assert_eq!((e.status, e.message.as_str()), (404, "Invalid Usage Plan ID specified"));
}

#[tokio::test]
async fn stage_method_settings_throttle() {
    let s = service();
    let (id, _) = mock_api(&s).await;
    let ops = json!([
        {"op": "replace", "path": "/~1pets~1{id}/GET/throttling/burstLimit", "value": "1"},
        {"op": "replace", "path": "/~1pets~1{id}/GET/throttling/rateLimit", "value": "0.001"},
    ]);
    call(&s, "UpdateStage", json!({"restApiId": id, "stageName": "dev", "patchOperations": ops})).await.expect("stage");
    let host = format!("{id}.execute-api.localhost");
    assert_eq!(s.serve(get(&host, "/dev/pets/1")).await.status, 200);
    let throttled = s.serve(get(&host, "/dev/pets/2")).await;
    assert_eq!((throttled.status, &throttled.body[..]), (429, &br#"{"message":"Too Many Requests"}"#[..]));
}

#[tokio::test]
async fn models_validators_and_parameter_validation() {
    let s = service();
    let (id, rid) = mock_api(&s).await;
    let models = call(&s, "GetModels", json!({"restApiId": id})).await.expect("models");
    let names: Vec<&str> =
        models["items"].as_array().expect("items").iter().filter_map(|m| m["name"].as_str()).collect();
    assert_eq!(names, ["Empty", "Error"]);
    let e = call(
        &s,
        "CreateModel",
        json!({"restApiId": id, "name": "M", "contentType": "application/json", "schema": "{}"}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.message, "Model schema must have at least 1 property or array items defined");
    let v = call(
        &s,
        "CreateRequestValidator",
        json!({"restApiId": id, "name": "params", "validateRequestParameters": true}),
    )
    .await
    .expect("validator");
    let ops = json!([
        {"op": "replace", "path": "/requestValidatorId", "value": v["id"]},
        {"op": "add", "path": "/requestParameters/method.request.querystring.q", "value": "true"},
        {"op": "add", "path": "/requestModels/application~1json", "value": "Empty"},
    ]);
    call(&s, "UpdateMethod", json!({"restApiId": id, "resourceId": rid, "httpMethod": "GET", "patchOperations": ops}))
        .await
        .expect("method");
    let e = call(&s, "DeleteModel", json!({"restApiId": id, "modelName": "Empty"})).await.unwrap_err();
    assert_eq!(
        (e.status, e.message.as_str()),
        (409, "Cannot delete model 'Empty', is referenced in method request: /pets/{id}/GET")
    );
    call(&s, "CreateDeployment", json!({"restApiId": id, "stageName": "dev"})).await.expect("deploy");
    let host = format!("{id}.execute-api.localhost");
    let refused = s.serve(get(&host, "/dev/pets/1")).await;
    assert_eq!(
        (refused.status, &refused.body[..]),
        (400, &br#"{"message":"Missing required request parameters: [q]"}"#[..])
    );
    let mut ok = get(&host, "/dev/pets/1");
    ok.query = "q=1".into();
    assert_eq!(s.serve(ok).await.status, 200);
}

#[tokio::test]
async fn customized_gateway_response_shapes_refusals() {
    let s = service();
    let (id, _) = mock_api(&s).await;
    let default =
        call(&s, "GetGatewayResponse", json!({"restApiId": id, "responseType": "MISSING_AUTHENTICATION_TOKEN"}))
            .await
            .expect("default");
    assert_eq!((default["statusCode"].as_str(), default["defaultResponse"].as_bool()), (Some("403"), Some(true)));
    call(
        &s,
        "PutGatewayResponse",
        json!({"restApiId": id, "responseType": "DEFAULT_4XX",
               "responseParameters": {"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}}),
    )
    .await
    .expect("4xx");
    call(
        &s,
        "PutGatewayResponse",
        json!({"restApiId": id, "responseType": "MISSING_AUTHENTICATION_TOKEN", "statusCode": "404"}),
    )
    .await
    .expect("put");
    let inherited =
        call(&s, "GetGatewayResponse", json!({"restApiId": id, "responseType": "THROTTLED"})).await.expect("get");
    assert_eq!(inherited["responseParameters"], json!({"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}));
    let resp = s.serve(get(&format!("{id}.execute-api.localhost"), "/dev/nowhere")).await;
    assert_eq!((resp.status, &resp.body[..]), (404, &br#"{"message":"Missing Authentication Token"}"#[..]));
    let e = call(&s, "DeleteGatewayResponse", json!({"restApiId": id, "responseType": "THROTTLED"})).await.unwrap_err();
    assert_eq!(e.message, "Gateway response type not defined on api");
}

#[tokio::test]
async fn stage_cache_answers_until_flushed() {
    let s = service();
    let (id, rid) = mock_api(&s).await;
    let ops = json!([
        {"op": "replace", "path": "/cacheClusterEnabled", "value": "true"},
        {"op": "replace", "path": "/*/*/caching/enabled", "value": "true"},
    ]);
    call(&s, "UpdateStage", json!({"restApiId": id, "stageName": "dev", "patchOperations": ops})).await.expect("stage");
    let host = format!("{id}.execute-api.localhost");
    assert_eq!(&s.serve(get(&host, "/dev/pets/1")).await.body[..], br#"{"pet": "rex"}"#);
    let ir = json!({"restApiId": id, "resourceId": rid, "httpMethod": "GET", "statusCode": "200",
                    "responseTemplates": {"application/json": "{\"pet\": \"tom\"}"}});
    call(&s, "PutIntegrationResponse", ir).await.expect("new answer");
    call(&s, "CreateDeployment", json!({"restApiId": id, "stageName": "dev"})).await.expect("redeploy");
    assert_eq!(&s.serve(get(&host, "/dev/pets/1")).await.body[..], br#"{"pet": "rex"}"#, "cached");
    assert_eq!(&s.serve(get(&host, "/dev/pets/2")).await.body[..], br#"{"pet": "tom"}"#, "another path");
    call(&s, "FlushStageCache", json!({"restApiId": id, "stageName": "dev"})).await.expect("flush");
    assert_eq!(&s.serve(get(&host, "/dev/pets/1")).await.body[..], br#"{"pet": "tom"}"#);
}

#[tokio::test]
async fn domain_names_crud_and_errors() {
    let s = service();
    let d = call(&s, "CreateDomainName", json!({"domainName": "API.example.com", "regionalCertificateArn": "arn:aws:acm:us-east-1:000000000000:certificate/x", "endpointConfiguration": {"types": ["REGIONAL"]}}))
        .await
        .expect("domain");
    assert_eq!(d["domainName"], "api.example.com");
    assert_eq!(d["domainNameStatus"], "AVAILABLE");
    assert!(d["regionalDomainName"].as_str().is_some_and(|n| n.starts_with("d-") && n.contains(".execute-api.")));
    let e = call(&s, "CreateDomainName", json!({"domainName": "api.example.com"})).await.expect_err("dup");
    assert_eq!((e.status, e.code.as_str()), (409, "ConflictException"));
    let edge = call(&s, "CreateDomainName", json!({"domainName": "edge.example.com"})).await.expect("edge");
    assert!(edge["distributionDomainName"].as_str().is_some_and(|n| n.ends_with(".cloudfront.net")));
    assert_eq!(call(&s, "GetDomainNames", json!({})).await.expect("list")["items"].as_array().map(Vec::len), Some(2));
    let patch = json!({"domainName": "api.example.com", "patchOperations": [{"op": "replace", "path": "/securityPolicy", "value": "TLS_1_0"}]});
    assert_eq!(call(&s, "UpdateDomainName", patch).await.expect("update")["securityPolicy"], "TLS_1_0");
    call(&s, "DeleteDomainName", json!({"domainName": "edge.example.com"})).await.expect("delete");
    let e = call(&s, "GetDomainName", json!({"domainName": "edge.example.com"})).await.expect_err("gone");
    assert_eq!((e.status, e.message.as_str()), (404, "Invalid domain name identifier specified"));
}

#[tokio::test]
async fn base_path_mappings_route_custom_domains() {
    let s = service();
    let (id, _) = mock_api(&s).await;
    call(&s, "CreateDomainName", json!({"domainName": "api.example.com"})).await.expect("domain");
    let m =
        call(&s, "CreateBasePathMapping", json!({"domainName": "api.example.com", "restApiId": id, "stage": "dev"}))
            .await
            .expect("none");
    assert_eq!(m["basePath"], "(none)");
    call(&s, "CreateBasePathMapping", json!({"domainName": "api.example.com", "restApiId": id, "basePath": "v2"}))
        .await
        .expect("v2");
    let e =
        call(&s, "CreateBasePathMapping", json!({"domainName": "api.example.com", "restApiId": id, "basePath": "v2"}))
            .await
            .expect_err("dup");
    assert_eq!((e.status, e.message.as_str()), (409, "Base path already exists for this domain name"));
    let e = call(
        &s,
        "CreateBasePathMapping",
        json!({"domainName": "api.example.com", "restApiId": "nope", "basePath": "x"}),
    )
    .await
    .expect_err("api");
    assert_eq!((e.status, e.message.as_str()), (400, "Invalid REST API identifier specified"));
    let e = call(
        &s,
        "CreateBasePathMapping",
        json!({"domainName": "api.example.com", "restApiId": id, "basePath": "x", "stage": "nope"}),
    )
    .await
    .expect_err("stage");
    assert_eq!((e.status, e.message.as_str()), (400, "Invalid stage identifier specified"));

    assert_eq!(s.serve(get("api.example.com:4566", "/pets/1")).await.status, 200, "(none) mapping");
    assert_eq!(s.serve(get("api.example.com", "/v2/dev/pets/1")).await.status, 200, "v2 without stage");
    assert_eq!(s.serve(get("localhost:4566", "/_aws/domain/api.example.com/pets/1")).await.status, 200);
    assert!(!s.claims(&get("other.example.com", "/pets/1")));

    let patch = json!({"domainName": "api.example.com", "basePath": "v2", "patchOperations": [
        {"op": "replace", "path": "/basePath", "value": "v3"}, {"op": "replace", "path": "/stage", "value": "dev"}]});
    let m = call(&s, "UpdateBasePathMapping", patch).await.expect("update");
    assert_eq!((m["basePath"].as_str(), m["stage"].as_str()), (Some("v3"), Some("dev")));
    assert_eq!(s.serve(get("api.example.com", "/v3/pets/1")).await.status, 200);
    let e = call(&s, "GetBasePathMapping", json!({"domainName": "api.example.com", "basePath": "v2"}))
        .await
        .expect_err("moved");
    assert_eq!((e.status, e.message.as_str()), (404, "Invalid base path mapping identifier specified"));
    let all = call(&s, "GetBasePathMappings", json!({"domainName": "api.example.com"})).await.expect("list");
    assert_eq!(all["items"].as_array().map(Vec::len), Some(2));
    call(&s, "DeleteBasePathMapping", json!({"domainName": "api.example.com", "basePath": "(none)"}))
        .await
        .expect("delete");
    assert!(!s.claims(&get("api.example.com", "/pets/1")));
}

#[tokio::test]
async fn custom_domains_route_by_longest_mapping_key() {
    use crate::invoke::address::{Address, resolve};
    let s = service();
    let v2 = s.v2();
    let (api, _) = mock_api(&s).await;
    let v2call = |op: &'static str, input: Value| {
        let v2 = &v2;
        async move { v2.call(&RequestContext::internal("apigatewayv2", op), input).await }
    };
    v2call("CreateDomainName", json!({"DomainName": "api.example.com"})).await.expect("domain");
    for key in ["", "orders", "orders/v2"] {
        v2call(
            "CreateApiMapping",
            json!({"DomainName": "api.example.com", "ApiId": api, "Stage": "dev",
            "ApiMappingKey": key}),
        )
        .await
        .expect("mapping");
    }
    let at = |path: &str| Address { api_id: api.clone(), stage: "dev".into(), path: path.into() };
    let shared = &s.shared;
    assert_eq!(resolve(shared, &get("api.example.com:4566", "/orders/v2/pets/1")), Some(at("/pets/1")));
    assert_eq!(resolve(shared, &get("API.example.com", "/orders/v2")), Some(at("/")));
    assert_eq!(resolve(shared, &get("api.example.com", "/orders/v23/x")), Some(at("/v23/x")));
    assert_eq!(resolve(shared, &get("api.example.com", "/ordersx")), Some(at("/ordersx")));
    assert_eq!(resolve(shared, &get("localhost", "/_aws/domain/api.example.com/orders/x")), Some(at("/x")));
    // Dotted hosts that are not domain names are not API Gateway's.
    assert_eq!(resolve(shared, &get("bucket.localhost", "/orders/v2")), None);
    assert!(!s.claims(&get("bucket.localhost:4566", "/key")));
    v2call("DeleteDomainName", json!({"DomainName": "api.example.com"})).await.expect("delete");
    assert_eq!(resolve(shared, &get("api.example.com", "/orders/v2/pets/1")), None);
}
