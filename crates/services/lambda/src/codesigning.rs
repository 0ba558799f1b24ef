//! Code signing configurations: Create/Get/Update/Delete/ListCodeSigningConfigs,
//! Put/Get/DeleteFunctionCodeSigningConfig, ListFunctionsByCodeSigningConfig.
//! Store: `lambda/{acct}/{region}/csc/{id}` → the CodeSigningConfig as AWS
//! returns it, plus its `Tags` (TagResource and ListTags reach them through
//! `tags`); a function's configuration ARN is in its record.
//!
//! Stratus has no signer, so every package it receives is unsigned. As on
//! AWS, an unsigned package is rejected (CodeVerificationFailedException)
//! when the function's configuration says `Enforce`, and accepted with
//! `Warn` (AWS would only log a warning).

use crate::db;
use crate::errors;
use crate::names;
use crate::state::Shared;
use serde_json::{Map, Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

fn key(ctx: &RequestContext, id: &str) -> String {
    format!("{}csc/{id}", db::prefix(ctx))
}

/// The id an ARN of this account and region names, if it names one.
pub(crate) fn id_of<'a>(ctx: &RequestContext, arn: &'a str) -> Option<&'a str> {
    let p: Vec<&str> = arn.split(':').collect();
    match p.as_slice() {
        ["arn", _, "lambda", region, account, "code-signing-config", id]
            if *region == ctx.region && *account == ctx.account_id =>
        {
            Some(id)
        }
        _ => None,
    }
}

/// Whether `arn` names a code signing configuration (for TagResource and ListTags).
pub(crate) fn names_one(arn: &str) -> bool {
    arn.split(':').nth(5) == Some("code-signing-config")
}

/// The configuration as the API shows it: without its tags.
fn shown(mut cfg: Value) -> Value {
    if let Some(o) = cfg.as_object_mut() {
        o.remove("Tags");
    }
    cfg
}

/// The tags of the configuration `arn` names.
pub(crate) fn tags(s: &Shared, ctx: &RequestContext, arn: &str) -> Result<Value, AwsError> {
    Ok(existing(s, ctx, arn)?.get("Tags").cloned().unwrap_or_else(|| json!({})))
}

/// Changes the tags of the configuration `arn` names.
pub(crate) async fn modify_tags(
    s: &Shared,
    ctx: &RequestContext,
    arn: &str,
    f: impl Fn(&mut Map<String, Value>) -> Result<(), AwsError> + Send + 'static,
) -> Result<(), AwsError> {
    let k = key(ctx, id_of(ctx, arn).ok_or_else(|| not_found(arn))?);
    let arn = arn.to_string();
    s.store
        .transact(move |txn| {
            let mut cfg: Value = match txn.get(&k)? {
                Some(b) => db::decode(&b)?,
                None => return Err(not_found(&arn)),
            };
            let mut tags = cfg.get("Tags").and_then(Value::as_object).cloned().unwrap_or_default();
            f(&mut tags)?;
            cfg["Tags"] = Value::Object(tags);
            txn.put(k.clone(), db::encode(&cfg));
            Ok(())
        })
        .await
}

fn not_found(arn: &str) -> AwsError {
    errors::not_found(format!("The Lambda code signing configuration {arn} can not be found."))
}

/// The configuration `arn` names, if it exists.
fn load(s: &Shared, ctx: &RequestContext, arn: &str) -> Result<Option<Value>, AwsError> {
    let Some(id) = id_of(ctx, arn) else { return Ok(None) };
    s.store.get(key(ctx, id))?.map(|b| db::decode(&b)).transpose()
}

/// The configuration `arn` names, or AWS's not-found error.
fn existing(s: &Shared, ctx: &RequestContext, arn: &str) -> Result<Value, AwsError> {
    load(s, ctx, arn)?.ok_or_else(|| not_found(arn))
}

/// The configuration a function is to use: it must exist
/// (CodeSigningConfigNotFoundException otherwise).
fn for_function(s: &Shared, ctx: &RequestContext, arn: &str) -> Result<Value, AwsError> {
    load(s, ctx, arn)?.ok_or_else(|| {
        AwsError::new(
            404,
            "CodeSigningConfigNotFoundException",
            format!(
                "The code signing configuration cannot be found. Check that the provided configuration is not deleted: {arn}."
            ),
        )
    })
}

/// `CodeSigningPolicies` with AWS's default (`Warn`).
fn policies(input: &Value) -> Value {
    json!({ "UntrustedArtifactOnDeployment":
        input.get("CodeSigningPolicies").and_then(|p| p.str("UntrustedArtifactOnDeployment")).unwrap_or("Warn") })
}

/// `AllowedPublishers` as stored (the model's validation has already
/// required one to twenty signing profile version ARNs).
fn publishers(p: &Value) -> Value {
    json!({ "SigningProfileVersionArns": p.list("SigningProfileVersionArns") })
}

pub async fn create(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let allowed = publishers(input.get("AllowedPublishers").unwrap_or(&Value::Null));
    let id = format!("csc-{}", &uuid::Uuid::new_v4().simple().to_string()[..17]);
    let cfg = json!({
        "CodeSigningConfigId": id,
        "CodeSigningConfigArn": format!("arn:aws:lambda:{}:{}:code-signing-config:{id}", ctx.region, ctx.account_id),
        "Description": input.str("Description").unwrap_or(""),
        "AllowedPublishers": allowed,
        "CodeSigningPolicies": policies(input),
        "LastModified": crate::config::last_modified(),
    });
    let mut stored = cfg.clone();
    if let Some(tags) = input.get("Tags").filter(|t| t.is_object()) {
        stored["Tags"] = tags.clone();
    }
    s.store.put(key(ctx, &id), db::encode(&stored)).await?;
    Ok(json!({ "CodeSigningConfig": cfg }))
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let cfg = existing(s, ctx, input.req_str("CodeSigningConfigArn")?)?;
    Ok(json!({ "CodeSigningConfig": shown(cfg) }))
}

