//! Spawning a runtime as its own process group, capturing its output line
//! by line with timestamps (with probes that tell whether output is still
//! waiting in a pipe), describing how it exited, reading its memory use,
//! and killing the tree.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};

/// Lines the process wrote (epoch ms, text), waiting to be collected.
pub type LogBuffer = Arc<Mutex<Vec<(i64, String)>>>;

/// A duplicate of the read end of a captured pipe or socket, to ask how many
/// bytes the capture has not taken yet.
pub struct PipeProbe(OwnedFd);

impl PipeProbe {
    pub fn of(fd: BorrowedFd<'_>) -> Option<PipeProbe> {
        fd.try_clone_to_owned().ok().map(PipeProbe)
    }

    /// Bytes written to the pipe and not yet read by the capture.
    pub fn pending(&self) -> usize {
        let mut n: libc::c_int = 0;
        // SAFETY: FIONREAD writes one c_int through the pointer, which points
        // at `n`; the descriptor is owned by this probe and open.
        let rc = unsafe { libc::ioctl(self.0.as_raw_fd(), libc::FIONREAD, &mut n) };
        if rc == 0 { n.max(0) as usize } else { 0 }
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
        probes.extend(PipeProbe::of(out.as_fd()));
        capture(out, logs.clone());
    }
    if let Some(err) = child.stderr.take() {
        probes.extend(PipeProbe::of(err.as_fd()));
        capture(err, logs.clone());
    }
    Ok((child, probes))
}

/// Collects the lines `pipe` carries into `logs` until it ends.
pub fn capture(pipe: impl AsyncRead + Unpin + Send + 'static, logs: LogBuffer) {
    tokio::spawn(collect(pipe, logs));
}

async fn collect(pipe: impl AsyncRead + Unpin, logs: LogBuffer) {
    let mut lines = BufReader::new(pipe).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if let Ok(mut l) = logs.lock() {
            l.push((now_ms(), line));
        }
    }
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
