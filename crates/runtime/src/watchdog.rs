//! The invocation watchdog: one thread that raises the alarm for running
//! invocations past their deadline or over their memory limit (the process
//! tree's resident set, sampled every 25 ms, and the kernel's OOM kill
//! counter of the environment's cgroup when it has one). Invocations register here
//! instead of arming tokio timers of their own: on the single-threaded
//! runtimes that serve requests, every timer an invocation armed woke that
//! runtime's reactor through its eventfd, three times per warm Invoke.

use crate::{cgroup, process};
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// How often running invocations' memory is sampled.
const SAMPLE_EVERY: Duration = Duration::from_millis(25);
/// Every how many samples the whole process group is scanned for, besides
/// the runtime's descendants (the scan reads `/proc` of every process).
const GROUP_SCAN_EVERY: u64 = 20;

/// Why an invocation must end now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alarm {
    Timeout,
    OutOfMemory,
}

struct Entry {
    deadline: Instant,
    pid: u32,
    limit_kb: u64,
    /// The highest reading so far: the tree's resident set or the leader's
    /// own peak, whichever is higher (KB).
    peak_kb: Arc<AtomicU64>,
    oom: Option<OomProbe>,
    alarm: Option<oneshot::Sender<Alarm>>,
}

/// A cgroup's OOM kill counter, kept open (a warm invocation reads it with
/// one pread), and its value when the environment began: any kill since
/// ends the environment.
#[derive(Debug, Clone)]
pub struct OomProbe {
    file: Arc<std::fs::File>,
    base: u64,
}

impl OomProbe {
    pub fn open(path: &Path) -> Option<OomProbe> {
        let mut probe = OomProbe { file: Arc::new(std::fs::File::open(path).ok()?), base: 0 };
        probe.base = probe.count();
        Some(probe)
    }

    fn count(&self) -> u64 {
        use std::os::unix::fs::FileExt;
        let mut buf = [0u8; 512];
        let n = self.file.read_at(&mut buf, 0).unwrap_or(0);
        cgroup::parse_oom_kills(std::str::from_utf8(&buf[..n]).unwrap_or(""))
    }

    /// Whether the kernel has killed a process for lack of memory since.
    pub fn fired(&self) -> bool {
        self.count() > self.base
    }
}

#[derive(Default)]
struct State {
    entries: HashMap<u64, Entry>,
    next_id: u64,
    /// When the thread will next look, if it is waiting with a timeout.
    wakes_at: Option<Instant>,
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

/// One invocation under watch; dropping it ends the watch.
pub struct Watch {
    id: u64,
    peak_kb: Arc<AtomicU64>,
    alarm: Option<oneshot::Receiver<Alarm>>,
}

fn shared() -> &'static Arc<Shared> {
    static SHARED: OnceLock<Arc<Shared>> = OnceLock::new();
    SHARED.get_or_init(|| {
        let shared = Arc::new(Shared { state: Mutex::new(State::default()), changed: Condvar::new() });
        let run = shared.clone();
        if let Err(e) = std::thread::Builder::new().name("stratus-watchdog".into()).spawn(move || watch_loop(&run)) {
            tracing::error!("cannot start the invocation watchdog: {e}");
        }
        shared
    })
}

fn lock(shared: &Shared) -> MutexGuard<'_, State> {
    shared.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Watches the process tree led by `pid` until `deadline`, with a memory
/// limit of `limit_kb` and, with a cgroup, its OOM kill counter.
pub fn watch(pid: u32, deadline: Instant, limit_kb: u64, oom: Option<OomProbe>) -> Watch {
    let shared = shared();
    let (tx, rx) = oneshot::channel();
    let peak_kb = Arc::new(AtomicU64::new(0));
    let mut state = lock(shared);
    let id = state.next_id;
    state.next_id += 1;
    state.entries.insert(id, Entry { deadline, pid, limit_kb, peak_kb: peak_kb.clone(), oom, alarm: Some(tx) });
    // The thread only needs waking when it sleeps past this deadline (it
    // samples every 25 ms while anything is watched).
    if state.wakes_at.is_none_or(|at| deadline < at) {
        shared.changed.notify_one();
    }
    Watch { id, peak_kb, alarm: Some(rx) }
}

impl Watch {
    /// Moves the deadline (the function's timeout starts when the runtime
    /// takes the event).
    pub fn set_deadline(&self, deadline: Instant) {
        let shared = shared();
        let mut state = lock(shared);
        if let Some(e) = state.entries.get_mut(&self.id) {
            e.deadline = deadline;
        }
        if state.wakes_at.is_none_or(|at| deadline < at) {
            shared.changed.notify_one();
        }
    }

    /// Resolves when the watchdog raises the alarm (never otherwise).
    pub async fn alarm(&mut self) -> Alarm {
        match self.alarm.as_mut() {
            Some(rx) => match rx.await {
                Ok(alarm) => alarm,
                Err(_) => std::future::pending().await,
            },
            None => std::future::pending().await,
        }
    }

    /// The highest memory reading taken during the watch (KB), 0 if none.
    pub fn peak_kb(&self) -> u64 {
        self.peak_kb.load(Ordering::Relaxed)
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        lock(shared()).entries.remove(&self.id);
    }
}

fn watch_loop(shared: &Shared) {
    let mut samples: u64 = 0;
    let mut next_sample = Instant::now() + SAMPLE_EVERY;
    let mut state = lock(shared);
    loop {
        if state.entries.is_empty() {
            state.wakes_at = None;
            state = shared.changed.wait(state).unwrap_or_else(|p| p.into_inner());
            next_sample = Instant::now() + SAMPLE_EVERY;
            continue;
        }
        let now = Instant::now();
        if now >= next_sample {
            samples += 1;
            let whole_group = samples.is_multiple_of(GROUP_SCAN_EVERY);
            let targets: Vec<(u64, u32, Option<OomProbe>)> =
                state.entries.iter().map(|(id, e)| (*id, e.pid, e.oom.clone())).collect();
            // /proc is read without the lock, so registrations never wait on it.
            drop(state);
            let readings: Vec<(u64, process::TreeMemory, bool)> = targets
                .into_iter()
                .filter_map(|(id, pid, oom)| {
                    let killed = oom.is_some_and(|o| o.fired());
                    process::tree_memory_kb(pid, whole_group).map(|m| (id, m, killed))
                })
                .collect();
            state = lock(shared);
            for (id, m, killed) in readings {
                if let Some(e) = state.entries.get_mut(&id) {
                    e.peak_kb.fetch_max(m.rss_kb.max(m.leader_peak_kb), Ordering::Relaxed);
                    if (killed || m.rss_kb > e.limit_kb)
                        && let Some(tx) = e.alarm.take()
                    {
                        let _ = tx.send(Alarm::OutOfMemory);
                    }
                }
            }
            next_sample = Instant::now() + SAMPLE_EVERY;
        }
        let now = Instant::now();
        let mut wake = next_sample;
        for e in state.entries.values_mut() {
            if e.alarm.is_none() {
                continue;
            }
            if e.deadline <= now {
                if let Some(tx) = e.alarm.take() {
                    let _ = tx.send(Alarm::Timeout);
                }
            } else {
                wake = wake.min(e.deadline);
            }
        }
        state.wakes_at = Some(wake);
        let wait = wake.saturating_duration_since(Instant::now());
        state = shared.changed.wait_timeout(state, wait).unwrap_or_else(|p| p.into_inner()).0;
    }
}
