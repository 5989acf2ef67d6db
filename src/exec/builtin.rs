//! Simple file operations done in-process through the confined workspace instead of spawning
//! a process: a folder created from an instruction costs a syscall, not a fork+exec. Each
//! behaves like its GNU coreutils namesake (same effects, messages and exit codes), which the
//! tests check side by side with the real tools.

use crate::lang::Lang;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use cap_std::fs::{Dir, OpenOptions, OpenOptionsExt};

use super::quote;
use super::trash;
use crate::policy::{self, Stage};
use crate::workspace::{self, Workspace, rawname};

/// What a builtin printed and how it ended.
pub struct Done {
    pub output: String,
    pub code: i32,
    /// Root-relative folders this step created, announced before the watcher sees them.
    pub created: Vec<PathBuf>,
}

/// Runs `stage` in-process if it is one of the builtins and its options are ones the
/// builtin implements; `None` means "spawn the real program".
/// `lang`: the language of atajo's own lines (the trash, undo).
pub fn try_run(
    stage: &Stage,
    ws: &Workspace,
    cwd: &mut PathBuf,
    permanent: bool,
    lang: Lang,
) -> Option<Done> {
    let (flags, operands) = parse(stage);
    let only = |allowed: &str| flags.chars().all(|c| allowed.contains(c));
    match stage.program.as_str() {
        "mkdir" if only("pv") => Some(mkdir(&flags, &operands, ws, cwd)),
        "touch" if only("c") => Some(touch(&flags, &operands, ws, cwd)),
        "pwd" if stage.args.is_empty() => Some(Done {
            output: format!("{}\n", ws.root().join(&*cwd).display()),
            code: 0,
            created: Vec::new(),
        }),
        "cd" => Some(cd(stage, ws, cwd)),
        "rm" => Some(trash::rm(&flags, &operands, ws, cwd, permanent, lang)),
        "undo" => Some(trash::undo(operands.first().copied(), ws, lang)),
        _ => None,
    }
}

/// Splits arguments into flags (letters) and operands, as the policy already validated them.
/// A long option a builtin does not implement becomes `?`, so the real program runs instead.
fn parse(stage: &Stage) -> (String, Vec<&str>) {
    let mut flags = String::new();
    let mut operands = Vec::new();
    let mut only_operands = false;
    for arg in &stage.args {
        if only_operands || arg == "-" || !arg.starts_with('-') {
            operands.push(arg.as_str());
        } else if arg == "--" {
            only_operands = true;
        } else if let Some(long) = arg.strip_prefix("--") {
            flags.push(match long {
                "parents" => 'p',
                "verbose" => 'v',
                "no-create" => 'c',
                "recursive" => 'r',
                "force" => 'f',
                "dir" => 'd',
                // rm's safeguards are atajo's defaults anyway.
                "one-file-system" | "preserve-root" => continue,
                _ => '?',
            });
        } else {
            flags.push_str(&arg[1..]);
        }
    }
    (flags, operands)
}

/// The root-relative path an operand names. Operations go through the root handle, not a
/// handle on the cwd: `..` out of the cwd is fine as long as it stays beneath the root (the
/// policy already confined every operand; this refuses anything else as a permission error).
pub(super) fn locate(ws: &Workspace, cwd: &Path, operand: &str) -> io::Result<PathBuf> {
    workspace::normalize_within(ws.root(), cwd, &rawname::path(operand))
        .map_err(|_| io::Error::from_raw_os_error(libc::EACCES))
}

/// `io::Error`'s text without Rust's " (os error N)" suffix, as strerror prints it.
pub(super) fn strerror(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(code) => {
            let s = e.to_string();
            s.strip_suffix(&format!(" (os error {code})"))
                .unwrap_or(&s)
                .to_owned()
        }
        None => "Permission denied".to_owned(),
    }
}

fn mkdir(flags: &str, operands: &[&str], ws: &Workspace, cwd: &Path) -> Done {
    let (parents, verbose) = (flags.contains('p'), flags.contains('v'));
    let dir = ws.dir();
    let mut out = String::new();
    let mut code = 0;
    let mut made = Vec::new();
    for &operand in operands {
        let result = if parents {
            mkdir_parents(ws, cwd, operand, verbose, &mut out, &mut made)
        } else {
            locate(ws, cwd, operand)
                .and_then(|path| dir.create_dir(&path).map(|()| path))
                .map(|path| {
                    made.push(path);
                    if verbose {
                        created(&mut out, operand);
                    }
                })
                .map_err(|e| (operand.to_owned(), e))
        };
        if let Err((shown, e)) = result {
            out.push_str(&format!(
                "mkdir: cannot create directory {}: {}\n",
                quote::locale(&rawname::os(&shown)),
                strerror(&e)
            ));
            code = 1;
        }
    }
    Done {
        output: out,
        code,
        created: made,
    }
}

