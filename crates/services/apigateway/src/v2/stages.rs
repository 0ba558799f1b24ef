//! Stage: Create, Get, GetAll, Update, Delete. A stage serves one
//! deployment; an auto-deploying stage gets a new one on every change of
//! the API (`store::change`). `$default` is served without a stage segment.

use crate::errors::{bad_request, conflict};
use crate::state::Shared;
use crate::v2::errors::{no_deployment, no_stage};
use crate::v2::{fields, store};
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

const UPDATABLE: &[&str] = &[
    "AutoDeploy",
    "DeploymentId",
    "Description",
    "StageVariables",
    "DefaultRouteSettings",
    "RouteSettings",
    "AccessLogSettings",
    "ClientCertificateId",
];

/// A new stage from CreateStage's input.
pub fn new_stage(input: &Value, managed: bool) -> Value {
    let now = stratus_core::clock::now_epoch().floor();
    let mut stage = json!({
        "StageName": input.str("StageName").unwrap_or_default(),
        "AutoDeploy": false,
        "CreatedDate": now,
        "LastUpdatedDate": now,
        "DefaultRouteSettings": { "DetailedMetricsEnabled": false },
        "RouteSettings": {},
        "StageVariables": {},
        "Tags": input.get("Tags").cloned().unwrap_or_else(|| json!({})),
    });
    fields::copy(&mut stage, input, UPDATABLE);
    if managed {
        stage["ApiGatewayManaged"] = true.into();
    }
    stage
}

fn check_deployment(api: &crate::v2::db::HttpApi, stage: &Value) -> Result<(), AwsError> {
    match stage.str("DeploymentId") {
        Some(id) if !api.deployments.contains_key(id) => Err(no_deployment(id)),
        _ => Ok(()),
    }
}

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("StageName")?.to_string();
    if name.is_empty() || name.len() > 128 {
        return Err(bad_request("Stage name must be between 1 and 128 characters"));
    }
    let stage = new_stage(input, false);
    store::change(s, ctx, input.req_str("ApiId")?, move |api| {
        if api.stages.contains_key(&name) {
            return Err(conflict(format!("Stage {name} already exists")));
        }
        check_deployment(api, &stage)?;
        api.stages.insert(name.clone(), stage.clone());
        Ok(stage.clone())
    })
    .await
    .and_then(|_| get(s, ctx, input))
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.req_str("StageName")?;
    store::api(s, ctx, input.req_str("ApiId")?)?.stages.get(name).cloned().ok_or_else(|| no_stage(name))
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api = store::api(s, ctx, input.req_str("ApiId")?)?;
    Ok(fields::page(api.stages.values().cloned().collect(), input))
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let owned = input.clone();
    store::change(s, ctx, input.req_str("ApiId")?, move |api| {
        let name = owned.req_str("StageName")?;
        let mut stage = api.stages.get(name).cloned().ok_or_else(|| no_stage(name))?;
        fields::copy(&mut stage, &owned, UPDATABLE);
        stage["LastUpdatedDate"] = stratus_core::clock::now_epoch().floor().into();
        check_deployment(api, &stage)?;
        api.stages.insert(name.to_string(), stage);
        Ok(json!({}))
    })
    .await?;
    get(s, ctx, input)
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let owned = input.clone();
    store::change(s, ctx, input.req_str("ApiId")?, move |api| {
        let name = owned.req_str("StageName")?;
        api.stages.remove(name).ok_or_else(|| no_stage(name))?;
        Ok(json!({}))
    })
    .await
}
