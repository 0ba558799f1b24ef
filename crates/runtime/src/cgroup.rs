//! Control groups for execution environments: finding out once whether this
//! process may create child cgroups with the memory and cpu controllers
//! (cgroup v1 hierarchies, or a delegated cgroup v2 directory), creating one
//! cgroup per environment with its memory limit and CPU weight, reading its
//! out-of-memory kill counter, and removing it (and the per-process parent
//! cgroups, at exit) so nothing is left behind. Every failure here means
//! "no cgroup": callers fall back to sampling the resident set.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// AWS gives one full vCPU at this much memory (MB); CPU is proportional.
pub const MB_PER_VCPU: u64 = 1769;

/// Which cgroup interface Stratus uses, with the parent directories its
/// environments' cgroups are created in.
#[derive(Debug, Clone)]
pub enum Mode {
    /// cgroup v1: one parent in the memory hierarchy, one in the cpu one
    /// (the same directory when the two are mounted together).
    V1 { memory: PathBuf, cpu: PathBuf },
    /// cgroup v2: one parent with memory and cpu enabled for its children.
    V2 { parent: PathBuf },
}

/// What detection found: a mode, or why there is none.
#[derive(Debug, Clone)]
pub struct Detected {
    pub mode: Result<Mode, String>,
}

impl Mode {
    /// How the health report names it.
    pub fn describe(&self) -> String {
        match self {
            Mode::V1 { memory, .. } => format!("cgroup v1 ({})", memory.display()),
            Mode::V2 { parent } => format!("cgroup v2 ({})", parent.display()),
        }
    }

    /// The parent directory of the environments' memory cgroups.
    pub fn memory_parent(&self) -> &Path {
        match self {
            Mode::V1 { memory, .. } => memory,
            Mode::V2 { parent } => parent,
        }
    }

    /// The parent directory of the environments' cpu cgroups.
    pub fn cpu_parent(&self) -> &Path {
        match self {
            Mode::V1 { cpu, .. } => cpu,
            Mode::V2 { parent } => parent,
        }
    }

    fn parents(&self) -> Vec<&Path> {
        match self {
            Mode::V1 { memory, cpu } if memory == cpu => vec![memory.as_path()],
            Mode::V1 { memory, cpu } => vec![memory.as_path(), cpu.as_path()],
            Mode::V2 { parent } => vec![parent.as_path()],
        }
    }
}

/// Detects (once) whether environments can have cgroups.
pub fn detected() -> &'static Detected {
    DETECTED.get_or_init(|| {
        let mode = detect();
        match &mode {
            Ok(m) => {
                tracing::info!("lambda environments get their own cgroups: {}", m.describe());
                register_exit_cleanup();
            }
            Err(why) => tracing::info!("lambda environments get no cgroups ({why}); memory is sampled instead"),
        }
        Detected { mode }
    })
}

static DETECTED: OnceLock<Detected> = OnceLock::new();

/// The directory name of this process's parent cgroups.
fn own_parent_name() -> String {
    format!("stratus-{}", std::process::id())
}

fn detect() -> Result<Mode, String> {
    if !cfg!(target_os = "linux") {
        return Err("not Linux".into());
    }
    let mountinfo = fs::read_to_string("/proc/self/mountinfo").map_err(|e| format!("/proc/self/mountinfo: {e}"))?;
    let membership = fs::read_to_string("/proc/self/cgroup").map_err(|e| format!("/proc/self/cgroup: {e}"))?;
    let mounts = parse_mounts(&mountinfo);
    let own = parse_membership(&membership);
    let v1 = v1_dir(&mounts, &own, "memory").zip(v1_dir(&mounts, &own, "cpu"));
    match v1 {
        Some((memory, cpu)) => setup_v1(&memory, &cpu),
        None => match v2_dir(&mounts, &own) {
            Some(dir) => setup_v2(&dir),
            None => Err("no cgroup hierarchy with the memory and cpu controllers is mounted".into()),
        },
    }
}

