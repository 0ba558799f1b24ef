//! What a runtime process does between fork and exec to isolate itself:
//! enter a private mount namespace in which its TMPDIR is a tmpfs of
//! EphemeralStorage MB (as root, or through an unprivileged user namespace)
//! and, when the function has layers and the machine has an `/opt`, the
//! layers' merged directory is bound read-only over `/opt`, where AWS
//! extracts them.
//! (Joining the environment's cgroup is not done here: on cgroup v1 moving a
//! process takes ~15 ms of RCU grace period, so the parent moves it once it
//! runs, off the cold start's path: `cgroup::join_soon`.) Detects once whether that mount works
//! on this machine, and reports for the health endpoint which isolation
//! features the OS enforces and which degraded to a fallback, and why.

use crate::cgroup::{self, Mode};
use serde_json::{Value, json};
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// Everything the child needs, made ready by the parent: the child may only
/// make async-signal-safe calls, so nothing is allocated or formatted there.
pub struct Prepared {
    tmp: TmpMount,
    /// The layers' directory to bind over `/opt`.
    opt: Option<CString>,
}

/// A tmpfs to mount over `target` in a new mount namespace.
struct TmpMount {
    target: CString,
    options: CString,
    /// Set when not root: the user namespace's uid and gid maps.
    userns: Option<(Vec<u8>, Vec<u8>)>,
}

impl TmpMount {
    fn new(target: &Path, size_mb: u64) -> Option<TmpMount> {
        let target = CString::new(target.as_os_str().as_bytes()).ok()?;
        let options = CString::new(format!("size={size_mb}m,mode=0700")).ok()?;
        // SAFETY: getuid/getgid/geteuid only return ids.
        let (uid, gid, euid) = unsafe { (libc::getuid(), libc::getgid(), libc::geteuid()) };
        let userns =
            (euid != 0).then(|| (format!("{uid} {uid} 1").into_bytes(), format!("{gid} {gid} 1").into_bytes()));
        Some(TmpMount { target, options, userns })
    }

    /// In the child: a private mount namespace with the tmpfs mounted.
    fn enter(&self) -> std::io::Result<()> {
        let flags = if self.userns.is_some() { libc::CLONE_NEWUSER | libc::CLONE_NEWNS } else { libc::CLONE_NEWNS };
        // SAFETY: unshare(2) changes this (single-threaded, forked) process's
        // namespaces; it touches no memory of ours.
        check(unsafe { libc::unshare(flags) })?;
        if let Some((uid_map, gid_map)) = &self.userns {
            // Fails harmlessly on kernels without the file (before 3.19).
            let _ = write_file(c"/proc/self/setgroups", b"deny");
            write_file(c"/proc/self/uid_map", uid_map)?;
            write_file(c"/proc/self/gid_map", gid_map)?;
        }
        // Nothing mounted here may propagate back to the host's namespace.
        // SAFETY: mount(2) with static C strings and null data; no memory of
        // ours is kept.
        check(unsafe {
            libc::mount(
                std::ptr::null(),
                c"/".as_ptr(),
                std::ptr::null(),
                libc::MS_REC | libc::MS_PRIVATE,
                std::ptr::null(),
            )
        })?;
        // SAFETY: as above; the strings live in `self`, which outlives the call.
        check(unsafe {
            libc::mount(
                c"tmpfs".as_ptr(),
                self.target.as_ptr(),
                c"tmpfs".as_ptr(),
                libc::MS_NOSUID | libc::MS_NODEV,
                self.options.as_ptr().cast(),
            )
        })
    }
}

/// Writes `bytes` to the file at `path` (async-signal-safe: open, write, close).
fn write_file(path: &std::ffi::CStr, bytes: &[u8]) -> std::io::Result<()> {
    // SAFETY: open(2) with a valid C string; the descriptor is closed below.
    let fd = unsafe { libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC) };
    check(fd)?;
    let written = write_all(fd, bytes);
    // SAFETY: closes the descriptor opened above, once.
    unsafe { libc::close(fd) };
    written
}

fn write_all(fd: libc::c_int, bytes: &[u8]) -> std::io::Result<()> {
    // SAFETY: write(2) reads `bytes.len()` bytes from a live slice.
    let n = unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) };
    if n == bytes.len() as isize { Ok(()) } else { Err(std::io::Error::last_os_error()) }
}

fn check(rc: libc::c_int) -> std::io::Result<()> {
    if rc < 0 { Err(std::io::Error::last_os_error()) } else { Ok(()) }
}

