//! Reading Swagger 2.0 and OpenAPI 3 documents as API Gateway does: the
//! API's own settings (title, description, version and the
//! `x-amazon-apigateway-*` extensions), and for every path and operation the
//! Method, method responses and `x-amazon-apigateway-integration` it
//! declares, as the control plane's shapes.

use crate::errors::bad_request;
use serde_json::{Map, Value, json};
use stratus_core::AwsError;
use stratus_core::input::Input;

/// Verbs of an OpenAPI path item, and the extension for ANY.
pub const VERBS: &[(&str, &str)] = &[
    ("get", "GET"),
    ("put", "PUT"),
    ("post", "POST"),
    ("delete", "DELETE"),
    ("patch", "PATCH"),
    ("options", "OPTIONS"),
    ("head", "HEAD"),
    ("x-amazon-apigateway-any-method", "ANY"),
];

/// One operation of the document: where it goes and its Method shape
/// (with `methodResponses` and `methodIntegration`).
#[derive(Clone)]
pub struct Operation {
    pub path: String,
    pub verb: &'static str,
    pub method: Value,
}

/// A parsed document.
#[derive(Clone)]
pub struct Document {
    /// CreateRestApi-style input: name, description, version,
    /// binaryMediaTypes, apiKeySource, minimumCompressionSize, policy,
    /// endpointConfiguration.
    pub settings: Value,
    pub operations: Vec<Operation>,
}

/// The document in `body` (JSON or YAML).
pub fn parse(body: &[u8]) -> Result<Document, AwsError> {
    let doc = crate::document::read(body).ok_or_else(|| bad_request("Invalid OpenAPI input."))?;
    if doc.get("swagger").is_none() && doc.get("openapi").is_none() {
        return Err(bad_request("Invalid OpenAPI input."));
    }
    let info = doc.get("info").cloned().unwrap_or_else(|| json!({}));
    let mut settings = json!({ "name": info.str("title").unwrap_or_default() });
    for (from, to) in [("description", "description"), ("version", "version")] {
        if let Some(v) = info.get(from) {
            settings[to] = v.clone();
        }
    }
    let extensions = [
        ("x-amazon-apigateway-binary-media-types", "binaryMediaTypes"),
        ("x-amazon-apigateway-api-key-source", "apiKeySource"),
        ("x-amazon-apigateway-minimum-compression-size", "minimumCompressionSize"),
        ("x-amazon-apigateway-endpoint-configuration", "endpointConfiguration"),
    ];
    for (from, to) in extensions {
        if let Some(v) = doc.get(from) {
            settings[to] = v.clone();
        }
    }
    if let Some(p) = doc.get("x-amazon-apigateway-policy") {
        settings["policy"] = p.to_string().into();
    }
    let api_key_schemes = api_key_schemes(&doc);
    let mut operations = Vec::new();
    for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        let shared = item.list("parameters");
        for (key, verb) in VERBS {
            if let Some(op) = item.get(*key) {
                let method = method(&doc, op, verb, shared, &api_key_schemes);
                operations.push(Operation { path: path.clone(), verb, method });
            }
        }
    }
    Ok(Document { settings, operations })
}

/// Names of the security schemes that are API keys (`x-api-key` header).
fn api_key_schemes(doc: &Value) -> Vec<String> {
    let schemes = doc.get("securityDefinitions").or_else(|| doc.pointer("/components/securitySchemes"));
    schemes
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, s)| s.str("type") == Some("apiKey") && s.get("x-amazon-apigateway-authtype").is_none())
        .map(|(name, _)| name.clone())
        .collect()
}

/// A `$ref` resolved within the document (one level; parameters only).
fn resolved<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.str("$ref").and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => doc.pointer(pointer).unwrap_or(v),
        None => v,
    }
}

