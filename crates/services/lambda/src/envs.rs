//! Starting an execution environment for one function version: unpacking
//! the code (once per content hash), choosing how the runtime starts, the
//! per-environment directory and `/tmp`, and the variables AWS sets
//! (the execution role's credentials come from `role_session`).

use crate::code;
use crate::db;
use crate::state::Shared;
use serde_json::Value;
use std::path::{Path, PathBuf};
use stratus_core::input::Input;
use stratus_core::{AwsError, RequestContext};
use stratus_runtime::bootstraps::{self, Launch};
use stratus_runtime::{EnvSpec, Environment};

/// Why an environment could not start, as the invocation reports it.
pub enum StartError {
    /// Stratus's own failure (store, disk).
    Internal(AwsError),
    /// The function cannot initialise (missing interpreter or bootstrap).
    Init { error_type: String, message: String },
}

/// `2024/05/01/[$LATEST]0123…` (AWS's stream name form).
pub fn stream_name(version: &str) -> String {
    let now = stratus_core::clock::now();
    format!("{:04}/{:02}/{:02}/[{version}]{}", now.year(), now.month() as u8, now.day(), uuid::Uuid::new_v4().simple())
}

/// Writes the shipped bootstraps under `dir` (at startup; blocking).
pub fn install_bootstraps(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, content) in bootstraps::FILES {
        std::fs::write(dir.join(name), content)?;
    }
    Ok(())
}

pub struct Started {
    pub env: Environment,
    /// A line for the function's log when the interpreter is not the exact version.
    pub warning: Option<String>,
}

/// Starts an environment for `config` (version `version`).
pub async fn start(
    s: &Shared,
    ctx: &RequestContext,
    config: &Value,
    code_hex: &str,
    version: &str,
    init_type: &str,
) -> Result<Started, StartError> {
    let (spec, warning) = spec(s, ctx, config, code_hex, version, init_type).await?;
    let env = Environment::start(spec).await.map_err(|e| StartError::Init {
        error_type: "Runtime.InvalidEntrypoint".into(),
        message: format!("RequestId: {{rid}} Error: fork/exec failed: {e}"),
    })?;
    Ok(Started { env, warning })
}

