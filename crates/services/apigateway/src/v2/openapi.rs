//! ImportApi, ReimportApi and ExportApi: an HTTP API as an OpenAPI 3.0
//! document. Each path and verb is a route (`x-amazon-apigateway-any-method`
//! is ANY, `/$default` the `$default` route), each distinct
//! `x-amazon-apigateway-integration` (inline or a `$ref` to
//! `components.x-amazon-apigateway-integrations`) an integration, each
//! security scheme with `x-amazon-apigateway-authorizer` an authorizer, and
//! `x-amazon-apigateway-cors` the CORS configuration. What an HTTP API
//! cannot hold is a warning, fatal only with `FailOnWarnings`.

use crate::errors::bad_request;
use crate::openapi::VERBS;
use crate::state::Shared;
use crate::v2::db::{self, Config, HttpApi};
use crate::v2::errors::{no_deployment, no_stage};
use crate::v2::{apis, authorizers, integrations, routes, store};
use base64::Engine;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

/// `x-amazon-apigateway-integration` members and the Integration members
/// they stand for.
const INTEGRATION_FIELDS: &[(&str, &str)] = &[
    ("uri", "IntegrationUri"),
    ("httpMethod", "IntegrationMethod"),
    ("payloadFormatVersion", "PayloadFormatVersion"),
    ("connectionType", "ConnectionType"),
    ("connectionId", "ConnectionId"),
    ("timeoutInMillis", "TimeoutInMillis"),
    ("integrationSubtype", "IntegrationSubtype"),
    ("requestParameters", "RequestParameters"),
    ("responseParameters", "ResponseParameters"),
    ("credentials", "CredentialsArn"),
    ("description", "Description"),
];

/// `x-amazon-apigateway-authorizer` members and the Authorizer members
/// they stand for (`identitySource` and `type` aside).
const AUTHORIZER_FIELDS: &[(&str, &str)] = &[
    ("authorizerUri", "AuthorizerUri"),
    ("authorizerPayloadFormatVersion", "AuthorizerPayloadFormatVersion"),
    ("enableSimpleResponses", "EnableSimpleResponses"),
    ("authorizerResultTtlInSeconds", "AuthorizerResultTtlInSeconds"),
    ("authorizerCredentials", "AuthorizerCredentialsArn"),
];

/// An imported document: the API's settings and configuration, and the
/// warnings importing it gave.
struct Imported {
    settings: Value,
    config: Config,
    warnings: Vec<String>,
}

/// `value`'s object keys with their first letter upper-cased (`upper`) or
/// lower-cased: the OpenAPI spelling of a shape and back.
fn recase(value: &Value, upper: bool) -> Value {
    let Some(map) = value.as_object() else { return value.clone() };
    let key = |k: &str| {
        let mut chars = k.chars();
        chars.next().map_or_else(String::new, |c| {
            let first = if upper { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() };
            first.to_string() + chars.as_str()
        })
    };
    Value::Object(map.iter().map(|(k, v)| (key(k), v.clone())).collect())
}

/// The document in `Body` (JSON or YAML).
fn document(input: &Value) -> Result<Value, AwsError> {
    let body = input.req_str("Body")?;
    let doc = crate::document::read(body.as_bytes()).ok_or_else(|| {
        bad_request("Invalid OpenAPI input: the document must be an OpenAPI 3.0 definition in JSON or YAML.")
    })?;
    let version = doc.str("openapi").unwrap_or_default();
    if !version.starts_with("3.") {
        let found = if doc.get("swagger").is_some() { "Swagger 2.0" } else { "no OpenAPI version" };
        return Err(bad_request(format!(
            "Invalid OpenAPI input: HTTP APIs import OpenAPI 3.0 documents, found {found}."
        )));
    }
    if doc.get("info").and_then(|i| i.str("title")).is_none() {
        return Err(bad_request("Invalid OpenAPI input: info.title is required."));
    }
    Ok(doc)
}

/// The path of the first server's URL (`https://host/v1` → `/v1`), for
/// `Basepath=prepend`.
fn server_path(doc: &Value) -> String {
    let url = doc.list("servers").first().and_then(|s| s.str("url")).unwrap_or_default();
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme.split_once('/').map_or("", |(_, p)| p);
    let path = path.trim_matches('/');
    if path.is_empty() || path.contains('{') { String::new() } else { format!("/{path}") }
}

