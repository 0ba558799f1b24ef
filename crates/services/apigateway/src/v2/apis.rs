//! Api: Create (HTTP or WebSocket APIs; for HTTP APIs also quick create:
//! `Target` and `RouteKey` make the default route, its integration and the
//! auto-deploying `$default` stage), Get, GetAll, Update, Delete, and the
//! API's CORS configuration.

use crate::errors::bad_request;
use crate::state::Shared;
use crate::v2::db::{self, Config, HttpApi};
use crate::v2::{fields, integrations, routes, stages, store};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

const UPDATABLE: &[&str] = &[
    "Name",
    "Description",
    "Version",
    "ApiKeySelectionExpression",
    "RouteSelectionExpression",
    "DisableExecuteApiEndpoint",
    "DisableSchemaValidation",
    "IpAddressType",
];

pub fn new_api(ctx: &RequestContext, input: &Value) -> Result<HttpApi, AwsError> {
    let protocol = input.req_str("ProtocolType")?;
    let (scheme, route_selection) = match protocol {
        "HTTP" => ("https", "$request.method $request.path"),
        "WEBSOCKET" => {
            let expression = input
                .str("RouteSelectionExpression")
                .ok_or_else(|| bad_request("RouteSelectionExpression is required for WEBSOCKET protocol type"))?;
            if input.get("Target").is_some() || input.get("CorsConfiguration").is_some() {
                return Err(bad_request("Target and CorsConfiguration are not supported for WEBSOCKET APIs"));
            }
            ("wss", expression)
        }
        other => return Err(bad_request(format!("Invalid protocol type {other}"))),
    };
    let id = db::new_id(10);
    let mut info = json!({
        "ApiId": id,
        "Name": input.req_str("Name")?,
        "ProtocolType": protocol,
        "ApiEndpoint": format!("{scheme}://{id}.execute-api.{}.amazonaws.com", ctx.region),
        "ApiKeySelectionExpression": "$request.header.x-api-key",
        "RouteSelectionExpression": route_selection,
        "CreatedDate": stratus_core::clock::now_epoch().floor(),
        "DisableExecuteApiEndpoint": false,
        "IpAddressType": "ipv4",
        "Tags": input.get("Tags").cloned().unwrap_or_else(|| json!({})),
    });
    fields::copy(&mut info, input, UPDATABLE);
    let mut api = HttpApi {
        account: ctx.account_id.clone(),
        region: ctx.region.clone(),
        info,
        config: Config::default(),
        stages: BTreeMap::new(),
        deployments: BTreeMap::new(),
    };
    if let Some(cors) = input.get("CorsConfiguration") {
        set_cors(&mut api, cors.clone());
    }
    if let Some(target) = input.str("Target") {
        quick_create(&mut api, target, input.str("RouteKey").unwrap_or("$default"))?;
    } else if input.get("RouteKey").is_some() {
        return Err(bad_request("RouteKey can only be specified with Target"));
    }
    Ok(api)
}

/// The resources quick create makes for `target` (a Lambda function ARN or
/// an HTTP URL) under `route_key`.
fn quick_create(api: &mut HttpApi, target: &str, route_key: &str) -> Result<(), AwsError> {
    let kind = if target.starts_with("arn:") { "AWS_PROXY" } else { "HTTP_PROXY" };
    let spec = json!({ "IntegrationType": kind, "IntegrationUri": target });
    let integration = integrations::new_integration(&spec, true, false)?;
    let integration_id = integration["IntegrationId"].as_str().unwrap_or_default().to_string();
    api.config.integrations.insert(integration_id.clone(), integration);
    let spec = json!({ "RouteKey": route_key, "Target": format!("integrations/{integration_id}") });
    let route = routes::new_route(api, &spec, true)?;
    api.config.routes.insert(route["RouteId"].as_str().unwrap_or_default().to_string(), route);
    let stage = stages::new_stage(&json!({ "StageName": "$default", "AutoDeploy": true }), true);
    api.stages.insert("$default".into(), stage);
    Ok(())
}

pub fn set_cors(api: &mut HttpApi, cors: Value) {
    api.info["CorsConfiguration"] = cors.clone();
    api.config.cors = Some(cors);
}

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let mut api = new_api(ctx, input)?;
    // A quick-created `$default` stage deploys at once.
    if !api.stages.is_empty() {
        let id = store::deploy(&mut api, None, true);
        for stage in api.stages.values_mut() {
            store::point(stage, &id);
        }
    }
    let mut batch = stratus_store::WriteBatch::new();
    batch
        .put(db::api_key(api.id()), crate::db::encode(&api))
        .put(format!("{}{}", db::listing_prefix(ctx), api.id()), Vec::new());
    s.store.write(batch).await?;
    Ok(api.info)
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    Ok(store::api(s, ctx, input.req_str("ApiId")?)?.info.clone())
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let prefix = db::listing_prefix(ctx);
    let mut apis = Vec::new();
    for (key, _) in s.store.scan_prefix(prefix.clone(), false, None)? {
        let id = String::from_utf8_lossy(&key[prefix.len()..]).to_string();
        if let Some(api) = store::any_api(s, &id)? {
            apis.push(api.info.clone());
        }
    }
    Ok(fields::page(fields::by_creation(apis.iter(), "ApiId"), input))
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let owned = input.clone();
    store::change(s, ctx, input.req_str("ApiId")?, move |api| {
        fields::copy(&mut api.info, &owned, UPDATABLE);
        if let Some(cors) = owned.get("CorsConfiguration") {
            set_cors(api, cors.clone());
        }
        Ok(api.info.clone())
    })
    .await
}

pub async fn delete_cors(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    store::change(s, ctx, input.req_str("ApiId")?, |api| {
        if let Some(info) = api.info.as_object_mut() {
            info.remove("CorsConfiguration");
        }
        api.config.cors = None;
        Ok(json!({}))
    })
    .await
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let id = input.req_str("ApiId")?;
    store::api(s, ctx, id)?;
    let mut batch = stratus_store::WriteBatch::new();
    batch.delete(db::api_key(id)).delete(format!("{}{id}", db::listing_prefix(ctx)));
    s.store.write(batch).await?;
    Ok(json!({}))
}
