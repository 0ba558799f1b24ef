//! Spawning a runtime as its own process group (optionally through the
//! `sandbox` pre-exec hook, falling back to a plain spawn), capturing its output line
//! by line with timestamps (with probes that tell whether output is still
//! waiting in a pipe), describing how it exited, reading its memory use
//! (one process, or the whole tree a runtime spawned), and killing the tree.

use crate::sandbox::Prepared;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::path::Path;
use std::pin::Pin;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader, ReadBuf};
use tokio::process::{Child, Command};

/// Lines the process wrote (epoch ms, text), waiting to be collected.
pub type LogBuffer = Arc<Mutex<Vec<(i64, String)>>>;

/// Watches one capture: a duplicate of the read end of its pipe or socket
/// (to ask how many bytes it has not taken yet) and whether the capture is
/// reading right now (bytes it took may not be stored yet).
pub struct PipeProbe {
    fd: OwnedFd,
    reading: Arc<AtomicBool>,
}

impl PipeProbe {
    pub fn of(fd: BorrowedFd<'_>) -> Option<PipeProbe> {
        let fd = fd.try_clone_to_owned().ok()?;
        Some(PipeProbe { fd, reading: Arc::new(AtomicBool::new(false)) })
    }

    /// Whether everything written so far has been stored: nothing waits in
    /// the pipe and the capture is not between a read and storing its lines.
    /// (The capture marks itself reading before it reads, so a read that
    /// emptied the pipe is always seen, one way or the other.)
    pub fn settled(&self) -> bool {
        let mut n: libc::c_int = 0;
        // SAFETY: FIONREAD writes one c_int through the pointer, which points
        // at `n`; the descriptor is owned by this probe and open.
        let rc = unsafe { libc::ioctl(self.fd.as_raw_fd(), libc::FIONREAD, &mut n) };
        let empty = rc != 0 || n <= 0;
        empty && !self.reading.load(Ordering::SeqCst)
    }
}

/// A capture's reader: marks the probe reading from the moment it reads
/// until a read finds nothing more (by then the lines read are stored).
struct Tracked<R> {
    inner: R,
    reading: Arc<AtomicBool>,
}

impl<R: AsyncRead + Unpin> AsyncRead for Tracked<R> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        self.reading.store(true, Ordering::SeqCst);
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if polled.is_pending() {
            self.reading.store(false, Ordering::SeqCst);
        }
        polled
    }
}

/// Starts `argv` in `cwd` with exactly `env`, in a new process group, with
/// `stdin` as its standard input; its output is captured into `logs`, and
/// the probes watch the two pipes.
pub fn spawn(
    argv: &[String],
    cwd: &Path,
    env: &[(String, String)],
    stdin: Stdio,
    logs: &LogBuffer,
) -> std::io::Result<(Child, Vec<PipeProbe>)> {
    let child = command(argv, cwd, env, stdin)?.spawn()?;
    Ok(captured(child, logs))
}

/// Like `spawn` (with no input), but the child first does what `sandbox`
/// prepared (mounts its tmpfs). If that fails, the process is started
/// again without it; the flag tells which happened.
pub fn spawn_sandboxed(
    argv: &[String],
    cwd: &Path,
    env: &[(String, String)],
    logs: &LogBuffer,
    sandbox: Prepared,
) -> std::io::Result<(Child, Vec<PipeProbe>, bool)> {
    let mut cmd = command(argv, cwd, env, Stdio::null())?;
    // SAFETY: the hook runs in the forked child before exec and only makes
    // async-signal-safe calls (write, unshare, open, close, mount); it
    // allocates nothing (`Prepared` was built by the parent).
    unsafe {
        cmd.pre_exec(move || sandbox.enter());
    }
    match cmd.spawn() {
        Ok(child) => {
            let (child, probes) = captured(child, logs);
            Ok((child, probes, true))
        }
        Err(e) => {
            let child = command(argv, cwd, env, Stdio::null())?.spawn()?;
            // The plain spawn worked, so the sandbox was what failed.
            crate::sandbox::note_fallback(&e);
            let (child, probes) = captured(child, logs);
            Ok((child, probes, false))
        }
    }
}