/// The authorizers of `components.securitySchemes`, by scheme name.
fn import_authorizers(
    doc: &Value,
    imported: &mut Imported,
    names: &mut BTreeMap<String, (String, String)>,
) -> Result<(), AwsError> {
    let schemes = doc.get("components").and_then(|c| c.get("securitySchemes")).and_then(Value::as_object);
    for (name, scheme) in schemes.into_iter().flatten() {
        let Some(ext) = scheme.get("x-amazon-apigateway-authorizer") else {
            imported
                .warnings
                .push(format!("Security scheme '{name}' has no x-amazon-apigateway-authorizer and was ignored."));
            continue;
        };
        let (kind, route_type) = match ext.str("type").unwrap_or_default().to_ascii_lowercase().as_str() {
            "jwt" => ("JWT", "JWT"),
            "request" => ("REQUEST", "CUSTOM"),
            other => {
                imported.warnings.push(format!("Unsupported authorizer type '{other}' for security scheme '{name}'."));
                continue;
            }
        };
        let identity: Vec<Value> = match ext.get("identitySource") {
            Some(Value::String(s)) => s.split(',').map(|p| p.trim().into()).filter(|p: &Value| p != "").collect(),
            Some(Value::Array(items)) => items.clone(),
            _ => Vec::new(),
        };
        let mut input = json!({ "Name": name, "AuthorizerType": kind });
        if !identity.is_empty() {
            input["IdentitySource"] = identity.into();
        }
        if let Some(jwt) = ext.get("jwtConfiguration") {
            input["JwtConfiguration"] = recase(jwt, true);
        }
        for (from, to) in AUTHORIZER_FIELDS {
            if let Some(v) = ext.get(*from) {
                input[*to] = v.clone();
            }
        }
        let authorizer = authorizers::new_authorizer(&input, false)
            .map_err(|e| bad_request(format!("Invalid authorizer '{name}': {}", e.message)))?;
        let id = authorizer.str("AuthorizerId").unwrap_or_default().to_string();
        names.insert(name.clone(), (id.clone(), route_type.to_string()));
        imported.config.authorizers.insert(id, authorizer);
    }
    Ok(())
}

/// `ext`, or the `components.x-amazon-apigateway-integrations` entry its
/// `$ref` names.
fn resolve<'a>(doc: &'a Value, ext: &'a Value) -> Result<&'a Value, AwsError> {
    let Some(reference) = ext.str("$ref") else { return Ok(ext) };
    reference
        .strip_prefix("#/components/x-amazon-apigateway-integrations/")
        .and_then(|name| doc.get("components")?.get("x-amazon-apigateway-integrations")?.get(name))
        .ok_or_else(|| bad_request(format!("Invalid OpenAPI input: unresolvable integration reference {reference}")))
}

/// The id of the integration `ext` declares, made (once per distinct
/// declaration) if needed; None, with a warning, if HTTP APIs cannot hold it.
fn import_integration(
    ext: &Value,
    at: &str,
    imported: &mut Imported,
    seen: &mut BTreeMap<String, String>,
) -> Result<Option<String>, AwsError> {
    let key = ext.to_string();
    if let Some(id) = seen.get(&key) {
        return Ok(Some(id.clone()));
    }
    let kind = ext.str("type").unwrap_or_default().to_ascii_uppercase();
    if kind != "AWS_PROXY" && kind != "HTTP_PROXY" {
        imported
            .warnings
            .push(format!("Unsupported integration type '{kind}' for {at}; the route has no integration."));
        return Ok(None);
    }
    let mut input = json!({ "IntegrationType": kind });
    for (from, to) in INTEGRATION_FIELDS {
        if let Some(v) = ext.get(*from) {
            input[*to] = v.clone();
        }
    }
    let integration = integrations::new_integration(&input, false, false)
        .map_err(|e| bad_request(format!("Invalid integration for {at}: {}", e.message)))?;
    let id = integration.str("IntegrationId").unwrap_or_default().to_string();
    imported.config.integrations.insert(id.clone(), integration);
    seen.insert(key, id.clone());
    Ok(Some(id))
}