/// A cgroup filesystem mount: its root inside the hierarchy, where it is
/// mounted, whether it is v2, and (v1) the controllers it carries.
#[derive(Debug, Clone)]
struct Mount {
    root: String,
    point: PathBuf,
    v2: bool,
    controllers: Vec<String>,
}

fn parse_mounts(mountinfo: &str) -> Vec<Mount> {
    mountinfo
        .lines()
        .filter_map(|line| {
            let (head, tail) = line.split_once(" - ")?;
            let head: Vec<&str> = head.split_whitespace().collect();
            let tail: Vec<&str> = tail.split_whitespace().collect();
            let (root, point) = (head.get(3)?, head.get(4)?);
            let (fstype, options) = (tail.first()?, tail.get(2).copied().unwrap_or(""));
            let v2 = *fstype == "cgroup2";
            if !v2 && *fstype != "cgroup" {
                return None;
            }
            let controllers = options.split(',').map(str::to_string).collect();
            Some(Mount { root: root.to_string(), point: PathBuf::from(point), v2, controllers })
        })
        .collect()
}

/// This process's cgroup per hierarchy: (controllers, path); v2's has none.
fn parse_membership(text: &str) -> Vec<(Vec<String>, String)> {
    text.lines()
        .filter_map(|line| {
            let mut parts = line.splitn(3, ':');
            let _id = parts.next()?;
            let controllers = parts.next()?.split(',').filter(|c| !c.is_empty()).map(str::to_string).collect();
            Some((controllers, parts.next()?.to_string()))
        })
        .collect()
}

/// Where this process's cgroup is under `mount`, given its path `path`.
fn place(mount: &Mount, path: &str) -> PathBuf {
    let rel = path.strip_prefix(mount.root.as_str()).unwrap_or(path);
    mount.point.join(rel.trim_start_matches('/'))
}

fn v1_dir(mounts: &[Mount], own: &[(Vec<String>, String)], controller: &str) -> Option<PathBuf> {
    let has = |list: &[String]| list.iter().any(|c| c == controller);
    let mount = mounts.iter().find(|m| !m.v2 && has(&m.controllers))?;
    let (_, path) = own.iter().find(|(c, _)| has(c))?;
    Some(place(mount, path))
}

fn v2_dir(mounts: &[Mount], own: &[(Vec<String>, String)]) -> Option<PathBuf> {
    let mount = mounts.iter().find(|m| m.v2)?;
    let (_, path) = own.iter().find(|(c, _)| c.is_empty())?;
    Some(place(mount, path))
}

fn setup_v1(memory: &Path, cpu: &Path) -> Result<Mode, String> {
    for dir in [memory, cpu] {
        remove_stale(dir);
    }
    let mem_parent = make_parent(memory)?;
    let cpu_parent =
        if cpu == memory { mem_parent.clone() } else { make_parent(cpu).inspect_err(|_| rmdir(&mem_parent))? };
    let mode = Mode::V1 { memory: mem_parent, cpu: cpu_parent };
    if !mode.parents().iter().all(|p| p.join("cgroup.procs").exists()) {
        remove_parents(&mode);
        return Err("the new cgroups have no cgroup.procs".into());
    }
    Ok(mode)
}

fn make_parent(dir: &Path) -> Result<PathBuf, String> {
    let parent = dir.join(own_parent_name());
    match fs::create_dir(&parent) {
        Ok(()) => Ok(parent),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(parent),
        Err(e) => Err(format!("{} not writable: {e}", dir.display())),
    }
}

