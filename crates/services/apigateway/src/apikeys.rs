//! API keys: Create, Get, GetAll (by name prefix, newest first), Update,
//! Delete; and finding a key by its value (the data plane's `x-api-key`).
//!
//! Store: `apigw/{account}/{region}/key/{id}` → ApiKey shape (with value);
//! `apigw/keyvalue/{value}` → `{account}/{region}/{id}`.

use crate::db;
use crate::errors::{bad_request, not_found};
use crate::patch::{self, Kind, REPLACE, Rule, Rules, Scalar, Style};
use crate::state::Shared;
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

const RULES: Rules = Rules {
    rules: &[
        Rule { path: "/description", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/enabled", ops: REPLACE, kind: Kind::Member(Scalar::Bool) },
        Rule { path: "/name", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
        Rule { path: "/customerId", ops: REPLACE, kind: Kind::Member(Scalar::Str) },
    ],
    style: Style::Listed,
};

pub fn prefix(ctx: &RequestContext) -> String {
    format!("apigw/{}/{}/key/", ctx.account_id, ctx.region)
}

fn value_key(value: &str) -> String {
    format!("apigw/keyvalue/{value}")
}

pub fn no_key() -> AwsError {
    not_found("Invalid API Key identifier specified")
}

/// API key `id` of the caller, with its value.
pub fn find(s: &Shared, ctx: &RequestContext, id: &str) -> Result<Value, AwsError> {
    s.store.get(format!("{}{id}", prefix(ctx)))?.map(|b| db::decode(&b)).transpose()?.ok_or_else(no_key)
}

/// The key whose value is `value`: its account, region and shape.
pub fn by_value(s: &Shared, value: &str) -> Option<(String, String, Value)> {
    let owner = s.store.get(value_key(value)).ok().flatten()?;
    let owner = String::from_utf8_lossy(&owner).into_owned();
    let mut parts = owner.splitn(3, '/');
    let (account, region, id) = (parts.next()?, parts.next()?, parts.next()?);
    let key = s.store.get(format!("apigw/{account}/{region}/key/{id}")).ok().flatten()?;
    Some((account.to_string(), region.to_string(), db::decode(&key).ok()?))
}

/// `key` as Get* answers it: the value only when asked for.
fn shown(mut key: Value, include_value: bool) -> Value {
    if !include_value && let Some(o) = key.as_object_mut() {
        o.remove("value");
    }
    key
}

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    if input.str("name").is_some_and(|n| n.chars().count() > 1024) {
        return Err(bad_request("Invalid API Key name, can be at most 1024 characters."));
    }
    if input.str("description").is_some_and(|d| d.chars().count() > 125) {
        return Err(bad_request("Invalid API Key description specified."));
    }
    let value = match input.str("value").filter(|v| !v.is_empty()) {
        Some(v) if v.len() < 20 => return Err(bad_request("API Key value should be at least 20 characters")),
        Some(v) if v.len() > 128 => return Err(bad_request("API Key value exceeds maximum size of 128 characters")),
        Some(v) => v.to_string(),
        None => stratus_core::ids::random_from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 40),
    };
    if s.store.get(value_key(&value))?.is_some() {
        return Err(crate::errors::conflict("API Key already exists"));
    }
    let id = db::new_id();
    let now = stratus_core::clock::now_epoch().floor();
    let mut key = json!({
        "id": id, "value": value, "enabled": input.bool("enabled").unwrap_or(false),
        "createdDate": now, "lastUpdatedDate": now, "stageKeys": [],
    });
    for k in ["name", "description", "customerId", "tags"] {
        if let Some(v) = input.get(k).filter(|v| v.as_str() != Some("")) {
            key[k] = v.clone();
        }
    }
    let mut batch = stratus_store::WriteBatch::new();
    batch
        .put(format!("{}{id}", prefix(ctx)), db::encode(&key))
        .put(value_key(&value), format!("{}/{}/{id}", ctx.account_id, ctx.region).into_bytes());
    s.store.write(batch).await?;
    Ok(key)
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let key = find(s, ctx, input.req_str("apiKey")?)?;
    Ok(shown(key, input.bool("includeValue") == Some(true)))
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = input.str("nameQuery").unwrap_or_default();
    let customer = input.str("customerId");
    let include = input.bool("includeValues") == Some(true);
    let mut keys = Vec::new();
    for (_, raw) in s.store.scan_prefix(prefix(ctx), false, None)? {
        let key: Value = db::decode(&raw)?;
        if key.str("name").unwrap_or_default().starts_with(name)
            && customer.is_none_or(|c| key.str("customerId") == Some(c))
        {
            keys.push(shown(key, include));
        }
    }
    keys.sort_by(|a, b| {
        b["createdDate"].as_f64().partial_cmp(&a["createdDate"].as_f64()).unwrap_or(std::cmp::Ordering::Equal)
    });
    Ok(crate::paging::page(keys, input))
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let id = input.req_str("apiKey")?;
    let mut key = find(s, ctx, id)?;
    RULES.apply(&mut key, &patch::ops(input))?;
    key["lastUpdatedDate"] = stratus_core::clock::now_epoch().floor().into();
    if key.get("tags").is_none() {
        key["tags"] = json!({});
    }
    s.store.put(format!("{}{id}", prefix(ctx)), db::encode(&key)).await?;
    Ok(shown(key, false))
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let id = input.req_str("apiKey")?;
    let key = find(s, ctx, id)?;
    let mut batch = stratus_store::WriteBatch::new();
    batch.delete(format!("{}{id}", prefix(ctx))).delete(value_key(key.str("value").unwrap_or_default()));
    s.store.write(batch).await?;
    Ok(json!({}))
}