/// The document's settings and configuration (its routes checked against
/// `api`, an HTTP API).
fn import_document(doc: &Value, basepath: Option<&str>, api: &HttpApi) -> Result<Imported, AwsError> {
    let prefix = match basepath.unwrap_or("ignore") {
        "ignore" | "split" => String::new(),
        "prepend" => server_path(doc),
        other => return Err(bad_request(format!("Invalid basepath mode {other}: expected ignore, prepend or split"))),
    };
    let info = doc.get("info").cloned().unwrap_or_else(|| json!({}));
    let mut settings = json!({ "Name": info.str("title").unwrap_or_default() });
    for (from, to) in [("version", "Version"), ("description", "Description")] {
        if let Some(v) = info.get(from) {
            settings[to] = v.clone();
        }
    }
    let mut imported = Imported { settings, config: Config::default(), warnings: Vec::new() };
    imported.config.cors = doc.get("x-amazon-apigateway-cors").map(|c| recase(c, true));
    let mut schemes = BTreeMap::new();
    import_authorizers(doc, &mut imported, &mut schemes)?;
    let default_security = doc.list("security");
    let mut seen = BTreeMap::new();
    // The routes are checked (keys, authorizers) against the API as imported.
    let mut scratch = HttpApi {
        account: api.account.clone(),
        region: api.region.clone(),
        info: api.info.clone(),
        config: Config { authorizers: imported.config.authorizers.clone(), ..Config::default() },
        stages: BTreeMap::new(),
        deployments: BTreeMap::new(),
    };
    for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        for (key, verb) in VERBS {
            let Some(op) = item.get(*key) else { continue };
            let route_key = if path == "/$default" && *verb == "ANY" {
                "$default".to_string()
            } else {
                format!("{verb} {prefix}{path}")
            };
            let mut input = json!({ "RouteKey": route_key });
            if let Some(name) = op.str("operationId") {
                input["OperationName"] = name.into();
            }
            if let Some(ext) = op.get("x-amazon-apigateway-integration")
                && let Some(id) = import_integration(resolve(doc, ext)?, &route_key, &mut imported, &mut seen)?
            {
                input["Target"] = format!("integrations/{id}").into();
            }
            let security = op.get("security").and_then(Value::as_array).map_or(default_security, Vec::as_slice);
            if let Some((name, scopes)) = security.first().and_then(Value::as_object).and_then(|m| m.iter().next()) {
                let undefined = || {
                    let why = "is not defined with x-amazon-apigateway-authorizer";
                    bad_request(format!("Security scheme '{name}' used by {route_key} {why}"))
                };
                let (id, kind) = schemes.get(name).ok_or_else(undefined)?;
                input["AuthorizationType"] = kind.as_str().into();
                input["AuthorizerId"] = id.as_str().into();
                if scopes.as_array().is_some_and(|s| !s.is_empty()) {
                    input["AuthorizationScopes"] = scopes.clone();
                }
            }
            let route = routes::new_route(&scratch, &input, false)?;
            scratch.config.routes.insert(route.str("RouteId").unwrap_or_default().to_string(), route);
        }
    }
    imported.config.routes = scratch.config.routes;
    Ok(imported)
}

fn fail_on_warnings(input: &Value) -> bool {
    input.bool("FailOnWarnings").unwrap_or(false) || input.str("FailOnWarnings") == Some("true")
}

/// `imported`'s warnings as an error when the caller fails on warnings.
fn check_warnings(imported: &Imported, input: &Value) -> Result<(), AwsError> {
    if fail_on_warnings(input) && !imported.warnings.is_empty() {
        return Err(bad_request(format!("Warnings found during import:\n\t{}", imported.warnings.join("\n\t"))));
    }
    Ok(())
}

/// The API's shape, with the import's warnings.
fn answer(api: &HttpApi, warnings: Vec<String>) -> Value {
    let mut out = api.info.clone();
    if !warnings.is_empty() {
        out["Warnings"] = warnings.into();
    }
    out
}

