//! Stages: Create, Get, GetAll (optionally by deployment), Update (stage
//! members, variables, and per-method settings under
//! `/{resourcePath}/{httpMethod}/...`), Delete; and pointing a stage at a
//! new deployment (CreateDeployment with `stageName`).

use crate::canary;
use crate::db::Api;
use crate::errors::{self, bad_request, conflict, not_found};
use crate::patch::{self, ALL, Kind, PatchOp, REPLACE, Rule, Rules, Scalar, Style};
use crate::state::Shared;
use serde_json::{Map, Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

const RULES: Rules = Rules {
    rules: &[
        Rule { path: "/deploymentId", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/description", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/cacheClusterEnabled", ops: REPLACE, kind: Kind::Member(Scalar::Bool) },
        Rule { path: "/cacheClusterSize", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/clientCertificateId", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/accessLogSettings/destinationArn", ops: ALL, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/accessLogSettings/format", ops: ALL, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/variables", ops: ALL, kind: Kind::Entry(Scalar::Str) },
        Rule { path: "/tracingEnabled", ops: REPLACE, kind: Kind::Member(Scalar::Bool) },
    ],
    style: Style::Plain,
};

/// The message AWS gives for a path no stage setting has.
const SETTING_PATHS: &str = "[/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, /clientCertificateId, /accessLogSettings, /accessLogSettings/destinationArn, /accessLogSettings/format, /{resourcePath}/{httpMethod}/metrics/enabled, /{resourcePath}/{httpMethod}/logging/dataTrace, /{resourcePath}/{httpMethod}/logging/loglevel, /{resourcePath}/{httpMethod}/throttling/burstLimit/{resourcePath}/{httpMethod}/throttling/rateLimit/{resourcePath}/{httpMethod}/caching/ttlInSeconds, /{resourcePath}/{httpMethod}/caching/enabled, /{resourcePath}/{httpMethod}/caching/dataEncrypted, /{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl, /{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy, /*/*/metrics/enabled, /*/*/logging/dataTrace, /*/*/logging/loglevel, /*/*/throttling/burstLimit /*/*/throttling/rateLimit /*/*/caching/ttlInSeconds, /*/*/caching/enabled, /*/*/caching/dataEncrypted, /*/*/caching/requireAuthorizationForCacheControl, /*/*/caching/unauthorizedCacheControlHeaderStrategy, /variables/{variable_name}, /tracingEnabled]";

/// Method settings: the patch path's last two segments → member and type.
const METHOD_SETTINGS: &[(&str, &str, &str, Scalar)] = &[
    ("metrics", "enabled", "metricsEnabled", Scalar::Bool),
    ("logging", "loglevel", "loggingLevel", Scalar::Str),
    ("logging", "dataTrace", "dataTraceEnabled", Scalar::Bool),
    ("throttling", "burstLimit", "throttlingBurstLimit", Scalar::Int),
    ("throttling", "rateLimit", "throttlingRateLimit", Scalar::Float),
    ("caching", "enabled", "cachingEnabled", Scalar::Bool),
    ("caching", "ttlInSeconds", "cacheTtlInSeconds", Scalar::Int),
    ("caching", "dataEncrypted", "cacheDataEncrypted", Scalar::Bool),
    ("caching", "requireAuthorizationForCacheControl", "requireAuthorizationForCacheControl", Scalar::Bool),
    ("caching", "unauthorizedCacheControlHeaderStrategy", "unauthorizedCacheControlHeaderStrategy", Scalar::Str),
];

fn no_stage() -> AwsError {
    not_found("Invalid Stage identifier specified")
}

fn now() -> f64 {
    stratus_core::clock::now_epoch().floor()
}

/// A new stage's shape with AWS's defaults.
fn new_stage(name: &str, deployment: &str, input: &Value) -> Value {
    let mut st = json!({
        "stageName": name,
        "deploymentId": deployment,
        "cacheClusterEnabled": input.bool("cacheClusterEnabled").unwrap_or(false),
        "cacheClusterStatus": "NOT_AVAILABLE",
        "methodSettings": {},
        "tracingEnabled": input.bool("tracingEnabled").unwrap_or(false),
        "createdDate": now(),
        "lastUpdatedDate": now(),
    });
    if input.bool("cacheClusterEnabled") == Some(true) {
        st["cacheClusterStatus"] = "AVAILABLE".into();
        st["cacheClusterSize"] = input.str("cacheClusterSize").unwrap_or("0.5").into();
    }
    for (from, to) in [
        ("description", "description"),
        ("stageDescription", "description"),
        ("variables", "variables"),
        ("tags", "tags"),
    ] {
        if let Some(v) = input.get(from).filter(|v| !v.is_null()) {
            st[to] = v.clone();
        }
    }
    st
}

/// Points stage `name` at `deployment`, creating it if needed (the
/// `stageName` of CreateDeployment, whose `variables` it takes).
pub fn deploy_to(api: &mut Api, name: &str, deployment: &str, input: &Value) {
    match api.stages.get_mut(name) {
        Some(st) => {
            st["deploymentId"] = deployment.into();
            st["lastUpdatedDate"] = now().into();
            if let Some(vars) = input.get("variables") {
                st["variables"] = vars.clone();
            }
        }
        None => {
            let without_description = json!({
                "stageDescription": input.get("stageDescription"),
                "variables": input.get("variables"),
                "cacheClusterEnabled": input.get("cacheClusterEnabled"),
                "cacheClusterSize": input.get("cacheClusterSize"),
                "tracingEnabled": input.get("tracingEnabled"),
            });
            api.stages.insert(name.to_string(), new_stage(name, deployment, &without_description));
        }
    }
}

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api_id = input.req_str("restApiId")?;
    let (name, deployment) = (input.req_str("stageName")?.to_string(), input.req_str("deploymentId")?.to_string());
    let input = input.clone();
    s.change(ctx, api_id, errors::no_api(ctx, api_id), move |api| {
        if !api.deployments.contains_key(&deployment) {
            return Err(not_found("Invalid Deployment identifier specified"));
        }
        if api.stages.contains_key(&name) {
            return Err(conflict("Stage already exists"));
        }
        let mut st = new_stage(&name, &deployment, &input);
        if let Some(c) = input.get("canarySettings") {
            let canary_deployment = c.str("deploymentId").unwrap_or(&deployment);
            if !api.deployments.contains_key(canary_deployment) {
                return Err(bad_request("Deployment id does not exist"));
            }
            st["canarySettings"] = canary::settings(canary_deployment, Some(c));
        }
        api.stages.insert(name.clone(), st.clone());
        Ok(st)
    })
    .await
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api = s.api(ctx, input.req_str("restApiId")?)?;
    api.stages.get(input.req_str("stageName")?).cloned().ok_or_else(no_stage)
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api = s.api(ctx, input.req_str("restApiId")?)?;
    let by = input.str("deploymentId");
    let items: Vec<Value> =
        api.stages.values().filter(|st| by.is_none_or(|d| st.str("deploymentId") == Some(d))).cloned().collect();
    Ok(json!({ "item": items }))
}

