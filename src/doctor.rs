//! `atajo doctor`'s escape attempts: atajo runs itself inside the sandbox (the hidden `probe`
//! subcommand) and tries what a hostile command would. A protection is only reported as
//! working when an attempt against it really failed — and the control attempt inside the
//! workspace really succeeded.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use atajo::exec::{self, Limits, Sandbox};
use atajo::workspace::Workspace;

/// Exit code of a probe whose attempt the system refused.
const DENIED: i32 = 3;

#[derive(Debug, serde::Serialize)]
pub struct Probe {
    pub attempt: String,
    /// Contained when it should be, or worked when it is the control.
    pub passed: bool,
    pub result: String,
}

/// One attempt, run inside the sandbox by `doctor`.
pub fn probe(what: &[String]) -> ExitCode {
    let arg = what.get(1).map(String::as_str).unwrap_or("");
    let result: std::io::Result<String> = match what.first().map(String::as_str) {
        Some("read") => {
            let p = Path::new(arg);
            if p.is_dir() {
                std::fs::read_dir(p).map(|d| format!("listed {} entries", d.count()))
            } else {
                std::fs::read(p).map(|b| format!("read {} bytes", b.len()))
            }
        }
        Some("write") => std::fs::write(arg, b"atajo doctor\n").map(|()| "wrote it".to_owned()),
        Some("connect") => arg
            .parse()
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))
            .and_then(|a| std::net::TcpStream::connect_timeout(&a, Duration::from_secs(2)))
            .map(|_| "connected".to_owned()),
        Some("setuid") => {
            use std::os::unix::fs::PermissionsExt;
            std::fs::write(arg, b"#!/bin/sh\n")
                .and_then(|()| {
                    std::fs::set_permissions(arg, std::fs::Permissions::from_mode(0o4755))
                })
                .map(|()| "set the setuid bit".to_owned())
        }
        Some("create-setgid") => {
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o2755)
                .open(arg)
                .map(|_| "created a setgid file".to_owned())
        }
        Some("socket") => {
            // SAFETY: plain syscall; the descriptor is closed at once.
            let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0) };
            if fd < 0 {
                Err(std::io::Error::last_os_error())
            } else {
                // SAFETY: `fd` was just opened here.
                unsafe { libc::close(fd) };
                Ok("opened an AF_INET socket".to_owned())
            }
        }
        Some("tiocsti") => {
            // seccomp answers before the kernel looks at the descriptor: EPERM when the rule
            // holds, ENOTTY (stdin is /dev/null here) when it does not.
            let c = b'x';
            // SAFETY: plain ioctl on fd 0 with a pointer to a byte on the stack.
            let r = unsafe { libc::ioctl(0, libc::TIOCSTI, &c) };
            let e = std::io::Error::last_os_error();
            match (r, e.raw_os_error()) {
                (0, _) => Ok("typed into the terminal".to_owned()),
                (_, Some(libc::EPERM)) => Err(e),
                _ => Ok(format!("not refused by the filter ({e})")),
            }
        }
        _ => {
            eprintln!(
                "probe: read PATH | write PATH | setuid PATH | create-setgid PATH | connect HOST:PORT | socket | tiocsti"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(msg) => {
            println!("{msg}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("refused: {e}");
            ExitCode::from(DENIED as u8)
        }
    }
}

/// Runs every attempt and says how each ended.
pub async fn probes(ws: &Workspace, sandbox: &Sandbox) -> Vec<Probe> {
    let Ok(exe) = std::env::current_exe() else {
        return vec![Probe {
            attempt: "find atajo's own binary".into(),
            passed: false,
            result: "cannot tell where this program is".into(),
        }];
    };
    let root = ws.root();
    let outside_dir = outside_temp(root);
    let control = sandbox
        .tmpdir()
        .join(format!("doctor-{}", std::process::id()));
    let _ = std::fs::write(&control, b"control\n");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").ok();
    let target = listener
        .as_ref()
        .and_then(|l| l.local_addr().ok())
        .map_or_else(|| "127.0.0.1:9".to_owned(), |a| a.to_string());
    let mut attempts: Vec<(String, Vec<String>, bool)> = vec![
        (
            "control: read a file inside the workspace".into(),
            vec!["read".into(), control.display().to_string()],
            true,
        ),
        (
            "read /etc/passwd".into(),
            vec!["read".into(), "/etc/passwd".into()],
            false,
        ),
        (
            format!("write a file in {}", outside_dir.display()),
            vec![
                "write".into(),
                outside_dir
                    .join(format!("atajo-doctor-{}", std::process::id()))
                    .display()
                    .to_string(),
            ],
            false,
        ),
        (
            format!("connect to {target}"),
            vec!["connect".into(), target.clone()],
            false,
        ),
        (
            "open an internet socket".into(),
            vec!["socket".into()],
            false,
        ),
        (
            "type into a terminal (TIOCSTI)".into(),
            vec!["tiocsti".into()],
            false,
        ),
        (
            "set the setuid bit on a file in the workspace".into(),
            vec!["setuid".into(), format!("{}-suid", control.display())],
            false,
        ),
        (
            "create a setgid file in the workspace".into(),
            vec![
                "create-setgid".into(),
                format!("{}-sgid", control.display()),
            ],
            false,
        ),
    ];
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from)
        && home.is_dir()
        && !root.starts_with(&home)
    {
        attempts.push((
            format!("list the server user's home {}", home.display()),
            vec!["read".into(), home.display().to_string()],
            false,
        ));
    }
    let limits = Limits {
        timeout: Duration::from_secs(10),
        output_limit: 64 * 1024,
    };
    let mut out = Vec::new();
    for (attempt, args, should_work) in attempts {
        let mut argv: Vec<&OsStr> = vec![OsStr::new("probe")];
        argv.extend(args.iter().map(OsStr::new));
        let ran = exec::run_confined(exe.as_os_str(), &argv, root, root, sandbox, limits).await;
        let worked = ran.code == 0;
        let passed = worked == should_work && (worked || ran.code == DENIED);
        let mut result = ran.output.trim().to_owned();
        if result.is_empty() {
            result = format!("exit code {}", ran.code);
        }
        out.push(Probe {
            attempt,
            passed,
            result,
        });
    }
    let _ = std::fs::remove_file(&control);
    for suffix in ["-suid", "-sgid"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", control.display()));
    }
    out
}

/// A writable folder outside the workspace to try to write into.
fn outside_temp(root: &Path) -> PathBuf {
    let tmp = std::env::temp_dir();
    if !tmp.starts_with(root) {
        return tmp;
    }
    root.parent().map_or(tmp, Path::to_path_buf)
}
