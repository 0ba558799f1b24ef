//! One execution environment: a runtime process plus its Runtime API
//! listener. Runs one invocation at a time, enforces the init limit, the
//! function timeout (by killing the process tree) and the memory limit
//! (resident set of the process tree sampled while an invocation runs,
//! and, where the OS allows, the environment's own cgroup, whose OOM kills
//! end the invocation the same way), and reports the durations and peak memory the REPORT line needs. An
//! environment is either spawned (a cold start) or forked from a SnapStart
//! template (`restore`), whose first invocation reports a restore instead
//! of an init.

use crate::cgroup::{self, EnvCgroup};
use crate::invocation::{INIT_TIMEOUT, Invocation, Outcome};
use crate::process::{self, LogBuffer, PipeProbe};
use crate::rapi::{Pending, RuntimeApi, Status};
use crate::sandbox::{self, Prepared};
use crate::template::Template;
use crate::watchdog::{self, Alarm, OomProbe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot, watch};

/// How to start an environment.
#[derive(Debug, Clone)]
pub struct EnvSpec {
    /// Program and arguments (e.g. `[python3, /…/bootstrap.py]` or `[/…/bootstrap]`).
    pub argv: Vec<String>,
    /// Working directory (the unpacked code, `LAMBDA_TASK_ROOT`).
    pub cwd: PathBuf,
    /// Variables; `AWS_LAMBDA_RUNTIME_API` is added.
    pub env: Vec<(String, String)>,
    /// Memory limit in MB (resident set of the runtime's process tree).
    pub memory_mb: u64,
    /// A directory owned by this environment, removed when it ends.
    pub owned_dir: Option<PathBuf>,
    /// EphemeralStorage in MB: where the OS allows, the `TMPDIR` named in
    /// `env` (when inside `owned_dir`) becomes a tmpfs of this size.
    pub tmp_mb: Option<u64>,
    /// Free-form label the caller keeps with the environment (its log stream).
    pub label: String,
}

/// Measurements of one invocation.
#[derive(Debug, Clone, Default)]
pub struct InvokeStats {
    /// Set on the environment's first invocation: spawn → first `/next`.
    pub init_duration: Option<Duration>,
    /// Set instead on a restored environment's first invocation: fork
    /// request → first `/next`.
    pub restore_duration: Option<Duration>,
    /// The restore's billed part: the child's own start (environment set-up
    /// and after-restore hooks) → first `/next`.
    pub billed_restore_duration: Option<Duration>,
    /// Event delivered → result posted (or the timeout).
    pub duration: Duration,
    /// Peak resident memory of the runtime's process tree, MB.
    pub max_memory_mb: u64,
}

/// A started environment.
pub struct Environment {
    api: RuntimeApi,
    queue: mpsc::Sender<Pending>,
    pid: u32,
    exit: watch::Receiver<Option<String>>,
    logs: LogBuffer,
    started: Instant,
    /// For a forked environment: when the child reported in.
    restored_at: Option<Instant>,
    initialised: bool,
    spec: EnvSpec,
    /// Invocations served so far.
    pub invocations: u64,
    /// Kept warm on purpose (provisioned concurrency): never reaped when idle.
    pub pinned: bool,
    /// The peak resident memory of the runtime's process tree so far (KB),
    /// and when it was last read.
    peak: Option<(Instant, u64)>,
    /// Probes on the pipes the output is captured from.
    probes: Vec<PipeProbe>,
    /// The environment's own cgroup, where the OS allows one.
    cgroup: Option<EnvCgroup>,
    /// Its OOM kill counter.
    oom: Option<OomProbe>,
}

/// How stale the Max Memory Used reading of a busy environment may be.
const PEAK_REFRESH: Duration = Duration::from_millis(250);