/// Applies one method-setting operation (`/{resourcePath}/{httpMethod}/...`),
/// or returns false when `op` is not one.
fn method_setting(stage: &mut Value, op: &PatchOp) -> Result<bool, AwsError> {
    let segments: Vec<&str> = op.path.trim_start_matches('/').split('/').collect();
    let (resource, verb, rest) = match segments.as_slice() {
        [r, v, rest @ ..] if (rest.len() == 2 || (rest.is_empty() && op.op == "remove")) && !r.is_empty() => {
            (r, v, rest)
        }
        _ => return Ok(false),
    };
    let key = format!("{}/{verb}", resource.replace("~1", "/").replace("~0", "~").trim_start_matches('/'));
    if ["variables", "accessLogSettings"].contains(resource) {
        return Ok(false);
    }
    let settings = stage["methodSettings"].as_object_mut().ok_or_else(|| bad_request("Invalid stage"))?;
    let [group, name] = rest else {
        settings.remove(&key).ok_or_else(|| {
            bad_request(format!(
                "Cannot remove method setting {key} because there is no method setting for this method "
            ))
        })?;
        return Ok(true);
    };
    let Some((_, _, member, scalar)) = METHOD_SETTINGS.iter().find(|(g, n, _, _)| g == group && n == name) else {
        return Err(bad_request(format!("Invalid method setting path: {}. Must be one of: {SETTING_PATHS}", op.path)));
    };
    let entry = settings.entry(key).or_insert_with(default_method_setting);
    let value = op.value.as_deref().unwrap_or_default();
    let invalid = || bad_request(format!("Invalid value '{value}' for method setting {}", op.path));
    entry[*member] = match scalar {
        Scalar::Bool => Value::Bool(value.eq_ignore_ascii_case("true")),
        Scalar::Int => value.parse::<i64>().map_err(|_| invalid())?.into(),
        Scalar::Float => value.parse::<f64>().map_err(|_| invalid())?.into(),
        Scalar::Str => value.into(),
    };
    Ok(true)
}

