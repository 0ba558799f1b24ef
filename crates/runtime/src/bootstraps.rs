//! The managed runtimes Stratus ships inside the binary (small Python and
//! Node.js bootstraps that speak the Runtime API, and the Python SnapStart
//! fork server with its hooks module) and finding the machine's
//! interpreter for a runtime name: the exact version when installed,
//! otherwise the nearest one, with a warning for the function's log.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// The Python bootstrap (`python3.x` runtimes).
pub const PYTHON: &str = include_str!("../bootstrap/python/bootstrap.py");
/// The SnapStart fork server the Python bootstrap runs as in a template.
pub const PYTHON_FORK_SERVER: &str = include_str!("../bootstrap/python/_stratus_forkserver.py");
/// AWS's runtime-hooks module for SnapStart (`snapshot_restore_py`).
pub const PYTHON_SNAPSHOT_HOOKS: &str = include_str!("../bootstrap/python/snapshot_restore_py.py");
/// The Node.js bootstrap (`nodejs*` runtimes), an ES module.
pub const NODE: &str = include_str!("../bootstrap/nodejs/bootstrap.mjs");

/// How a runtime starts.
#[derive(Debug, Clone, PartialEq)]
pub enum Launch {
    /// `provided.*`: the package's own `bootstrap` executable.
    Provided,
    /// A shipped bootstrap run by an interpreter.
    Managed {
        interpreter: PathBuf,
        /// File name the bootstrap is written to.
        script: &'static str,
        source: &'static str,
        /// Set when the exact version is not installed.
        warning: Option<String>,
    },
}

/// The files a runtime directory holds: name and content.
pub const FILES: &[(&str, &str)] = &[
    ("bootstrap.py", PYTHON),
    ("_stratus_forkserver.py", PYTHON_FORK_SERVER),
    ("snapshot_restore_py.py", PYTHON_SNAPSHOT_HOOKS),
    ("bootstrap.mjs", NODE),
];

/// How to start `runtime`, or AWS-style text saying why it cannot start.
pub fn launch(runtime: &str) -> Result<Launch, String> {
    if runtime.starts_with("provided") {
        return Ok(Launch::Provided);
    }
    if let Some(version) = runtime.strip_prefix("python") {
        let exact = format!("python{version}");
        if let Some(p) = real_interpreter(&exact) {
            return Ok(Launch::Managed { interpreter: p, script: "bootstrap.py", source: PYTHON, warning: None });
        }
        let p = real_interpreter("python3").ok_or_else(|| missing(runtime, "python3"))?;
        return Ok(Launch::Managed {
            interpreter: p,
            script: "bootstrap.py",
            source: PYTHON,
            warning: Some(format!("Stratus: {exact} is not installed; running with python3 instead")),
        });
    }
    if let Some(v) = runtime.strip_prefix("nodejs") {
        let major = v.trim_end_matches(".x");
        let p = real_interpreter("node").ok_or_else(|| missing(runtime, "node"))?;
        let installed = node_major(&p);
        let warning = match installed {
            Some(m) if m == major => None,
            Some(m) => Some(format!("Stratus: Node.js {major} is not installed; running with Node.js {m} instead")),
            None => None,
        };
        return Ok(Launch::Managed { interpreter: p, script: "bootstrap.mjs", source: NODE, warning });
    }
    Err(format!("Runtime {runtime} is not supported by Stratus"))
}

fn missing(runtime: &str, exe: &str) -> String {
    format!("Runtime {runtime} needs '{exe}' on the PATH of the Stratus server, and it was not found")
}

/// The first executable called `name` on PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(name)).find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0).unwrap_or(false)
}

/// Resolves `runtime`'s interpreter ahead of its first environment, on a
/// blocking thread, so that a function's first invocation does not pay for
/// it (a version manager's shim takes ~100 ms to answer). Called when a
/// function is created or its runtime changes.
pub fn prepare(runtime: &str) {
    if runtime.starts_with("provided") || tokio::runtime::Handle::try_current().is_err() {
        return;
    }
    let runtime = runtime.to_string();
    drop(tokio::task::spawn_blocking(move || launch(&runtime)));
}

/// The interpreter's own executable for `name` on PATH, found by running it
/// once (so version-manager shims that cannot run it are skipped, and their
/// start-up cost is not paid by every environment). Cached; blocking on first
/// use. The cache stays locked while a probe runs, so callers that arrive
/// meanwhile wait for its answer instead of probing again.
pub fn real_interpreter(name: &str) -> Option<PathBuf> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<PathBuf>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(hit) = cache.get(name) {
        return hit.clone();
    }
    let found = which(name).and_then(|p| {
        let probe: &[&str] = if name == "node" {
            &["-e", "process.stdout.write(process.execPath)"]
        } else {
            &["-S", "-c", "import sys; sys.stdout.write(sys.executable)"]
        };
        let out = std::process::Command::new(&p).args(probe).output().ok()?;
        let exe = String::from_utf8(out.stdout).ok()?;
        (out.status.success() && !exe.is_empty()).then(|| PathBuf::from(exe))
    });
    cache.insert(name.to_string(), found.clone());
    found
}

fn node_major(node: &Path) -> Option<String> {
    static MAJOR: OnceLock<Option<String>> = OnceLock::new();
    MAJOR
        .get_or_init(|| {
            let out = std::process::Command::new(node).arg("--version").output().ok()?;
            let v = String::from_utf8_lossy(&out.stdout);
            v.trim().trim_start_matches('v').split('.').next().map(str::to_string)
        })
        .clone()
}
