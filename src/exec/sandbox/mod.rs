//! Layer 2: what holds even when the policy is wrong. Every spawned command runs in a fresh PID
//! namespace (so a timeout kills everything it started, daemons included), under landlock
//! (read-write beneath the root, read-only for the system's programs and libraries, no TCP),
//! a seccomp filter (no network sockets, no ptrace, no namespaces), resource limits, a process
//! cap, no capabilities and no new privileges.
//!
//! Everything that allocates or can fail in interesting ways is prepared once, in the server,
//! when the sandbox is built; between fork and exec the child only makes plain syscalls on that
//! prepared data (see `child.rs`), as a forked child of a multi-threaded process must.

mod cgroup;
mod child;
mod landlock_rules;
mod seccomp;

use std::ffi::CString;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Resource limits for every command (and everything it starts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResourceLimits {
    /// CPU seconds (RLIMIT_CPU).
    pub cpu_seconds: u64,
    /// Address space in MiB (RLIMIT_AS).
    pub memory_mib: u64,
    /// Largest file a command may write, in MiB (RLIMIT_FSIZE).
    pub file_size_mib: u64,
    /// Open files (RLIMIT_NOFILE).
    pub open_files: u64,
    /// Processes and threads all commands together may have at once (a pids cgroup when the
    /// server may create one, RLIMIT_NPROC in the command's own user namespace otherwise).
    pub processes: u64,
}

impl Default for ResourceLimits {
    fn default() -> Self {
        Self {
            cpu_seconds: 60,
            memory_mib: 2048,
            file_size_mib: 4096,
            open_files: 256,
            processes: 128,
        }
    }
}

/// How the sandbox is asked for, from the settings.
#[derive(Debug, Clone)]
pub struct SandboxSettings {
    /// `false` only when the operator explicitly opted out (`--no-sandbox`).
    pub enabled: bool,
    /// When the server runs as root: the user commands run as (name or uid). Unset: the owner
    /// of the root folder, or root without any capability when that owner is root.
    pub run_as: Option<String>,
    pub limits: ResourceLimits,
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error(
        "landlock is not available on this kernel ({0}); commands cannot be confined to the workspace. Use a kernel with landlock (5.13 or later, enabled in the boot LSM list) or, knowingly, start with --no-sandbox"
    )]
    NoLandlock(String),
    #[error("cannot build the landlock rules: {0}")]
    Landlock(String),
    #[error("cannot build the seccomp filter: {0}")]
    Seccomp(String),
    #[error("unknown user {0:?} for run_as")]
    UnknownUser(String),
    #[error("run_as {0:?} is root: commands must not run with privileges")]
    RunAsRoot(String),
    #[error("cannot inspect {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Whose credentials a command runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    /// The server is not root: the command keeps the server's (unprivileged) uid.
    Inherit,
    /// The server is root: the command switches to this user.
    Switch { uid: u32, gid: u32 },
    /// The server is root and the workspace is root's: uid 0 stays, every capability goes
    /// and cannot come back through exec (securebits locked).
    RootWithoutCapabilities,
}

/// One protection and whether it is in force, for `atajo doctor` and the start-up log.
#[derive(Debug, Clone, Serialize)]
pub struct Protection {
    pub name: &'static str,
    pub active: bool,
    pub detail: String,
}

/// The prepared sandbox of one workspace; cheap to apply to every spawn.
pub struct Sandbox {
    enabled: bool,
    plan: child::Plan,
    /// A shell terminal's: the same, but its terminal device and no CPU-time limit (an
    /// interactive shell lives for hours).
    shell_plan: child::Plan,
    /// Kept open: the children restrict themselves with them.
    _landlock: Option<OwnedFd>,
    _shell_landlock: Option<OwnedFd>,
    landlock_abi: i32,
    cgroup: Option<cgroup::Cgroup>,
    identity: Identity,
    limits: ResourceLimits,
    tmpdir: PathBuf,
    /// What it was made from, to make narrower ones (`confined_to`).
    settings: SandboxSettings,
    root: PathBuf,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("enabled", &self.enabled)
            .field("landlock_abi", &self.landlock_abi)
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Prepares the sandbox for `root` (an absolute, canonical path). Fails when landlock is
    /// missing, unless the settings opt out of the sandbox.
    pub fn new(root: &Path, settings: &SandboxSettings) -> Result<Self, SandboxError> {
        Self::build(root, &[root.to_path_buf()], tmpdir_of(root), settings)
    }

    /// The same sandbox, with commands reaching only `folders` (absolute, beneath the root)
    /// instead of the whole root: a person's own folders. Their temporary files go to a
    /// folder of their own, so two people never share one.
    pub fn confined_to(&self, folders: &[PathBuf]) -> Result<Self, SandboxError> {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for f in folders {
            h.update(f.as_os_str().as_encoded_bytes());
            h.update([0]);
        }
        let tag: String = h
            .finalize()
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect();
        let tmpdir = tmpdir_of(&self.root).join(format!("scope-{tag}"));
        let mut sandbox = Self::build(&self.root, folders, tmpdir, &self.settings)?;
        if !self.enabled {
            sandbox.enabled = false;
        }
        Ok(sandbox)
    }