pub async fn update(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let arn = input.req_str("CodeSigningConfigArn")?;
    let mut cfg = existing(s, ctx, arn)?;
    let mut changed = false;
    if let Some(d) = input.str("Description") {
        cfg["Description"] = d.into();
        changed = true;
    }
    if let Some(p) = input.get("AllowedPublishers") {
        cfg["AllowedPublishers"] = publishers(p);
        changed = true;
    }
    if input.get("CodeSigningPolicies").is_some() {
        cfg["CodeSigningPolicies"] = policies(input);
        changed = true;
    }
    if changed {
        cfg["LastModified"] = crate::config::last_modified().into();
        let id = cfg.str("CodeSigningConfigId").unwrap_or("").to_string();
        s.store.put(key(ctx, &id), db::encode(&cfg)).await?;
    }
    Ok(json!({ "CodeSigningConfig": shown(cfg) }))
}

/// The ARNs of the functions that use `arn`, in name order.
fn users(s: &Shared, ctx: &RequestContext, arn: &str) -> Result<Vec<String>, AwsError> {
    let prefix = format!("{}fn/", db::prefix(ctx));
    let mut out = Vec::new();
    for (_, v) in s.store.scan_prefix(&prefix, false, None)? {
        let rec: db::FunctionRecord = db::decode(&v)?;
        if rec.code_signing.as_deref() == Some(arn) {
            out.push(rec.config.str("FunctionArn").unwrap_or("").to_string());
        }
    }
    Ok(out)
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let arn = input.req_str("CodeSigningConfigArn")?;
    let cfg = existing(s, ctx, arn)?;
    if !users(s, ctx, arn)?.is_empty() {
        return Err(errors::conflict(format!(
            "The code signing configuration {arn} cannot be deleted because it is used by one or more functions."
        )));
    }
    s.store.delete(key(ctx, cfg.str("CodeSigningConfigId").unwrap_or(""))).await?;
    Ok(json!({}))
}

/// One page of `items` after `Marker` (an index), with AWS's NextMarker.
fn page(items: Vec<Value>, input: &Value, member: &str) -> Value {
    let max = input.i64("MaxItems").unwrap_or(50).clamp(1, 10_000) as usize;
    let start = input.str("Marker").and_then(|m| m.parse::<usize>().ok()).unwrap_or(0);
    let total = items.len();
    let mut out = json!({ member: items.into_iter().skip(start).take(max).collect::<Vec<_>>() });
    if start + max < total {
        out["NextMarker"] = (start + max).to_string().into();
    }
    out
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let mut items = Vec::new();
    for (_, v) in s.store.scan_prefix(format!("{}csc/", db::prefix(ctx)), false, None)? {
        items.push(shown(db::decode::<Value>(&v)?));
    }
    Ok(page(items, input, "CodeSigningConfigs"))
}

pub fn list_functions(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let arn = input.req_str("CodeSigningConfigArn")?;
    existing(s, ctx, arn)?;
    let arns = users(s, ctx, arn)?.into_iter().map(Value::from).collect();
    Ok(page(arns, input, "FunctionArns"))
}

/// The function a Put/Get/DeleteFunctionCodeSigningConfig names (unqualified).
pub(crate) fn function_name(ctx: &RequestContext, input: &Value) -> Result<String, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, None)?;
    crate::functions::unqualified(&r)?;
    Ok(r.name)
}

pub async fn put_function(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = function_name(ctx, input)?;
    let arn = input.req_str("CodeSigningConfigArn")?.to_string();
    for_function(s, ctx, &arn)?;
    let stored = arn.clone();
    db::modify_function(&s.store, ctx, &name, move |rec| {
        rec.code_signing = Some(stored.clone());
        Ok(())
    })
    .await?;
    Ok(json!({ "CodeSigningConfigArn": arn, "FunctionName": name }))
}

pub fn get_function(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = function_name(ctx, input)?;
    let rec = db::require_function(&s.store, ctx, &name)?;
    // AWS answers an empty 200 for a function without one.
    Ok(match rec.code_signing {
        Some(arn) => json!({ "CodeSigningConfigArn": arn, "FunctionName": name }),
        None => json!({}),
    })
}

pub async fn delete_function(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let name = function_name(ctx, input)?;
    db::modify_function(&s.store, ctx, &name, |rec| {
        rec.code_signing = None;
        Ok(())
    })
    .await?;
    Ok(json!({}))
}

/// Checks a package about to be deployed to a function that uses the
/// configuration `arn` (CreateFunction's `CodeSigningConfigArn`, or the
/// function's own for UpdateFunctionCode). Stratus packages are never
/// signed: `Enforce` refuses them, `Warn` lets them through.
pub fn check_deploy(s: &Shared, ctx: &RequestContext, arn: Option<&str>) -> Result<(), AwsError> {
    let Some(arn) = arn else { return Ok(()) };
    let cfg = for_function(s, ctx, arn)?;
    if cfg["CodeSigningPolicies"].str("UntrustedArtifactOnDeployment") == Some("Enforce") {
        return Err(AwsError::bad_request(
            "CodeVerificationFailedException",
            format!(
                "Lambda cannot deploy the function. The code package is not signed, and the code signing configuration {arn} enforces signature validation."
            ),
        ));
    }
    Ok(())
}