/// cgroup v2: our own cgroup must have memory and cpu available; our
/// parent cgroup is created inside it with both enabled for its children.
/// Our own cgroup may not both hold processes and enable controllers for
/// children (unless it is the root), so when it holds only this process,
/// the process first moves into a leaf of its own (`stratus-<pid>.self`).
fn setup_v2(own: &Path) -> Result<Mode, String> {
    let available = fs::read_to_string(own.join("cgroup.controllers")).unwrap_or_default();
    let has = |c: &str| available.split_whitespace().any(|x| x == c);
    if !has("memory") || !has("cpu") {
        return Err(format!("cgroup v2: memory and cpu controllers not delegated to {}", own.display()));
    }
    remove_stale(own);
    if !enable_controllers(own) {
        move_self_to_leaf(own)?;
        if !enable_controllers(own) {
            return Err(format!("cgroup v2: cannot enable memory and cpu in {}", own.display()));
        }
    }
    let parent = make_parent(own)?;
    if !enable_controllers(&parent) {
        rmdir(&parent);
        return Err(format!("cgroup v2: cannot enable memory and cpu in {}", parent.display()));
    }
    Ok(Mode::V2 { parent })
}

fn enable_controllers(dir: &Path) -> bool {
    let enabled = |d: &Path| {
        let s = fs::read_to_string(d.join("cgroup.subtree_control")).unwrap_or_default();
        s.split_whitespace().any(|c| c == "memory") && s.split_whitespace().any(|c| c == "cpu")
    };
    enabled(dir) || (fs::write(dir.join("cgroup.subtree_control"), "+memory +cpu").is_ok() && enabled(dir))
}

fn move_self_to_leaf(own: &Path) -> Result<(), String> {
    let me = std::process::id().to_string();
    let procs = fs::read_to_string(own.join("cgroup.procs")).unwrap_or_default();
    if procs.split_whitespace().any(|p| p != me) {
        return Err(format!("cgroup v2: {} holds other processes; no delegated cgroup to nest in", own.display()));
    }
    let leaf = own.join(format!("{}.self", own_parent_name()));
    fs::create_dir(&leaf).map_err(|e| format!("cgroup v2: {} not writable: {e}", own.display()))?;
    if let Err(e) = fs::write(leaf.join("cgroup.procs"), &me) {
        rmdir(&leaf);
        return Err(format!("cgroup v2: cannot move Stratus into {}: {e}", leaf.display()));
    }
    Ok(())
}

/// Removes parent cgroups left by Stratus processes that no longer run.
fn remove_stale(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let pid = name.strip_prefix("stratus-").map(|p| p.trim_end_matches(".self"));
        let Some(pid) = pid.and_then(|p| p.parse::<u32>().ok()) else { continue };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            remove_tree(&entry.path());
        }
    }
}

/// Kills what runs in `dir` and its children, then removes them all.
fn remove_tree(dir: &Path) {
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                remove_tree(&entry.path());
            }
        }
    }
    kill_members(dir);
    remove_with_retries(dir);
}

/// SIGKILLs every process in the cgroup `dir`.
fn kill_members(dir: &Path) {
    let procs = fs::read_to_string(dir.join("cgroup.procs")).unwrap_or_default();
    for pid in procs.split_whitespace().filter_map(|p| p.parse::<i32>().ok()) {
        if pid > 1 && pid as u32 != std::process::id() {
            // SAFETY: kill(2) sends a signal; it touches no memory of ours.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
    }
}

/// rmdir, retried while killed members are still exiting (about 2 s).
fn remove_with_retries(dir: &Path) {
    for _ in 0..80 {
        match fs::remove_dir(dir) {
            Ok(()) => return,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
            Err(_) => {
                kill_members(dir);
                std::thread::sleep(Duration::from_millis(25));
            }
        }
    }
    tracing::warn!("cgroup {} could not be removed", dir.display());
}

fn rmdir(dir: &Path) {
    let _ = fs::remove_dir(dir);
}

fn remove_parents(mode: &Mode) {
    for p in mode.parents() {
        remove_tree(p);
    }
}

/// Removes this process's cgroups when it exits (environments still
/// running then are killed; their cgroups could not be removed otherwise).
fn register_exit_cleanup() {
    extern "C" fn at_exit() {
        if let Some(Detected { mode: Ok(mode) }) = DETECTED.get() {
            remove_parents(mode);
        }
    }
    // SAFETY: atexit registers a plain function with no arguments; it runs
    // on the exiting thread, where ordinary (non-signal) code may run.
    let rc = unsafe { libc::atexit(at_exit) };
    if rc != 0 {
        tracing::warn!("cannot register the cgroup clean-up at exit");
    }
}

/// The detected mode, when environments can have cgroups.
pub fn mode() -> Option<&'static Mode> {
    detected().mode.as_ref().ok()
}

