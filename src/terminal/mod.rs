//! Shell terminals, opt-in (`atajo serve --shell`): bash in a PTY, inside the same sandbox as
//! every command — which is then the only boundary, as nothing the shell runs is judged.
//!
//! A terminal lives on the server, not in a connection: clients attach and detach (a reload is
//! a detach and an attach), and one that attaches is sent the screen as it is (`screen`), then
//! the live output under byte-counted flow control (`flow`). After its last client leaves, a
//! terminal waits a grace time for one to come back, then ends. Its task (`pump`) owns the PTY
//! and the clients; an emulator thread per terminal keeps the screen.

pub mod flow;
mod pump;
pub mod screen;
mod spawn;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::mpsc;

use crate::exec::Sandbox;

pub use spawn::SpawnError;

/// How shell terminals behave (`shell_*` settings).
#[derive(Debug, Clone)]
pub struct TerminalSettings {
    /// The shell: bash.
    pub program: PathBuf,
    /// How long a terminal without clients waits for one before it ends.
    pub grace: Duration,
    /// Terminals the server keeps at most.
    pub max_terminals: usize,
    /// Lines that scrolled off kept per terminal for a client that attaches.
    pub history_lines: usize,
}

impl Default for TerminalSettings {
    fn default() -> Self {
        Self {
            program: PathBuf::from("/bin/bash"),
            grace: Duration::from_secs(300),
            max_terminals: 16,
            history_lines: 10_000,
        }
    }
}

/// Why a message could not go to a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendError {
    /// Its outgoing buffer is full: it is slow.
    Full,
    /// It is gone.
    Closed,
}

/// What a terminal tells its clients.
#[derive(Debug, Clone)]
pub enum ToClient {
    /// The screen as it is, for a freshly reset terminal of that size; live output follows.
    Replay {
        terminal: Arc<str>,
        rows: u16,
        cols: u16,
        data: Bytes,
    },
    Output {
        terminal: Arc<str>,
        data: Bytes,
    },
    Title {
        terminal: Arc<str>,
        title: String,
    },
    /// The shell's folder, relative to the root; `None` outside it.
    Cwd {
        terminal: Arc<str>,
        cwd: Option<String>,
    },
    Exit {
        terminal: Arc<str>,
        code: i32,
    },
}

/// Where a client's messages go: a Socket.IO connection in the server, a channel in tests.
pub trait Client: Send + Sync + 'static {
    fn send(&self, msg: ToClient) -> Result<(), SendError>;
}

/// A terminal as listed to clients (the protocol's own type).
pub use crate::protocol::PtyInfo as Info;

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("{max} terminals are open already, the most this server keeps")]
    TooMany { max: usize },
    #[error(transparent)]
    Spawn(#[from] SpawnError),
}

/// Told the list of terminals whenever one starts, ends or is renamed.
pub type ListWatcher = Box<dyn Fn(Vec<Info>) + Send + Sync>;

/// The server's shell terminals.
pub struct Terminals {
    settings: TerminalSettings,
    root: PathBuf,
    sandbox: Arc<Sandbox>,
    map: Mutex<HashMap<Arc<str>, Arc<Terminal>>>,
    next: AtomicU64,
    watcher: Mutex<Option<ListWatcher>>,
}

impl std::fmt::Debug for Terminals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Terminals")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// Rows and columns a client may ask for: a terminal smaller than 2×2 or larger than 1000×1000
/// is a mistake, not a screen.
pub fn clamp_size(rows: u32, cols: u32) -> (u16, u16) {
    let fit = |v: u32| u16::try_from(v.clamp(2, 1000)).unwrap_or(1000);
    (fit(rows), fit(cols))
}

impl Terminals {
    pub fn new(settings: TerminalSettings, root: PathBuf, sandbox: Arc<Sandbox>) -> Arc<Self> {
        Arc::new(Self {
            settings,
            root,
            sandbox,
            map: Mutex::new(HashMap::new()),
            next: AtomicU64::new(1),
            watcher: Mutex::new(None),
        })
    }

    /// Calls `f` with the list whenever a terminal starts, ends or is renamed (every open page
    /// shows every terminal).
    pub fn watch(&self, f: ListWatcher) {
        *self.watcher.lock().unwrap_or_else(|e| e.into_inner()) = Some(f);
    }

