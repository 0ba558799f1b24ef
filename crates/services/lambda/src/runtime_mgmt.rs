//! PutRuntimeManagementConfig, GetRuntimeManagementConfig: when a version
//! of a function moves to a new runtime version (`Auto`, the default;
//! `FunctionUpdate`; or `Manual`, pinned to `RuntimeVersionArn`). Stored per
//! qualifier at `lambda/{acct}/{region}/rtm/{name}/{qualifier}` and removed
//! with the version. Stratus runs one build of each runtime, so the setting
//! is recorded and returned as AWS does but selects nothing.

use crate::db;
use crate::errors;
use crate::names::{self, FnRef};
use crate::resolve;
use crate::state::Shared;
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

fn key(ctx: &RequestContext, r: &FnRef) -> String {
    format!("{}rtm/{}/{}", db::prefix(ctx), r.name, r.qualifier.as_deref().unwrap_or("$LATEST"))
}

/// The function version the request names: `$LATEST` or a published version
/// that exists; aliases are refused as AWS refuses them.
fn target(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<FnRef, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, input.str("Qualifier"))?;
    if let Some(q) = r.qualifier.as_deref()
        && q != "$LATEST"
        && !names::is_version(q)
    {
        return Err(errors::invalid(format!(
            "The provided function name {} is invalid. Aliases are not allowed.",
            names::qualified_arn(ctx, &r.name, Some(q))
        )));
    }
    resolve::version(s, ctx, &r, false)?;
    Ok(r)
}

/// Checks `RuntimeVersionArn` against the mode: required by `Manual`, refused
/// otherwise, and naming a runtime of this region.
pub(crate) fn check(ctx: &RequestContext, mode: &str, arn: Option<&str>) -> Result<(), AwsError> {
    match (mode, arn) {
        ("Manual", None) => Err(errors::invalid("RuntimeVersionArn must be specified when UpdateRuntimeOn is Manual.")),
        ("Manual", Some(a)) => {
            let p: Vec<&str> = a.split(':').collect();
            match p.as_slice() {
                ["arn", _, "lambda", region, "", "runtime", hash]
                    if *region == ctx.region && hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) =>
                {
                    Ok(())
                }
                _ => Err(errors::invalid(format!("The runtime version {a} is not valid in this region."))),
            }
        }
        (_, Some(_)) => Err(errors::invalid("RuntimeVersionArn can only be specified when UpdateRuntimeOn is Manual.")),
        (_, None) => Ok(()),
    }
}

pub async fn put(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = target(s, ctx, input)?;
    let mode = input.req_str("UpdateRuntimeOn")?;
    let arn = input.str("RuntimeVersionArn");
    check(ctx, mode, arn)?;
    let mut out = json!({
        "UpdateRuntimeOn": mode,
        "FunctionArn": names::qualified_arn(ctx, &r.name, r.qualifier.as_deref()),
    });
    if let Some(a) = arn {
        out["RuntimeVersionArn"] = a.into();
    }
    s.store.put(key(ctx, &r), db::encode(&out)).await?;
    Ok(out)
}

pub fn get(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = target(s, ctx, input)?;
    match s.store.get(key(ctx, &r))? {
        Some(b) => db::decode(&b),
        None => Ok(json!({
            "UpdateRuntimeOn": "Auto",
            "FunctionArn": names::qualified_arn(ctx, &r.name, r.qualifier.as_deref()),
        })),
    }
}