fn method(doc: &Value, op: &Value, verb: &str, shared: &[Value], api_key_schemes: &[String]) -> Value {
    let security = op.get("security").or_else(|| doc.get("security"));
    let needs_key = security
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .any(|req| req.keys().any(|k| api_key_schemes.contains(k)));
    let mut m = json!({ "httpMethod": verb, "authorizationType": "NONE", "apiKeyRequired": needs_key });
    if let Some(id) = op.str("operationId") {
        m["operationName"] = id.into();
    }
    let mut params = Map::new();
    for p in shared.iter().chain(op.list("parameters")).map(|p| resolved(doc, p)) {
        let location = match p.str("in") {
            Some("path") => "path",
            Some("query") => "querystring",
            Some("header") => "header",
            _ => continue,
        };
        let name = p.str("name").unwrap_or_default();
        params.insert(format!("method.request.{location}.{name}"), p.bool("required").unwrap_or(false).into());
    }
    if !params.is_empty() {
        m["requestParameters"] = Value::Object(params);
    }
    let mut responses = Map::new();
    for (code, r) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let mut resp = json!({ "statusCode": code });
        let headers: Map<String, Value> = r
            .get("headers")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(h, _)| (format!("method.response.header.{h}"), false.into()))
            .collect();
        if !headers.is_empty() {
            resp["responseParameters"] = Value::Object(headers);
        }
        responses.insert(code.clone(), resp);
    }
    if !responses.is_empty() {
        m["methodResponses"] = Value::Object(responses);
    }
    if let Some(i) = op.get("x-amazon-apigateway-integration") {
        m["methodIntegration"] = integration(i);
    }
    m
}

/// An `x-amazon-apigateway-integration` as the Integration shape.
fn integration(x: &Value) -> Value {
    let upper = |k: &str| x.str(k).map(str::to_ascii_uppercase);
    let mut i = json!({
        "type": upper("type").unwrap_or_default(),
        "passthroughBehavior": upper("passthroughBehavior").unwrap_or_else(|| "WHEN_NO_MATCH".into()),
        "timeoutInMillis": x.i64("timeoutInMillis").unwrap_or(29_000),
        "cacheKeyParameters": x.get("cacheKeyParameters").cloned().unwrap_or_else(|| json!([])),
    });
    if let Some(m) = upper("httpMethod") {
        i["httpMethod"] = m.into();
    }
    for k in
        ["uri", "credentials", "requestTemplates", "requestParameters", "cacheNamespace", "connectionId", "tlsConfig"]
    {
        if let Some(v) = x.get(k) {
            i[k] = v.clone();
        }
    }
    for k in ["connectionType", "contentHandling"] {
        if let Some(v) = upper(k) {
            i[k] = v.into();
        }
    }
    if i.get("connectionType").is_none() && ["HTTP", "HTTP_PROXY"].contains(&i["type"].as_str().unwrap_or_default()) {
        i["connectionType"] = "INTERNET".into();
    }
    let mut responses = Map::new();
    for (pattern, r) in x.get("responses").and_then(Value::as_object).into_iter().flatten() {
        let code = r.str("statusCode").unwrap_or("200").to_string();
        let mut resp = json!({ "statusCode": code });
        if pattern != "default" {
            resp["selectionPattern"] = pattern.clone().into();
        }
        for k in ["responseParameters", "responseTemplates", "contentHandling"] {
            if let Some(v) = r.get(k) {
                resp[k] = v.clone();
            }
        }
        responses.insert(code, resp);
    }
    if !responses.is_empty() {
        i["integrationResponses"] = Value::Object(responses);
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swagger_operations_with_integrations() {
        let doc = json!({
            "swagger": "2.0",
            "info": {"title": "Pets", "version": "1.0"},
            "securityDefinitions": {"api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"}},
            "paths": {"/pets/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": true}],
                "get": {
                    "security": [{"api_key": []}],
                    "responses": {"200": {"headers": {"X-A": {"type": "string"}}}},
                    "x-amazon-apigateway-integration": {
                        "type": "mock", "passthroughBehavior": "when_no_match",
                        "requestTemplates": {"application/json": "{\"statusCode\": 200}"},
                        "responses": {"default": {"statusCode": "200"}, "4\\d{2}": {"statusCode": "400"}}
                    }
                }
            }}
        });
        let d = parse(doc.to_string().as_bytes()).expect("parse");
        assert_eq!(d.settings, json!({"name": "Pets", "version": "1.0"}));
        let op = &d.operations[0];
        assert_eq!((op.path.as_str(), op.verb), ("/pets/{id}", "GET"));
        assert_eq!(op.method["apiKeyRequired"], true);
        assert_eq!(op.method["requestParameters"], json!({"method.request.path.id": true}));
        assert_eq!(
            op.method["methodResponses"]["200"]["responseParameters"],
            json!({"method.response.header.X-A": false})
        );
        let i = &op.method["methodIntegration"];
        assert_eq!((i["type"].as_str(), i["passthroughBehavior"].as_str()), (Some("MOCK"), Some("WHEN_NO_MATCH")));
        assert_eq!(i["integrationResponses"]["400"]["selectionPattern"], "4\\d{2}");
        assert!(i["integrationResponses"]["200"].get("selectionPattern").is_none());
        assert_eq!(parse(b"{}").err().map(|e| e.message), Some("Invalid OpenAPI input.".to_string()));
    }
}
