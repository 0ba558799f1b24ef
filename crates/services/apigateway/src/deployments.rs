//! Deployments: Create (freezing the API's resource tree, and creating or
//! moving a stage when `stageName` is given), Get, GetAll, Update, Delete.

use crate::canary;
use crate::db::{self, Deployment};
use crate::errors::{self, bad_request, not_found};
use crate::patch::{self, Kind, REPLACE, Rule, Rules, Scalar, Style};
use crate::stages;
use crate::state::Shared;
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

const RULES: Rules = Rules {
    rules: &[Rule { path: "/description", ops: REPLACE, kind: Kind::Member(Scalar::Str) }],
    style: Style::Listed,
};

/// The start of AWS's message for a canary deployment without a stage.
const CANARY_STAGE: &str = "Invalid deployment content specified.Non null and non empty stageName must be provided for canary deployment. Provided value is ";

fn no_deployment() -> AwsError {
    not_found("Invalid Deployment identifier specified")
}

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api_id = input.req_str("restApiId")?;
    let canary = input.get("canarySettings").cloned();
    if canary.is_some() {
        match input.str("stageName") {
            None => return Err(bad_request(CANARY_STAGE.to_string() + "null")),
            Some("") => return Err(bad_request(CANARY_STAGE)),
            Some(_) => {}
        }
    }
    let input = input.clone();
    s.change(ctx, api_id, errors::no_api(ctx, api_id), move |api| {
        if api.resources.values().all(|r| r.methods.is_empty()) {
            return Err(bad_request("The REST API doesn't contain any methods"));
        }
        let stage = input.str("stageName").filter(|n| !n.is_empty());
        if let (Some(_), Some(name)) = (&canary, stage)
            && !api.stages.contains_key(name)
        {
            return Err(bad_request(format!(
                "Invalid deployment content specified.Stage {name} must already be created before making a canary release deployment"
            )));
        }
        let id = db::new_id();
        let mut info = json!({ "id": id, "createdDate": stratus_core::clock::now_epoch().floor() });
        if let Some(d) = input.str("description") {
            info["description"] = d.into();
        }
        api.deployments.insert(
            id.clone(),
            Deployment {
                info: info.clone(),
                resources: api.resources.clone(),
                authorizers: api.authorizers.clone(),
                validators: api.validators.clone(),
            },
        );
        match (&canary, stage) {
            (Some(c), Some(name)) => {
                if let Some(st) = api.stages.get_mut(name) {
                    st["canarySettings"] = canary::settings(&id, Some(c));
                }
            }
            (None, Some(name)) => stages::deploy_to(api, name, &id, &input),
            _ => {}
        }
        Ok(info)
    })
    .await
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api = s.api(ctx, input.req_str("restApiId")?)?;
    api.deployments.get(input.req_str("deploymentId")?).map(|d| d.info.clone()).ok_or_else(no_deployment)
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api = s.api(ctx, input.req_str("restApiId")?)?;
    let mut items: Vec<Value> = api.deployments.values().map(|d| d.info.clone()).collect();
    items.sort_by(|a, b| {
        a["createdDate"].as_f64().partial_cmp(&b["createdDate"].as_f64()).unwrap_or(std::cmp::Ordering::Equal)
    });
    Ok(crate::paging::page(items, input))
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (api_id, id) = (input.req_str("restApiId")?, input.req_str("deploymentId")?.to_string());
    let ops = patch::ops(input);
    s.change(ctx, api_id, errors::no_api(ctx, api_id), move |api| {
        let d = api.deployments.get_mut(&id).ok_or_else(no_deployment)?;
        RULES.apply(&mut d.info, &ops)?;
        Ok(d.info.clone())
    })
    .await
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (api_id, id) = (input.req_str("restApiId")?, input.req_str("deploymentId")?.to_string());
    s.change(ctx, api_id, errors::no_api(ctx, api_id), move |api| {
        if !api.deployments.contains_key(&id) {
            return Err(no_deployment());
        }
        if api.stages.values().any(|st| st.str("deploymentId") == Some(id.as_str())) {
            return Err(bad_request("Active stages pointing to this deployment must be moved or deleted"));
        }
        api.deployments.remove(&id);
        Ok(json!({}))
    })
    .await
}
