//! Escape attempts that really run, with the policy out of the way: the sandbox alone must
//! hold them.

use std::ffi::OsStr;
use std::path::Path;
use std::time::{Duration, Instant};

use super::*;
use crate::exec::{Confined, Limits, run_confined};

/// Fork bombs and checks that need to fork must not overlap: when the sandbox falls back to
/// RLIMIT_NPROC (no cgroup to make), a bomb's processes count against the same user, and a
/// daemon's `setsid` in another test could not fork (seen once in CI).
pub static PROCESS_HEAVY: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub fn sandbox_for(root: &Path) -> Sandbox {
    let settings = SandboxSettings {
        enabled: true,
        run_as: None,
        limits: ResourceLimits {
            processes: 64,
            ..ResourceLimits::default()
        },
    };
    Sandbox::new(&root.canonicalize().unwrap(), &settings).expect("the sandbox must build here")
}

struct Jail {
    _root: tempfile::TempDir,
    root: std::path::PathBuf,
    outside: tempfile::TempDir,
    sandbox: Sandbox,
}

fn jail() -> Jail {
    let root_dir = tempfile::tempdir().unwrap();
    let root = root_dir.path().canonicalize().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let sandbox = sandbox_for(&root);
    Jail {
        _root: root_dir,
        root,
        outside,
        sandbox,
    }
}

async fn sh(j: &Jail, script: &str, timeout: Duration) -> Confined {
    let limits = Limits {
        timeout,
        output_limit: 64 * 1024,
    };
    let args: Vec<&OsStr> = vec![OsStr::new("-c"), OsStr::new(script)];
    run_confined(
        OsStr::new("/bin/sh"),
        &args,
        &j.root,
        &j.root,
        &j.sandbox,
        limits,
    )
    .await
}

/// Processes whose command line contains `marker`, anywhere on the machine.
fn processes_with(marker: &str) -> usize {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    dir.flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .bytes()
                .all(|b| b.is_ascii_digit())
        })
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .filter(|c| {
            String::from_utf8_lossy(c)
                .replace('\0', " ")
                .contains(marker)
        })
        .count()
}

