//! Programs that are not builtins run as a child process in a process group of their own, with
//! a clean environment and stdin closed, inside the sandbox.

use std::path::Path;
use std::process::Stdio;

use tokio::io::AsyncReadExt;
use tokio::process::Command;
use tokio::time::Instant;

use super::output::Output;
use super::sandbox::Sandbox;
use super::{CANCELLED_EXIT, TIMEOUT_EXIT};

pub struct Ended {
    pub code: i32,
    pub timed_out: bool,
    pub cancelled: bool,
}

/// When a running command must stop early.
#[derive(Clone, Copy)]
pub struct Stop<'a> {
    pub deadline: std::time::Instant,
    /// Notified when the client cancels.
    pub cancel: Option<&'a tokio::sync::Notify>,
}

async fn cancelled(cancel: Option<&tokio::sync::Notify>) {
    match cancel {
        Some(n) => n.notified().await,
        None => std::future::pending().await,
    }
}

/// Only what the tools need; nothing inherited (tokens and keys stay with the server).
const PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// Runs `program` with `args` (never through a shell) in `dir`, inside the sandbox.
pub async fn run(
    program: &std::ffi::OsStr,
    args: &[impl AsRef<std::ffi::OsStr>],
    dir: &Path,
    root: &Path,
    sandbox: &Sandbox,
    stop: Stop<'_>,
    out: &mut Output<'_>,
) -> Ended {
    let name = program.to_string_lossy();
    let mut cmd = Command::new(program);
    cmd.args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", PATH)
        .env("LC_ALL", "C.UTF-8")
        .env("HOME", root)
        .env("TMPDIR", sandbox.tmpdir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    sandbox.apply(&mut cmd);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            out.push_str(&format!("{name}: cannot start: {e}\n"));
            return Ended {
                code: 127,
                timed_out: false,
                cancelled: false,
            };
        }
    };
    let pgid = child.id().map(|id| id as i32);
    let (Some(mut stdout), Some(mut stderr)) = (child.stdout.take(), child.stderr.take()) else {
        kill_group(pgid);
        return Ended {
            code: 1,
            timed_out: false,
            cancelled: false,
        };
    };
    let deadline = Instant::from_std(stop.deadline);
    let (mut a, mut b) = ([0u8; 8192], [0u8; 8192]);
    let (mut out_open, mut err_open) = (true, true);
    let (mut timed_out, mut was_cancelled) = (false, false);
    while out_open || err_open {
        let keep_going = tokio::select! {
            r = stdout.read(&mut a), if out_open => match r {
                Ok(0) | Err(_) => { out_open = false; true }
                Ok(n) => out.push_bytes(&a[..n]),
            },
            r = stderr.read(&mut b), if err_open => match r {
                Ok(0) | Err(_) => { err_open = false; true }
                Ok(n) => out.push_bytes(&b[..n]),
            },
            () = tokio::time::sleep_until(deadline) => { timed_out = true; false }
            () = cancelled(stop.cancel) => { was_cancelled = true; false }
        };
        if !keep_going {
            break;
        }
    }
    // Overran its time or its output, or was cancelled: end it and everything it started.
    if timed_out || was_cancelled || out.truncated() {
        kill_group(pgid);
    }
    let status = tokio::select! {
        s = child.wait() => s.ok(),
        () = tokio::time::sleep_until(deadline + std::time::Duration::from_secs(2)) => {
            kill_group(pgid);
            child.wait().await.ok()
        }
    };
    let code = if timed_out {
        TIMEOUT_EXIT
    } else if was_cancelled {
        CANCELLED_EXIT
    } else {
        status.map_or(1, |s| {
            use std::os::unix::process::ExitStatusExt;
            s.code().unwrap_or_else(|| 128 + s.signal().unwrap_or(0))
        })
    };
    Ended {
        code,
        timed_out,
        cancelled: was_cancelled,
    }
}

fn kill_group(pgid: Option<i32>) {
    if let Some(pgid) = pgid.filter(|p| *p > 0) {
        // SAFETY: killpg has no memory-safety preconditions; a stale id only fails with ESRCH.
        unsafe {
            libc::killpg(pgid, libc::SIGKILL);
        }
    }
}