/// How to start an environment for `config`: the code unpacked, its own
/// directory created, the command and variables chosen; with the
/// interpreter warning, if any.
pub async fn spec(
    s: &Shared,
    ctx: &RequestContext,
    config: &Value,
    code_hex: &str,
    version: &str,
    init_type: &str,
) -> Result<(EnvSpec, Option<String>), StartError> {
    let name = config.str("FunctionName").unwrap_or("").to_string();
    let runtime = config.str("Runtime").unwrap_or("provided.al2023").to_string();
    // The first launch of a runtime may run its interpreter to find it.
    let named = runtime.clone();
    let launch = tokio::task::spawn_blocking(move || bootstraps::launch(&named))
        .await
        .map_err(|e| StartError::Internal(AwsError::internal(e.to_string())))?
        .map_err(|m| StartError::Init { error_type: "Runtime.InvalidEntrypoint".into(), message: m })?;
    let task_root = unpacked(s, code_hex).await.map_err(StartError::Internal)?;
    let opt = crate::layers::opt_dir(s, config).await?;
    // The execution role's session credentials (`role_session`).
    let role = config.str("Role").unwrap_or("");
    let credentials = crate::role_session::variables(s, ctx, &name, role).await.map_err(StartError::Internal)?;
    let env_dir = s.env_root().join(uuid::Uuid::new_v4().simple().to_string());
    let tmp = env_dir.join("tmp");
    let mk = tmp.clone();
    tokio::task::spawn_blocking(move || std::fs::create_dir_all(mk))
        .await
        .map_err(|e| StartError::Internal(AwsError::internal(e.to_string())))?
        .map_err(|e| StartError::Internal(AwsError::internal(format!("cannot create environment directory: {e}"))))?;
    let (argv, warning) = match &launch {
        Launch::Provided => {
            let b = std::iter::once(&task_root)
                .chain(opt.iter())
                .map(|d| d.join("bootstrap"))
                .find(|b| b.is_file())
                .unwrap_or_else(|| task_root.join("bootstrap"));
            if !b.is_file() {
                return Err(StartError::Init {
                    error_type: "Runtime.InvalidEntrypoint".into(),
                    message:
                        "RequestId: {rid} Error: Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"
                            .into(),
                });
            }
            (vec![b.to_string_lossy().to_string()], None)
        }
        Launch::Managed { interpreter, script, warning, .. } => {
            let mut argv = vec![interpreter.to_string_lossy().to_string()];
            if runtime.starts_with("python") {
                // No site hooks at start-up; the bootstrap adds site-packages itself.
                argv.push("-S".into());
            }
            argv.push(s.runtime_dir().join(script).to_string_lossy().to_string());
            (argv, warning.clone())
        }
    };
    let memory = config.i64("MemorySize").unwrap_or(128);
    let stream = stream_name(version);
    let group = config
        .get("LoggingConfig")
        .and_then(|l| l.str("LogGroup"))
        .map(str::to_string)
        .unwrap_or_else(|| format!("/aws/lambda/{name}"));
    let root = task_root.to_string_lossy().to_string();
    let mut vars: Vec<(String, String)> = vec![
        ("AWS_LAMBDA_FUNCTION_NAME".into(), name.clone()),
        ("AWS_LAMBDA_FUNCTION_VERSION".into(), version.to_string()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE".into(), memory.to_string()),
        ("AWS_LAMBDA_FUNCTION_TIMEOUT".into(), config.i64("Timeout").unwrap_or(3).to_string()),
        ("AWS_LAMBDA_LOG_GROUP_NAME".into(), group),
        ("AWS_LAMBDA_LOG_STREAM_NAME".into(), stream.clone()),
        ("AWS_LAMBDA_INITIALIZATION_TYPE".into(), init_type.to_string()),
        ("AWS_REGION".into(), ctx.region.clone()),
        ("AWS_DEFAULT_REGION".into(), ctx.region.clone()),
        ("AWS_ENDPOINT_URL".into(), s.settings.endpoint.clone()),
        ("_HANDLER".into(), config.str("Handler").unwrap_or("").to_string()),
        ("LAMBDA_TASK_ROOT".into(), root.clone()),
        ("LAMBDA_RUNTIME_DIR".into(), s.runtime_dir().to_string_lossy().to_string()),
        ("TZ".into(), ":UTC".into()),
        ("LANG".into(), "en_US.UTF-8".into()),
        ("TMPDIR".into(), tmp.to_string_lossy().to_string()),
        ("HOME".into(), tmp.to_string_lossy().to_string()),
        ("AWS_XRAY_CONTEXT_MISSING".into(), "LOG_ERROR".into()),
        ("AWS_XRAY_DAEMON_ADDRESS".into(), "127.0.0.1:2000".into()),
        ("AWS_LAMBDA_MAX_CONCURRENCY".into(), "1".into()),
    ];
    vars.extend(credentials);
    if let Launch::Managed { .. } = launch {
        vars.push(("AWS_EXECUTION_ENV".into(), format!("AWS_Lambda_{runtime}")));
    }
    vars.extend(search_paths(&runtime, &task_root, opt.as_deref()));
    if let Some(o) = &opt {
        vars.push(("STRATUS_LAMBDA_OPT".into(), o.to_string_lossy().to_string()));
    }
    if runtime.starts_with("python") {
        vars.push(("PYTHONUNBUFFERED".into(), "1".into()));
        vars.push(("PYTHONDONTWRITEBYTECODE".into(), "1".into()));
    }
    if let Some(user) = config.get("Environment").and_then(|e| e.get("Variables")).and_then(Value::as_object) {
        for (k, v) in user {
            vars.push((k.clone(), v.as_str().unwrap_or("").to_string()));
        }
    }
    let tmp_mb = config.get("EphemeralStorage").and_then(|e| e.i64("Size")).map(|mb| mb as u64);
    let spec = EnvSpec {
        argv,
        cwd: task_root,
        env: vars,
        memory_mb: memory as u64,
        owned_dir: Some(env_dir),
        tmp_mb,
        label: stream,
    };
    Ok((spec, warning))
}

/// PATH, LD_LIBRARY_PATH and the runtime's module path (PYTHONPATH,
/// NODE_PATH) as AWS sets them, with the task root and `opt` (the layers,
/// standing in for `/opt`) in their places.
fn search_paths(runtime: &str, root: &Path, opt: Option<&Path>) -> Vec<(String, String)> {
    let root = root.to_string_lossy().to_string();
    let in_opt = |sub: &str| opt.map(|o| o.join(sub).to_string_lossy().to_string());
    let join = |parts: Vec<Option<String>>| parts.into_iter().flatten().collect::<Vec<_>>().join(":");
    let host = std::env::var("PATH").unwrap_or_else(|_| "/usr/local/bin:/usr/bin:/bin".into());
    let mut vars = vec![
        ("PATH".to_string(), join(vec![Some(host), Some(root.clone()), Some(format!("{root}/bin")), in_opt("bin")])),
        ("LD_LIBRARY_PATH".to_string(), join(vec![Some(root.clone()), Some(format!("{root}/lib")), in_opt("lib")])),
    ];
    if let Some(minor) = runtime.strip_prefix("python") {
        let p = join(vec![in_opt(&format!("python/lib/python{minor}/site-packages")), in_opt("python")]);
        if !p.is_empty() {
            vars.push(("PYTHONPATH".to_string(), p));
        }
    }
    if let Some(major) = runtime.strip_prefix("nodejs").map(|v| v.trim_end_matches(".x")) {
        let p = join(vec![
            in_opt(&format!("nodejs/node{major}/node_modules")),
            in_opt("nodejs/node_modules"),
            Some(format!("{root}/node_modules")),
            Some(root.clone()),
        ]);
        vars.push(("NODE_PATH".to_string(), p));
    }
    vars
}

/// The unpacked code for `hex`, unpacking it from the store on first use.
async fn unpacked(s: &Shared, hex: &str) -> Result<PathBuf, AwsError> {
    let dir = s.code_dir().join(hex);
    if dir.is_dir() {
        return Ok(dir);
    }
    let zip =
        s.store.get(db::code_key(hex))?.ok_or_else(|| AwsError::internal("function code missing from the store"))?;
    let root = s.code_dir();
    let hex = hex.to_string();
    tokio::task::spawn_blocking(move || code::unpack(&root, &hex, &zip))
        .await
        .map_err(|e| AwsError::internal(e.to_string()))?
        .map_err(|e| AwsError::internal(format!("cannot unpack function code: {e}")))
}
