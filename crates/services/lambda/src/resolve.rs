//! Finding the configuration a (possibly qualified) function name refers
//! to: `$LATEST`, a published version, or an alias (with its routing).
//! Decoded records are kept in a cache that rereads a record only after a
//! store commit and decodes it again only when its bytes changed, so
//! writers never have to invalidate it.

use crate::db::{self, FunctionRecord, VersionRecord};
use crate::errors;
use crate::names::{self, FnRef};
use crate::state::Shared;
use serde_json::Value;
use std::sync::Arc;
use stratus_core::input::Input;
use stratus_core::{AwsError, DecodedCache, RequestContext};
use stratus_store::Store;

#[derive(Clone)]
pub struct Resolved {
    pub record: Arc<FunctionRecord>,
    /// The configuration of the version that runs.
    pub config: Arc<Value>,
    pub code_hex: String,
    /// `$LATEST` or the version number.
    pub version: String,
}

/// A decoded function or version record: what resolving needs of it.
pub struct Decoded {
    /// The function record itself (None for a version record).
    record: Option<Arc<FunctionRecord>>,
    /// For a function record, its `$LATEST` configuration; for a version, the version's.
    config: Arc<Value>,
    code_hex: String,
}

/// Decoded function and version records by store key.
pub type Cache = DecodedCache<Decoded>;

/// The decoded record stored under `key`, decoding only when its bytes changed.
fn load(
    s: &Shared,
    key: String,
    decode: impl FnOnce(&[u8]) -> Result<Decoded, AwsError>,
) -> Result<Option<Arc<Decoded>>, AwsError> {
    s.records.load(&s.store, &key, decode)
}

/// The function record and its `$LATEST` configuration through the cache,
/// or AWS's not-found error for `r`.
fn cached_function(
    s: &Shared,
    ctx: &RequestContext,
    r: &FnRef,
) -> Result<(Arc<FunctionRecord>, Arc<Decoded>), AwsError> {
    let not_found = || errors::function_not_found(&names::qualified_arn(ctx, &r.name, r.qualifier.as_deref()));
    let c = load(s, db::fn_key(ctx, &r.name), |raw| {
        let rec: FunctionRecord = db::decode(raw)?;
        let (config, code_hex) = (Arc::new(rec.config.clone()), rec.code_hex.clone());
        Ok(Decoded { record: Some(Arc::new(rec)), config, code_hex })
    })?
    .ok_or_else(not_found)?;
    let record = c.record.clone().ok_or_else(not_found)?;
    Ok((record, c))
}

/// The function record, or AWS's not-found error for `r`.
pub fn function(store: &Store, ctx: &RequestContext, r: &FnRef) -> Result<FunctionRecord, AwsError> {
    db::get_function(store, ctx, &r.name)?
        .ok_or_else(|| errors::function_not_found(&names::qualified_arn(ctx, &r.name, r.qualifier.as_deref())))
}

/// Resolves `r` to one version; aliases follow weighted routing when `route` is set.
pub fn version(s: &Shared, ctx: &RequestContext, r: &FnRef, route: bool) -> Result<Resolved, AwsError> {
    let (record, f) = cached_function(s, ctx, r)?;
    let not_found = || errors::function_not_found(&names::qualified_arn(ctx, &r.name, r.qualifier.as_deref()));
    let latest = || Resolved {
        record: record.clone(),
        config: f.config.clone(),
        code_hex: f.code_hex.clone(),
        version: "$LATEST".into(),
    };
    let q = match r.qualifier.as_deref() {
        None | Some("$LATEST") => return Ok(latest()),
        Some(q) => q.to_string(),
    };
    let v = if names::is_version(&q) {
        q
    } else {
        let alias = db::get_alias(&s.store, ctx, &r.name, &q)?.ok_or_else(not_found)?;
        let mut v = alias.str("FunctionVersion").unwrap_or("$LATEST").to_string();
        if route
            && let Some(weights) =
                alias.get("RoutingConfig").and_then(|rc| rc.get("AdditionalVersionWeights")).and_then(Value::as_object)
        {
            let roll: f64 = rand::random();
            let mut acc = 0.0;
            for (ver, w) in weights {
                acc += w.as_f64().unwrap_or(0.0);
                if roll < acc {
                    v = ver.clone();
                    break;
                }
            }
        }
        v
    };
    if v == "$LATEST" {
        return Ok(latest());
    }
    let n: u64 = v.parse().map_err(|_| not_found())?;
    let ver = load(s, db::ver_key(ctx, &r.name, n), |raw| {
        let ver: VersionRecord = db::decode(raw)?;
        Ok(Decoded { record: None, config: Arc::new(ver.config), code_hex: ver.code_hex })
    })?
    .ok_or_else(not_found)?;
    Ok(Resolved { record, config: ver.config.clone(), code_hex: ver.code_hex.clone(), version: v })
}