impl Environment {
    /// Starts the listener and the process. The runtime initialises in the
    /// background; the first `invoke` waits for it.
    pub async fn start(spec: EnvSpec) -> std::io::Result<Environment> {
        let (queue, rx) = mpsc::channel(1);
        let api = RuntimeApi::start(rx).await?;
        let mut env = spec.env.clone();
        env.push(("AWS_LAMBDA_RUNTIME_API".into(), api.addr.to_string()));
        let logs: LogBuffer = Arc::new(Mutex::new(Vec::new()));
        let started = Instant::now();
        let (mut child, probes, cgroup) = spawn_isolated(&spec, &env, &logs)?;
        let pid = child.id().unwrap_or(0);
        let (exit_tx, exit) = watch::channel(None);
        tokio::spawn(async move {
            let text = match child.wait().await {
                Ok(s) => process::exit_text(s.code(), std::os::unix::process::ExitStatusExt::signal(&s)),
                Err(e) => format!("wait failed: {e}"),
            };
            let _ = exit_tx.send(Some(text));
        });
        Ok(Environment {
            api,
            queue,
            pid,
            exit,
            logs,
            started,
            restored_at: None,
            initialised: false,
            spec,
            invocations: 0,
            pinned: false,
            peak: None,
            probes,
            oom: cgroup.as_ref().and_then(|c| OomProbe::open(c.oom_file())),
            cgroup,
        })
    }

    /// Forks an environment from `template` (SnapStart): the child gets its
    /// own Runtime API, variables (`spec.env`), working directory and output,
    /// and is then managed like a spawned one. `spec.argv` is not used.
    pub async fn restore(template: &Template, spec: EnvSpec) -> std::io::Result<Environment> {
        let (queue, rx) = mpsc::channel(1);
        let api = RuntimeApi::start(rx).await?;
        let mut env = spec.env.clone();
        env.push(("AWS_LAMBDA_RUNTIME_API".into(), api.addr.to_string()));
        let logs: LogBuffer = Arc::new(Mutex::new(Vec::new()));
        let started = Instant::now();
        let forked = template.fork(&env, &spec.cwd).await?;
        let probe = PipeProbe::of(std::os::fd::AsFd::as_fd(forked.output.get_ref()));
        process::capture(forked.output, logs.clone(), probe.as_ref());
        let probes = probe.into_iter().collect();
        let cgroup = join_cgroup(forked.pid, spec.memory_mb);
        Ok(Environment {
            api,
            queue,
            pid: forked.pid,
            exit: forked.exit,
            logs,
            started,
            restored_at: Some(forked.at),
            initialised: false,
            spec,
            invocations: 0,
            pinned: false,
            peak: None,
            probes,
            oom: cgroup.as_ref().and_then(|c| OomProbe::open(c.oom_file())),
            cgroup,
        })
    }

    /// Whether this environment was forked from a template.
    pub fn restored(&self) -> bool {
        self.restored_at.is_some()
    }

    /// The caller's label (log stream name).
    pub fn label(&self) -> &str {
        &self.spec.label
    }

    /// The runtime's process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The directories of the environment's own cgroup (the memory one
    /// first), empty when it has none.
    pub fn cgroup_dirs(&self) -> &[PathBuf] {
        self.cgroup.as_ref().map_or(&[], |c| c.dirs())
    }

    /// The Runtime API address (`127.0.0.1:PORT`).
    pub fn runtime_api(&self) -> String {
        self.api.addr.to_string()
    }

    /// Whether the process is still running.
    pub fn alive(&self) -> bool {
        self.exit.borrow().is_none()
    }