fn default_method_setting() -> Value {
    json!({
        "metricsEnabled": false,
        "dataTraceEnabled": false,
        "throttlingBurstLimit": 5000,
        "throttlingRateLimit": 10000.0,
        "cachingEnabled": false,
        "cacheTtlInSeconds": 300,
        "cacheDataEncrypted": false,
        "requireAuthorizationForCacheControl": true,
        "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
    })
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (api_id, name) = (input.req_str("restApiId")?, input.req_str("stageName")?.to_string());
    let ops = patch::ops(input);
    s.change(ctx, api_id, errors::no_api(ctx, api_id), move |api| {
        let deployments: Vec<String> = api.deployments.keys().cloned().collect();
        let st = api.stages.get_mut(&name).ok_or_else(no_stage)?;
        let mut changed = st.clone();
        let invalid =
            |path: &str| bad_request(format!("Invalid method setting path: {path}. Must be one of: {SETTING_PATHS}"));
        for op in &ops {
            let exists = |d: &str| deployments.iter().any(|k| k == d);
            if canary::patch(&mut changed, op, exists, || invalid(&op.path))? || method_setting(&mut changed, op)? {
                continue;
            }
            RULES.apply(&mut changed, std::slice::from_ref(op)).map_err(|_| invalid(&op.path))?;
        }
        if !changed.str("deploymentId").is_some_and(|d| deployments.iter().any(|k| k == d)) {
            return Err(bad_request("Deployment id does not exist"));
        }
        if changed.get("accessLogSettings").is_some_and(|a| a.as_object().is_some_and(Map::is_empty))
            && let Some(o) = changed.as_object_mut()
        {
            o.remove("accessLogSettings");
        }
        if changed.bool("cacheClusterEnabled") == Some(true) {
            changed["cacheClusterStatus"] = "AVAILABLE".into();
            if changed.get("cacheClusterSize").is_none() {
                changed["cacheClusterSize"] = "0.5".into();
            }
        } else {
            changed["cacheClusterStatus"] = "NOT_AVAILABLE".into();
        }
        changed["lastUpdatedDate"] = now().into();
        *st = changed;
        Ok(st.clone())
    })
    .await
}

/// FlushStageCache: drops the stage's cached responses.
pub fn flush_cache(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api = s.api(ctx, input.req_str("restApiId")?)?;
    let name = input.req_str("stageName")?;
    api.stages.get(name).ok_or_else(no_stage)?;
    s.stage_cache.flush(api.id(), name);
    Ok(json!({}))
}

/// FlushStageAuthorizersCache: drops cached authorizer answers (Stratus
/// caches them per API, so every stage's are dropped).
pub fn flush_authorizers(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api = s.api(ctx, input.req_str("restApiId")?)?;
    api.stages.get(input.req_str("stageName")?).ok_or_else(no_stage)?;
    s.authorizer_results.flush(api.id());
    Ok(json!({}))
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (api_id, name) = (input.req_str("restApiId")?, input.req_str("stageName")?.to_string());
    s.change(ctx, api_id, errors::no_api(ctx, api_id), move |api| {
        api.stages.remove(&name).ok_or_else(no_stage)?;
        Ok(json!({}))
    })
    .await
}
