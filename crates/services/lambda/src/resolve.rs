//! Finding the configuration a (possibly qualified) function name refers
//! to: `$LATEST`, a published version, or an alias (with its routing).
//! Decoded records are kept in a cache that is checked against the stored
//! bytes on every lookup, so writers never have to invalidate it.

use crate::db::{self, FunctionRecord, VersionRecord};
use crate::errors;
use crate::names::{self, FnRef};
use crate::state::Shared;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};
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

/// The most records the cache keeps before it starts over.
const CACHE_LIMIT: usize = 4096;

/// A decoded record with the stored bytes it came from.
struct Cached {
    raw: Vec<u8>,
    /// The function record itself (None for a version record).
    record: Option<Arc<FunctionRecord>>,
    /// For a function record, its `$LATEST` configuration; for a version, the version's.
    config: Arc<Value>,
    code_hex: String,
}

/// Decoded function and version records by store key.
#[derive(Default)]
pub struct Cache {
    entries: Mutex<HashMap<String, Arc<Cached>>>,
}

impl Cache {
    /// The decoded record stored under `key`, decoding only when its bytes changed.
    fn load(
        &self,
        store: &Store,
        key: String,
        decode: impl FnOnce(&[u8]) -> Result<(Option<FunctionRecord>, Value, String), AwsError>,
    ) -> Result<Option<Arc<Cached>>, AwsError> {
        let Some(raw) = store.get(&key)? else { return Ok(None) };
        let hit = self.entries.lock().ok().and_then(|m| m.get(&key).filter(|c| c.raw == raw).cloned());
        if let Some(c) = hit {
            return Ok(Some(c));
        }
        let (record, config, code_hex) = decode(&raw)?;
        let c = Arc::new(Cached { raw, record: record.map(Arc::new), config: Arc::new(config), code_hex });
        if let Ok(mut m) = self.entries.lock() {
            if m.len() >= CACHE_LIMIT {
                m.clear();
            }
            m.insert(key, c.clone());
        }
        Ok(Some(c))
    }
}

/// The function record and its `$LATEST` configuration through the cache,
/// or AWS's not-found error for `r`.
fn cached_function(
    s: &Shared,
    ctx: &RequestContext,
    r: &FnRef,
) -> Result<(Arc<FunctionRecord>, Arc<Cached>), AwsError> {
    let not_found = || errors::function_not_found(&names::qualified_arn(ctx, &r.name, r.qualifier.as_deref()));
    let c = s
        .records
        .load(&s.store, db::fn_key(ctx, &r.name), |raw| {
            let rec: FunctionRecord = db::decode(raw)?;
            let (config, hex) = (rec.config.clone(), rec.code_hex.clone());
            Ok((Some(rec), config, hex))
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
    let ver = s
        .records
        .load(&s.store, db::ver_key(ctx, &r.name, n), |raw| {
            let ver: VersionRecord = db::decode(raw)?;
            Ok((None, ver.config, ver.code_hex))
        })?
        .ok_or_else(not_found)?;
    Ok(Resolved { record, config: ver.config.clone(), code_hex: ver.code_hex.clone(), version: v })
}
