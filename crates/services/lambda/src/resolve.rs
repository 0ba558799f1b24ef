//! Finding the configuration a (possibly qualified) function name refers
//! to: `$LATEST`, a published version, or an alias (with its routing).

use crate::db::{self, FunctionRecord};
use crate::errors;
use crate::names::{self, FnRef};
use serde_json::Value;
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};
use stratus_store::Store;

#[derive(Clone)]
pub struct Resolved {
    pub record: FunctionRecord,
    /// The configuration of the version that runs.
    pub config: Value,
    pub code_hex: String,
    /// `$LATEST` or the version number.
    pub version: String,
}

/// The function record, or AWS's not-found error for `r`.
pub fn function(store: &Store, ctx: &RequestContext, r: &FnRef) -> Result<FunctionRecord, AwsError> {
    db::get_function(store, ctx, &r.name)?
        .ok_or_else(|| errors::function_not_found(&names::qualified_arn(ctx, &r.name, r.qualifier.as_deref())))
}

/// Resolves `r` to one version; aliases follow weighted routing when `route` is set.
pub fn version(store: &Store, ctx: &RequestContext, r: &FnRef, route: bool) -> Result<Resolved, AwsError> {
    let record = function(store, ctx, r)?;
    let not_found = || errors::function_not_found(&names::qualified_arn(ctx, &r.name, r.qualifier.as_deref()));
    let q = match r.qualifier.as_deref() {
        None | Some("$LATEST") => {
            return Ok(Resolved {
                config: record.config.clone(),
                code_hex: record.code_hex.clone(),
                version: "$LATEST".into(),
                record,
            });
        }
        Some(q) => q.to_string(),
    };
    let v = if names::is_version(&q) {
        q
    } else {
        let alias = db::get_alias(store, ctx, &r.name, &q)?.ok_or_else(not_found)?;
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
        return Ok(Resolved { config: record.config.clone(), code_hex: record.code_hex.clone(), version: v, record });
    }
    let n: u64 = v.parse().map_err(|_| not_found())?;
    let ver = db::get_version(store, ctx, &r.name, n)?.ok_or_else(not_found)?;
    Ok(Resolved { config: ver.config, code_hex: ver.code_hex, version: v, record })
}