/// Makes `api` what `imported` describes.
fn apply(api: &mut HttpApi, imported: Imported) {
    for key in ["Name", "Version", "Description"] {
        match imported.settings.get(key) {
            Some(v) => api.info[key] = v.clone(),
            None => {
                if let Some(info) = api.info.as_object_mut() {
                    info.remove(key);
                }
            }
        }
    }
    match imported.config.cors.clone() {
        Some(cors) => apis::set_cors(api, cors),
        None => {
            if let Some(info) = api.info.as_object_mut() {
                info.remove("CorsConfiguration");
            }
        }
    }
    api.config = imported.config;
}

pub async fn import(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let doc = document(input)?;
    let name = doc.get("info").and_then(|i| i.str("title")).unwrap_or_default();
    let mut api = apis::new_api(ctx, &json!({ "Name": name, "ProtocolType": "HTTP" }))?;
    let imported = import_document(&doc, input.str("Basepath"), &api)?;
    check_warnings(&imported, input)?;
    let warnings = imported.warnings.clone();
    apply(&mut api, imported);
    let mut batch = stratus_store::WriteBatch::new();
    batch
        .put(db::api_key(api.id()), crate::db::encode(&api))
        .put(format!("{}{}", db::listing_prefix(ctx), api.id()), Vec::new());
    s.store.write(batch).await?;
    Ok(answer(&api, warnings))
}

pub async fn reimport(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let id = input.req_str("ApiId")?;
    let current = store::api(s, ctx, id)?;
    let doc = document(input)?;
    if current.is_websocket() {
        return Err(bad_request("Reimporting OpenAPI definitions is only supported for HTTP APIs"));
    }
    let basepath = input.str("Basepath").map(str::to_string);
    let owned = input.clone();
    store::change(s, ctx, id, move |api| {
        let imported = import_document(&doc, basepath.as_deref(), api)?;
        check_warnings(&imported, &owned)?;
        let warnings = imported.warnings.clone();
        apply(api, imported);
        api.config.route_responses.clear();
        api.config.integration_responses.clear();
        Ok(answer(api, warnings))
    })
    .await
}

/// An integration's `x-amazon-apigateway-integration`.
fn integration_extension(integration: &Value) -> Value {
    let mut ext = json!({ "type": integration.str("IntegrationType").unwrap_or_default().to_ascii_lowercase() });
    for (to, from) in INTEGRATION_FIELDS {
        if let Some(v) = integration.get(*from) {
            ext[*to] = v.clone();
        }
    }
    ext
}

/// An authorizer's security scheme, with its `x-amazon-apigateway-authorizer`
/// when `extensions`.
fn security_scheme(authorizer: &Value, extensions: bool) -> Value {
    let identity = authorizer.str_list("IdentitySource").join(",");
    let mut ext = json!({ "identitySource": identity });
    if authorizer.str("AuthorizerType") == Some("JWT") {
        ext["type"] = "jwt".into();
        ext["jwtConfiguration"] = recase(authorizer.get("JwtConfiguration").unwrap_or(&json!({})), false);
        let scheme = json!({ "type": "oauth2", "flows": {} });
        return with_authorizer(scheme, ext, extensions);
    }
    ext["type"] = "request".into();
    for (to, from) in AUTHORIZER_FIELDS {
        if let Some(v) = authorizer.get(*from) {
            ext[*to] = v.clone();
        }
    }
    with_authorizer(json!({ "type": "apiKey", "name": "Unused", "in": "header" }), ext, extensions)
}

fn with_authorizer(mut scheme: Value, ext: Value, extensions: bool) -> Value {
    if extensions {
        scheme["x-amazon-apigateway-authorizer"] = ext;
    }
    scheme
}

/// The OpenAPI operation of `route`.
fn operation(config: &Config, route: &Value, path: &str, extensions: bool) -> Value {
    let key = route.str("RouteKey").unwrap_or_default();
    let mut op = json!({ "responses": { "default": { "description": format!("Default response for {key}") } } });
    if let Some(name) = route.str("OperationName") {
        op["operationId"] = name.into();
    }
    let params: Vec<Value> = path
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            let name = name.trim_end_matches('+');
            json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } })
        })
        .collect();
    if !params.is_empty() {
        op["parameters"] = params.into();
    }
    let authorizer = route.str("AuthorizerId").and_then(|id| config.authorizers.get(id));
    if let Some(a) = authorizer
        && matches!(route.str("AuthorizationType"), Some("JWT" | "CUSTOM"))
    {
        let scopes = route.get("AuthorizationScopes").cloned().unwrap_or_else(|| json!([]));
        op["security"] = json!([{ a.str("Name").unwrap_or_default(): scopes }]);
    }
    let target = route.str("Target").and_then(|t| t.strip_prefix("integrations/"));
    if extensions && let Some(integration) = target.and_then(|id| config.integrations.get(id)) {
        op["x-amazon-apigateway-integration"] = integration_extension(integration);
    }
    op
}