fn command(argv: &[String], cwd: &Path, env: &[(String, String)], stdin: Stdio) -> std::io::Result<Command> {
    let Some((program, args)) = argv.split_first() else {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "empty command"));
    };
    let mut cmd = Command::new(program);
    cmd.args(args)
        .current_dir(cwd)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    Ok(cmd)
}

/// Starts capturing a spawned child's output.
fn captured(mut child: Child, logs: &LogBuffer) -> (Child, Vec<PipeProbe>) {
    let mut probes = Vec::new();
    if let Some(out) = child.stdout.take() {
        let probe = PipeProbe::of(out.as_fd());
        capture(out, logs.clone(), probe.as_ref());
        probes.extend(probe);
    }
    if let Some(err) = child.stderr.take() {
        let probe = PipeProbe::of(err.as_fd());
        capture(err, logs.clone(), probe.as_ref());
        probes.extend(probe);
    }
    (child, probes)
}

/// Collects the lines `pipe` carries into `logs` until it ends, telling
/// `probe` (made from the same pipe) when it is reading.
pub fn capture(pipe: impl AsyncRead + Unpin + Send + 'static, logs: LogBuffer, probe: Option<&PipeProbe>) {
    let reading = probe.map(|p| p.reading.clone()).unwrap_or_default();
    tokio::spawn(collect(Tracked { inner: pipe, reading: reading.clone() }, logs, reading));
}

async fn collect(pipe: impl AsyncRead + Unpin, logs: LogBuffer, reading: Arc<AtomicBool>) {
    let mut lines = BufReader::new(pipe).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if let Ok(mut l) = logs.lock() {
            l.push((now_ms(), line));
        }
    }
    reading.store(false, Ordering::SeqCst);
}

pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// How a process ended, as Lambda words it: `exit status 3`, `signal: killed`.
pub fn exit_text(code: Option<i32>, signal: Option<i32>) -> String {
    match (code, signal) {
        (Some(c), _) => format!("exit status {c}"),
        (None, Some(sig)) => format!("signal: {}", signal_name(sig)),
        _ => "exit status unknown".to_string(),
    }
}

fn signal_name(sig: i32) -> String {
    match sig {
        libc::SIGKILL => "killed".into(),
        libc::SIGTERM => "terminated".into(),
        libc::SIGSEGV => "segmentation fault".into(),
        libc::SIGABRT => "aborted".into(),
        other => format!("signal {other}"),
    }
}

/// Whether process `pid` still exists (and is not a zombie).
pub fn exists(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().next()) != Some("Z"),
        Err(_) => false,
    }
}

/// Kills the whole process group led by `pid`.
pub fn kill_group(pid: u32) {
    if pid > 1 {
        // SAFETY: kill(2) with a negative pid signals the process group; it
        // touches no memory of ours.
        unsafe {
            libc::kill(-(pid as i32), libc::SIGKILL);
        }
    }
}

/// Resident set size and its peak, in kB, of one process (from /proc).
pub fn memory_kb(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:").unwrap_or(0)))
}

/// Memory of a runtime's process tree, in kB.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TreeMemory {
    /// Resident set now, summed over the leader and the other processes found.
    pub rss_kb: u64,
    /// The leader's own peak resident set (VmHWM).
    pub leader_peak_kb: u64,
}

/// Most processes one reading counts besides the leader.
const MAX_MEMBERS: usize = 4096;