    fn build(
        root: &Path,
        folders: &[PathBuf],
        tmpdir: PathBuf,
        settings: &SandboxSettings,
    ) -> Result<Self, SandboxError> {
        std::fs::create_dir_all(&tmpdir).map_err(|source| SandboxError::Io {
            path: tmpdir.clone(),
            source,
        })?;
        if !settings.enabled {
            let mut off = Self::disabled(root);
            off.tmpdir = tmpdir;
            return Ok(off);
        }
        let mut writable: Vec<&Path> = folders.iter().map(PathBuf::as_path).collect();
        if !folders.iter().any(|f| tmpdir.starts_with(f)) {
            writable.push(&tmpdir);
        }
        let abi = landlock_rules::abi_version();
        if abi < 1 {
            return Err(SandboxError::NoLandlock(match abi {
                0 => "not supported".into(),
                _ => std::io::Error::from_raw_os_error(-abi).to_string(),
            }));
        }
        let self_exe = std::env::current_exe().ok();
        let ruleset = landlock_rules::build(&writable, self_exe.as_deref(), false)
            .map_err(|e| SandboxError::Landlock(e.to_string()))?;
        let shell_ruleset = landlock_rules::build(&writable, self_exe.as_deref(), true)
            .map_err(|e| SandboxError::Landlock(e.to_string()))?;
        let seccomp_filters = seccomp::filters().map_err(SandboxError::Seccomp)?;

        // SAFETY: geteuid/getegid/getuid/getgid cannot fail and touch no memory.
        let (euid, ruid, rgid) = unsafe { (libc::geteuid(), libc::getuid(), libc::getgid()) };
        let identity = if euid == 0 {
            identity_for_root(root, settings.run_as.as_deref())?
        } else {
            Identity::Inherit
        };
        let cgroup = if euid == 0 {
            cgroup::Cgroup::create(settings.limits.processes)
        } else {
            None
        };
        let plan_for = |limits: &ResourceLimits, landlock: &Option<OwnedFd>| {
            child::Plan::new(child::PlanParts {
                cgroup_procs: cgroup.as_ref().and_then(|c| c_path(&c.procs_path())),
                user_ns: (euid != 0).then(|| child::UserNsMaps::new(ruid, rgid)),
                rlimits: child::rlimits(limits, cgroup.is_none()),
                identity,
                landlock_fd: landlock.as_ref().map(|fd| fd.as_raw_fd()),
                seccomp: seccomp_filters.clone(),
            })
        };
        let plan = plan_for(&settings.limits, &ruleset);
        let shell_limits = ResourceLimits {
            cpu_seconds: u64::MAX,
            ..settings.limits
        };
        let shell_plan = plan_for(&shell_limits, &shell_ruleset);
        Ok(Self {
            enabled: true,
            plan,
            shell_plan,
            _landlock: ruleset,
            _shell_landlock: shell_ruleset,
            landlock_abi: abi,
            cgroup,
            identity,
            limits: settings.limits,
            tmpdir,
            settings: settings.clone(),
            root: root.to_path_buf(),
        })
    }

