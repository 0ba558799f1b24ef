//! A SnapStart template: one long-lived runtime process per function
//! version that has run the Init phase once and forks ready execution
//! environments on request (a "fork server", Stratus's stand-in for a
//! microVM snapshot). Stratus binds a Unix socket and hands it to the
//! process as its standard input; the first connection is the watch, which
//! reports readiness and then the exit status of every forked child; each
//! later connection asks for one child, which answers with its pid and then
//! writes its output on that same connection. The Python side lives in
//! `bootstrap/python/_stratus_forkserver.py`.

use crate::environment::EnvSpec;
use crate::process::{self, LogBuffer};
use bytes::Bytes;
use std::collections::HashMap;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;
use tokio::process::Child;
use tokio::sync::watch;

/// Longest path a Unix socket address holds comfortably (108 with the NUL).
const MAX_SOCKET_PATH: usize = 100;

/// How long a fork may take before the request is given up.
const FORK_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a template is in its life.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplateState {
    /// Running the Init phase.
    Starting,
    /// Initialised and serving forks; `init` is spawn → ready.
    Ready { init: Duration },
    /// The Init phase failed (an init error or a before-snapshot hook).
    Failed { body: Bytes, error_type: Option<String> },
    /// The process is gone.
    Gone,
}

/// Exit texts by child pid, and those reported before anyone asked.
#[derive(Default)]
struct Exits {
    waiting: HashMap<u32, watch::Sender<Option<String>>>,
    early: HashMap<u32, String>,
}

/// A running template process.
pub struct Template {
    pid: u32,
    socket: PathBuf,
    /// The 0700 directory holding the socket.
    socket_dir: PathBuf,
    state: watch::Receiver<TemplateState>,
    exits: Arc<Mutex<Exits>>,
    logs: LogBuffer,
    spec: EnvSpec,
    _child: Child,
    task: tokio::task::JoinHandle<()>,
}

/// A freshly forked environment process.
pub struct Forked {
    pub pid: u32,
    /// The child's stdout and stderr (after its pid line).
    pub output: BufReader<UnixStream>,
    /// Set to the exit text when the child ends.
    pub exit: watch::Receiver<Option<String>>,
    /// When the child reported in (its own share of the restore starts here).
    pub at: Instant,
}

impl Template {
    /// Starts the template process for `spec` (a Python bootstrap); it
    /// initialises in the background, `ready` waits for it.
    pub async fn start(mut spec: EnvSpec) -> std::io::Result<Template> {
        let socket_dir = socket_dir(&spec);
        let socket = socket_dir.join("fork.sock");
        let listener = {
            let dir = socket_dir.clone();
            let path = socket.clone();
            tokio::task::spawn_blocking(move || bind(&dir, &path)).await.map_err(std::io::Error::other)??
        };
        spec.env.retain(|(k, _)| k != "AWS_LAMBDA_RUNTIME_API");
        spec.env.push(("_STRATUS_FORK_SERVER".into(), "1".into()));
        let logs: LogBuffer = Arc::new(Mutex::new(Vec::new()));
        let started = Instant::now();
        let (child, _) = process::spawn(&spec.argv, &spec.cwd, &spec.env, OwnedFd::from(listener).into(), &logs)?;
        let pid = child.id().unwrap_or(0);
        let watch_conn = UnixStream::connect(&socket).await?;
        let (state_tx, state) = watch::channel(TemplateState::Starting);
        let exits = Arc::new(Mutex::new(Exits::default()));
        let task = tokio::spawn(follow(watch_conn, state_tx, exits.clone(), started));
        Ok(Template { pid, socket, socket_dir, state, exits, logs, spec, _child: child, task })
    }

    /// The template's process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Where the template is now.
    pub fn state(&self) -> TemplateState {
        self.state.borrow().clone()
    }

    /// Whether it can fork environments.
    pub fn alive(&self) -> bool {
        matches!(*self.state.borrow(), TemplateState::Ready { .. })
    }

    /// Waits up to `limit` for the Init phase to end; returns the state then
    /// (`Starting` if it took too long).
    pub async fn ready(&self, limit: Duration) -> TemplateState {
        let mut rx = self.state.clone();
        let done = tokio::time::timeout(limit, rx.wait_for(|s| *s != TemplateState::Starting)).await;
        match done {
            Ok(Ok(s)) => s.clone(),
            Ok(Err(_)) => TemplateState::Gone,
            Err(_) => TemplateState::Starting,
        }
    }

