//! Usage plans: Create, Get, GetAll, Update (including adding and removing
//! API stages), Delete; their keys (CreateUsagePlanKey, Get, GetAll,
//! Delete); and GetUsage from the meter's counts.
//!
//! Store: `apigw/{account}/{region}/plan/{id}` → [`Plan`].

use crate::apikeys;
use crate::db;
use crate::errors::{bad_request, not_found};
use crate::metering::Quota;
use crate::patch::{self, Kind, PatchOp, REPLACE, Rule, Rules, Scalar, Style};
use crate::state::Shared;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

const RULES: Rules = Rules {
    rules: &[
        Rule { path: "/name", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/description", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/productCode", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/throttle/burstLimit", ops: REPLACE, kind: Kind::Member(Scalar::Int) },
        Rule { path: "/throttle/rateLimit", ops: REPLACE, kind: Kind::Member(Scalar::Float) },
        Rule { path: "/quota/limit", ops: REPLACE, kind: Kind::Member(Scalar::Int) },
        Rule { path: "/quota/offset", ops: REPLACE, kind: Kind::Member(Scalar::Int) },
        Rule { path: "/quota/period", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
    ],
    style: Style::Plain,
};

/// A usage plan: its shape and the ids of its API keys.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Plan {
    pub info: Value,
    pub keys: Vec<String>,
}

impl Plan {
    pub fn quota(&self) -> Option<Quota<'_>> {
        let q = self.info.get("quota")?;
        Some(Quota { limit: u64::try_from(q.i64("limit")?).ok()?, period: q.str("period").unwrap_or("DAY") })
    }
}

pub fn prefix(account: &str, region: &str) -> String {
    format!("apigw/{account}/{region}/plan/")
}

fn plan_key(ctx: &RequestContext, id: &str) -> String {
    format!("{}{id}", prefix(&ctx.account_id, &ctx.region))
}

fn no_plan() -> AwsError {
    not_found("Invalid Usage Plan ID specified")
}

fn find(s: &Shared, ctx: &RequestContext, id: &str) -> Result<Plan, AwsError> {
    s.store.get(plan_key(ctx, id))?.map(|b| db::decode(&b)).transpose()?.ok_or_else(no_plan)
}

/// Every plan of an account and region.
pub fn all(s: &Shared, account: &str, region: &str) -> Result<Vec<Plan>, AwsError> {
    s.store.scan_prefix(prefix(account, region), false, None)?.iter().map(|(_, raw)| db::decode(raw)).collect()
}

/// Checks that API stage `api_id`/`stage` exists for plan `plan_id`.
fn check_stage(s: &Shared, ctx: &RequestContext, plan_id: &str, api_id: &str, stage: &str) -> Result<(), AwsError> {
    let exists = s.api(ctx, api_id).is_ok_and(|api| api.stages.contains_key(stage));
    if exists {
        Ok(())
    } else {
        Err(not_found(format!("Invalid API Stage {{api: {api_id}, stage: {stage}}} specified for usageplan {plan_id}")))
    }
}

/// `info` as GetUsagePlans lists it (without `tags`).
fn listed(mut info: Value) -> Value {
    if let Some(o) = info.as_object_mut() {
        o.remove("tags");
    }
    info
}

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let id = db::new_id();
    let mut info = json!({ "id": id, "name": input.req_str("name")?, "apiStages": [] });
    for stage in input.list("apiStages") {
        check_stage(s, ctx, &id, stage.str("apiId").unwrap_or_default(), stage.str("stage").unwrap_or_default())?;
    }
    for k in ["description", "apiStages", "throttle", "quota", "productCode", "tags"] {
        if let Some(v) = input.get(k) {
            info[k] = v.clone();
        }
    }
    if let Some(q) = info.get_mut("quota").and_then(Value::as_object_mut) {
        q.entry("offset").or_insert(0.into());
    }
    let plan = Plan { info: info.clone(), keys: Vec::new() };
    s.store.put(plan_key(ctx, &id), db::encode(&plan)).await?;
    Ok(info)
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let mut info = find(s, ctx, input.req_str("usagePlanId")?)?.info;
    if info.get("tags").is_none() {
        info["tags"] = json!({});
    }
    Ok(info)
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let key = input.str("keyId");
    let plans = all(s, &ctx.account_id, &ctx.region)?;
    let items = plans.into_iter().filter(|p| key.is_none_or(|k| p.keys.iter().any(|x| x == k)));
    Ok(crate::paging::page(items.map(|p| listed(p.info)).collect(), input))
}

