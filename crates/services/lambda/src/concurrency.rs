//! Concurrency: PutFunctionConcurrency, GetFunctionConcurrency,
//! DeleteFunctionConcurrency, GetAccountSettings, and admission of each
//! invocation against reserved concurrency and the account's unreserved
//! pool, throttling with 429 and AWS's Reason when either is full.

use crate::db::{self, FunctionRecord};
use crate::errors;
use crate::names;
use crate::state::Shared;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};
use stratus_store::Store;

/// AWS keeps at least this much of the account limit unreserved.
pub const MIN_UNRESERVED: i64 = 100;

#[derive(Default)]
struct Inner {
    /// In-flight invocations by function (`acct/region/name`).
    by_fn: HashMap<String, i64>,
    /// In-flight invocations of functions without reserved concurrency, by `acct/region`.
    unreserved: HashMap<String, i64>,
    /// Reserved concurrency by `acct/region`, then function name (loaded lazily).
    reserved: HashMap<String, HashMap<String, i64>>,
}

/// In-memory counters shared by all invocations.
#[derive(Default, Clone)]
pub struct Counters {
    inner: Arc<Mutex<Inner>>,
}

/// A held concurrency slot; released when dropped.
pub struct Slot {
    inner: Arc<Mutex<Inner>>,
    fn_key: String,
    unreserved_key: Option<String>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut g) = self.inner.lock() {
            if let Some(n) = g.by_fn.get_mut(&self.fn_key) {
                *n -= 1;
            }
            if let Some(k) = &self.unreserved_key
                && let Some(n) = g.unreserved.get_mut(k)
            {
                *n -= 1;
            }
        }
    }
}

fn scope(ctx: &RequestContext) -> String {
    format!("{}/{}", ctx.account_id, ctx.region)
}

impl Counters {
    fn with_reserved<T>(
        &self,
        store: &Store,
        ctx: &RequestContext,
        f: impl FnOnce(&mut Inner, &str) -> T,
    ) -> Result<T, AwsError> {
        let sc = scope(ctx);
        let loaded = self.inner.lock().map(|g| g.reserved.contains_key(&sc)).unwrap_or(false);
        let mut fresh = None;
        if !loaded {
            let mut m = HashMap::new();
            let prefix = format!("{}fn/", db::prefix(ctx));
            for (k, v) in store.scan_prefix(&prefix, false, None)? {
                let rec: FunctionRecord = db::decode(&v)?;
                if let Some(r) = rec.reserved {
                    m.insert(String::from_utf8_lossy(&k[prefix.len()..]).to_string(), r);
                }
            }
            fresh = Some(m);
        }
        let mut g = self.inner.lock().map_err(|_| AwsError::internal("concurrency counters poisoned"))?;
        if let Some(m) = fresh {
            g.reserved.entry(sc.clone()).or_insert(m);
        }
        Ok(f(&mut g, &sc))
    }

    /// Sum of reserved concurrency in the account and region, without `except`.
    fn reserved_sum(g: &Inner, sc: &str, except: Option<&str>) -> i64 {
        g.reserved
            .get(sc)
            .map(|m| m.iter().filter(|(k, _)| Some(k.as_str()) != except).map(|(_, v)| *v).sum())
            .unwrap_or(0)
    }

    /// Takes a slot for one invocation of `name`, or throttles.
    pub fn admit(
        &self,
        store: &Store,
        ctx: &RequestContext,
        name: &str,
        reserved: Option<i64>,
        limit: i64,
    ) -> Result<Slot, AwsError> {
        let fn_key = format!("{}/{name}", scope(ctx));
        self.with_reserved(store, ctx, |g, sc| {
            let in_fn = g.by_fn.get(&fn_key).copied().unwrap_or(0);
            match reserved {
                Some(r) => {
                    if in_fn >= r {
                        return Err(errors::throttled("ReservedFunctionConcurrentInvocationLimitExceeded"));
                    }
                    *g.by_fn.entry(fn_key.clone()).or_insert(0) += 1;
                    Ok(Slot { inner: self.inner.clone(), fn_key, unreserved_key: None })
                }
                None => {
                    let cap = limit - Self::reserved_sum(g, sc, None);
                    let used = g.unreserved.get(sc).copied().unwrap_or(0);
                    if used >= cap {
                        return Err(errors::throttled("ConcurrentInvocationLimitExceeded"));
                    }
                    *g.by_fn.entry(fn_key.clone()).or_insert(0) += 1;
                    *g.unreserved.entry(sc.to_string()).or_insert(0) += 1;
                    Ok(Slot { inner: self.inner.clone(), fn_key, unreserved_key: Some(sc.to_string()) })
                }
            }
        })?
    }

