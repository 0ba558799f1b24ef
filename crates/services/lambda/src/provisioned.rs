//! Put/Get/Delete/ListProvisionedConcurrencyConfigs: keeps N initialised
//! environments of a published version or alias ready (pinned in the pool,
//! started with AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency), so
//! invocations skip init. Stored at `lambda/{acct}/{region}/pc/{name}/{qualifier}`;
//! re-provisioned when Stratus starts.

use crate::db;
use crate::envs;
use crate::errors;
use crate::invoke;
use crate::names::{self, FnRef};
use crate::resolve;
use crate::state::Shared;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

fn key(ctx: &RequestContext, name: &str, q: &str) -> String {
    format!("{}pc/{name}/{q}", db::prefix(ctx))
}

fn not_found() -> AwsError {
    AwsError::new(
        404,
        "ProvisionedConcurrencyConfigNotFoundException",
        "No Provisioned Concurrency Config found for this function",
    )
}

pub async fn put(s: &Arc<Shared>, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, input.str("Qualifier"))?;
    let q = r.qualifier.clone().unwrap_or_default();
    if q.is_empty() || q == "$LATEST" {
        return Err(errors::invalid(
            "Provisioned Concurrency Configs cannot be applied to unpublished function versions.",
        ));
    }
    target(s, ctx, &r)?;
    let res = resolve::version(s, ctx, &r, false)?;
    if res.version == "$LATEST" {
        return Err(errors::invalid(
            "Provisioned Concurrency Configs cannot be applied to unpublished function versions.",
        ));
    }
    let n = input.i64("ProvisionedConcurrentExecutions").unwrap_or(1);
    if let Some(reserved) = res.record.reserved
        && n > reserved
    {
        return Err(errors::invalid(
            "Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function",
        ));
    }
    let cfg = json!({
        "RequestedProvisionedConcurrentExecutions": n,
        "AvailableProvisionedConcurrentExecutions": 0,
        "AllocatedProvisionedConcurrentExecutions": 0,
        "Status": "IN_PROGRESS",
        "LastModified": crate::config::last_modified(),
    });
    let k = key(ctx, &r.name, &q);
    s.store.put(k.clone(), db::encode(&cfg)).await?;
    tokio::spawn(provision(s.clone(), ctx.clone(), r, n as usize));
    Ok(cfg)
}

/// Starts `n` environments for `r`, pins them in the pool, then marks the config READY.
async fn provision(s: Arc<Shared>, ctx: RequestContext, r: FnRef, n: usize) {
    let Ok(res) = resolve::version(&s, &ctx, &r, false) else { return };
    let pool_key = invoke::pool_key(&ctx, &res);
    let mut ready = 0;
    let have = s.pool.idle_count(&pool_key);
    for _ in have..n {
        let Ok(st) = envs::start(&s, &ctx, &res.config, &res.code_hex, &res.version, "provisioned-concurrency").await
        else {
            continue;
        };
        let mut env = st.env;
        env.pinned = true;
        if env.ready(Duration::from_secs(130)).await.is_some() {
            s.pool.release(&pool_key, env);
            ready += 1;
        }
    }
    let q = r.qualifier.clone().unwrap_or_default();
    let k = key(&ctx, &r.name, &q);
    if let Ok(Some(b)) = s.store.get(&k)
        && let Ok(mut cfg) = db::decode::<Value>(&b)
    {
        let total = (have + ready).min(n) as i64;
        cfg["AvailableProvisionedConcurrentExecutions"] = total.into();
        cfg["AllocatedProvisionedConcurrentExecutions"] = total.into();
        cfg["Status"] = if total as usize == n { "READY" } else { "FAILED" }.into();
        if total as usize != n {
            cfg["StatusReason"] = "FUNCTION_ERROR_INIT_FAILURE".into();
        }
        let _ = s.store.put(k, db::encode(&cfg)).await;
    }
}

/// The version or alias a Get/Delete names: AWS refuses `$LATEST` (or no
/// qualifier) and answers a missing version or alias as not found.
fn addressed(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<(FnRef, String), AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, input.str("Qualifier"))?;
    let q = r.qualifier.clone().unwrap_or_default();
    if q.is_empty() || q == "$LATEST" {
        return Err(errors::invalid("The function resource provided must be an alias or a published version."));
    }
    target(s, ctx, &r)?;
    Ok((r, q))
}

/// Checks that the version or alias `r` names exists, with AWS's errors.
fn target(s: &Shared, ctx: &RequestContext, r: &FnRef) -> Result<(), AwsError> {
    let q = r.qualifier.as_deref().unwrap_or("");
    if names::is_version(q) || q == "$LATEST" {
        return resolve::version(s, ctx, r, false).map(|_| ());
    }
    match db::get_alias(&s.store, ctx, &r.name, q)? {
        Some(_) => Ok(()),
        None => {
            Err(errors::not_found(format!("Cannot find alias arn: {}", names::qualified_arn(ctx, &r.name, Some(q)))))
        }
    }
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (r, q) = addressed(s, ctx, input)?;
    s.store.get(key(ctx, &r.name, &q))?.map(|b| db::decode(&b)).transpose()?.ok_or_else(not_found)
}

/// Deletes the config (204 whether or not there was one, as AWS answers).
pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let (r, q) = addressed(s, ctx, input)?;
    let k = key(ctx, &r.name, &q);
    if s.store.get(&k)?.is_none() {
        return Ok(json!({}));
    }
    s.store.delete(k).await?;
    release(s, ctx, &r);
    Ok(json!({}))
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, None)?;
    resolve::function(&s.store, ctx, &r)?;
    let p = format!("{}pc/{}/", db::prefix(ctx), r.name);
    let mut out = Vec::new();
    for (k, v) in s.store.scan_prefix(&p, false, None)? {
        let q = String::from_utf8_lossy(&k[p.len()..]).to_string();
        let mut cfg: Value = db::decode(&v)?;
        cfg["FunctionArn"] = names::qualified_arn(ctx, &r.name, Some(&q)).into();
        out.push(cfg);
    }
    Ok(json!({ "ProvisionedConcurrencyConfigs": out }))
}

/// Ends the environments kept for `r` (a version or alias), if it resolves.
pub fn release(s: &Shared, ctx: &RequestContext, r: &FnRef) {
    if let Ok(res) = resolve::version(s, ctx, r, false) {
        s.pool.drain(&invoke::pool_key(ctx, &res));
    }
}

/// Re-provisions every stored config (at start).
pub async fn restore(s: Arc<Shared>) {
    let Ok(all) = s.store.scan_prefix("lambda/", false, None) else { return };
    for (k, v) in all {
        let k = String::from_utf8_lossy(&k).to_string();
        let parts: Vec<&str> = k.split('/').collect();
        if let ["lambda", account, region, "pc", name, q] = parts.as_slice() {
            let n = db::decode::<Value>(&v)
                .ok()
                .and_then(|c| c.i64("RequestedProvisionedConcurrentExecutions"))
                .unwrap_or(0);
            let mut ctx = RequestContext::internal("lambda", "PutProvisionedConcurrencyConfig");
            ctx.account_id = account.to_string();
            ctx.region = region.to_string();
            let r = FnRef { name: name.to_string(), qualifier: Some(q.to_string()) };
            tokio::spawn(provision(s.clone(), ctx, r, n as usize));
        }
    }
}
