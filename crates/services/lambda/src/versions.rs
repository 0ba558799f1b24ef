//! PublishVersion and ListVersionsByFunction: published versions are
//! immutable snapshots of $LATEST numbered from 1 (with SnapStart, Pending
//! until their snapshot is ready: `snapstart`).

use crate::db::{self, FunctionRecord, VersionRecord};
use crate::errors;
use crate::names;
use crate::state::Shared;
use serde_json::{Value, json};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};

/// The next version of `rec`'s $LATEST, and the record that counts it.
pub fn new_version(
    ctx: &RequestContext,
    rec: &FunctionRecord,
    description: Option<&str>,
) -> (FunctionRecord, VersionRecord) {
    let mut rec = rec.clone();
    rec.last_version += 1;
    let n = rec.last_version;
    let mut c = rec.config.clone();
    let name = c.str("FunctionName").unwrap_or("").to_string();
    c["Version"] = n.to_string().into();
    c["FunctionArn"] = format!("{}:{n}", names::function_arn(ctx, &name)).into();
    if let Some(d) = description {
        c["Description"] = d.into();
    }
    c["RevisionId"] = uuid::Uuid::new_v4().to_string().into();
    crate::snapstart::mark_published(&mut c);
    (rec.clone(), VersionRecord { config: c, code_hex: rec.code_hex.clone() })
}

pub async fn publish(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, None)?;
    let key = db::fn_key(ctx, &r.name);
    let arn = names::function_arn(ctx, &r.name);
    let name = r.name.clone();
    let caller = ctx.clone();
    let (input, ctx) = (input.clone(), ctx.clone());
    let config = s.store
        .transact(move |txn| {
            let rec: FunctionRecord = match txn.get(&key)? {
                Some(b) => db::decode(&b)?,
                None => return Err(errors::function_not_found(&arn)),
            };
            if let Some(sha) = input.str("CodeSha256")
                && rec.config.str("CodeSha256") != Some(sha)
            {
                return Err(errors::invalid(format!(
                    "CodeSHA256 ({sha}) is different from current CodeSHA256 in $LATEST ({}). Please try again with the CodeSHA256 in $LATEST.",
                    rec.config.str("CodeSha256").unwrap_or("")
                )));
            }
            if let Some(rev) = input.str("RevisionId")
                && rec.config.str("RevisionId") != Some(rev)
            {
                return Err(errors::precondition("GetFunction"));
            }
            // Nothing changed since the last version: AWS returns that version.
            if rec.last_version > 0
                && let Some(b) = txn.get(db::ver_key(&ctx, &name, rec.last_version))?
            {
                let last: VersionRecord = db::decode(&b)?;
                if same_content(&last.config, &rec.config) {
                    return Ok(last.config);
                }
            }
            let (rec2, ver) = new_version(&ctx, &rec, input.str("Description"));
            txn.put(db::ver_key(&ctx, &name, rec2.last_version), db::encode(&ver));
            txn.put(key.clone(), db::encode(&rec2));
            Ok(ver.config)
        })
        .await?;
    s.snapstart.published(&caller, &config);
    Ok(config)
}

fn same_content(version: &Value, latest: &Value) -> bool {
    let strip = |c: &Value| {
        let mut c = c.clone();
        if let Some(o) = c.as_object_mut() {
            for k in ["Version", "FunctionArn", "RevisionId", "LastModified", "State", "LastUpdateStatus"] {
                o.remove(k);
            }
            for k in ["StateReason", "StateReasonCode"] {
                o.remove(k);
            }
            // On published versions SnapStart reads On; $LATEST keeps Off.
            if let Some(ss) = o.get_mut("SnapStart").and_then(Value::as_object_mut) {
                ss.remove("OptimizationStatus");
            }
        }
        c
    };
    strip(version) == strip(latest)
}

pub fn list(s: &Shared, ctx: &RequestContext, input: &Value) -> Result<Value, AwsError> {
    let r = names::parse(ctx, input.req_str("FunctionName")?, None)?;
    let rec = db::get_function(&s.store, ctx, &r.name)?
        .ok_or_else(|| errors::function_not_found(&names::function_arn(ctx, &r.name)))?;
    let mut versions = vec![rec.config];
    for (_, v) in s.store.scan_prefix(db::ver_prefix(ctx, &r.name), false, None)? {
        let ver: VersionRecord = db::decode(&v)?;
        versions.push(ver.config);
    }
    let max = input.i64("MaxItems").unwrap_or(50).clamp(1, 50) as usize;
    let start: usize = input.str("Marker").and_then(|m| m.parse().ok()).unwrap_or(0);
    let page: Vec<Value> = versions.iter().skip(start).take(max).cloned().collect();
    let mut out = json!({ "Versions": page });
    if start + max < versions.len() {
        out["NextMarker"] = (start + max).to_string().into();
    }
    Ok(out)
}