/// One environment's cgroup (one directory per hierarchy on v1).
#[derive(Debug)]
pub struct EnvCgroup {
    dirs: Vec<PathBuf>,
    /// The file holding the `oom_kill` counter.
    oom_file: PathBuf,
}

/// The memory limit and CPU weight one environment gets.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub memory_bytes: u64,
    /// The memory the CPU share is proportional to (the function's MemorySize).
    pub cpu_memory_mb: u64,
}

/// cgroup v1 `cpu.shares` for `memory_mb` (1024 is one full CPU).
pub fn cpu_shares(memory_mb: u64) -> u64 {
    (memory_mb * 1024 / MB_PER_VCPU).max(2)
}

/// cgroup v2 `cpu.weight` for `memory_mb` (100 is one full CPU).
pub fn cpu_weight(memory_mb: u64) -> u64 {
    (memory_mb * 100 / MB_PER_VCPU).clamp(1, 10_000)
}

impl EnvCgroup {
    /// Creates a cgroup for a new environment, or None (nothing left
    /// behind) when there are no cgroups or anything fails.
    pub fn create(limits: Limits) -> Option<EnvCgroup> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let mode = mode()?;
        let name = format!("env-{}", NEXT.fetch_add(1, Ordering::Relaxed));
        let (dirs, oom_file) = match mode {
            Mode::V1 { memory, cpu } => {
                let mem = memory.join(&name);
                let mut dirs = vec![mem.clone()];
                if cpu != memory {
                    dirs.push(cpu.join(&name));
                }
                (dirs, mem.join("memory.oom_control"))
            }
            Mode::V2 { parent } => {
                let dir = parent.join(&name);
                (vec![dir.clone()], dir.join("memory.events"))
            }
        };
        let cg = EnvCgroup { dirs, oom_file };
        for d in &cg.dirs {
            if let Err(e) = fs::create_dir(d) {
                tracing::debug!("cannot create cgroup {}: {e}", d.display());
                cg.remove();
                return None;
            }
        }
        if let Err(e) = cg.configure(mode, limits) {
            tracing::debug!("cannot configure cgroup {}: {e}", cg.dirs[0].display());
            cg.remove();
            return None;
        }
        Some(cg)
    }

    fn configure(&self, mode: &Mode, limits: Limits) -> std::io::Result<()> {
        let bytes = limits.memory_bytes.to_string();
        let mem = &self.dirs[0];
        let cpu = self.dirs.last().unwrap_or(mem);
        match mode {
            Mode::V1 { .. } => {
                fs::write(mem.join("memory.limit_in_bytes"), &bytes)?;
                // Optional: no swapping past the limit either.
                let _ = fs::write(mem.join("memory.memsw.limit_in_bytes"), &bytes);
                fs::write(cpu.join("cpu.shares"), cpu_shares(limits.cpu_memory_mb).to_string())?;
            }
            Mode::V2 { .. } => {
                fs::write(mem.join("memory.max"), &bytes)?;
                let _ = fs::write(mem.join("memory.swap.max"), "0");
                // The kernel kills the whole environment, as AWS does.
                let _ = fs::write(mem.join("memory.oom.group"), "1");
                fs::write(cpu.join("cpu.weight"), cpu_weight(limits.cpu_memory_mb).to_string())?;
            }
        }
        Ok(())
    }

    /// Moves the already running process `pid` (and its threads) in, on a
    /// thread of its own: on cgroup v1 a move waits ~15 ms for an RCU grace
    /// period, which must not delay the environment's first answer. Until
    /// then the memory sampler alone watches the process; a move that fails
    /// leaves it there.
    pub fn join_soon(&self, pid: u32) {
        let files: Vec<PathBuf> = self.dirs.iter().map(|d| d.join("cgroup.procs")).collect();
        let moved = std::thread::Builder::new().name("stratus-cgroup-join".into()).spawn(move || {
            for f in files {
                if let Err(e) = fs::write(&f, pid.to_string()) {
                    tracing::debug!("cannot move environment {pid} into {}: {e}", f.display());
                    return;
                }
            }
        });
        if let Err(e) = moved {
            tracing::debug!("cannot start the cgroup move of {pid}: {e}");
        }
    }

    /// The file the kill counter is read from (for the watchdog).
    pub fn oom_file(&self) -> &Path {
        &self.oom_file
    }

    /// The cgroup's directories (the memory one first).
    pub fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }

    /// Kills whatever still runs inside and removes the directories
    /// (blocking: may wait up to about 2 s for killed processes to go).
    pub fn remove(&self) {
        for d in &self.dirs {
            remove_tree(d);
        }
    }
}