/// Applies an `/apiStages` operation (value `{apiId}:{stage}`).
fn api_stage_op(s: &Shared, ctx: &RequestContext, plan: &mut Plan, op: &PatchOp) -> Result<(), AwsError> {
    let plan_id = plan.info.str("id").unwrap_or_default().to_string();
    let Some((api_id, stage)) = op.value.as_deref().and_then(|v| v.split_once(':')) else {
        return Err(bad_request("Invalid API Stage specified"));
    };
    let stages = plan.info["apiStages"].as_array_mut().ok_or_else(|| bad_request("Invalid API Stage specified"))?;
    let at = stages.iter().position(|st| st.str("apiId") == Some(api_id) && st.str("stage") == Some(stage));
    match (op.op.as_str(), at) {
        ("add", None) => {
            check_stage(s, ctx, &plan_id, api_id, stage)?;
            stages.push(json!({ "apiId": api_id, "stage": stage }));
        }
        ("remove", Some(i)) => {
            stages.remove(i);
        }
        ("remove", None) => return Err(bad_request("Invalid API Stage specified")),
        ("add", Some(_)) => {}
        _ => return Err(bad_request(format!("Invalid patch path {}", op.path))),
    }
    Ok(())
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let id = input.req_str("usagePlanId")?;
    let mut plan = find(s, ctx, id)?;
    for op in patch::ops(input) {
        if op.path == "/apiStages" {
            api_stage_op(s, ctx, &mut plan, &op)?;
        } else {
            RULES.apply(&mut plan.info, std::slice::from_ref(&op))?;
        }
    }
    if let Some(q) = plan.info.get_mut("quota").and_then(Value::as_object_mut) {
        q.entry("offset").or_insert(0.into());
    }
    s.store.put(plan_key(ctx, id), db::encode(&plan)).await?;
    get(s, ctx, input)
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let id = input.req_str("usagePlanId")?;
    find(s, ctx, id)?;
    s.store.delete(plan_key(ctx, id)).await?;
    Ok(json!({}))
}

/// A plan key as the UsagePlanKey shape shows it.
fn plan_key_shape(key: &Value) -> Value {
    let mut out = json!({ "id": key["id"], "type": "API_KEY", "value": key["value"] });
    if let Some(n) = key.get("name") {
        out["name"] = n.clone();
    }
    out
}

pub async fn create_key(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let id = input.req_str("usagePlanId")?;
    let mut plan = find(s, ctx, id)?;
    let key = apikeys::find(s, ctx, input.req_str("keyId")?)?;
    let key_id = key.str("id").unwrap_or_default().to_string();
    if plan.keys.contains(&key_id) {
        return Err(crate::errors::conflict(format!("Usage Plan {id} already contains API Key {key_id}")));
    }
    plan.keys.push(key_id);
    s.store.put(plan_key(ctx, id), db::encode(&plan)).await?;
    Ok(plan_key_shape(&key))
}

pub fn get_key(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let plan = find(s, ctx, input.req_str("usagePlanId")?)?;
    let key_id = input.req_str("keyId")?;
    if !plan.keys.iter().any(|k| k == key_id) {
        return Err(not_found("Invalid Usage Plan Key identifier specified"));
    }
    Ok(plan_key_shape(&apikeys::find(s, ctx, key_id)?))
}

pub fn list_keys(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let Ok(plan) = find(s, ctx, input.req_str("usagePlanId")?) else { return Ok(json!({ "items": [] })) };
    let name = input.str("nameQuery").unwrap_or_default();
    let mut keys = Vec::new();
    for id in plan.keys.iter().rev() {
        if let Ok(key) = apikeys::find(s, ctx, id)
            && key.str("name").unwrap_or_default().starts_with(name)
        {
            keys.push(plan_key_shape(&key));
        }
    }
    Ok(crate::paging::page(keys, input))
}

pub async fn delete_key(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let id = input.req_str("usagePlanId")?;
    let mut plan = find(s, ctx, id)?;
    let key_id = input.req_str("keyId")?;
    let before = plan.keys.len();
    plan.keys.retain(|k| k != key_id);
    if plan.keys.len() == before {
        return Err(not_found("Invalid Usage Plan Key identifier specified"));
    }
    s.store.put(plan_key(ctx, id), db::encode(&plan)).await?;
    Ok(json!({}))
}

fn date(input: &Value, member: &str) -> Result<time::Date, AwsError> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let text = input.req_str(member)?;
    time::Date::parse(text, &fmt).map_err(|_| bad_request(format!("Invalid {member} specified: {text}")))
}

pub fn usage(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let id = input.req_str("usagePlanId")?;
    let plan = find(s, ctx, id)?;
    let (start, end) = (date(input, "startDate")?, date(input, "endDate")?);
    if end < start {
        return Err(bad_request("The end date must not be before the start date"));
    }
    let mut items = serde_json::Map::new();
    for key in plan.keys.iter().filter(|k| input.str("keyId").is_none_or(|only| only == k.as_str())) {
        let days = s.meter.usage(id, key, (start, end), plan.quota());
        items.insert(key.clone(), json!(days));
    }
    Ok(json!({
        "usagePlanId": id,
        "startDate": input.req_str("startDate")?,
        "endDate": input.req_str("endDate")?,
        "items": items,
    }))
}
