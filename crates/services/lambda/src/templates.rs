//! SnapStart templates of published versions: one fork server per Python
//! version with SnapStart on, prepared once (when the version is published,
//! or at its first invocation after a restart) and shared by every
//! invocation that needs a new environment. New environments of such a
//! version are forked from it ("restored"); when it is gone, the invocation
//! gets a cold start, the function's log says so, and a new template is
//! prepared in the background.

use crate::envs::{self, StartError, Started};
use crate::invoke;
use crate::resolve::Resolved;
use crate::runlog::{self, RunLog};
use crate::snapstart;
use crate::state::Shared;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use stratus_core::RequestContext;
use stratus_core::input::Input;
use stratus_runtime::{Environment, Template, TemplateState};
use tokio::sync::OnceCell;

/// SnapStart's Init phase may take this long (AWS: 130 s, or the timeout if longer).
const INIT_LIMIT: Duration = Duration::from_secs(130);

/// Variables AWS leaves out of SnapStart environments.
const NOT_IN_SNAPSTART: &[&str] = &["AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME"];

/// A version's template, once its preparation ended.
pub enum Prepared {
    Ready(Arc<Template>),
    /// The Init phase failed.
    Failed {
        error_type: String,
        message: String,
    },
    /// No template for this version (not Python, or Stratus could not start one).
    Unavailable(String),
}

type Slot = Arc<OnceCell<Arc<Prepared>>>;

/// Templates by the version's pool key.
#[derive(Default)]
pub struct Templates {
    slots: Mutex<HashMap<String, Slot>>,
}

impl Templates {
    fn slot(&self, key: &str) -> Option<Slot> {
        let mut slots = self.slots.lock().ok()?;
        Some(slots.entry(key.to_string()).or_default().clone())
    }

    /// Drops `key`'s template if it is ready but no longer alive (a new
    /// one being prepared stays).
    fn forget_dead(&self, key: &str) {
        if let Ok(mut slots) = self.slots.lock()
            && let Some(slot) = slots.get(key)
            && let Some(p) = slot.get()
            && let Prepared::Ready(t) = &**p
            && !t.alive()
        {
            slots.remove(key);
        }
    }

    /// Ends the templates whose key starts with `prefix` (all with "").
    pub fn drain(&self, prefix: &str) {
        let gone: Vec<Slot> = match self.slots.lock() {
            Ok(mut slots) => {
                let keys: Vec<String> = slots.keys().filter(|k| k.starts_with(prefix)).cloned().collect();
                keys.into_iter().filter_map(|k| slots.remove(&k)).collect()
            }
            Err(_) => Vec::new(),
        };
        drop(gone);
    }

    /// The keys of every template slot.
    pub fn keys(&self) -> Vec<String> {
        self.slots.lock().map(|s| s.keys().cloned().collect()).unwrap_or_default()
    }
}

/// The template of `res`, preparing it first if needed (concurrent callers
/// share one preparation).
pub async fn prepared(s: &Arc<Shared>, ctx: &RequestContext, res: &Resolved) -> Arc<Prepared> {
    let key = invoke::pool_key(ctx, res);
    let Some(slot) = s.snapstart.templates.slot(&key) else {
        return Arc::new(Prepared::Unavailable("template registry unavailable".into()));
    };
    slot.get_or_init(|| prepare(s, ctx, res)).await.clone()
}