/// The `oom_kill` counter of a `memory.oom_control` (v1) or
/// `memory.events` (v2) file; 0 when it cannot be read.
#[cfg(test)]
pub fn oom_kills_in(file: &Path) -> u64 {
    fs::read_to_string(file).map(|text| parse_oom_kills(&text)).unwrap_or(0)
}

/// The `oom_kill` line of such a file's text (0 when absent).
pub fn parse_oom_kills(text: &str) -> u64 {
    text.lines().find_map(|l| l.strip_prefix("oom_kill ").and_then(|n| n.trim().parse::<u64>().ok())).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hybrid_v1_mounts_and_membership() {
        let mountinfo = "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n\
            32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n\
            35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n\
            41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
        let own = parse_membership("4:memory:/process_api/abc\n1:cpu:/\n0::/\n");
        let mounts = parse_mounts(mountinfo);
        assert_eq!(mounts.len(), 3);
        assert_eq!(v1_dir(&mounts, &own, "memory"), Some(PathBuf::from("/sys/fs/cgroup/memory/process_api/abc")));
        assert_eq!(v1_dir(&mounts, &own, "cpu"), Some(PathBuf::from("/sys/fs/cgroup/cpu")));
        assert_eq!(v2_dir(&mounts, &own), Some(PathBuf::from("/sys/fs/cgroup/unified")));
    }

    #[test]
    fn parses_v2_with_a_namespaced_root() {
        let mounts = parse_mounts("30 23 0:26 /user.slice /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n");
        let own = parse_membership("0::/user.slice/app.scope\n");
        assert_eq!(v2_dir(&mounts, &own), Some(PathBuf::from("/sys/fs/cgroup/app.scope")));
        assert_eq!(v1_dir(&mounts, &own, "memory"), None);
    }

    #[test]
    fn cpu_is_proportional_to_memory() {
        assert_eq!(cpu_shares(MB_PER_VCPU), 1024);
        assert_eq!(cpu_shares(128), 74);
        assert_eq!(cpu_weight(MB_PER_VCPU), 100);
        assert_eq!(cpu_weight(128), 7);
        assert_eq!(cpu_weight(1), 1);
    }

    #[test]
    fn reads_oom_kill_counters() {
        let dir = std::env::temp_dir().join(format!("stratus-oom-{}", std::process::id()));
        let _ = fs::create_dir_all(&dir);
        let v1 = dir.join("oom_control");
        let _ = fs::write(&v1, "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
        assert_eq!(oom_kills_in(&v1), 3);
        let v2 = dir.join("events");
        let _ = fs::write(&v2, "low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\noom_group_kill 0\n");
        assert_eq!(oom_kills_in(&v2), 1);
        assert_eq!(oom_kills_in(&dir.join("missing")), 0);
        let _ = fs::remove_dir_all(&dir);
    }
}
