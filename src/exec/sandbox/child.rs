//! The child's side: entering the sandbox between fork and exec. Only async-signal-safe
//! syscalls on data prepared by the server; no allocation, no locks, no logging.

use std::ffi::{CStr, CString};
use std::io;
use std::sync::Arc;

use super::{Identity, ResourceLimits};

/// `PR_CAP_AMBIENT_CLEAR_ALL` (not exported by libc for glibc targets).
const PR_CAP_AMBIENT_CLEAR_ALL: libc::c_ulong = 4;
/// `CLOSE_RANGE_CLOEXEC` (Linux 5.11).
const CLOSE_RANGE_CLOEXEC: u32 = 1 << 2;
/// `_LINUX_CAPABILITY_VERSION_3`.
const CAPABILITY_VERSION_3: u32 = 0x2008_0522;

/// Maps the server's own uid and gid into the command's user namespace (used when the server
/// is not root, since a PID namespace then needs a user namespace of its own).
#[derive(Debug, Clone)]
pub struct UserNsMaps {
    uid_map: Vec<u8>,
    gid_map: Vec<u8>,
}

impl UserNsMaps {
    pub fn new(uid: u32, gid: u32) -> Self {
        Self {
            uid_map: format!("{uid} {uid} 1\n").into_bytes(),
            gid_map: format!("{gid} {gid} 1\n").into_bytes(),
        }
    }
}

#[derive(Debug, Default)]
struct Inner {
    cgroup_procs: Option<CString>,
    user_ns: Option<UserNsMaps>,
    rlimits: Vec<(libc::__rlimit_resource_t, u64)>,
    identity: Option<Identity>,
    landlock_fd: Option<i32>,
    seccomp: Vec<seccompiler::BpfProgram>,
}

/// Everything the child needs, shared (cloning is one atomic increment in the server).
#[derive(Debug, Clone, Default)]
pub struct Plan(Arc<Inner>);

pub struct PlanParts {
    pub cgroup_procs: Option<CString>,
    pub user_ns: Option<UserNsMaps>,
    pub rlimits: Vec<(libc::__rlimit_resource_t, u64)>,
    pub identity: Identity,
    pub landlock_fd: Option<i32>,
    pub seccomp: Vec<seccompiler::BpfProgram>,
}

impl Plan {
    pub fn has_seccomp(&self) -> bool {
        !self.0.seccomp.is_empty()
    }

    pub fn new(p: PlanParts) -> Self {
        Self(Arc::new(Inner {
            cgroup_procs: p.cgroup_procs,
            user_ns: p.user_ns,
            rlimits: p.rlimits,
            identity: Some(p.identity),
            landlock_fd: p.landlock_fd,
            seccomp: p.seccomp,
        }))
    }
}

/// The resource limits as setrlimit(2) takes them. RLIMIT_NPROC only when no cgroup caps the
/// processes (it counts per user, and root is exempt from it anyway).
pub fn rlimits(l: &ResourceLimits, nproc: bool) -> Vec<(libc::__rlimit_resource_t, u64)> {
    const MIB: u64 = 1024 * 1024;
    let mut v = vec![
        (libc::RLIMIT_CPU, l.cpu_seconds),
        (libc::RLIMIT_AS, l.memory_mib.saturating_mul(MIB)),
        (libc::RLIMIT_FSIZE, l.file_size_mib.saturating_mul(MIB)),
        (libc::RLIMIT_NOFILE, l.open_files),
        (libc::RLIMIT_CORE, 0),
    ];
    if nproc {
        v.push((libc::RLIMIT_NPROC, l.processes));
    }
    v
}