    /// Takes what the Init phase wrote (epoch ms, line).
    pub fn take_logs(&self) -> Vec<(i64, String)> {
        self.logs.lock().map(|mut l| std::mem::take(&mut *l)).unwrap_or_default()
    }

    /// Forks one environment with exactly `env` as its variables, in `cwd`.
    pub async fn fork(&self, env: &[(String, String)], cwd: &Path) -> std::io::Result<Forked> {
        if !self.alive() {
            return Err(std::io::Error::new(std::io::ErrorKind::NotConnected, "the fork server is not running"));
        }
        let request = fork_request(env, cwd);
        let exchange = async {
            let mut conn = UnixStream::connect(&self.socket).await?;
            conn.write_all(request.as_bytes()).await?;
            let mut output = BufReader::new(conn);
            let mut line = String::new();
            output.read_line(&mut line).await?;
            let pid = parse_pid(&line).ok_or_else(|| {
                std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the fork server did not fork")
            })?;
            Ok::<_, std::io::Error>((pid, output))
        };
        let (pid, output) = tokio::time::timeout(FORK_TIMEOUT, exchange)
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "the fork server did not answer"))??;
        let at = Instant::now();
        Ok(Forked { pid, output, exit: self.watch_exit(pid), at })
    }

    /// A receiver told how child `pid` ended.
    fn watch_exit(&self, pid: u32) -> watch::Receiver<Option<String>> {
        let (tx, rx) = watch::channel(None);
        let Ok(mut exits) = self.exits.lock() else { return rx };
        if let Some(text) = exits.early.remove(&pid) {
            let _ = tx.send(Some(text));
        } else if matches!(*self.state.borrow(), TemplateState::Gone) {
            drop(exits);
            orphan(pid, tx);
        } else {
            exits.waiting.insert(pid, tx);
        }
        rx
    }
}

impl Drop for Template {
    fn drop(&mut self) {
        self.task.abort();
        process::kill_group(self.pid);
        let in_runtime = tokio::runtime::Handle::try_current().is_ok();
        let waiting: Vec<_> = self.exits.lock().map(|mut e| e.waiting.drain().collect()).unwrap_or_default();
        for (pid, tx) in waiting {
            if in_runtime {
                orphan(pid, tx);
            }
        }
        let mut dirs = vec![self.socket_dir.clone()];
        dirs.extend(self.spec.owned_dir.take());
        let rm = move || {
            for d in dirs {
                let _ = std::fs::remove_dir_all(d);
            }
        };
        match tokio::runtime::Handle::try_current() {
            Ok(h) => {
                h.spawn_blocking(rm);
            }
            Err(_) => rm(),
        }
    }
}

/// A private directory for the socket: inside the template's own directory
/// when the path is short enough, else under the system temporary directory.
fn socket_dir(spec: &EnvSpec) -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    if let Some(d) = &spec.owned_dir {
        let dir = d.join("ctl");
        if dir.join("fork.sock").as_os_str().len() <= MAX_SOCKET_PATH {
            return dir;
        }
    }
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("stratus-fork-{}-{n}", std::process::id()))
}

fn bind(dir: &Path, path: &Path) -> std::io::Result<std::os::unix::net::UnixListener> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    let _ = std::fs::remove_file(path);
    std::os::unix::net::UnixListener::bind(path)
}

/// `{"env": {...}, "cwd": "..."}` and a newline.
fn fork_request(env: &[(String, String)], cwd: &Path) -> String {
    let vars: serde_json::Map<String, serde_json::Value> =
        env.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
    let req = serde_json::json!({ "env": vars, "cwd": cwd.to_string_lossy() });
    format!("{req}\n")
}

fn parse_pid(line: &str) -> Option<u32> {
    let v: serde_json::Value = serde_json::from_str(line.trim()).ok()?;
    v.get("pid")?.as_u64().and_then(|p| u32::try_from(p).ok()).filter(|p| *p > 1)
}