pub fn export(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api = store::api(s, ctx, input.req_str("ApiId")?)?;
    let spec = input.req_str("Specification")?;
    if spec != "OAS30" {
        return Err(bad_request(format!("Invalid specification {spec}: only OAS30 is supported")));
    }
    let yaml = match input.str("OutputType").unwrap_or("JSON") {
        "JSON" => false,
        "YAML" => true,
        other => return Err(bad_request(format!("Invalid output type {other}: expected JSON or YAML"))),
    };
    let version = input.str("ExportVersion").unwrap_or("1.0");
    if version != "1.0" {
        return Err(bad_request(format!("Invalid export version {version}: only 1.0 is supported")));
    }
    let extensions = input.bool("IncludeExtensions").unwrap_or(true) && input.str("IncludeExtensions") != Some("false");
    let stage = input.str("StageName");
    let config = match stage {
        None => &api.config,
        Some(name) => {
            let stage = api.stages.get(name).ok_or_else(|| no_stage(name))?;
            let id = stage.str("DeploymentId").unwrap_or_default();
            &api.deployments.get(id).ok_or_else(|| no_deployment(id))?.config
        }
    };
    let mut paths: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    for route in config.routes.values() {
        let key = route.str("RouteKey").unwrap_or_default();
        let (verb, path) = routes::parse_key(key)?.unwrap_or(("ANY", "/$default"));
        let name = VERBS.iter().find(|(_, v)| *v == verb).map_or("x-amazon-apigateway-any-method", |(k, _)| k);
        paths.entry(path.to_string()).or_default().insert(name.to_string(), operation(config, route, path, extensions));
    }
    let api_version = api.info.get("Version").cloned().unwrap_or_else(|| "1.0".into());
    let mut info = json!({ "title": api.info["Name"], "version": api_version });
    if let Some(d) = api.info.get("Description") {
        info["description"] = d.clone();
    }
    let mut server = json!({ "url": format!("{}/{{basePath}}", api.info.str("ApiEndpoint").unwrap_or_default()) });
    server["variables"] = json!({ "basePath": { "default": stage.unwrap_or("") } });
    let mut doc = json!({ "openapi": "3.0.1", "info": info, "servers": [server], "paths": paths });
    let schemes: Map<String, Value> = config
        .authorizers
        .values()
        .map(|a| (a.str("Name").unwrap_or_default().to_string(), security_scheme(a, extensions)))
        .collect();
    if !schemes.is_empty() {
        doc["components"] = json!({ "securitySchemes": schemes });
    }
    if extensions {
        if let Some(cors) = &config.cors {
            doc["x-amazon-apigateway-cors"] = recase(cors, false);
        }
        doc["x-amazon-apigateway-importexport-version"] = version.into();
    }
    let text = crate::document::write(&doc, yaml);
    Ok(json!({ "body": base64::engine::general_purpose::STANDARD.encode(text) }))
}

#[cfg(test)]
mod tests {
    use crate::v2::ApiGatewayV2;
    use base64::Engine;
    use serde_json::{Value, json};
    use stratus_core::{AwsError, RequestContext, Service, Settings};

    fn service() -> ApiGatewayV2 {
        ApiGatewayV2::new(stratus_store::Store::in_memory().expect("store"), &Settings::default())
    }

    async fn call(s: &ApiGatewayV2, op: &'static str, input: Value) -> Result<Value, AwsError> {
        s.call(&RequestContext::internal("apigatewayv2", op), input).await
    }

