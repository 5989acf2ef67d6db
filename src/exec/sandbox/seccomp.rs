//! The seccomp filters: what no file-management command needs and an escape would — network
//! sockets, ptrace and cross-process memory access, io_uring (which bypasses the syscall
//! filter), new namespaces, mounts, keyrings, BPF, kernel modules, typing into a terminal.

use std::collections::BTreeMap;

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch,
};

#[cfg(target_arch = "x86_64")]
const ARCH: TargetArch = TargetArch::x86_64;
#[cfg(target_arch = "aarch64")]
const ARCH: TargetArch = TargetArch::aarch64;

/// Denied outright with EPERM.
const DENIED: &[libc::c_long] = &[
    libc::SYS_connect,
    libc::SYS_bind,
    libc::SYS_listen,
    libc::SYS_accept,
    libc::SYS_accept4,
    libc::SYS_ptrace,
    libc::SYS_process_vm_readv,
    libc::SYS_process_vm_writev,
    libc::SYS_io_uring_setup,
    libc::SYS_io_uring_enter,
    libc::SYS_io_uring_register,
    libc::SYS_unshare,
    libc::SYS_setns,
    libc::SYS_mount,
    libc::SYS_umount2,
    libc::SYS_pivot_root,
    libc::SYS_chroot,
    libc::SYS_keyctl,
    libc::SYS_add_key,
    libc::SYS_request_key,
    libc::SYS_bpf,
    libc::SYS_perf_event_open,
    libc::SYS_userfaultfd,
    libc::SYS_init_module,
    libc::SYS_finit_module,
    libc::SYS_delete_module,
    libc::SYS_kexec_load,
    libc::SYS_reboot,
    libc::SYS_swapon,
    libc::SYS_swapoff,
];

/// Calls that set a mode: (number, the mode's argument, the flags' argument when the mode
/// counts only with O_CREAT).
const SETS_MODE: &[(i64, u8, Option<u8>)] = &[
    (libc::SYS_chmod, 1, None),
    (libc::SYS_fchmod, 1, None),
    (libc::SYS_fchmodat, 2, None),
    (FCHMODAT2, 2, None),
    (libc::SYS_creat, 1, None),
    (libc::SYS_open, 2, Some(1)),
    (libc::SYS_openat, 3, Some(2)),
    (libc::SYS_mkdir, 1, None),
    (libc::SYS_mkdirat, 2, None),
    (libc::SYS_mknod, 1, None),
    (libc::SYS_mknodat, 2, None),
];

/// fchmodat2(2), Linux 6.6; not in every libc's list yet.
const FCHMODAT2: i64 = 452;

/// clone(2) flags that create namespaces.
const NAMESPACE_FLAGS: &[libc::c_int] = &[
    libc::CLONE_NEWUSER,
    libc::CLONE_NEWNS,
    libc::CLONE_NEWNET,
    libc::CLONE_NEWPID,
    libc::CLONE_NEWIPC,
    libc::CLONE_NEWUTS,
    libc::CLONE_NEWCGROUP,
];

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn cond(arg: u8, op: SeccompCmpOp, value: u64) -> Result<SeccompCondition, String> {
    SeccompCondition::new(arg, SeccompCmpArgLen::Dword, op, value).map_err(err)
}

/// Two filters: the deny list (EPERM), and clone3 and openat2 answered ENOSYS — their flags
/// sit behind a pointer a filter cannot read, and ENOSYS makes libc fall back to clone and
/// openat, which are filtered.
pub fn filters() -> Result<Vec<BpfProgram>, String> {
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = BTreeMap::new();
    for &nr in DENIED {
        rules.insert(nr, Vec::new());
    }
    // Only unix-domain sockets (and socket pairs), which some tools use internally.
    let not_unix = || -> Result<Vec<SeccompRule>, String> {
        Ok(vec![
            SeccompRule::new(vec![cond(0, SeccompCmpOp::Ne, libc::AF_UNIX as u64)?])
                .map_err(err)?,
        ])
    };
    rules.insert(libc::SYS_socket, not_unix()?);
    rules.insert(libc::SYS_socketpair, not_unix()?);
    let mut clone_rules = Vec::new();
    for &flag in NAMESPACE_FLAGS {
        let f = flag as u64;
        clone_rules
            .push(SeccompRule::new(vec![cond(0, SeccompCmpOp::MaskedEq(f), f)?]).map_err(err)?);
    }
    rules.insert(libc::SYS_clone, clone_rules);
    // Typing into a terminal (TIOCSTI: a command run from a shell queues input the shell
    // reads after it ends, CVE-2017-5226) and the console's TIOCLINUX. Dword compares the low
    // 32 bits only, as the kernel does with an ioctl's request (CVE-2019-10063).
    let mut ioctl_rules = Vec::new();
    for request in [libc::TIOCSTI, libc::TIOCLINUX] {
        ioctl_rules.push(SeccompRule::new(vec![cond(1, SeccompCmpOp::Eq, request)?]).map_err(err)?);
    }
    rules.insert(libc::SYS_ioctl, ioctl_rules);
    // No setuid or setgid bit is set by anything a command runs: chmod's family, and files
    // or folders created with them (tar -p, cp --preserve, install -m, a mode copied with
    // --reference). The policy refuses the spellings it sees; this holds for the rest.
    for (nr, mode_arg, flags_arg) in SETS_MODE {
        let mut list = Vec::new();
        for bit in [libc::S_ISUID as u64, libc::S_ISGID as u64] {
            let mut conds = vec![cond(*mode_arg, SeccompCmpOp::MaskedEq(bit), bit)?];
            if let Some(flags) = flags_arg {
                let creat = libc::O_CREAT as u64;
                conds.push(cond(*flags, SeccompCmpOp::MaskedEq(creat), creat)?);
            }
            list.push(SeccompRule::new(conds).map_err(err)?);
        }
        rules.insert(*nr, list);
    }
    let deny = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EPERM as u32),
        ARCH,
    )
    .map_err(err)?;

    let mut clone3 = BTreeMap::new();
    clone3.insert(libc::SYS_clone3, Vec::new());
    // openat2's mode, like clone3's flags, sits behind a pointer: ENOSYS sends callers back
    // to openat, which is filtered.
    clone3.insert(libc::SYS_openat2, Vec::new());
    let clone3 = SeccompFilter::new(
        clone3,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::ENOSYS as u32),
        ARCH,
    )
    .map_err(err)?;
    Ok(vec![
        BpfProgram::try_from(deny).map_err(err)?,
        BpfProgram::try_from(clone3).map_err(err)?,
    ])
}