async fn prepare(s: &Arc<Shared>, ctx: &RequestContext, res: &Resolved) -> Arc<Prepared> {
    let runtime = res.config.str("Runtime").unwrap_or("");
    if !runtime.starts_with("python") {
        return Arc::new(Prepared::Unavailable(format!("Stratus keeps no snapshot of {runtime} functions")));
    }
    let mut spec = match envs::spec(s, ctx, &res.config, &res.code_hex, &res.version, "snap-start").await {
        Ok((spec, _)) => spec,
        Err(StartError::Init { error_type, message }) => return Arc::new(Prepared::Failed { error_type, message }),
        Err(StartError::Internal(e)) => return Arc::new(Prepared::Unavailable(e.message)),
    };
    spec.env.retain(|(k, _)| !NOT_IN_SNAPSTART.contains(&k.as_str()));
    let stream = std::mem::take(&mut spec.label);
    let template = match Template::start(spec).await {
        Ok(t) => t,
        Err(e) => return Arc::new(Prepared::Unavailable(format!("cannot start the fork server: {e}"))),
    };
    let state = template.ready(INIT_LIMIT).await;
    let mut events = template.take_logs();
    let prepared = match state {
        TemplateState::Ready { init } => {
            events.push((
                stratus_core::clock::now_millis(),
                format!("INIT_REPORT Init Duration: {:.2} ms", init.as_secs_f64() * 1000.0),
            ));
            Prepared::Ready(Arc::new(template))
        }
        TemplateState::Failed { body, error_type } => {
            let error_type = error_type.unwrap_or_else(|| "Runtime.Unknown".into());
            let message = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.str("errorMessage").map(str::to_string))
                .unwrap_or_else(|| String::from_utf8_lossy(&body).to_string());
            Prepared::Failed { error_type, message }
        }
        TemplateState::Starting => Prepared::Failed {
            error_type: "Sandbox.Timedout".into(),
            message: format!("Init timed out after {} seconds", INIT_LIMIT.as_secs()),
        },
        TemplateState::Gone => Prepared::Failed {
            error_type: "Runtime.ExitError".into(),
            message: "Runtime exited during the Init phase".into(),
        },
    };
    let events = events.into_iter().map(|(t, l)| (t, format!("{l}\n"))).collect();
    runlog::ship_detached(s, ctx, &res.config, &stream, events, true);
    Arc::new(prepared)
}

/// Starts a new environment for `res`: forked from its template when
/// SnapStart is on and the template is ready, otherwise a cold start.
pub async fn start_env(
    s: &Arc<Shared>,
    ctx: &RequestContext,
    res: &Resolved,
    log: &mut RunLog,
) -> Result<Started, StartError> {
    if !snapstart::is_on(&res.config) {
        return envs::start(s, ctx, &res.config, &res.code_hex, &res.version, "on-demand").await;
    }
    if res.config.str("Runtime").unwrap_or("").starts_with("python") {
        let key = invoke::pool_key(ctx, res);
        let note = match &*prepared(s, ctx, res).await {
            Prepared::Ready(t) if t.alive() => match restore(s, ctx, res, t).await {
                Ok(st) => return Ok(st),
                Err(e) => {
                    Some(format!("Stratus: cannot restore from the SnapStart snapshot ({e}); cold start instead"))
                }
            },
            Prepared::Ready(_) => {
                s.snapstart.templates.forget_dead(&key);
                let (s2, ctx2, res2) = (s.clone(), ctx.clone(), res.clone());
                tokio::spawn(async move {
                    prepared(&s2, &ctx2, &res2).await;
                });
                Some("Stratus: the SnapStart fork server of this version is gone; cold start instead".to_string())
            }
            Prepared::Unavailable(why) => Some(format!("Stratus: no SnapStart snapshot ({why}); cold start instead")),
            // The cold start reports the init error itself.
            Prepared::Failed { .. } => None,
        };
        if let Some(note) = note {
            tracing::warn!("{} version {}: {note}", res.config.str("FunctionName").unwrap_or(""), res.version);
            log.init_line(note);
        }
    }
    envs::start(s, ctx, &res.config, &res.code_hex, &res.version, "snap-start").await
}

async fn restore(s: &Shared, ctx: &RequestContext, res: &Resolved, t: &Template) -> Result<Started, String> {
    let (mut spec, warning) =
        envs::spec(s, ctx, &res.config, &res.code_hex, &res.version, "snap-start").await.map_err(|e| match e {
            StartError::Internal(e) => e.message,
            StartError::Init { message, .. } => message,
        })?;
    spec.env.retain(|(k, _)| !NOT_IN_SNAPSTART.contains(&k.as_str()));
    let env = Environment::restore(t, spec).await.map_err(|e| e.to_string())?;
    Ok(Started { env, warning })
}
