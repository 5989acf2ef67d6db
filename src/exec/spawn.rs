//! Programs that are not builtins run as child processes, each in a process group of its own,
//! with a clean environment, inside the sandbox. A pipeline's programs are joined by pipes;
//! redirections open their files through the confined workspace (never by path from the
//! server's view), and stdin is /dev/null unless a pipe, a file or a here-document feeds it.

use std::io::Write;
use std::os::fd::OwnedFd;
use std::path::Path;
use std::process::Stdio;

use cap_std::fs::{Dir, OpenOptions, OpenOptionsExt};
use tokio::io::AsyncReadExt;
use tokio::net::unix::pipe;
use tokio::process::{Child, Command};
use tokio::time::Instant;

use super::output::Output;
use super::sandbox::Sandbox;
use super::{CANCELLED_EXIT, TIMEOUT_EXIT};
use crate::policy::{OpenMode, Stage, Target};
use crate::workspace::rawname;

pub struct Ended {
    pub code: i32,
    pub timed_out: bool,
    pub cancelled: bool,
    /// The sandbox or the program could not be started.
    pub not_started: bool,
}

impl Ended {
    fn failed(code: i32) -> Self {
        Ended {
            code,
            timed_out: false,
            cancelled: false,
            not_started: true,
        }
    }
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

/// Runs a pipeline (often of one program; never through a shell) in `dir`, inside the
/// sandbox. `files` opens redirection targets; the exit code is the last program's.
pub async fn run(
    stages: &[Stage],
    files: Option<&Dir>,
    dir: &Path,
    root: &Path,
    sandbox: &Sandbox,
    stop: Stop<'_>,
    out: &mut Output<'_>,
) -> Ended {
    let name = stages.first().map_or("", |s| s.program.as_str());
    let mut children = Vec::with_capacity(stages.len());
    let (stdout_rx, stderr_rx) = match start(stages, files, dir, root, sandbox, &mut children) {
        Ok(pipes) => pipes,
        Err(e) => {
            for (child, pgid) in &mut children {
                kill_group(*pgid);
                let _ = child.wait().await;
            }
            out.push_str(&format!("{name}: cannot start: {e}\n"));
            return Ended::failed(127);
        }
    };
    let (mut stdout, mut stderr) = match (
        pipe::Receiver::from_owned_fd(stdout_rx),
        pipe::Receiver::from_owned_fd(stderr_rx),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        _ => {
            for (_, pgid) in &children {
                kill_group(*pgid);
            }
            return Ended::failed(1);
        }
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
        for (_, pgid) in &children {
            kill_group(*pgid);
        }
    }
    let mut last = None;
    for (child, pgid) in &mut children {
        let status = tokio::select! {
            s = child.wait() => s.ok(),
            () = tokio::time::sleep_until(deadline + std::time::Duration::from_secs(2)) => {
                kill_group(*pgid);
                child.wait().await.ok()
            }
        };
        last = status;
    }
    let code = if timed_out {
        TIMEOUT_EXIT
    } else if was_cancelled {
        CANCELLED_EXIT
    } else {
        last.map_or(1, |s| {
            use std::os::unix::process::ExitStatusExt;
            s.code().unwrap_or_else(|| 128 + s.signal().unwrap_or(0))
        })
    };
    Ended {
        code,
        timed_out,
        cancelled: was_cancelled,
        not_started: false,
    }
}

/// Spawns every stage, wiring pipes and redirections; returns the read ends of the output
/// (the last stage's stdout) and of everyone's stderr.
fn start(
    stages: &[Stage],
    files: Option<&Dir>,
    dir: &Path,
    root: &Path,
    sandbox: &Sandbox,
    children: &mut Vec<(Child, Option<i32>)>,
) -> std::io::Result<(OwnedFd, OwnedFd)> {
    let (out_rx, out_tx) = std::io::pipe()?;
    let (err_rx, err_tx) = std::io::pipe()?;
    let (out_tx, err_tx): (OwnedFd, OwnedFd) = (out_tx.into(), err_tx.into());
    let mut stdin: OwnedFd = std::fs::File::open("/dev/null")?.into();
    let count = stages.len();
    for (i, stage) in stages.iter().enumerate() {
        let (next_stdin, stdout): (Option<OwnedFd>, OwnedFd) = if i + 1 == count {
            (None, out_tx.try_clone()?)
        } else {
            let (r, w) = std::io::pipe()?;
            (Some(r.into()), w.into())
        };
        let mut fds = [stdin, stdout, err_tx.try_clone()?];
        for r in &stage.redirects {
            let fd = match &r.target {
                Target::Fd(n) => fds[usize::from(*n)].try_clone()?,
                Target::Null => std::fs::OpenOptions::new()
                    .read(true)
                    .write(true)
                    .open("/dev/null")?
                    .into(),
                Target::File(rel, mode) => open(files, rel, *mode)?,
                Target::Text(text) => feed(text)?,
            };
            fds[usize::from(r.fd)] = fd;
        }
        let [fd0, fd1, fd2] = fds;
        let mut cmd = Command::new(&*rawname::os(&stage.program));
        cmd.args(stage.args.iter().map(|a| rawname::os(a)))
            .current_dir(dir)
            .env_clear()
            .env("PATH", PATH)
            .env("LC_ALL", "C.UTF-8")
            .env("HOME", root)
            .env("TMPDIR", sandbox.tmpdir())
            .stdin(Stdio::from(fd0))
            .stdout(Stdio::from(fd1))
            .stderr(Stdio::from(fd2))
            .process_group(0)
            .kill_on_drop(true);
        sandbox.apply(&mut cmd);
        let child = cmd.spawn()?;
        let pgid = child.id().map(|id| id as i32);
        children.push((child, pgid));
        // The command holds its copies now; ours must close so EOF arrives.
        drop(cmd);
        match next_stdin {
            Some(fd) => stdin = fd,
            None => break,
        }
    }
    Ok((out_rx.into(), err_rx.into()))
}

/// Opens a redirection's file beneath the root: cap-std refuses any path, symlink or `..`
/// that would leave it. O_NONBLOCK keeps a FIFO from hanging the server; it is cleared after.
fn open(files: Option<&Dir>, rel: &Path, mode: OpenMode) -> std::io::Result<OwnedFd> {
    let Some(dir) = files else {
        return Err(std::io::Error::other("no workspace to open files in"));
    };
    let mut opts = OpenOptions::new();
    match mode {
        OpenMode::Read => opts.read(true),
        OpenMode::Truncate => opts.write(true).create(true).truncate(true),
        OpenMode::Append => opts.append(true).create(true),
    };
    opts.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    let file = dir.open_with(rel, &opts)?.into_std();
    let fd: OwnedFd = file.into();
    // SAFETY: fcntl on a descriptor we own; no memory is involved.
    unsafe {
        let flags = libc::fcntl(std::os::fd::AsRawFd::as_raw_fd(&fd), libc::F_GETFL);
        if flags >= 0 {
            libc::fcntl(
                std::os::fd::AsRawFd::as_raw_fd(&fd),
                libc::F_SETFL,
                flags & !libc::O_NONBLOCK,
            );
        }
    }
    Ok(fd)
}

/// A here-document as a pipe: small ones are written at once, larger ones by a thread so a
/// program that never reads cannot block the server.
fn feed(text: &str) -> std::io::Result<OwnedFd> {
    let (r, mut w) = std::io::pipe()?;
    if text.len() <= 16 * 1024 {
        w.write_all(text.as_bytes())?;
    } else {
        let text = text.to_owned();
        std::thread::spawn(move || {
            let _ = w.write_all(text.as_bytes());
        });
    }
    Ok(r.into())
}

fn kill_group(pgid: Option<i32>) {
    if let Some(pgid) = pgid.filter(|p| *p > 0) {
        // SAFETY: killpg has no memory-safety preconditions; a stale id only fails with ESRCH.
        unsafe {
            libc::killpg(pgid, libc::SIGKILL);
        }
    }
}