impl Prepared {
    /// What a new runtime process must do: mount a tmpfs of `mb` MB over
    /// `dir`, and bind `opt` (the function's layers) over `/opt` when the
    /// machine has one. None when that cannot be prepared.
    pub fn new(dir: &Path, mb: u64, opt: Option<&Path>) -> Option<Prepared> {
        let opt = opt.filter(|_| Path::new("/opt").is_dir()).and_then(|o| CString::new(o.as_os_str().as_bytes()).ok());
        TmpMount::new(dir, mb).map(|tmp| Prepared { tmp, opt })
    }

    /// Runs in the child between fork and exec. Only async-signal-safe
    /// calls: write(2), unshare(2), open(2), close(2), mount(2).
    pub fn enter(&self) -> std::io::Result<()> {
        self.tmp.enter()?;
        if let Some(src) = &self.opt {
            // Best effort: the layers stay reachable through STRATUS_LAMBDA_OPT
            // and the search paths when /opt cannot be replaced.
            // SAFETY: mount(2) with C strings that outlive the calls.
            let bound = unsafe {
                libc::mount(
                    src.as_ptr(),
                    c"/opt".as_ptr(),
                    std::ptr::null(),
                    libc::MS_BIND | libc::MS_REC,
                    std::ptr::null(),
                )
            };
            if bound == 0 {
                // SAFETY: as above, remounting the bind just made read-only.
                unsafe {
                    libc::mount(
                        std::ptr::null(),
                        c"/opt".as_ptr(),
                        std::ptr::null(),
                        libc::MS_BIND | libc::MS_REMOUNT | libc::MS_RDONLY,
                        std::ptr::null(),
                    )
                };
            }
        }
        Ok(())
    }
}

/// Whether a size-limited tmpfs can be mounted for environments here
/// (probed once by a forked child), or why not.
pub fn tmp_limit() -> &'static Result<String, String> {
    static PROBED: OnceLock<Result<String, String>> = OnceLock::new();
    PROBED.get_or_init(|| {
        let probed = probe_tmp();
        if let Err(why) = &probed {
            tracing::info!("lambda /tmp is a plain directory, not size-limited ({why})");
        }
        probed
    })
}

fn probe_tmp() -> Result<String, String> {
    if !cfg!(target_os = "linux") {
        return Err("not Linux".into());
    }
    let dir = std::env::temp_dir().join(format!("stratus-tmp-probe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mount = TmpMount::new(&dir, 1).ok_or("bad probe path")?;
    let how = if mount.userns.is_some() { "tmpfs in a user and mount namespace" } else { "tmpfs in a mount namespace" };
    let result = run_in_child(&mount);
    let _ = std::fs::remove_dir(&dir);
    result.map(|()| how.to_string())
}

/// Forks a child that enters `mount` and exits with 0 or the errno.
fn run_in_child(mount: &TmpMount) -> Result<(), String> {
    // SAFETY: the child only makes async-signal-safe calls (TmpMount::enter
    // and _exit) before exiting; the parent waits for it below.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(format!("fork: {}", std::io::Error::last_os_error()));
    }
    if pid == 0 {
        let code = match mount.enter() {
            Ok(()) => 0,
            Err(e) => e.raw_os_error().unwrap_or(255).clamp(1, 255),
        };
        // SAFETY: _exit ends the child without running our destructors or
        // atexit handlers.
        unsafe { libc::_exit(code) };
    }
    let mut status: libc::c_int = 0;
    loop {
        // SAFETY: waitpid writes the status of our own child into `status`.
        let rc = unsafe { libc::waitpid(pid, &mut status, 0) };
        if rc == pid {
            break;
        }
        if rc < 0 && std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            return Err(format!("waitpid: {}", std::io::Error::last_os_error()));
        }
    }
    match (libc::WIFEXITED(status), libc::WEXITSTATUS(status)) {
        (true, 0) => Ok(()),
        (true, errno) => Err(format!("mount namespace or tmpfs refused: {}", std::io::Error::from_raw_os_error(errno))),
        _ => Err("the probe child died".into()),
    }
}

/// Environments that started without their cgroup or tmpfs although both
/// were detected as available (their sandboxed spawn failed).
static FALLBACKS: AtomicU64 = AtomicU64::new(0);

/// Counts an environment that fell back to no sandbox.
pub fn note_fallback(why: &std::io::Error) {
    if FALLBACKS.fetch_add(1, Ordering::Relaxed) == 0 {
        tracing::warn!("an environment started without its cgroup or tmpfs: {why}");
    }
}

