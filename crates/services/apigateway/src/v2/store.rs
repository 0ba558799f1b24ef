//! The two ways calls reach an HTTP API: read it, or change it in one
//! transaction. Every change ends by deploying the new configuration to the
//! stages that deploy automatically (`AutoDeploy`).

use crate::db::{decode, encode};
use crate::state::Shared;
use crate::v2::db::{self, Deployment, HttpApi};
use crate::v2::errors::no_api;
use serde_json::{Value, json};
use std::sync::Arc;
use stratus_core::{AwsError, RequestContext};

/// HTTP API `id` as the data plane sees it, whoever owns it.
pub fn any_api(s: &Shared, id: &str) -> Result<Option<Arc<HttpApi>>, AwsError> {
    s.http_apis.load(&s.store, &db::api_key(id), decode)
}

/// HTTP API `id` of the caller's account and region.
pub fn api(s: &Shared, ctx: &RequestContext, id: &str) -> Result<Arc<HttpApi>, AwsError> {
    any_api(s, id)?.filter(|a| a.account == ctx.account_id && a.region == ctx.region).ok_or_else(|| no_api(id))
}

/// Runs `change` on API `id`, deploys to auto-deploying stages and stores
/// the result, atomically.
pub async fn change<F>(s: &Shared, ctx: &RequestContext, id: &str, mut change: F) -> Result<Value, AwsError>
where
    F: FnMut(&mut HttpApi) -> Result<Value, AwsError> + Send + 'static,
{
    let key = db::api_key(id);
    let missing = no_api(id);
    let (account, region) = (ctx.account_id.clone(), ctx.region.clone());
    s.store
        .transact(move |txn| {
            let raw = txn.get(&key)?.ok_or_else(|| missing.clone())?;
            let mut api: HttpApi = decode(&raw)?;
            if api.account != account || api.region != region {
                return Err(missing.clone());
            }
            let out = change(&mut api)?;
            auto_deploy(&mut api);
            txn.put(key.clone(), encode(&api));
            Ok(out)
        })
        .await
}

/// A new deployment of the API's current configuration; its id.
pub fn deploy(api: &mut HttpApi, description: Option<&str>, auto: bool) -> String {
    let id = db::new_id(6);
    let mut info = json!({
        "DeploymentId": id,
        "DeploymentStatus": "DEPLOYED",
        "CreatedDate": stratus_core::clock::now_epoch().floor(),
        "AutoDeployed": auto,
    });
    if let Some(d) = description {
        info["Description"] = d.into();
    }
    api.deployments.insert(id.clone(), Deployment { info, config: api.config.clone() });
    id
}

/// Points `stage` at deployment `id`.
pub fn point(stage: &mut Value, id: &str) {
    stage["DeploymentId"] = id.into();
    stage["LastUpdatedDate"] = stratus_core::clock::now_epoch().floor().into();
    if stage.get("AutoDeploy").and_then(Value::as_bool) == Some(true) {
        stage["LastDeploymentStatusMessage"] = format!("Successfully deployed stage with deployment ID '{id}'").into();
    }
}

/// Deploys the current configuration to every auto-deploying stage whose
/// deployment is out of date.
fn auto_deploy(api: &mut HttpApi) {
    let stale: Vec<String> = api
        .stages
        .iter()
        .filter(|(_, st)| st.get("AutoDeploy").and_then(Value::as_bool) == Some(true))
        .filter(|(_, st)| {
            let current = st.get("DeploymentId").and_then(Value::as_str).and_then(|d| api.deployments.get(d));
            current.is_none_or(|d| d.config != api.config)
        })
        .map(|(name, _)| name.clone())
        .collect();
    if stale.is_empty() {
        return;
    }
    let id = deploy(api, None, true);
    for name in stale {
        if let Some(stage) = api.stages.get_mut(&name) {
            point(stage, &id);
        }
    }
}
