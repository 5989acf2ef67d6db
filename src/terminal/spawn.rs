//! Starting a shell: bash in a fresh PTY, its controlling terminal, inside the sandbox.

use std::path::Path;

use crate::exec::Sandbox;

/// Only what a shell needs; nothing of the server's environment (tokens and keys stay there).
const PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// The prompt reports the shell's folder (OSC 7) before every prompt, so the explorer can
/// follow `cd`; the path is sent as is (the server percent-decodes what a user's own prompt
/// may encode).
const PROMPT_COMMAND: &str = r#"printf '\033]7;file://atajo%s\033\\' "$PWD""#;
const PS1: &str = r"\[\e[1;34m\]\w\[\e[0m\] \$ ";

#[derive(Debug, thiserror::Error)]
pub enum SpawnError {
    #[error("cannot open a terminal: {0}")]
    Pty(#[from] pty_process::Error),
    #[error("cannot start the shell: {0}")]
    Start(std::io::Error),
}

/// A started shell: its PTY's two halves and the process.
pub struct Shell {
    pub reader: pty_process::OwnedReadPty,
    pub writer: pty_process::OwnedWritePty,
    pub child: tokio::process::Child,
}

/// Starts `program` (bash) in `dir` at the given size. The shell reads no start-up file: the
/// workspace's `.bashrc` would be the user's own code run before they see a prompt, and the
/// system's would replace the prompt that reports the folder.
pub fn shell(
    program: &Path,
    dir: &Path,
    root: &Path,
    sandbox: &Sandbox,
    rows: u16,
    cols: u16,
) -> Result<Shell, SpawnError> {
    let (pty, pts) = pty_process::open()?;
    pty.resize(pty_process::Size::new(rows, cols))?;
    let history = root.join(crate::workspace::STATE_DIR).join("shell_history");
    let cmd = pty_process::Command::new(program)
        .args(["--noprofile", "--norc", "-i"])
        .current_dir(dir)
        .env_clear()
        .env("PATH", PATH)
        .env("TERM", "xterm-256color")
        .env("COLORTERM", "truecolor")
        .env("LANG", "C.UTF-8")
        .env("HOME", root)
        .env("TMPDIR", sandbox.tmpdir())
        .env("HISTFILE", history)
        .env("PS1", PS1)
        .env("PROMPT_COMMAND", PROMPT_COMMAND)
        .kill_on_drop(true);
    let cmd = sandbox.apply_shell(cmd);
    let child = cmd.spawn(pts).map_err(|e| match e {
        pty_process::Error::Io(io) => SpawnError::Start(io),
        other => SpawnError::Pty(other),
    })?;
    let (reader, writer) = pty.into_split();
    Ok(Shell {
        reader,
        writer,
        child,
    })
}