    fn changed(&self) {
        let list = self.list();
        if let Some(f) = &*self.watcher.lock().unwrap_or_else(|e| e.into_inner()) {
            f(list);
        }
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<Arc<str>, Arc<Terminal>>> {
        // A panic elsewhere never leaves the map half-changed: recover it.
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts a shell in `dir` (beneath the root), sized for its first client, for the
    /// server's owner.
    pub fn open(
        self: &Arc<Self>,
        name: Option<&str>,
        dir: &Path,
        rows: u16,
        cols: u16,
    ) -> Result<Arc<Terminal>, OpenError> {
        let sandbox = self.sandbox.clone();
        self.open_for(name, dir, (rows, cols), Owner::default(), &sandbox)
    }

    /// Starts a shell for `owner`, confined by `sandbox` (narrowed to their folders).
    pub fn open_for(
        self: &Arc<Self>,
        name: Option<&str>,
        dir: &Path,
        (rows, cols): (u16, u16),
        owner: Owner,
        sandbox: &Sandbox,
    ) -> Result<Arc<Terminal>, OpenError> {
        let max = self.settings.max_terminals;
        if self.map().len() >= max {
            return Err(OpenError::TooMany { max });
        }
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let id: Arc<str> = Arc::from(format!("t{n}"));
        let shell = spawn::shell(&self.settings.program, dir, &self.root, sandbox, rows, cols)?;
        let name = name
            .map(tab_name)
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("bash {n}"));
        let (ctl, ctl_rx) = mpsc::unbounded_channel();
        let terminal = Arc::new(Terminal {
            id: id.clone(),
            info: Mutex::new(Info {
                id: id.to_string(),
                name,
                rows,
                cols,
                clients: 0,
                title: String::new(),
                cwd: rel_of(&self.root, dir),
                owner: owner.user.clone(),
            }),
            ctl,
            owner,
        });
        self.map().insert(id.clone(), terminal.clone());
        pump::start(pump::Parts {
            terminal: terminal.clone(),
            registry: self.clone(),
            shell,
            ctl_rx,
            rows,
            cols,
            grace: self.settings.grace,
            history_lines: self.settings.history_lines,
            root: self.root.clone(),
        });
        self.changed();
        Ok(terminal)
    }

    pub fn get(&self, id: &str) -> Option<Arc<Terminal>> {
        self.map().get(id).cloned()
    }

    pub fn list(&self) -> Vec<Info> {
        let mut all: Vec<Info> = self.map().values().map(|t| t.info()).collect();
        all.sort_by_key(|i| i.id[1..].parse::<u64>().unwrap_or(u64::MAX));
        all
    }

    fn remove(&self, id: &str) {
        self.map().remove(id);
        self.changed();
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Ends every shell (and what it started) and waits up to `within` for them to go: `true`
    /// when none is left.
    pub async fn close_all(&self, within: std::time::Duration) -> bool {
        let all: Vec<Arc<Terminal>> = self.map().values().cloned().collect();
        for t in &all {
            t.close();
        }
        let until = tokio::time::Instant::now() + within;
        while !self.map().is_empty() && tokio::time::Instant::now() < until {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        self.map().is_empty()
    }
}

/// Text a program or a client chose, as it may be shown: printable characters, at most `max`.
fn plain(text: &str, max: usize) -> String {
    text.chars().filter(|c| !c.is_control()).take(max).collect()
}

/// A terminal's name as a tab shows it.
fn tab_name(raw: &str) -> String {
    plain(raw.trim(), 60)
}

/// A path beneath the root as the explorer names it; `None` outside the root.
pub fn rel_of(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    rel.components()
        .all(|c| matches!(c, std::path::Component::Normal(_)))
        .then(|| crate::workspace::rel_to_string(rel))
}

/// What a terminal's task is asked to do.
enum Ctl {
    Attach {
        client: String,
        sink: Arc<dyn Client>,
        size: Option<(u16, u16)>,
        readonly: bool,
    },
    Detach {
        client: String,
    },
    Input {
        client: String,
        data: Bytes,
    },
    Resize {
        client: String,
        rows: u16,
        cols: u16,
    },
    Ack {
        client: String,
        bytes: usize,
    },
    Rename(String),
    Close,
    /// From the emulator thread: a client's replay is ready.
    Replay {
        client: String,
        rows: u16,
        cols: u16,
        data: Bytes,
    },
    /// From the emulator thread.
    Notice(screen::Notice),
}

/// One terminal, shared by the registry and the connections attached to it.
pub struct Terminal {
    id: Arc<str>,
    info: Mutex<Info>,
    ctl: mpsc::UnboundedSender<Ctl>,
    owner: Owner,
}

/// Whose a terminal is: who may type in it, and what one must be allowed to reach to watch
/// it (its shell reaches the owner's folders).
#[derive(Debug, Clone)]
pub struct Owner {
    pub user: String,
    pub scope: crate::users::Scope,
}

impl Default for Owner {
    fn default() -> Self {
        Self {
            user: crate::users::OWNER.into(),
            scope: crate::users::Scope::All,
        }
    }
}

impl std::fmt::Debug for Terminal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Terminal").field("id", &self.id).finish()
    }
}

impl Terminal {
    pub fn owner(&self) -> &Owner {
        &self.owner
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn info(&self) -> Info {
        self.info.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn update_info(&self, f: impl FnOnce(&mut Info)) {
        f(&mut self.info.lock().unwrap_or_else(|e| e.into_inner()));
    }

    fn tell(&self, ctl: Ctl) {
        // The task is gone only once the terminal ended; then there is nothing to do.
        let _ = self.ctl.send(ctl);
    }

    /// Adds a client: it is sent the screen (`Replay`), then the output. A read-only one
    /// watches: its input and sizes are ignored.
    pub fn attach(
        &self,
        client: &str,
        sink: Arc<dyn Client>,
        size: Option<(u16, u16)>,
        readonly: bool,
    ) {
        self.tell(Ctl::Attach {
            client: client.to_owned(),
            sink,
            size,
            readonly,
        });
    }

    pub fn detach(&self, client: &str) {
        self.tell(Ctl::Detach {
            client: client.to_owned(),
        });
    }

    /// Keys or a paste; ignored from a read-only client and until the client's replay is out.
    pub fn input(&self, client: &str, data: Bytes) {
        self.tell(Ctl::Input {
            client: client.to_owned(),
            data,
        });
    }

    pub fn resize(&self, client: &str, rows: u16, cols: u16) {
        self.tell(Ctl::Resize {
            client: client.to_owned(),
            rows,
            cols,
        });
    }

    pub fn ack(&self, client: &str, bytes: usize) {
        self.tell(Ctl::Ack {
            client: client.to_owned(),
            bytes,
        });
    }

    pub fn rename(&self, name: &str) {
        let name = tab_name(name);
        if !name.is_empty() {
            self.tell(Ctl::Rename(name));
        }
    }

    /// Ends the shell and everything it started.
    pub fn close(&self) {
        self.tell(Ctl::Close);
    }
}

#[cfg(test)]
mod tests;