fn created(out: &mut String, shown: &str) {
    out.push_str(&format!(
        "mkdir: created directory {}\n",
        quote::shell_always(&rawname::os(shown))
    ));
}

/// `mkdir -p`: each missing ancestor in turn; an existing folder is fine, an existing
/// non-folder fails on that component.
fn mkdir_parents(
    ws: &Workspace,
    cwd: &Path,
    operand: &str,
    verbose: bool,
    out: &mut String,
    made: &mut Vec<PathBuf>,
) -> Result<(), (String, io::Error)> {
    let dir = ws.dir();
    let parts: Vec<&str> = operand.split('/').filter(|s| !s.is_empty()).collect();
    let mut shown = String::from(if operand.starts_with('/') { "/" } else { "" });
    for (i, part) in parts.iter().enumerate() {
        if !shown.is_empty() && !shown.ends_with('/') {
            shown.push('/');
        }
        shown.push_str(part);
        if matches!(*part, "." | "..") {
            continue;
        }
        // Prefixes at or above the root (of an absolute operand) exist already.
        let Ok(prefix) = workspace::normalize_within(ws.root(), cwd, &rawname::path(&shown)) else {
            continue;
        };
        if prefix.as_os_str().is_empty() {
            continue;
        }
        match dir.create_dir(&prefix) {
            Ok(()) => {
                made.push(prefix);
                if verbose {
                    created(out, &shown);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                let is_dir = dir.metadata(&prefix).map(|m| m.is_dir()).unwrap_or(false);
                if !is_dir {
                    let last = i + 1 == parts.len();
                    let err = if last {
                        e
                    } else {
                        io::Error::from_raw_os_error(libc::ENOTDIR)
                    };
                    return Err((shown, err));
                }
            }
            Err(e) => return Err((shown, e)),
        }
    }
    Ok(())
}

fn touch(flags: &str, operands: &[&str], ws: &Workspace, cwd: &Path) -> Done {
    let no_create = flags.contains('c');
    let mut out = String::new();
    let mut code = 0;
    for &operand in operands {
        let touched = locate(ws, cwd, operand).and_then(|p| touch_one(ws.dir(), &p, no_create));
        if let Err(e) = touched {
            if no_create && e.kind() == io::ErrorKind::NotFound {
                continue;
            }
            out.push_str(&format!(
                "touch: cannot touch {}: {}\n",
                quote::shell_always(&rawname::os(operand)),
                strerror(&e)
            ));
            code = 1;
        }
    }
    Done {
        output: out,
        code,
        created: Vec::new(),
    }
}

fn touch_one(dir: &Dir, path: &Path, no_create: bool) -> io::Result<()> {
    let mut opts = OpenOptions::new();
    // Like coreutils: never block on a FIFO, never acquire a controlling terminal.
    opts.write(true)
        .create(!no_create)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    let now = SystemTime::now();
    let times = std::fs::FileTimes::new()
        .set_accessed(now)
        .set_modified(now);
    match dir.open_with(path, &opts) {
        Ok(file) => file.into_std().set_times(times),
        Err(e) if e.raw_os_error() == Some(libc::EISDIR) => {
            // A folder: open it read-only (a real descriptor, unlike O_PATH) to set its times.
            let mut read = OpenOptions::new();
            read.read(true);
            dir.open_with(path, &read)?.into_std().set_times(times)
        }
        Err(e) => Err(e),
    }
}

fn cd(stage: &Stage, ws: &Workspace, cwd: &mut PathBuf) -> Done {
    let shown = stage.args.first().map(String::as_str).unwrap_or("");
    let fail = |msg: String| Done {
        output: format!("cd: {shown}: {msg}\n"),
        code: 1,
        created: Vec::new(),
    };
    let target = match policy::cd_target(stage, ws.root(), cwd) {
        Ok(t) => t,
        Err(d) => return fail(d.reason.to_string()),
    };
    match ws.open_dir(&target) {
        Ok(_) => {
            *cwd = target;
            Done {
                output: String::new(),
                code: 0,
                created: Vec::new(),
            }
        }
        Err(e) => fail(strerror(&e)),
    }
}
