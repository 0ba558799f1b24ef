//! RestApi: Create, Get, GetAll, Update, Delete. Creating an API creates
//! its root resource `/`.

use crate::db::{self, Api, Resource};
use crate::errors::{self, bad_request};
use crate::patch::{self, ALL, Kind, REPLACE, Rule, Rules, Scalar, Style};
use crate::state::Shared;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

const MAX_COMPRESSION: i64 = 10_485_760;

const RULES: Rules = Rules {
    rules: &[
        Rule { path: "/name", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/description", ops: ALL, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/version", ops: ALL, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/policy", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/apiKeySource", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/disableExecuteApiEndpoint", ops: REPLACE, kind: Kind::Member(Scalar::Bool) },
        Rule { path: "/minimumCompressionSize", ops: REPLACE, kind: Kind::Member(Scalar::Int) },
        Rule { path: "/binaryMediaTypes", ops: ALL, kind: Kind::Item },
        Rule { path: "/endpointConfiguration/types", ops: REPLACE, kind: Kind::Item },
        Rule { path: "/endpointConfiguration/ipAddressType", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
    ],
    style: Style::Plain,
};

fn compression_error() -> AwsError {
    bad_request(format!("Invalid minimum compression size, must be between 0 and {MAX_COMPRESSION}"))
}

/// The endpoint configuration a create asks for, with AWS's defaults
/// (EDGE; ipv4, or dualstack for PRIVATE APIs) and checks.
fn endpoint_configuration(input: &Value) -> Result<Value, AwsError> {
    let given = input.get("endpointConfiguration");
    let types = match given.map(|c| c.str_list("types")) {
        Some(t) if given.is_some_and(|c| c.get("types").is_some()) => t,
        _ => vec!["EDGE".to_string()],
    };
    match types.len() {
        0 => return Err(bad_request("REGIONAL Configuration and EDGE Configuration cannot be both DISABLED.")),
        1 => {}
        _ => return Err(bad_request("Cannot create an api with multiple Endpoint Types.")),
    }
    let private = types[0] == "PRIVATE";
    let ip = given.and_then(|c| c.str("ipAddressType")).unwrap_or(if private { "dualstack" } else { "ipv4" });
    if private && ip == "ipv4" {
        return Err(bad_request("Only dualstack ipAddressType is supported for Private APIs."));
    }
    let mut out = json!({ "ipAddressType": ip, "types": types });
    if let Some(ids) = given.and_then(|c| c.get("vpcEndpointIds")) {
        out["vpcEndpointIds"] = ids.clone();
    }
    Ok(out)
}

/// A new API record from CreateRestApi's (or an import's) input.
pub fn new_api(ctx: &RequestContext, input: &Value) -> Result<Api, AwsError> {
    if input.str("description") == Some("") {
        return Err(bad_request("Description cannot be an empty string"));
    }
    if let Some(size) = input.get("minimumCompressionSize")
        && !size.as_i64().is_some_and(|n| (0..=MAX_COMPRESSION).contains(&n))
    {
        return Err(compression_error());
    }
    let id = db::new_id();
    let root = db::new_id();
    let mut info = Map::new();
    info.insert("id".into(), id.clone().into());
    info.insert("name".into(), input.req_str("name")?.into());
    for k in ["description", "version", "policy", "minimumCompressionSize", "tags"] {
        if let Some(v) = input.get(k) {
            info.insert(k.into(), v.clone());
        }
    }
    if !input.list("binaryMediaTypes").is_empty() {
        info.insert("binaryMediaTypes".into(), input["binaryMediaTypes"].clone());
    }
    info.insert("createdDate".into(), stratus_core::clock::now_epoch().floor().into());
    info.insert("apiKeySource".into(), input.str("apiKeySource").unwrap_or("HEADER").into());
    info.insert("endpointConfiguration".into(), endpoint_configuration(input)?);
    info.insert("disableExecuteApiEndpoint".into(), input.bool("disableExecuteApiEndpoint").unwrap_or(false).into());
    info.insert("rootResourceId".into(), root.clone().into());
    let resource = Resource { id: root.clone(), parent_id: None, path_part: String::new(), methods: BTreeMap::new() };
    Ok(Api {
        account: ctx.account_id.clone(),
        region: ctx.region.clone(),
        info: Value::Object(info),
        resources: BTreeMap::from([(root, resource)]),
        deployments: BTreeMap::new(),
        stages: BTreeMap::new(),
        authorizers: BTreeMap::new(),
        models: crate::models::defaults(),
        validators: BTreeMap::new(),
        gateway_responses: BTreeMap::new(),
    })
}

/// Stores a new API and its listing entry.
pub async fn store_new(s: &Shared, ctx: &RequestContext, api: &Api) -> Result<(), AwsError> {
    let mut batch = stratus_store::WriteBatch::new();
    batch
        .put(db::api_key(api.id()), db::encode(api))
        .put(format!("{}{}", db::listing_prefix(ctx), api.id()), Vec::new());
    s.store.write(batch).await?;
    Ok(())
}

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let api = new_api(ctx, input)?;
    store_new(s, ctx, &api).await?;
    Ok(api.info)
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    Ok(s.api(ctx, input.req_str("restApiId")?)?.info.clone())
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let mut apis = Vec::new();
    for (key, _) in s.store.scan_prefix(db::listing_prefix(ctx), false, None)? {
        let id = String::from_utf8_lossy(&key[db::listing_prefix(ctx).len()..]).to_string();
        if let Some(api) = s.any_api(&id)? {
            apis.push(api.info.clone());
        }
    }
    apis.sort_by(|a, b| {
        a["createdDate"].as_f64().partial_cmp(&b["createdDate"].as_f64()).unwrap_or(std::cmp::Ordering::Equal)
    });
    Ok(crate::paging::page(apis, input))
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let id = input.req_str("restApiId")?;
    let ops = patch::ops(input);
    for op in ops.iter().filter(|o| o.path == "/minimumCompressionSize" && o.op == "replace") {
        let v = op.value.as_deref().unwrap_or_default();
        if !v.is_empty() && !v.parse::<i64>().is_ok_and(|n| (0..=MAX_COMPRESSION).contains(&n)) {
            return Err(compression_error());
        }
    }
    let ops: Vec<_> = ops
        .into_iter()
        .map(|mut o| {
            if o.path == "/minimumCompressionSize" && o.value.as_deref() == Some("") {
                o.value = None;
            }
            o
        })
        .collect();
    s.change(ctx, id, errors::no_api(ctx, id), move |api| {
        RULES.apply(&mut api.info, &ops)?;
        let ip = api.info["endpointConfiguration"].str("ipAddressType").unwrap_or_default();
        if !["ipv4", "dualstack"].contains(&ip) {
            return Err(bad_request("ipAddressType must be either ipv4 or dualstack."));
        }
        let types = api.info["endpointConfiguration"].str_list("types");
        if types.iter().any(|t| !["REGIONAL", "EDGE", "PRIVATE"].contains(&t.as_str())) {
            return Err(bad_request("Invalid EndpointTypes specified. Valid options are REGIONAL,EDGE,PRIVATE"));
        }
        if api.info.get("tags").is_none() {
            api.info["tags"] = json!({});
        }
        Ok(api.info.clone())
    })
    .await
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let id = input.req_str("restApiId")?;
    s.api(ctx, id)?;
    let mut batch = stratus_store::WriteBatch::new();
    batch.delete(db::api_key(id)).delete(format!("{}{id}", db::listing_prefix(ctx)));
    s.store.write(batch).await?;
    Ok(json!({}))
}
