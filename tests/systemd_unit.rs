//! The systemd unit's system-call filter, applied for real: `atajo doctor` (every protection
//! of the sandbox on, every escape attempt contained) passes under exactly the calls
//! `deploy/systemd/atajo.service` allows — as an unprivileged user, as the unit runs it — and
//! fails under `@system-service` alone, which is why the unit names four more calls.
//!
//! Needs `systemd-analyze` (Debian's `systemd`) to expand the groups; without it the test says
//! so and, under CI, fails.

use std::collections::BTreeSet;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output};

const UNIT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/systemd/atajo.service");

/// The allow-list of the unit: every word of its `SystemCallFilter=` lines.
fn unit_filter() -> Vec<String> {
    let text = std::fs::read_to_string(UNIT).expect("the unit file");
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("SystemCallFilter="))
        .inspect(|v| assert!(!v.starts_with('~'), "a deny list is not checked here: {v}"))
        .flat_map(|v| v.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
        .collect()
}

/// `@group`s expanded the way systemd does, by asking it.
fn expand(words: &[String], into: &mut BTreeSet<String>) {
    for w in words {
        if let Some(group) = w.strip_prefix('@') {
            let out = Command::new("systemd-analyze")
                .args(["syscall-filter", "--no-pager", &format!("@{group}")])
                .output()
                .expect("systemd-analyze runs");
            assert!(
                out.status.success(),
                "systemd-analyze syscall-filter @{group}"
            );
            let text = String::from_utf8_lossy(&out.stdout);
            let inner: Vec<String> = text
                .lines()
                .skip(1)
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_owned)
                .collect();
            expand(&inner, into);
        } else {
            into.insert(w.clone());
        }
    }
}

fn filter_json(names: &[&String]) -> String {
    let rules: Vec<String> = names
        .iter()
        .map(|n| format!("{{\"syscall\": \"{n}\"}}"))
        .collect();
    format!(
        "{{\"unit\": {{\"mismatch_action\": {{\"errno\": 1}}, \"match_action\": \"allow\", \"filter\": [{}]}}}}",
        rules.join(",")
    )
}

#[cfg(target_arch = "x86_64")]
const ARCH: seccompiler::TargetArch = seccompiler::TargetArch::x86_64;
#[cfg(target_arch = "aarch64")]
const ARCH: seccompiler::TargetArch = seccompiler::TargetArch::aarch64;

/// An allow-list filter of `names` (those this architecture has; systemd skips the others
/// too), failing the rest with EPERM as `SystemCallErrorNumber=EPERM` does.
fn compile(names: &BTreeSet<String>) -> seccompiler::BpfProgram {
    let known: Vec<&String> = names
        .iter()
        .filter(|n| seccompiler::compile_from_json(filter_json(&[n]).as_bytes(), ARCH).is_ok())
        .collect();
    assert!(known.len() > 250, "only {} calls known", known.len());
    let mut map = seccompiler::compile_from_json(filter_json(&known).as_bytes(), ARCH)
        .expect("the filter compiles");
    map.remove("unit").expect("the filter")
}

/// `atajo doctor` under `filter`, as an unprivileged user when the test runs as root.
fn doctor_under(filter: &seccompiler::BpfProgram, root: &Path) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_atajo"));
    cmd.args(["doctor", "--root"]).arg(root);
    let as_root = unsafe { libc::geteuid() } == 0;
    if as_root {
        let nobody = 65534;
        std::os::unix::fs::chown(root, Some(nobody), Some(nobody)).expect("chown");
        cmd.env("HOME", root);
        // std drops the supplementary groups when root sets the uid.
        cmd.uid(nobody).gid(nobody);
    }
    let filter = filter.clone();
    // SAFETY: between fork and exec only async-signal-safe work: two system calls on memory
    // prepared before the fork.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            seccompiler::apply_filter(&filter).map_err(std::io::Error::other)
        });
    }
    cmd.output().expect("atajo doctor runs")
}

#[test]
fn the_units_system_call_filter_keeps_the_sandbox_whole() {
    if Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "systemd-analyze is missing (apt-get install systemd)"
        );
        eprintln!("skipped: no systemd-analyze here");
        return;
    }
    let mut allowed = BTreeSet::new();
    expand(&unit_filter(), &mut allowed);
    for call in [
        "landlock_create_ruleset",
        "landlock_restrict_self",
        "seccomp",
        "unshare",
    ] {
        assert!(allowed.contains(call), "the unit allows {call}");
    }

    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = doctor_under(&compile(&allowed), dir.path());
    assert!(
        out.status.success(),
        "doctor under the unit's filter:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // The filter really is in force: `@system-service` alone takes landlock away.
    let mut service_only = BTreeSet::new();
    expand(&["@system-service".to_owned()], &mut service_only);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = doctor_under(&compile(&service_only), dir.path());
    assert!(!out.status.success(), "doctor passed without landlock");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("landlock"), "{text}");
}
