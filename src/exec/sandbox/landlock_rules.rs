//! The landlock ruleset: everything beneath the root, read and execute for the system's
//! programs and libraries, and nothing else — no home folders, no /etc beyond what the dynamic
//! loader reads, no TCP, no abstract unix sockets or signals outside the command.

use std::os::fd::OwnedFd;
use std::path::Path;

use landlock::{
    ABI, Access, AccessFs, AccessNet, CompatLevel, Compatible, Ruleset, RulesetAttr,
    RulesetCreatedAttr, RulesetError, Scope, path_beneath_rules,
};

/// The newest ABI this code knows; older kernels get what they support (reported by doctor).
const ABI_TARGET: ABI = ABI::V7;

/// Read and execute: where programs, their libraries and their data (locales) live.
const SYSTEM: &[&str] = &[
    "/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32",
];
/// What the dynamic loader and libc read at start-up.
const LOADER: &[&str] = &[
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/ld.so.preload",
    "/etc/localtime",
];
/// Devices a well-behaved tool may open.
const DEVICES_READ: &[&str] = &["/dev/zero", "/dev/urandom", "/dev/random"];
const DEVICES_READ_WRITE: &[&str] = &["/dev/null"];
/// A shell terminal's own terminal by its generic name (`less` behind a pipe, password
/// prompts); its PTY itself comes already open on fds 0-2, which landlock does not revoke.
const SHELL_DEVICES: &[&str] = &["/dev/tty"];

/// The kernel's landlock ABI version, or minus the errno that says why there is none.
pub fn abi_version() -> i32 {
    const LANDLOCK_CREATE_RULESET_VERSION: u32 = 1;
    // SAFETY: the documented way to query the ABI: null attributes, size 0, version flag.
    let r = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<u8>(),
            0usize,
            LANDLOCK_CREATE_RULESET_VERSION,
        )
    };
    if r < 0 {
        -std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::ENOSYS)
    } else {
        i32::try_from(r).unwrap_or(i32::MAX)
    }
}

fn existing<'a>(paths: &'a [&'a str]) -> impl Iterator<Item = &'a str> {
    paths.iter().copied().filter(|p| Path::new(p).exists())
}

/// Builds the ruleset once; the returned descriptor is what each child restricts itself with.
/// `writable` is where commands may do anything: the root, or a person's folders.
/// `self_exe` (atajo's own binary) is made executable so the sandbox can probe itself;
/// `shell` adds what an interactive shell needs beyond a command (its terminal).
pub fn build(
    writable: &[&Path],
    self_exe: Option<&Path>,
    shell: bool,
) -> Result<Option<OwnedFd>, RulesetError> {
    let abi = ABI_TARGET;
    let read = AccessFs::from_read(abi);
    let mut ruleset = Ruleset::default()
        .set_compatibility(CompatLevel::BestEffort)
        .handle_access(AccessFs::from_all(abi))?
        .handle_access(AccessNet::from_all(abi))?
        .scope(Scope::from_all(abi))?
        .create()?
        .add_rules(path_beneath_rules(writable, AccessFs::from_all(abi)))?
        .add_rules(path_beneath_rules(existing(SYSTEM), read))?
        .add_rules(path_beneath_rules(existing(LOADER), read))?
        .add_rules(path_beneath_rules(existing(DEVICES_READ), read))?
        .add_rules(path_beneath_rules(
            existing(DEVICES_READ_WRITE),
            read | AccessFs::WriteFile,
        ))?;
    if shell {
        ruleset = ruleset.add_rules(path_beneath_rules(
            existing(SHELL_DEVICES),
            read | AccessFs::WriteFile | AccessFs::IoctlDev,
        ))?;
    }
    if let Some(exe) = self_exe {
        ruleset = ruleset.add_rules(path_beneath_rules(
            [exe],
            AccessFs::Execute | AccessFs::ReadFile,
        ))?;
    }
    Ok(ruleset.into())
}
