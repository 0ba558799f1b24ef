//! GetExport: a stage's deployed API as a Swagger 2.0 (`swagger`) or
//! OpenAPI 3.0.1 (`oas30`) JSON document, with the
//! `x-amazon-apigateway-integration` of each method when the `extensions`
//! parameter asks for `integrations` or `apigateway`.

use crate::errors::{bad_request, not_found};
use crate::resources;
use crate::state::Shared;
use base64::Engine;
use serde_json::{Map, Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

/// Which document is being written.
#[derive(Clone, Copy, PartialEq)]
enum Flavour {
    Swagger,
    Oas30,
}

/// A parameter of a method request (`method.request.{in}.{name}`).
fn parameter(flavour: Flavour, key: &str, required: bool) -> Option<Value> {
    let rest = key.strip_prefix("method.request.")?;
    let (location, name) = rest.split_once('.')?;
    let location = match location {
        "path" => "path",
        "querystring" => "query",
        "header" => "header",
        _ => return None,
    };
    let required = required || location == "path";
    Some(match flavour {
        Flavour::Swagger => json!({ "name": name, "in": location, "required": required, "type": "string" }),
        Flavour::Oas30 if required => {
            json!({ "name": name, "in": location, "required": true, "schema": {"type": "string"} })
        }
        Flavour::Oas30 => json!({ "name": name, "in": location, "schema": {"type": "string"} }),
    })
}

/// A method response as the document's response object.
fn response(flavour: Flavour, code: &str, r: &Value) -> Value {
    let mut out = json!({ "description": format!("{code} response") });
    let headers: Map<String, Value> = r
        .get("responseParameters")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, _)| k.strip_prefix("method.response.header."))
        .map(|h| {
            let schema = match flavour {
                Flavour::Swagger => json!({"type": "string"}),
                Flavour::Oas30 => json!({"schema": {"type": "string"}}),
            };
            (h.to_string(), schema)
        })
        .collect();
    if !headers.is_empty() {
        out["headers"] = Value::Object(headers);
    }
    out
}

/// A method's integration as `x-amazon-apigateway-integration`.
fn integration(i: &Value) -> Value {
    let lower = |k: &str| i.str(k).map(str::to_ascii_lowercase);
    let mut out = json!({ "type": lower("type").unwrap_or_default() });
    for k in ["httpMethod", "uri", "credentials", "connectionId"] {
        if let Some(v) = i.get(k) {
            out[k] = v.clone();
        }
    }
    let mut responses = Map::new();
    for r in i.get("integrationResponses").and_then(Value::as_object).into_iter().flatten().map(|(_, r)| r) {
        let pattern = r.str("selectionPattern").filter(|p| !p.is_empty()).unwrap_or("default").to_string();
        let mut x = json!({ "statusCode": r["statusCode"] });
        for k in ["responseParameters", "responseTemplates", "contentHandling"] {
            if let Some(v) = r.get(k) {
                x[k] = v.clone();
            }
        }
        responses.insert(pattern, x);
    }
    if !responses.is_empty() {
        out["responses"] = Value::Object(responses);
    }
    for k in ["requestParameters", "requestTemplates"] {
        if let Some(v) = i.get(k) {
            out[k] = v.clone();
        }
    }
    if let Some(p) = lower("passthroughBehavior") {
        out["passthroughBehavior"] = p.into();
    }
    if let Some(t) = i.get("timeoutInMillis").filter(|t| t.as_i64() != Some(29_000)) {
        out["timeoutInMillis"] = t.clone();
    }
    for k in ["contentHandling", "connectionType"] {
        if let Some(v) = lower(k).filter(|v| v != "internet") {
            out[k] = v.to_ascii_uppercase().into();
        }
    }
    out
}

/// One method as the document's operation object.
fn operation(flavour: Flavour, m: &Value, extensions: bool) -> Value {
    let mut op = Map::new();
    if let Some(id) = m.get("operationName") {
        op.insert("operationId".into(), id.clone());
    }
    let params: Vec<Value> = m
        .get("requestParameters")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, req)| parameter(flavour, k, req.as_bool() == Some(true)))
        .collect();
    if !params.is_empty() {
        op.insert("parameters".into(), Value::Array(params));
    }
    let responses: Map<String, Value> = m
        .get("methodResponses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(code, r)| (code.clone(), response(flavour, code, r)))
        .collect();
    op.insert("responses".into(), Value::Object(responses));
    if extensions && let Some(i) = m.get("methodIntegration") {
        op.insert("x-amazon-apigateway-integration".into(), integration(i));
    }
    Value::Object(op)
}

pub fn export(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api = s.api(ctx, input.req_str("restApiId")?)?;
    let stage_name = input.req_str("stageName")?;
    let stage = api.stages.get(stage_name).ok_or_else(|| not_found("Invalid Stage identifier specified"))?;
    let flavour = match input.req_str("exportType")? {
        "swagger" => Flavour::Swagger,
        "oas30" => Flavour::Oas30,
        other => return Err(bad_request(format!("Invalid export type specified: {other}"))),
    };
    let deployment = stage.str("deploymentId").and_then(|d| api.deployments.get(d));
    let deployment = deployment.ok_or_else(|| not_found("Invalid Deployment identifier specified"))?;
    let extensions = input
        .get("parameters")
        .and_then(|p| p.str("extensions"))
        .is_some_and(|e| e.split(',').any(|x| matches!(x.trim(), "integrations" | "apigateway")));
    let version = stratus_core::clock::iso8601(deployment.info["createdDate"].as_f64().unwrap_or_default());
    let mut paths = Map::new();
    let mut tree: Vec<_> = deployment.resources.values().filter(|r| !r.methods.is_empty()).collect();
    tree.sort_by_key(|r| resources::path_of(&deployment.resources, &r.id));
    for r in tree {
        let item: Map<String, Value> = r
            .methods
            .iter()
            .map(|(verb, m)| {
                let key = if verb == "ANY" {
                    "x-amazon-apigateway-any-method".to_string()
                } else {
                    verb.to_ascii_lowercase()
                };
                (key, operation(flavour, m, extensions))
            })
            .collect();
        paths.insert(resources::path_of(&deployment.resources, &r.id), Value::Object(item));
    }
    let host = format!("{}.execute-api.{}.amazonaws.com", api.id(), api.region);
    let mut info = json!({ "title": api.info["name"], "version": version });
    if let Some(d) = api.info.get("description") {
        info["description"] = d.clone();
    }
    let (doc, prefix) = match flavour {
        Flavour::Swagger => (
            json!({ "swagger": "2.0", "info": info, "host": host, "basePath": format!("/{stage_name}"),
                    "schemes": ["https"], "paths": paths }),
            "swagger",
        ),
        Flavour::Oas30 => (
            json!({ "openapi": "3.0.1", "info": info,
                    "servers": [{ "url": format!("https://{host}/{{basePath}}"),
                                  "variables": { "basePath": { "default": stage_name } } }],
                    "paths": paths }),
            "oas30",
        ),
    };
    let yaml = input.str("accepts").is_some_and(|a| a.contains("yaml"));
    let (content_type, extension) =
        if yaml { ("application/yaml", "yaml") } else { ("application/octet-stream", "json") };
    Ok(json!({
        "contentType": content_type,
        "contentDisposition": format!("attachment; filename=\"{prefix}_{version}.{extension}\""),
        "body": base64::engine::general_purpose::STANDARD.encode(crate::document::write(&doc, yaml)),
    }))
}
