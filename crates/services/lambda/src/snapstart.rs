//! SnapStart configuration and the life of published versions with it:
//! which runtimes accept `SnapStart.ApplyOn: PublishedVersions` (AWS's
//! message for the others), `OptimizationStatus` On on published versions
//! (Off on $LATEST), and the worker that prepares each new version's
//! snapshot (its template, `templates`) while the version is Pending, then
//! marks it Active, or Failed when its Init phase fails (versions a stopped
//! server left Pending are taken up again at start).

use crate::db::{self, VersionRecord};
use crate::errors;
use crate::names::FnRef;
use crate::resolve;
use crate::state::Shared;
use crate::templates::{self, Prepared, Templates};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};
use tokio::sync::mpsc;

/// Runtimes Lambda offers SnapStart for.
const RUNTIMES: &[&str] =
    &["java11", "java17", "java21", "java25", "python3.12", "python3.13", "python3.14", "dotnet8", "dotnet10"];

/// A published version whose snapshot is to be prepared.
struct Request {
    ctx: RequestContext,
    name: String,
    version: String,
}

/// The snapshot queue and the templates.
pub struct Snapshots {
    tx: mpsc::UnboundedSender<Request>,
    rx: Mutex<Option<mpsc::UnboundedReceiver<Request>>>,
    pub templates: Templates,
}

impl Default for Snapshots {
    fn default() -> Snapshots {
        let (tx, rx) = mpsc::unbounded_channel();
        Snapshots { tx, rx: Mutex::new(Some(rx)), templates: Templates::default() }
    }
}

impl Snapshots {
    /// Queues the snapshot of a just-published version (`config`), if it is pending one.
    pub fn published(&self, ctx: &RequestContext, config: &Value) {
        if !is_on(config) || config.str("State") != Some("Pending") {
            return;
        }
        let _ = self.tx.send(Request {
            ctx: ctx.clone(),
            name: config.str("FunctionName").unwrap_or("").to_string(),
            version: config.str("Version").unwrap_or("").to_string(),
        });
    }
}

/// Checks a configuration's SnapStart against its runtime.
pub fn check(config: &Value) -> Result<(), AwsError> {
    if !applies(config) {
        return Ok(());
    }
    let runtime = config.str("Runtime").unwrap_or("");
    if !RUNTIMES.contains(&runtime) {
        return Err(errors::invalid(format!("{runtime} is not supported for SnapStart enabled functions.")));
    }
    Ok(())
}

/// Whether the configuration asks for SnapStart on published versions.
pub fn applies(config: &Value) -> bool {
    config.get("SnapStart").and_then(|s| s.str("ApplyOn")) == Some("PublishedVersions")
}

/// Whether this (published) configuration runs with SnapStart.
pub fn is_on(config: &Value) -> bool {
    config.get("SnapStart").and_then(|s| s.str("OptimizationStatus")) == Some("On")
}

/// Marks a version being published: SnapStart On and Pending while its
/// snapshot is prepared.
pub fn mark_published(config: &mut Value) {
    if !applies(config) {
        return;
    }
    config["SnapStart"]["OptimizationStatus"] = "On".into();
    config["State"] = "Pending".into();
    config["StateReason"] = "The function is being created.".into();
    config["StateReasonCode"] = "Creating".into();
}

/// Prepares queued snapshots, and ends templates whose version is gone.
pub async fn worker(s: Arc<Shared>) {
    let Some(mut rx) = s.snapstart.rx.lock().ok().and_then(|mut r| r.take()) else { return };
    for r in interrupted(&s) {
        tokio::spawn(settle(s.clone(), r));
    }
    let mut tick = tokio::time::interval(Duration::from_secs(15));
    loop {
        tokio::select! {
            req = rx.recv() => match req {
                Some(r) => {
                    tokio::spawn(settle(s.clone(), r));
                }
                None => return,
            },
            _ = tick.tick() => reap(&s),
        }
    }
}

/// Versions left Pending by a previous run (stopped while preparing).
fn interrupted(s: &Shared) -> Vec<Request> {
    let Ok(all) = s.store.scan_prefix("lambda/", false, None) else { return Vec::new() };
    let mut out = Vec::new();
    for (k, v) in all {
        let k = String::from_utf8_lossy(&k).to_string();
        let parts: Vec<&str> = k.split('/').collect();
        let ["lambda", account, region, "ver", name, _] = parts.as_slice() else { continue };
        let Ok(ver) = db::decode::<VersionRecord>(&v) else { continue };
        if !is_on(&ver.config) || ver.config.str("State") != Some("Pending") {
            continue;
        }
        let mut ctx = RequestContext::internal("lambda", "PublishVersion");
        ctx.account_id = account.to_string();
        ctx.region = region.to_string();
        let version = ver.config.str("Version").unwrap_or("").to_string();
        out.push(Request { ctx, name: name.to_string(), version });
    }
    out
}