    /// Reserved concurrency of the other functions, for the limit checks.
    pub fn reserved_others(&self, store: &Store, ctx: &RequestContext, name: &str) -> Result<i64, AwsError> {
        self.with_reserved(store, ctx, |g, sc| Self::reserved_sum(g, sc, Some(name)))
    }

    pub fn set_reserved(&self, ctx: &RequestContext, name: &str, value: Option<i64>) {
        if let Ok(mut g) = self.inner.lock()
            && let Some(m) = g.reserved.get_mut(&scope(ctx))
        {
            match value {
                Some(v) => m.insert(name.to_string(), v),
                None => m.remove(name),
            };
        }
    }

    /// Forgets everything (after `/_stratus/reset`).
    pub fn reset(&self) {
        if let Ok(mut g) = self.inner.lock() {
            g.reserved.clear();
        }
    }
}

pub async fn put(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, None)?;
    if r.qualifier.is_some() {
        return Err(errors::invalid(
            "This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.",
        ));
    }
    let n = input.i64("ReservedConcurrentExecutions").unwrap_or(0);
    let limit = s.settings.lambda_concurrency as i64;
    let others = s.counters.reserved_others(&s.store, ctx, &r.name)?;
    let min = MIN_UNRESERVED.min(limit);
    if n > limit - others {
        return Err(errors::invalid(format!(
            "Specified ReservedConcurrentExecutions for function is greater than account's unreserved concurrency [{}].",
            limit - others
        )));
    }
    if limit - others - n < min {
        return Err(errors::invalid(format!(
            "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [{min}]."
        )));
    }
    set(s, ctx, &r.name, Some(n)).await?;
    Ok(json!({ "ReservedConcurrentExecutions": n }))
}

async fn set(s: &Shared, ctx: &RequestContext, name: &str, value: Option<i64>) -> Result<(), AwsError> {
    db::modify_function(&s.store, ctx, name, move |rec| {
        rec.reserved = value;
        Ok(())
    })
    .await?;
    s.counters.set_reserved(ctx, name, value);
    Ok(())
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, None)?;
    let rec = crate::resolve::function(&s.store, ctx, &r)?;
    Ok(match rec.reserved {
        Some(n) => json!({ "ReservedConcurrentExecutions": n }),
        None => json!({}),
    })
}

pub async fn delete(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, None)?;
    set(s, ctx, &r.name, None).await?;
    Ok(json!({}))
}

pub fn account_settings(s: &Shared, ctx: &RequestContext) -> Result<Value, AwsError> {
    let limit = s.settings.lambda_concurrency as i64;
    let reserved = s.counters.reserved_others(&s.store, ctx, "")?;
    let prefix = format!("{}fn/", db::prefix(ctx));
    let mut count = 0;
    let mut total = 0i64;
    for (_, v) in s.store.scan_prefix(&prefix, false, None)? {
        let rec: FunctionRecord = db::decode(&v)?;
        count += 1;
        total += rec.config.i64("CodeSize").unwrap_or(0);
    }
    Ok(json!({
        "AccountLimit": {
            "TotalCodeSize": 80_530_636_800i64,
            "CodeSizeUnzipped": crate::code::MAX_UNZIPPED,
            "CodeSizeZipped": crate::code::MAX_ZIPPED,
            "ConcurrentExecutions": limit,
            "UnreservedConcurrentExecutions": limit - reserved,
        },
        "AccountUsage": { "TotalCodeSize": total, "FunctionCount": count },
    }))
}
