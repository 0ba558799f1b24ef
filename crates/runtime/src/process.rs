//! Spawning a runtime as its own process group, capturing its output line
//! by line with timestamps (with probes that tell whether output is still
//! waiting in a pipe), describing how it exited, reading its memory use,
//! and killing the tree.

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
    let mut child = cmd.spawn()?;
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
    Ok((child, probes))
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