    fn document() -> Value {
        let lambda = json!({ "type": "aws_proxy", "httpMethod": "POST",
            "uri": "arn:aws:lambda:us-east-1:000000000000:function:pets", "payloadFormatVersion": "2.0" });
        json!({
            "openapi": "3.0.1",
            "info": { "title": "pets", "version": "2024-01-01", "description": "Pets API" },
            "x-amazon-apigateway-cors": { "allowOrigins": ["https://example.com"], "maxAge": 300 },
            "components": { "securitySchemes": {
                "jwt": { "type": "oauth2", "x-amazon-apigateway-authorizer": {
                    "type": "jwt", "identitySource": "$request.header.Authorization",
                    "jwtConfiguration": { "issuer": "https://issuer.example.com", "audience": ["pets"] } } },
                "plain": { "type": "apiKey", "name": "x-key", "in": "header" }
            } },
            "paths": {
                "/pets/{id}": {
                    "get": {
                        "security": [{ "jwt": ["pets/read"] }],
                        "x-amazon-apigateway-integration": lambda
                    },
                    "delete": { "x-amazon-apigateway-integration": lambda }
                },
                "/web/{proxy+}": { "x-amazon-apigateway-any-method": {
                    "x-amazon-apigateway-integration": { "type": "http_proxy", "httpMethod": "ANY",
                        "uri": "https://example.com/{proxy}", "payloadFormatVersion": "1.0" } } }
            }
        })
    }

    async fn import(s: &ApiGatewayV2, doc: &Value) -> Result<Value, AwsError> {
        call(s, "ImportApi", json!({ "Body": doc.to_string() })).await
    }