/// Prepares one version's template and records the outcome in its State.
async fn settle(s: Arc<Shared>, r: Request) {
    let fn_ref = FnRef { name: r.name.clone(), qualifier: Some(r.version.clone()) };
    let Ok(res) = resolve::version(&s, &r.ctx, &fn_ref, false) else { return };
    let outcome = templates::prepared(&s, &r.ctx, &res).await;
    let failure = match &*outcome {
        Prepared::Failed { error_type, message } => Some(format!("{error_type}: {message}")),
        Prepared::Ready(_) | Prepared::Unavailable(_) => None,
    };
    let Ok(n) = r.version.parse::<u64>() else { return };
    let key = db::ver_key(&r.ctx, &r.name, n);
    let _ = s
        .store
        .transact(move |txn| {
            let Some(b) = txn.get(&key)? else { return Ok::<_, AwsError>(()) };
            let mut ver: VersionRecord = db::decode(&b)?;
            settle_state(&mut ver.config, failure.as_deref());
            txn.put(key.clone(), db::encode(&ver));
            Ok(())
        })
        .await;
}

/// Active, or Failed with the init failure as the reason.
fn settle_state(config: &mut Value, failure: Option<&str>) {
    let Some(o) = config.as_object_mut() else { return };
    match failure {
        None => {
            o.insert("State".into(), "Active".into());
            o.remove("StateReason");
            o.remove("StateReasonCode");
        }
        Some(reason) => {
            o.insert("State".into(), "Failed".into());
            o.insert("StateReason".into(), reason.into());
            o.insert("StateReasonCode".into(), "FunctionError".into());
        }
    }
}

/// Ends the templates of deleted versions (the key is the pool key:
/// `account/region/name/version/…`).
fn reap(s: &Shared) {
    for key in s.snapstart.templates.keys() {
        let parts: Vec<&str> = key.splitn(5, '/').collect();
        let [account, region, name, version, _] = parts.as_slice() else { continue };
        let Ok(n) = version.parse::<u64>() else { continue };
        let mut ctx = RequestContext::internal("lambda", "PublishVersion");
        ctx.account_id = account.to_string();
        ctx.region = region.to_string();
        if matches!(db::get_version(&s.store, &ctx, name, n), Ok(None)) {
            s.snapstart.templates.drain(&format!("{account}/{region}/{name}/{version}/"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn runtimes_snapstart_accepts() {
        let cfg = |rt: &str, on: &str| json!({ "Runtime": rt, "SnapStart": { "ApplyOn": on } });
        assert!(check(&cfg("python3.12", "PublishedVersions")).is_ok());
        assert!(check(&cfg("java21", "PublishedVersions")).is_ok());
        assert!(check(&cfg("nodejs22.x", "None")).is_ok());
        let e = check(&cfg("nodejs22.x", "PublishedVersions")).expect_err("node");
        assert_eq!(e.code, "InvalidParameterValueException");
        assert_eq!(e.message, "nodejs22.x is not supported for SnapStart enabled functions.");
        assert!(check(&cfg("python3.11", "PublishedVersions")).is_err());
    }

    #[test]
    fn published_versions_go_pending_then_active_or_failed() {
        let mut c =
            json!({ "SnapStart": { "ApplyOn": "PublishedVersions", "OptimizationStatus": "Off" }, "State": "Active" });
        mark_published(&mut c);
        assert!(is_on(&c));
        assert_eq!(c["State"], "Pending");
        assert_eq!(c["StateReasonCode"], "Creating");
        let mut failed = c.clone();
        settle_state(&mut c, None);
        assert_eq!(c["State"], "Active");
        assert!(c.get("StateReason").is_none() && c.get("StateReasonCode").is_none());
        settle_state(&mut failed, Some("Runtime.ImportModuleError: nope"));
        assert_eq!(failed["State"], "Failed");
        assert_eq!(failed["StateReasonCode"], "FunctionError");

        let mut off = json!({ "SnapStart": { "ApplyOn": "None", "OptimizationStatus": "Off" }, "State": "Active" });
        mark_published(&mut off);
        assert!(!is_on(&off));
        assert_eq!(off["State"], "Active");
    }
}
