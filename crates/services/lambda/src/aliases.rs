//! CreateAlias, GetAlias, ListAliases, UpdateAlias, DeleteAlias, with
//! weighted routing between two versions.

use crate::db::{self, FunctionRecord};
use crate::errors;
use crate::names;
use crate::state::Shared;
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

fn alias_arn(ctx: &RequestContext, name: &str, alias: &str) -> String {
    format!("{}:{alias}", names::function_arn(ctx, name))
}

fn check_version_exists(s: &Shared, ctx: &RequestContext, name: &str, v: &str) -> Result<(), AwsError> {
    if v == "$LATEST" {
        return Ok(());
    }
    let ok = v.parse::<u64>().ok().map(|n| db::get_version(&s.store, ctx, name, n)).transpose()?.flatten().is_some();
    if !ok {
        return Err(errors::function_not_found(&format!("{}:{v}", names::function_arn(ctx, name))));
    }
    Ok(())
}

fn check_routing(
    s: &Shared,
    ctx: &RequestContext,
    name: &str,
    version: &str,
    routing: Option<&Value>,
) -> Result<(), AwsError> {
    let Some(w) = routing.and_then(|r| r.get("AdditionalVersionWeights")).and_then(Value::as_object) else {
        return Ok(());
    };
    if w.len() > 1 {
        return Err(errors::invalid("Number of items in AdditionalVersionWeights cannot be greater than 1"));
    }
    if !w.is_empty() && version == "$LATEST" {
        return Err(errors::invalid("$LATEST is not supported for an alias pointing to more than 1 version"));
    }
    for k in w.keys() {
        if k == version {
            return Err(errors::invalid(format!(
                "Invalid function version {k}. Function version {k} is already included in routing configuration."
            )));
        }
        check_version_exists(s, ctx, name, k)?;
    }
    Ok(())
}

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, None)?;
    let alias = input.req_str("Name")?.to_string();
    let version = input.req_str("FunctionVersion")?.to_string();
    let _: FunctionRecord = crate::resolve::function(&s.store, ctx, &r)?;
    check_version_exists(s, ctx, &r.name, &version)?;
    check_routing(s, ctx, &r.name, &version, input.get("RoutingConfig"))?;
    let arn = alias_arn(ctx, &r.name, &alias);
    let mut a = json!({
        "AliasArn": arn.clone(),
        "Name": alias,
        "FunctionVersion": version,
        "Description": input.str("Description").unwrap_or(""),
        "RevisionId": uuid::Uuid::new_v4().to_string(),
    });
    if let Some(rc) = input.get("RoutingConfig") {
        a["RoutingConfig"] = rc.clone();
    }
    let key = db::alias_key(ctx, &r.name, &alias);
    let bytes = db::encode(&a);
    s.store
        .transact(move |txn| {
            if txn.get(&key)?.is_some() {
                return Err(errors::conflict(format!("Alias already exists: {arn}")));
            }
            txn.put(key.clone(), bytes.clone());
            Ok::<_, AwsError>(())
        })
        .await?;
    Ok(a)
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, None)?;
    let alias = input.req_str("Name")?;
    crate::resolve::function(&s.store, ctx, &r)?;
    db::get_alias(&s.store, ctx, &r.name, alias)?
        .ok_or_else(|| errors::not_found(format!("Cannot find alias arn: {}", alias_arn(ctx, &r.name, alias))))
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, None)?;
    crate::resolve::function(&s.store, ctx, &r)?;
    let filter = input.str("FunctionVersion");
    let mut out = Vec::new();
    for (_, v) in s.store.scan_prefix(db::alias_prefix(ctx, &r.name), false, None)? {
        let a: Value = db::decode(&v)?;
        if filter.is_none() || a.str("FunctionVersion") == filter {
            out.push(a);
        }
    }
    Ok(json!({ "Aliases": out }))
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, None)?;
    let alias = input.req_str("Name")?.to_string();
    crate::resolve::function(&s.store, ctx, &r)?;
    let mut a = get(s, ctx, input)?;
    if let Some(rev) = input.str("RevisionId")
        && a.str("RevisionId") != Some(rev)
    {
        return Err(errors::precondition("GetFunction/GetAlias"));
    }
    if let Some(v) = input.str("FunctionVersion") {
        check_version_exists(s, ctx, &r.name, v)?;
        a["FunctionVersion"] = v.into();
    }
    if let Some(d) = input.str("Description") {
        a["Description"] = d.into();
    }
    if let Some(rc) = input.get("RoutingConfig") {
        a["RoutingConfig"] = rc.clone();
    }
    let version = a.str("FunctionVersion").unwrap_or("$LATEST").to_string();
    check_routing(s, ctx, &r.name, &version, a.get("RoutingConfig"))?;
    a["RevisionId"] = uuid::Uuid::new_v4().to_string().into();
    s.store.put(db::alias_key(ctx, &r.name, &alias), db::encode(&a)).await?;
    Ok(a)
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, None)?;
    let alias = input.req_str("Name")?;
    crate::resolve::function(&s.store, ctx, &r)?;
    let mut batch = stratus_store::WriteBatch::new();
    batch.delete(db::alias_key(ctx, &r.name, alias));
    db::forget_qualifier(&s.store, ctx, &r.name, alias, &mut batch)?;
    // Environments provisioned for the alias run its version; end them first.
    let aliased = crate::names::FnRef { name: r.name.clone(), qualifier: Some(alias.to_string()) };
    crate::provisioned::release(s, ctx, &aliased);
    s.store.write(batch).await?;
    Ok(json!({}))
}