    #[tokio::test]
    async fn import_makes_routes_integrations_authorizers_and_cors() {
        let s = service();
        let api = import(&s, &document()).await.expect("import");
        assert_eq!(api["Name"], "pets");
        assert_eq!(api["Version"], "2024-01-01");
        assert_eq!(api["CorsConfiguration"]["AllowOrigins"], json!(["https://example.com"]));
        assert_eq!(api["Warnings"].as_array().map(Vec::len), Some(1), "{api}");
        let id = api["ApiId"].clone();
        let integrations = call(&s, "GetIntegrations", json!({ "ApiId": id })).await.expect("integrations");
        assert_eq!(integrations["Items"].as_array().map(Vec::len), Some(2), "one per distinct integration");
        let authorizers = call(&s, "GetAuthorizers", json!({ "ApiId": id })).await.expect("authorizers");
        let jwt = &authorizers["Items"][0];
        assert_eq!(jwt["JwtConfiguration"]["Issuer"], "https://issuer.example.com");
        assert_eq!(jwt["IdentitySource"], json!(["$request.header.Authorization"]));
        let routes = call(&s, "GetRoutes", json!({ "ApiId": id })).await.expect("routes");
        let items = routes["Items"].as_array().cloned().unwrap_or_default();
        let mut keys: Vec<&str> = items.iter().filter_map(|r| r["RouteKey"].as_str()).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["ANY /web/{proxy+}", "DELETE /pets/{id}", "GET /pets/{id}"]);
        let get = items.iter().find(|r| r["RouteKey"] == "GET /pets/{id}").expect("get route");
        assert_eq!(get["AuthorizationType"], "JWT");
        assert_eq!(get["AuthorizerId"], jwt["AuthorizerId"]);
        assert_eq!(get["AuthorizationScopes"], json!(["pets/read"]));
    }

    #[tokio::test]
    async fn export_round_trips_and_reimport_replaces() {
        let s = service();
        let api = import(&s, &document()).await.expect("import");
        let id = api["ApiId"].clone();
        let out = call(&s, "ExportApi", json!({ "ApiId": id, "Specification": "OAS30", "OutputType": "JSON" }))
            .await
            .expect("export");
        let raw = base64::engine::general_purpose::STANDARD.decode(out["body"].as_str().unwrap_or_default());
        let doc: Value = serde_json::from_slice(&raw.expect("base64")).expect("json");
        assert_eq!(doc["paths"]["/pets/{id}"]["get"]["security"], json!([{ "jwt": ["pets/read"] }]));
        assert_eq!(doc["x-amazon-apigateway-cors"]["allowOrigins"], json!(["https://example.com"]));
        assert_eq!(doc["x-amazon-apigateway-importexport-version"], "1.0");
        assert_eq!(doc["info"]["version"], "2024-01-01");
        let mut shared = doc.clone();
        let lambda = doc["paths"]["/pets/{id}"]["get"]["x-amazon-apigateway-integration"].clone();
        shared["components"]["x-amazon-apigateway-integrations"] = json!({ "pets": lambda });
        let by_ref = json!({ "$ref": "#/components/x-amazon-apigateway-integrations/pets" });
        shared["paths"]["/pets/{id}"]["get"]["x-amazon-apigateway-integration"] = by_ref.clone();
        shared["paths"]["/pets/{id}"]["delete"]["x-amazon-apigateway-integration"] = by_ref;
        let referenced = import(&s, &shared).await.expect("by reference");
        let integrations = call(&s, "GetIntegrations", json!({ "ApiId": referenced["ApiId"] })).await.expect("list");
        assert_eq!(integrations["Items"].as_array().map(Vec::len), Some(2));
        let again = import(&s, &doc).await.expect("round trip");
        let routes = call(&s, "GetRoutes", json!({ "ApiId": again["ApiId"] })).await.expect("routes");
        assert_eq!(routes["Items"].as_array().map(Vec::len), Some(3));

        let small = json!({ "openapi": "3.0.1", "info": { "title": "small", "version": "1" },
            "paths": { "/only": { "get": {} } } });
        let done = call(&s, "ReimportApi", json!({ "ApiId": id, "Body": small.to_string() })).await.expect("reimport");
        assert_eq!(done["ApiId"], id);
        assert_eq!(done["Name"], "small");
        assert!(done.get("CorsConfiguration").is_none());
        let routes = call(&s, "GetRoutes", json!({ "ApiId": id })).await.expect("routes");
        assert_eq!(routes["Items"][0]["RouteKey"], "GET /only");
        assert_eq!(routes["Items"].as_array().map(Vec::len), Some(1));
        let integrations = call(&s, "GetIntegrations", json!({ "ApiId": id })).await.expect("integrations");
        assert_eq!(integrations["Items"], json!([]));
    }

    #[tokio::test]
    async fn bad_documents_warnings_and_unknown_apis() {
        let s = service();
        let err = call(&s, "ImportApi", json!({ "Body": "openapi: [3.0.1" })).await.expect_err("not a document");
        assert_eq!(err.code, "BadRequestException");
        let swagger = json!({ "swagger": "2.0", "info": { "title": "x" }, "paths": {} });
        assert_eq!(import(&s, &swagger).await.expect_err("swagger").code, "BadRequestException");
        let err = call(&s, "ImportApi", json!({ "Body": document().to_string(), "FailOnWarnings": true }))
            .await
            .expect_err("warnings");
        assert!(err.message.contains("plain"), "{}", err.message);
        let mut undefined = document();
        undefined["paths"]["/pets/{id}"]["delete"]["security"] = json!([{ "nobody": [] }]);
        assert_eq!(import(&s, &undefined).await.expect_err("scheme").code, "BadRequestException");
        for op in ["ReimportApi", "ExportApi"] {
            let input = json!({ "ApiId": "nope", "Body": "{}", "Specification": "OAS30", "OutputType": "JSON" });
            let err = call(&s, op, input).await.expect_err("unknown");
            assert_eq!(err.code, "NotFoundException");
            assert_eq!(err.message, "Invalid API identifier specified nope");
        }
        let mut dangling = document();
        dangling["paths"]["/pets/{id}"]["get"]["x-amazon-apigateway-integration"] = json!({ "$ref": "#/nowhere" });
        assert_eq!(import(&s, &dangling).await.expect_err("ref").code, "BadRequestException");
        let api = import(&s, &document()).await.expect("import");
        let yaml = json!({ "ApiId": api["ApiId"], "Specification": "OAS30", "OutputType": "YAML" });
        let out = call(&s, "ExportApi", yaml).await.expect("yaml export");
        let text = base64::engine::general_purpose::STANDARD.decode(out["body"].as_str().expect("body")).expect("b64");
        assert!(String::from_utf8_lossy(&text).starts_with("openapi: 3.0.1"), "{}", String::from_utf8_lossy(&text));
    }
}