    /// No confinement at all: only for an operator who opted out, and for tests of layer 1.
    pub fn disabled(root: &Path) -> Self {
        Self {
            enabled: false,
            plan: child::Plan::default(),
            shell_plan: child::Plan::default(),
            _landlock: None,
            _shell_landlock: None,
            landlock_abi: 0,
            cgroup: None,
            identity: Identity::Inherit,
            limits: ResourceLimits::default(),
            tmpdir: tmpdir_of(root),
            settings: SandboxSettings {
                enabled: false,
                run_as: None,
                limits: ResourceLimits::default(),
            },
            root: root.to_path_buf(),
        }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Where commands keep temporary files (inside the workspace: /tmp is out of reach).
    pub fn tmpdir(&self) -> &Path {
        &self.tmpdir
    }

    /// Makes `cmd` enter the sandbox between fork and exec.
    pub fn apply(&self, cmd: &mut tokio::process::Command) {
        if !self.enabled {
            return;
        }
        let plan = self.plan.clone();
        // SAFETY: `enter` only makes async-signal-safe syscalls on data prepared beforehand
        // (no allocation, no locks), as required after fork in a multi-threaded process.
        unsafe {
            cmd.pre_exec(move || child::enter(&plan));
        }
    }

    /// Makes a shell terminal enter the sandbox. pty-process runs this after it made the
    /// child a session leader with the PTY as its controlling terminal, so the shell keeps job
    /// control while everything it starts stays confined.
    pub fn apply_shell(&self, cmd: pty_process::Command) -> pty_process::Command {
        if !self.enabled {
            return cmd;
        }
        let plan = self.shell_plan.clone();
        // SAFETY: as in `apply`.
        unsafe { cmd.pre_exec(move || child::enter(&plan)) }
    }

    /// What is in force, in words.
    pub fn protections(&self) -> Vec<Protection> {
        if !self.enabled {
            return vec![Protection {
                name: "sandbox",
                active: false,
                detail: "disabled by the operator (--no-sandbox): only the policy stands between a command and the machine".into(),
            }];
        }
        let abi = self.landlock_abi;
        let l = &self.limits;
        vec![
            Protection {
                name: "landlock filesystem",
                active: true,
                detail: format!(
                    "ABI {abi}: read-write beneath the root, read-only for system programs and libraries, nothing else"
                ),
            },
            Protection {
                name: "landlock network",
                active: abi >= 4,
                detail: if abi >= 4 {
                    "no TCP bind or connect".into()
                } else {
                    format!("needs ABI 4, the kernel has {abi} (seccomp still blocks network sockets)")
                },
            },
            Protection {
                name: "landlock scopes",
                active: abi >= 6,
                detail: if abi >= 6 {
                    "no abstract unix sockets or signals outside the command".into()
                } else {
                    format!("needs ABI 6, the kernel has {abi}")
                },
            },
            Protection {
                name: "seccomp",
                active: self.plan.has_seccomp(),
                detail: "no network sockets, ptrace, io_uring, namespaces, mounts, keyrings, kernel modules or typing into a terminal".into(),
            },
            Protection {
                name: "pid namespace",
                active: true,
                detail: "a timeout or cancel kills everything the command started, daemons included".into(),
            },
            Protection {
                name: "process cap",
                active: true,
                detail: match &self.cgroup {
                    Some(c) => format!("at most {} processes for all commands ({})", l.processes, c.describe()),
                    None => format!("at most {} processes per command (RLIMIT_NPROC in its user namespace)", l.processes),
                },
            },
            Protection {
                name: "resource limits",
                active: true,
                detail: format!(
                    "CPU {} s, memory {} MiB, files up to {} MiB, {} open files",
                    l.cpu_seconds, l.memory_mib, l.file_size_mib, l.open_files
                ),
            },
            Protection {
                name: "identity",
                active: true,
                detail: match self.identity {
                    Identity::Inherit => "the server's own unprivileged user, no new privileges".into(),
                    Identity::Switch { uid, gid } => format!("uid {uid}, gid {gid} (the server runs as root)"),
                    Identity::RootWithoutCapabilities => "uid 0 without any capability (the workspace belongs to root; set run_as to a user who owns it for a separate uid)".into(),
                },
            },
            Protection {
                name: "environment",
                active: true,
                detail: "empty but PATH, HOME, LANG, TMPDIR: no tokens, keys or secrets".into(),
            },
        ]
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(c) = self.cgroup.take() {
            c.remove();
        }
    }
}

fn identity_for_root(root: &Path, run_as: Option<&str>) -> Result<Identity, SandboxError> {
    if let Some(name) = run_as {
        let (uid, gid) = lookup_user(name)?;
        if uid == 0 {
            return Err(SandboxError::RunAsRoot(name.to_owned()));
        }
        return Ok(Identity::Switch { uid, gid });
    }
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(root).map_err(|source| SandboxError::Io {
        path: root.to_path_buf(),
        source,
    })?;
    Ok(if meta.uid() == 0 {
        Identity::RootWithoutCapabilities
    } else {
        Identity::Switch {
            uid: meta.uid(),
            gid: meta.gid(),
        }
    })
}

/// A user by name or number, from the system's user database.
fn lookup_user(name: &str) -> Result<(u32, u32), SandboxError> {
    let unknown = || SandboxError::UnknownUser(name.to_owned());
    let entry = if let Ok(uid) = name.parse::<u32>() {
        // SAFETY: getpwuid returns a pointer into static storage or null; read at once below.
        unsafe { libc::getpwuid(uid) }
    } else {
        let c = CString::new(name.as_bytes()).map_err(|_| unknown())?;
        // SAFETY: as above; `c` outlives the call.
        unsafe { libc::getpwnam(c.as_ptr()) }
    };
    if entry.is_null() {
        return match name.parse::<u32>() {
            // A bare uid without an entry is still a valid identity; its group is the same number.
            Ok(uid) => Ok((uid, uid)),
            Err(_) => Err(unknown()),
        };
    }
    // SAFETY: non-null pointer from getpw*, valid until the next getpw* call on this thread.
    let (uid, gid) = unsafe { ((*entry).pw_uid, (*entry).pw_gid) };
    Ok((uid, gid))
}

/// Where commands keep temporary files: inside the workspace's state folder.
fn tmpdir_of(root: &Path) -> PathBuf {
    root.join(crate::workspace::STATE_DIR).join("tmp")
}

/// A path as the NUL-terminated bytes a raw syscall takes.
fn c_path(p: &Path) -> Option<CString> {
    CString::new(p.as_os_str().as_bytes()).ok()
}

#[cfg(test)]
pub(crate) mod tests;