    /// Waits until the runtime has initialised (asked for its first event),
    /// up to `limit`; the init then counts as done (no Init Duration later).
    /// Returns the init duration, or None if it failed or took too long.
    pub async fn ready(&mut self, limit: Duration) -> Option<Duration> {
        let end = Instant::now() + limit;
        while Instant::now() < end {
            if let Some(t) = self.api.first_next() {
                self.initialised = true;
                return Some(t.saturating_duration_since(self.started));
            }
            if !self.alive() || *self.api.status().borrow() != Status::Running {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        None
    }

    /// Runs one invocation to its end.
    pub async fn invoke(&mut self, inv: Invocation) -> (Outcome, InvokeStats) {
        self.invocations += 1;
        let mut stats = InvokeStats::default();
        // Init may take 10 s; past that AWS retries it within the invocation's
        // own timeout, so a cold invocation may wait for both.
        let init_limit = if self.initialised { inv.timeout } else { INIT_TIMEOUT + inv.timeout };
        let (dtx, drx) = oneshot::channel();
        let (rtx, mut rrx) = oneshot::channel();
        let mut status = self.api.status();
        let mut exit = self.exit.clone();
        let timeout = inv.timeout;
        if self.queue.send(Pending { invocation: inv, delivered: dtx, reply: rtx }).await.is_err() {
            return (Outcome::Exited("exit status unknown".into()), stats);
        }
        // The watchdog ends an environment that does not take the event in
        // time, and later one past its timeout or memory limit.
        let oom = self.oom.clone();
        let mut watch = watchdog::watch(self.pid, Instant::now() + init_limit, self.spec.memory_mb * 1024, oom.clone());
        let deadline = tokio::select! {
            biased;
            d = drx => match d {
                Ok(d) => d,
                Err(_) => return (failure(&mut status, &mut exit).await, stats),
            },
            o = failure(&mut status, &mut exit) => return (o, stats),
            alarm = watch.alarm() => {
                self.kill();
                return (alarmed(alarm), stats);
            }
        };
        watch.set_deadline(deadline);
        // The billed duration starts when the runtime took the event, which is
        // when the deadline was set.
        let begun = deadline.checked_sub(timeout).unwrap_or_else(Instant::now);
        if !self.initialised {
            self.initialised = true;
            let ready = self.api.first_next().unwrap_or(begun);
            match self.restored_at {
                Some(at) => {
                    stats.restore_duration = Some(ready.saturating_duration_since(self.started));
                    stats.billed_restore_duration = Some(ready.saturating_duration_since(at));
                }
                None => stats.init_duration = Some(ready.saturating_duration_since(self.started)),
            }
        }
        let mut outcome = tokio::select! {
            biased;
            r = &mut rrx => r.unwrap_or_else(|_| Outcome::Exited("exit status unknown".into())),
            o = failure(&mut status, &mut exit) => o,
            alarm = watch.alarm() => {
                self.kill();
                alarmed(alarm)
            }
        };
        // The kernel killed a process of the environment (perhaps a child the
        // handler survived) between two samples: out of memory all the same.
        if outcome != Outcome::OutOfMemory && oom.is_some_and(|o| o.fired()) {
            self.kill();
            outcome = Outcome::OutOfMemory;
        }
        let sampled = watch.peak_kb();
        if sampled > 0 {
            let before = self.peak.map_or(0, |(_, kb)| kb);
            self.peak = Some((Instant::now(), before.max(sampled)));
        }
        stats.duration = begun.elapsed();
        stats.max_memory_mb = self.peak_kb().div_ceil(1024);
        if outcome == Outcome::OutOfMemory {
            stats.max_memory_mb = self.spec.memory_mb;
        }
        (outcome, stats)
    }

    /// The peak resident memory of the runtime's process tree, read from
    /// `/proc` at most every `PEAK_REFRESH` (the read costs more than a warm
    /// invocation's own work).
    fn peak_kb(&mut self) -> u64 {
        match self.peak {
            Some((at, kb)) if at.elapsed() < PEAK_REFRESH => kb,
            _ => {
                if let Some(m) = process::tree_memory_kb(self.pid, false) {
                    self.note_peak(m);
                }
                self.peak.map_or(0, |(_, kb)| kb)
            }
        }
    }

    /// Folds a reading into the peak: the leader's own peak, or the tree's
    /// sampled total when that is higher.
    fn note_peak(&mut self, m: process::TreeMemory) {
        let before = self.peak.map_or(0, |(_, kb)| kb);
        self.peak = Some((Instant::now(), before.max(m.leader_peak_kb).max(m.rss_kb)));
    }

    /// Takes the output lines captured so far, after letting the capture
    /// tasks catch up with what the process already wrote.
    pub async fn take_logs(&self, settle: Duration) -> Vec<(i64, String)> {
        // What the runtime wrote before posting its result is in the pipes by
        // now: let the capture tasks take and store it (a yield each).
        for _ in 0..64 {
            if self.probes.iter().all(PipeProbe::settled) {
                break;
            }
            tokio::task::yield_now().await;
        }
        if !settle.is_zero() {
            tokio::time::sleep(settle).await;
        }
        self.logs.lock().map(|mut l| std::mem::take(&mut *l)).unwrap_or_default()
    }

    /// Kills the process tree now.
    pub fn kill(&self) {
        process::kill_group(self.pid);
    }
}

impl Drop for Environment {
    fn drop(&mut self) {
        self.kill();
        let cgroup = self.cgroup.take();
        let dir = self.spec.owned_dir.take();
        if cgroup.is_some() || dir.is_some() {
            let rm = move || {
                if let Some(cg) = cgroup {
                    cg.remove();
                }
                if let Some(dir) = dir {
                    let _ = std::fs::remove_dir_all(dir);
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
}

/// Spawns the runtime in its own cgroup and with its size-limited tmpfs
/// where the OS allows; otherwise (or if that fails) as a plain process.
fn spawn_isolated(
    spec: &EnvSpec,
    env: &[(String, String)],
    logs: &LogBuffer,
) -> std::io::Result<(tokio::process::Child, Vec<PipeProbe>, Option<EnvCgroup>)> {
    let tmp_dir = tmp_target(spec);
    let tmp = spec.tmp_mb.filter(|_| sandbox::tmp_limit().is_ok()).zip(tmp_dir.as_deref());
    // Pages written to a tmpfs count as the writer's memory: the cgroup
    // leaves room for a full /tmp besides MemorySize.
    let limit_mb = spec.memory_mb + tmp.map_or(0, |(mb, _)| mb);
    let limits = cgroup::Limits { memory_bytes: limit_mb << 20, cpu_memory_mb: spec.memory_mb };
    let cgroup = EnvCgroup::create(limits);
    let opt = layers_dir(spec);
    let (child, probes) = match tmp.and_then(|(mb, dir)| Prepared::new(dir, mb, opt.as_deref())) {
        None => process::spawn(&spec.argv, &spec.cwd, env, std::process::Stdio::null(), logs)?,
        Some(prepared) => {
            let (child, probes, _mounted) = process::spawn_sandboxed(&spec.argv, &spec.cwd, env, logs, prepared)?;
            (child, probes)
        }
    };
    if let (Some(cg), Some(pid)) = (&cgroup, child.id()) {
        cg.join_soon(pid);
    }
    Ok((child, probes, cgroup))
}

/// The directory `TMPDIR` names, when it lies inside the environment's own
/// directory (a tmpfs is never mounted anywhere else, e.g. over /tmp).
fn tmp_target(spec: &EnvSpec) -> Option<PathBuf> {
    let owned = spec.owned_dir.as_deref()?;
    let tmp = spec.env.iter().rev().find(|(k, _)| k == "TMPDIR").map(|(_, v)| Path::new(v))?;
    let inside = tmp.is_absolute() && tmp != owned && tmp.starts_with(owned) && tmp.is_dir();
    let plain = !tmp.components().any(|c| matches!(c, std::path::Component::ParentDir));
    (inside && plain).then(|| tmp.to_path_buf())
}

/// The function's layers, merged into one directory (named by
/// `STRATUS_LAMBDA_OPT` in the environment's variables), to bind over `/opt`.
fn layers_dir(spec: &EnvSpec) -> Option<PathBuf> {
    let dir = spec.env.iter().rev().find(|(k, _)| k == "STRATUS_LAMBDA_OPT").map(|(_, v)| PathBuf::from(v))?;
    (dir.is_absolute() && dir.is_dir()).then_some(dir)
}

/// A cgroup for a forked (SnapStart) environment, already running: it is
/// moved in. No tmpfs: the fork shares its template's mount namespace.
fn join_cgroup(pid: u32, memory_mb: u64) -> Option<EnvCgroup> {
    let cg = EnvCgroup::create(cgroup::Limits { memory_bytes: memory_mb << 20, cpu_memory_mb: memory_mb })?;
    cg.join_soon(pid);
    Some(cg)
}

fn alarmed(alarm: Alarm) -> Outcome {
    match alarm {
        Alarm::Timeout => Outcome::Timeout,
        Alarm::OutOfMemory => Outcome::OutOfMemory,
    }
}

/// Resolves when the environment fails: an init error, or the process exits.
async fn failure(status: &mut watch::Receiver<Status>, exit: &mut watch::Receiver<Option<String>>) -> Outcome {
    let peek = status.clone();
    let init_error = async {
        let s: Option<Status> = status.wait_for(|s| *s != Status::Running).await.ok().map(|s| s.clone());
        match s {
            Some(Status::InitError { body, error_type }) => Outcome::InitError { body, error_type },
            _ => std::future::pending().await,
        }
    };
    let exited = async {
        let text: String = exit.wait_for(|e| e.is_some()).await.ok().and_then(|e| e.clone()).unwrap_or_default();
        // An init error posted just before exiting wins over the exit.
        tokio::task::yield_now().await;
        let st = peek.borrow().clone();
        if let Status::InitError { body, error_type } = st {
            return Outcome::InitError { body, error_type };
        }
        Outcome::Exited(text)
    };
    tokio::select! {
        biased;
        o = init_error => o,
        o = exited => o,
    }
}