fn check(rc: libc::c_long) -> io::Result<()> {
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// Writes `data` to the file at `path` with open/write/close.
fn write_file(path: &CStr, data: &[u8]) -> io::Result<()> {
    // SAFETY: `path` is NUL-terminated; the fd is closed on every path out.
    unsafe {
        let fd = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
        check(fd as libc::c_long)?;
        let n = libc::write(fd, data.as_ptr().cast(), data.len());
        let err = (n < 0 || n as usize != data.len()).then(io::Error::last_os_error);
        libc::close(fd);
        match err {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// Runs in the forked child. Returns in the process that goes on to exec the command, which is
/// PID 1 of a new PID namespace; the process in between waits for it and exits with its status.
pub fn enter(plan: &Plan) -> io::Result<()> {
    let p = &*plan.0;
    // Nothing the server holds open reaches the command, even a descriptor some library
    // opened without close-on-exec. Kernels before 5.11 lack the flag: every descriptor atajo
    // opens is close-on-exec already, so going on is safe.
    // SAFETY: plain syscall, no memory passed.
    unsafe {
        libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, CLOSE_RANGE_CLOEXEC);
    }
    // A command never outlives the server: if it dies (even by kill -9), so does the process
    // between, and with it the namespace's init and everything in it. The thread that spawns
    // is one of the runtime's workers, which live as long as the server.
    // SAFETY: plain prctl and getppid.
    unsafe {
        check(libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) as libc::c_long)?;
        if libc::getppid() == 1 {
            // The server died before the line above: nobody is waiting for this command.
            libc::_exit(1);
        }
    }
    if let Some(procs) = &p.cgroup_procs {
        write_file(procs, b"0")?;
    }
    enter_pid_namespace(p)?;
    for &(resource, value) in &p.rlimits {
        let lim = libc::rlimit {
            rlim_cur: value,
            rlim_max: value,
        };
        // SAFETY: plain syscall on a stack value.
        check(unsafe { libc::setrlimit(resource, &lim) } as libc::c_long)?;
    }
    match p.identity {
        Some(Identity::Switch { uid, gid }) => switch_user(uid, gid)?,
        Some(Identity::RootWithoutCapabilities) => drop_capabilities()?,
        Some(Identity::Inherit) | None => {}
    }
    // SAFETY: plain prctl.
    check(unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } as libc::c_long)?;
    if let Some(fd) = p.landlock_fd {
        // SAFETY: `fd` is the ruleset the server keeps open for as long as it spawns.
        check(unsafe { libc::syscall(libc::SYS_landlock_restrict_self, fd, 0u32) })?;
    }
    for prog in &p.seccomp {
        seccompiler::apply_filter(prog).map_err(|e| match e {
            seccompiler::Error::Seccomp(io) | seccompiler::Error::Prctl(io) => io,
            _ => io::Error::from_raw_os_error(libc::EINVAL),
        })?;
    }
    Ok(())
}

fn enter_pid_namespace(p: &Inner) -> io::Result<()> {
    let mut flags = libc::CLONE_NEWPID;
    if p.user_ns.is_some() {
        flags |= libc::CLONE_NEWUSER;
    }
    // SAFETY: plain syscall; the child is single-threaded after fork.
    check(unsafe { libc::unshare(flags) } as libc::c_long)?;
    if let Some(maps) = &p.user_ns {
        write_file(c"/proc/self/setgroups", b"deny")?;
        write_file(c"/proc/self/uid_map", &maps.uid_map)?;
        write_file(c"/proc/self/gid_map", &maps.gid_map)?;
    }
    // SAFETY: fork in a single-threaded child; the parent branch never returns.
    let pid = unsafe { libc::fork() };
    check(pid as libc::c_long)?;
    if pid > 0 {
        wait_and_exit(pid);
    }
    // The namespace's init: if the process in between dies (killed on timeout), so does it,
    // and with it everything in the namespace.
    // SAFETY: plain prctl.
    check(unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) } as libc::c_long)
}

/// The process between the server and the namespace: holds nothing open, reports the exit.
fn wait_and_exit(pid: libc::pid_t) -> ! {
    // SAFETY: close_range, waitpid and _exit are async-signal-safe syscalls.
    unsafe {
        // Not holding the exec-error pipe lets the server see the real exec at once.
        libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, 0u32);
        let mut status = 0;
        loop {
            let r = libc::waitpid(pid, &mut status, 0);
            if r == pid {
                break;
            }
            if r < 0 && io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
                libc::_exit(1);
            }
        }
        if libc::WIFEXITED(status) {
            libc::_exit(libc::WEXITSTATUS(status));
        }
        libc::_exit(128 + libc::WTERMSIG(status));
    }
}

fn switch_user(uid: u32, gid: u32) -> io::Result<()> {
    // SAFETY: plain syscalls; order matters (groups and gid while still root).
    unsafe {
        check(libc::setgroups(0, std::ptr::null()) as libc::c_long)?;
        check(libc::setresgid(gid, gid, gid) as libc::c_long)?;
        check(libc::setresuid(uid, uid, uid) as libc::c_long)?;
    }
    Ok(())
}

#[repr(C)]
struct CapHeader {
    version: u32,
    pid: libc::c_int,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

/// uid 0 stays, but no capability is left, and exec cannot hand them back.
fn drop_capabilities() -> io::Result<()> {
    // SAFETY: plain prctl/capset syscalls on stack values.
    unsafe {
        for cap in 0..64 {
            // EINVAL past the kernel's last capability is expected.
            if libc::prctl(libc::PR_CAPBSET_DROP, cap, 0, 0, 0) != 0
                && io::Error::last_os_error().raw_os_error() != Some(libc::EINVAL)
            {
                return Err(io::Error::last_os_error());
            }
        }
        check(
            libc::prctl(libc::PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) as libc::c_long,
        )?;
        let bits = libc::SECBIT_NOROOT
            | libc::SECBIT_NOROOT_LOCKED
            | libc::SECBIT_NO_SETUID_FIXUP
            | libc::SECBIT_NO_SETUID_FIXUP_LOCKED
            | libc::SECBIT_KEEP_CAPS_LOCKED;
        check(libc::prctl(libc::PR_SET_SECUREBITS, bits, 0, 0, 0) as libc::c_long)?;
        let header = CapHeader {
            version: CAPABILITY_VERSION_3,
            pid: 0,
        };
        let data = [CapData {
            effective: 0,
            permitted: 0,
            inheritable: 0,
        }; 2];
        check(libc::syscall(libc::SYS_capset, &header, data.as_ptr()))?;
    }
    Ok(())
}
