//! Deployment: Create (optionally pointing a stage at it), Get, GetAll,
//! Update, Delete. A deployment freezes the API's routes, integrations,
//! authorizers and CORS configuration (`store::deploy`).

use crate::errors::bad_request;
use crate::state::Shared;
use crate::v2::errors::{no_deployment, no_stage};
use crate::v2::{fields, store};
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let owned = input.clone();
    store::change(s, ctx, input.req_str("ApiId")?, move |api| {
        if api.config.routes.is_empty() {
            return Err(bad_request("Unable to deploy API because no routes exist in this API"));
        }
        let stage = owned.str("StageName");
        if let Some(name) = stage {
            let st = api.stages.get(name).ok_or_else(|| no_stage(name))?;
            if st.get("AutoDeploy").and_then(Value::as_bool) == Some(true) {
                return Err(bad_request(format!("Cannot deploy to stage {name} because it has AutoDeploy enabled")));
            }
        }
        let id = store::deploy(api, owned.str("Description"), false);
        if let Some(st) = stage.and_then(|name| api.stages.get_mut(name)) {
            store::point(st, &id);
        }
        Ok(api.deployments[&id].info.clone())
    })
    .await
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let id = input.req_str("DeploymentId")?;
    let api = store::api(s, ctx, input.req_str("ApiId")?)?;
    api.deployments.get(id).map(|d| d.info.clone()).ok_or_else(|| no_deployment(id))
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api = store::api(s, ctx, input.req_str("ApiId")?)?;
    let infos: Vec<&Value> = api.deployments.values().map(|d| &d.info).collect();
    Ok(fields::page(fields::by_creation(infos.into_iter(), "DeploymentId"), input))
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let owned = input.clone();
    store::change(s, ctx, input.req_str("ApiId")?, move |api| {
        let id = owned.req_str("DeploymentId")?;
        let d = api.deployments.get_mut(id).ok_or_else(|| no_deployment(id))?;
        fields::copy(&mut d.info, &owned, &["Description"]);
        Ok(d.info.clone())
    })
    .await
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let owned = input.clone();
    store::change(s, ctx, input.req_str("ApiId")?, move |api| {
        let id = owned.req_str("DeploymentId")?;
        if !api.deployments.contains_key(id) {
            return Err(no_deployment(id));
        }
        if api.stages.values().any(|st| st.str("DeploymentId") == Some(id)) {
            return Err(bad_request("Active stages pointing to this deployment must be moved or deleted"));
        }
        api.deployments.remove(id);
        Ok(json!({}))
    })
    .await
}