/// Reads the watch connection: the readiness line, then exits, until the
/// template goes away.
async fn follow(conn: UnixStream, state: watch::Sender<TemplateState>, exits: Arc<Mutex<Exits>>, started: Instant) {
    let mut lines = BufReader::new(conn).lines();
    if let Ok(Some(first)) = lines.next_line().await {
        let _ = state.send(readiness(&first, started.elapsed()));
    }
    if matches!(*state.borrow(), TemplateState::Ready { .. }) {
        while let Ok(Some(line)) = lines.next_line().await {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else { continue };
            let Some(pid) = v.get("pid").and_then(|p| p.as_u64()).and_then(|p| u32::try_from(p).ok()) else {
                continue;
            };
            let as_i32 = |k: &str| v.get(k).and_then(|c| c.as_i64()).and_then(|c| i32::try_from(c).ok());
            let text = process::exit_text(as_i32("code"), as_i32("signal"));
            if let Ok(mut e) = exits.lock() {
                match e.waiting.remove(&pid) {
                    Some(tx) => {
                        let _ = tx.send(Some(text));
                    }
                    None => {
                        if e.early.len() > 1024 {
                            e.early.clear();
                        }
                        e.early.insert(pid, text);
                    }
                }
            }
        }
    }
    state.send_if_modified(|s| {
        if matches!(s, TemplateState::Failed { .. }) {
            return false;
        }
        *s = TemplateState::Gone;
        true
    });
    // Children left behind are no longer reaped by the template: watch them directly.
    let waiting: Vec<_> = exits.lock().map(|mut e| e.waiting.drain().collect()).unwrap_or_default();
    for (pid, tx) in waiting {
        orphan(pid, tx);
    }
}

/// The state the template's first line announces.
fn readiness(line: &str, init: Duration) -> TemplateState {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else { return TemplateState::Gone };
    if v.get("ready").and_then(|r| r.as_bool()) == Some(true) {
        return TemplateState::Ready { init };
    }
    TemplateState::Failed {
        body: Bytes::from(v.get("body").and_then(|b| b.as_str()).unwrap_or("").to_string()),
        error_type: v.get("errorType").and_then(|t| t.as_str()).map(str::to_string),
    }
}

/// Polls an environment whose template is gone until it ends.
fn orphan(pid: u32, tx: watch::Sender<Option<String>>) {
    tokio::spawn(async move {
        while process::exists(pid) && !tx.is_closed() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let _ = tx.send(Some("exit status unknown".into()));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readiness_lines() {
        let init = Duration::from_millis(5);
        assert_eq!(readiness("{\"ready\": true}", init), TemplateState::Ready { init });
        assert_eq!(
            readiness("{\"ready\": false, \"errorType\": \"Runtime.ImportModuleError\", \"body\": \"{}\"}", init),
            TemplateState::Failed {
                body: Bytes::from_static(b"{}"),
                error_type: Some("Runtime.ImportModuleError".into())
            }
        );
        assert_eq!(readiness("garbage", init), TemplateState::Gone);
    }

    #[test]
    fn pid_lines_and_requests() {
        assert_eq!(parse_pid("{\"pid\": 4242}\n"), Some(4242));
        assert_eq!(parse_pid("{\"pid\": 1}"), None);
        assert_eq!(parse_pid("{\"pid\": -3}"), None);
        assert_eq!(parse_pid(""), None);
        let req = fork_request(&[("A".into(), "1\"x".into())], Path::new("/var/task"));
        let v: serde_json::Value = serde_json::from_str(req.trim()).expect("json");
        assert_eq!(v["env"]["A"], "1\"x");
        assert_eq!(v["cwd"], "/var/task");
        assert!(req.ends_with('\n'));
    }

    #[test]
    fn long_directories_put_the_socket_under_tmp() {
        let spec = |dir: &str| EnvSpec {
            argv: vec![],
            cwd: PathBuf::from("/"),
            env: vec![],
            memory_mb: 128,
            owned_dir: Some(PathBuf::from(dir)),
            tmp_mb: None,
            label: String::new(),
        };
        assert_eq!(socket_dir(&spec("/srv/env/x")), PathBuf::from("/srv/env/x/ctl"));
        let long = format!("/{}", "d".repeat(120));
        assert!(socket_dir(&spec(&long)).starts_with(std::env::temp_dir()));
    }
}