#[tokio::test]
async fn work_inside_the_root_goes_through() {
    let j = jail();
    let o = sh(
        &j,
        "mkdir a && echo hola > a/n.txt && cat a/n.txt && ls",
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(o.code, 0, "{}", o.output);
    assert_eq!(o.output, "hola\na\n");
}

#[tokio::test]
async fn nothing_outside_the_root_can_be_written_or_read() {
    let j = jail();
    let secret = j.outside.path().join("id_rsa");
    std::fs::write(&secret, "PRIVATE KEY").unwrap();
    std::os::unix::fs::symlink(&secret, j.root.join("link")).unwrap();
    let target = j.outside.path().join("pwned");
    let script = format!(
        "echo x > '{t}'; cat '{s}'; cat link; cat /etc/shadow; ls /root; cp link copied; true",
        t = target.display(),
        s = secret.display()
    );
    let o = sh(&j, &script, Duration::from_secs(10)).await;
    assert!(!target.exists(), "wrote outside the root");
    assert!(!o.output.contains("PRIVATE KEY"), "{}", o.output);
    assert!(
        !j.root.join("copied").exists() || std::fs::read(j.root.join("copied")).unwrap().is_empty()
    );
    assert!(o.output.contains("Permission denied"), "{}", o.output);
}

#[tokio::test]
async fn no_network_not_even_loopback() {
    let j = jail();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let limits = Limits {
        timeout: Duration::from_secs(10),
        output_limit: 64 * 1024,
    };
    let script = format!("echo hi > /dev/tcp/127.0.0.1/{port} && echo CONNECTED");
    let args: Vec<&OsStr> = vec![OsStr::new("-c"), OsStr::new(&script)];
    let o = run_confined(
        OsStr::new("/bin/bash"),
        &args,
        &j.root,
        &j.root,
        &j.sandbox,
        limits,
    )
    .await;
    assert_ne!(o.code, 0);
    assert!(!o.output.contains("CONNECTED"), "{}", o.output);
    assert!(
        listener.accept().is_err(),
        "a connection reached the listener"
    );
}

#[tokio::test]
async fn a_fork_bomb_is_capped_and_ended() {
    let _alone = PROCESS_HEAVY.lock().await;
    let j = jail();
    let marker = format!("bomb{}", std::process::id());
    // $0 carries the marker into every copy of the shell. The first copy starts the bomb
    // in the background (one fork, before any cap) and then spins in a builtin loop: it
    // must never fork again, since dash exits on a failed fork (and a `sleep` could not be
    // forked once the cap is reached); either made the shell end before its timeout.
    let script = format!("exec /bin/sh -c 'b() {{ b | b & }}; b & while :; do :; done' {marker}");
    let started = Instant::now();
    let o = sh(&j, &script, Duration::from_secs(2)).await;
    assert!(o.timed_out, "{o:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(processes_with(&marker), 0, "fork bomb processes survived");
    // And commands still run afterwards.
    let o = sh(&j, "echo still here", Duration::from_secs(10)).await;
    assert_eq!(o.output, "still here\n");
}

#[tokio::test]
async fn a_daemon_dies_with_its_command() {
    let j = jail();
    let nap = format!("{}.{}", 900 + std::process::id() % 97, std::process::id());
    let o = sh(
        &j,
        &format!("(setsid sleep {nap} &) ; echo started"),
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(o.code, 0);
    assert_eq!(o.output, "started\n");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        processes_with(&format!("sleep {nap}")),
        0,
        "the daemon outlived its command"
    );
}

#[tokio::test]
async fn endless_commands_are_stopped() {
    let j = jail();
    let o = sh(&j, "sleep 1000", Duration::from_millis(500)).await;
    assert!(o.timed_out);
    assert_eq!(o.code, crate::exec::TIMEOUT_EXIT);
    for flood in ["yes", "cat /dev/zero"] {
        let started = Instant::now();
        let o = sh(&j, flood, Duration::from_secs(20)).await;
        assert!(o.truncated, "{flood}");
        assert!(started.elapsed() < Duration::from_secs(10), "{flood}");
    }
}

#[tokio::test]
async fn no_secrets_in_the_environment() {
    let j = jail();
    // SAFETY: tests in this module do not read the environment concurrently in other threads
    // of this process for these names.
    unsafe { std::env::set_var("ATAJO_TEST_SECRET_TOKEN", "hunter2") };
    let o = sh(&j, "env", Duration::from_secs(10)).await;
    assert!(!o.output.contains("hunter2"));
    let names: Vec<&str> = o
        .output
        .lines()
        .filter_map(|l| l.split('=').next())
        .collect();
    for n in &names {
        assert!(
            ["PATH", "HOME", "LC_ALL", "TMPDIR", "PWD"].contains(n),
            "{n} leaked: {}",
            o.output
        );
    }
}

#[tokio::test]
async fn new_namespaces_are_refused() {
    let j = jail();
    // unshare(1) needs CLONE_NEWUSER; the filter answers EPERM.
    let o = sh(
        &j,
        "unshare -U true && echo ESCAPED",
        Duration::from_secs(10),
    )
    .await;
    assert!(!o.output.contains("ESCAPED"), "{}", o.output);
}

#[tokio::test]
async fn a_narrowed_sandbox_reaches_only_its_folders() {
    let j = jail();
    for d in ["a", "b"] {
        std::fs::create_dir(j.root.join(d)).unwrap();
    }
    std::fs::write(j.root.join("b/secret"), "bo's").unwrap();
    std::fs::write(j.root.join("top"), "top").unwrap();
    let narrow = j.sandbox.confined_to(&[j.root.join("a")]).unwrap();
    let limits = Limits {
        timeout: Duration::from_secs(10),
        output_limit: 64 * 1024,
    };
    let script = "echo mine > mine.txt && cat mine.txt; \
                  cat ../b/secret; cat ../top; ls ..; touch ../b/x; echo t > \"$TMPDIR/t\" && cat \"$TMPDIR/t\"";
    let args: Vec<&OsStr> = vec![OsStr::new("-c"), OsStr::new(script)];
    let o = run_confined(
        OsStr::new("/bin/sh"),
        &args,
        &j.root.join("a"),
        &j.root,
        &narrow,
        limits,
    )
    .await;
    assert!(o.output.starts_with("mine\n"), "{}", o.output);
    assert!(
        !o.output.contains("bo's") && !o.output.contains("top\n"),
        "{}",
        o.output
    );
    assert_eq!(
        o.output.matches("Permission denied").count(),
        4,
        "{}",
        o.output
    );
    assert!(
        o.output.ends_with("t\n"),
        "its own temporary folder works: {}",
        o.output
    );
    assert!(!j.root.join("b/x").exists());
    // The workspace's own sandbox still reaches everything.
    let wide = sh(&j, "cat b/secret", Duration::from_secs(10)).await;
    assert_eq!(wide.output, "bo's");
}