fn feature(enforced: bool, mechanism: &str, detail: String) -> Value {
    json!({
        "status": if enforced { "enforced" } else { "degraded" },
        "mechanism": mechanism,
        "detail": detail,
    })
}

/// Per isolation feature: enforced by the OS, or degraded to the fallback,
/// and why.
pub fn report() -> Value {
    let cgroups = &cgroup::detected().mode;
    let (memory, cpu, dirs) = match cgroups {
        Ok(mode) => {
            let (v, limit_file, cpu_file) = match mode {
                Mode::V1 { .. } => ("v1", "memory.limit_in_bytes", "cpu.shares = MemorySize x 1024 / 1769"),
                Mode::V2 { .. } => ("v2", "memory.max", "cpu.weight = MemorySize x 100 / 1769"),
            };
            let memory = feature(
                true,
                &format!("cgroup {v} memory"),
                format!(
                    "{limit_file} = MemorySize (plus EphemeralStorage when /tmp is a tmpfs, whose pages count as \
                     memory); kernel OOM kills answer Runtime.OutOfMemory; the resident set is also sampled \
                     every 25 ms against MemorySize and for Max Memory Used"
                ),
            );
            let dirs = json!({
                "version": v,
                "memory_parent": mode.memory_parent().display().to_string(),
                "cpu_parent": mode.cpu_parent().display().to_string(),
            });
            (memory, feature(true, &format!("cgroup {v} cpu"), cpu_file.to_string()), dirs)
        }
        Err(why) => (
            feature(false, "rss-sampling", format!("resident set of the process tree sampled every 25 ms: {why}")),
            feature(false, "none", format!("no CPU weight: {why}")),
            Value::Null,
        ),
    };
    let tmp = match tmp_limit() {
        Ok(how) => feature(
            true,
            how,
            "TMPDIR is a tmpfs of EphemeralStorage MB (writes past it fail with ENOSPC); \
             SnapStart-restored environments keep a plain directory"
                .into(),
        ),
        Err(why) => {
            feature(false, "plain-directory", format!("TMPDIR is a plain directory without a size limit: {why}"))
        }
    };
    let opt = match (tmp_limit(), Path::new("/opt").is_dir()) {
        (Ok(how), true) => feature(
            true,
            how,
            "a function's layers are bound read-only over /opt (and also named by STRATUS_LAMBDA_OPT); \
             SnapStart-restored environments see them only through STRATUS_LAMBDA_OPT and the search paths"
                .into(),
        ),
        (Err(why), _) => feature(false, "search-paths", format!("layers only through STRATUS_LAMBDA_OPT: {why}")),
        (Ok(_), false) => {
            feature(false, "search-paths", "layers only through STRATUS_LAMBDA_OPT: this machine has no /opt".into())
        }
    };
    json!({
        "memory_limit": memory,
        "cpu_weight": cpu,
        "tmp_size_limit": tmp,
        "layers_at_opt": opt,
        "cgroups": dirs,
        "environments_degraded": FALLBACKS.load(Ordering::Relaxed),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_names_every_feature() {
        let r = report();
        for f in ["memory_limit", "cpu_weight", "tmp_size_limit", "layers_at_opt"] {
            let status = r[f]["status"].as_str().unwrap_or("");
            assert!(status == "enforced" || status == "degraded", "{r}");
            assert!(r[f]["detail"].as_str().is_some_and(|d| !d.is_empty()), "{r}");
        }
        let cgroups = cgroup::mode().is_some();
        assert_eq!(r["memory_limit"]["status"] == "enforced", cgroups, "{r}");
        assert_eq!(r["tmp_size_limit"]["status"] == "enforced", tmp_limit().is_ok(), "{r}");
    }

    /// A started environment whose runtime is `script` (sh), with its own
    /// directory holding `tmp`, 128 MB and a 1 MB /tmp.
    async fn environment(tag: &str, script: &str) -> (crate::Environment, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("stratus-isolation-{tag}-{}", std::process::id()));
        let tmp = dir.join("tmp");
        std::fs::create_dir_all(&tmp).expect("environment directory");
        let spec = crate::EnvSpec {
            argv: vec!["sh".into(), "-c".into(), script.into()],
            cwd: dir.clone(),
            env: vec![
                ("PATH".into(), "/usr/bin:/bin".into()),
                ("TMPDIR".into(), tmp.to_string_lossy().to_string()),
                ("OUT".into(), dir.join("out").to_string_lossy().to_string()),
            ],
            memory_mb: 128,
            owned_dir: Some(dir.clone()),
            tmp_mb: Some(1),
            label: tag.into(),
        };
        (crate::Environment::start(spec).await.expect("environment starts"), dir)
    }

    async fn wait_for(what: impl Fn() -> bool) -> bool {
        for _ in 0..200 {
            if what() {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        false
    }

    #[tokio::test]
    async fn an_environment_gets_a_cgroup_with_its_limits_and_it_goes_with_it() {
        let (env, _dir) = environment("cgroup", "sleep 30").await;
        let dirs = env.cgroup_dirs().to_vec();
        let Some(mode) = cgroup::mode() else {
            assert!(dirs.is_empty(), "no cgroups here, yet {dirs:?}");
            return;
        };
        assert!(!dirs.is_empty());
        let read = |file: &str| {
            let found = dirs.iter().map(|d| d.join(file)).find(|f| f.exists());
            found.and_then(|f| std::fs::read_to_string(f).ok()).unwrap_or_default().trim().to_string()
        };
        // MemorySize plus the 1 MB tmpfs when /tmp is one.
        let tmp_mb = u64::from(tmp_limit().is_ok());
        let bytes = ((128 + tmp_mb) << 20).to_string();
        match mode {
            Mode::V1 { .. } => {
                assert_eq!(read("memory.limit_in_bytes"), bytes);
                assert_eq!(read("cpu.shares"), cgroup::cpu_shares(128).to_string());
            }
            Mode::V2 { .. } => {
                assert_eq!(read("memory.max"), bytes);
                assert_eq!(read("cpu.weight"), cgroup::cpu_weight(128).to_string());
            }
        }
        let pid = env.pid().to_string();
        // Moved in just after it started (`join_soon`).
        let joined = wait_for(|| read("cgroup.procs").split_whitespace().any(|p| p == pid)).await;
        assert!(joined, "{pid} not in {dirs:?}");
        drop(env);
        assert!(wait_for(|| dirs.iter().all(|d| !d.exists())).await, "{dirs:?} left behind");
    }

    #[tokio::test]
    async fn the_kernel_kills_past_the_cgroup_limit_and_counts_it() {
        // No invocation runs, so no sampler: only the kernel can stop this.
        // (It waits to be moved into its cgroup first: children forked
        // before the move stay outside it.)
        let script = "sleep 0.5; python3 -S -c 'x = bytes(range(256)) * (400 << 12)'; echo $? > \"$OUT\"; sleep 30";
        let (env, dir) = environment("oom", script).await;
        let out = dir.join("out");
        assert!(wait_for(|| std::fs::read_to_string(&out).is_ok_and(|s| !s.is_empty())).await);
        let status = std::fs::read_to_string(&out).unwrap_or_default();
        match env.cgroup_dirs().first() {
            Some(memory) => {
                assert_eq!(status.trim(), "137", "killed by SIGKILL");
                let counter = match cgroup::mode() {
                    Some(Mode::V2 { .. }) => memory.join("memory.events"),
                    _ => memory.join("memory.oom_control"),
                };
                assert!(cgroup::oom_kills_in(&counter) >= 1);
            }
            None => assert_eq!(status.trim(), "0", "no cgroup, nothing stops it"),
        }
    }

    #[tokio::test]
    async fn tmpdir_is_size_limited_where_the_os_allows() {
        let script = "if head -c 2097152 /dev/zero > \"$TMPDIR/big\" 2>\"$OUT.err\"; then echo wrote; \
                      else echo failed; fi > \"$OUT\"; sleep 30";
        let (env, dir) = environment("tmp", script).await;
        let out = dir.join("out");
        assert!(wait_for(|| std::fs::read_to_string(&out).is_ok_and(|s| !s.is_empty())).await);
        let result = std::fs::read_to_string(&out).unwrap_or_default();
        let err = std::fs::read_to_string(dir.join("out.err")).unwrap_or_default();
        if tmp_limit().is_ok() {
            assert_eq!(result.trim(), "failed", "{err}");
            assert!(err.contains("No space left on device"), "{err}");
            // The tmpfs is the environment's own: the host sees the plain directory.
            assert!(!dir.join("tmp/big").exists());
        } else {
            assert_eq!(result.trim(), "wrote", "{err}");
        }
        drop(env);
        assert!(wait_for(|| !dir.exists()).await, "{} left behind", dir.display());
    }
}