/// The resident memory of the tree led by `pid` (a process group leader):
/// the leader plus its descendants, found through
/// `/proc/{pid}/task/*/children` (a few small reads for a runtime that
/// spawned nothing). With `whole_group`, or on a kernel without those
/// files, also every process in the leader's group, found by scanning
/// `/proc`: that costs a read per process on the machine, so callers ask
/// for it now and then; it finds children that outlived their parent and
/// were re-parented, and still belong to the group `kill_group` ends.
pub fn tree_memory_kb(pid: u32, whole_group: bool) -> Option<TreeMemory> {
    let (leader_rss, leader_peak_kb) = memory_kb(pid)?;
    let mut members = Vec::new();
    if children_files() {
        descendants(pid, &mut members);
    }
    if whole_group || !children_files() {
        group_members(pid, &mut members);
    }
    members.sort_unstable();
    members.dedup();
    let others: u64 = members.iter().filter(|&&p| p != pid).filter_map(|&p| resident_kb(p)).sum();
    Some(TreeMemory { rss_kb: leader_rss + others, leader_peak_kb })
}

/// Whether this kernel has `/proc/{pid}/task/{tid}/children` (checked once,
/// on our own main thread).
fn children_files() -> bool {
    static HAS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *HAS.get_or_init(|| {
        let me = std::process::id();
        Path::new(&format!("/proc/{me}/task/{me}/children")).exists()
    })
}

/// Adds every descendant of `root` to `out`.
fn descendants(root: u32, out: &mut Vec<u32>) {
    let mut stack = vec![root];
    while let Some(p) = stack.pop() {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{p}/task")) else { continue };
        for task in tasks.flatten() {
            let Ok(list) = std::fs::read_to_string(task.path().join("children")) else { continue };
            for child in list.split_whitespace().filter_map(|c| c.parse::<u32>().ok()) {
                if out.len() < MAX_MEMBERS && child != root && !out.contains(&child) {
                    out.push(child);
                    stack.push(child);
                }
            }
        }
    }
}

/// Adds every process whose process group is `pgid` to `out`.
fn group_members(pgid: u32, out: &mut Vec<u32>) {
    let Ok(procs) = std::fs::read_dir("/proc") else { return };
    for entry in procs.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        // After the command name: state, ppid, pgrp, ...
        let pgrp = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(2));
        if pgrp.and_then(|g| g.parse::<u32>().ok()) == Some(pgid) && out.len() < MAX_MEMBERS {
            out.push(pid);
        }
    }
}

/// One process's resident set in kB (from `/proc/{pid}/statm`, cheaper than `status`).
fn resident_kb(pid: u32) -> Option<u64> {
    static PAGE_KB: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let page_kb = *PAGE_KB.get_or_init(|| {
        // SAFETY: sysconf reads a configuration value; it touches no memory of ours.
        let bytes = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        if bytes > 0 { bytes as u64 / 1024 } else { 4 }
    });
    let statm = std::fs::read_to_string(format!("/proc/{pid}/statm")).ok()?;
    statm.split_whitespace().nth(1)?.parse::<u64>().ok().map(|pages| pages * page_kb)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::CommandExt;

    #[test]
    fn tree_memory_counts_children_and_the_group() {
        // A shell in its own group whose child holds ~64 MB of touched memory.
        let mut sh = std::process::Command::new("sh")
            .args(["-c", "python3 -c 'import time; x = bytes(range(256)) * (1 << 18); time.sleep(30)' & sleep 30"])
            .process_group(0)
            .spawn()
            .expect("sh");
        let pid = sh.id();
        let mut seen = TreeMemory::default();
        for _ in 0..100 {
            seen = tree_memory_kb(pid, false).unwrap_or_default();
            if seen.rss_kb > 60 << 10 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        assert!(seen.rss_kb > 60 << 10, "{seen:?}");
        assert!(seen.leader_peak_kb < 60 << 10, "the leader's own peak is its own: {seen:?}");
        assert!(tree_memory_kb(pid, true).unwrap_or_default().rss_kb > 60 << 10);
        kill_group(pid);
        let _ = sh.wait();
    }
}
