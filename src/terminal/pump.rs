//! One terminal's task: reads the PTY and hands every chunk to the emulator thread and to the
//! clients that can take it; writes input and sizes to the PTY through a writer task (so a
//! shell that stops reading its input never blocks the output); ends the terminal when the
//! shell exits, when asked, or when no client came back within the grace time.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::FutureExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{Notify, mpsc};
use tokio::time::Instant;
use tracing::{debug, warn};

use super::flow::{HIGH_WATER, Window};
use super::screen::{Notice, Screen};
use super::spawn::Shell;
use super::{Client, Ctl, SendError, Terminal, Terminals, ToClient, rel_of};

/// Bytes read and sent as one chunk at most. Whatever the PTY has ready is read at once and
/// sent together, so a flood goes out in large chunks while a keystroke's echo leaves at once.
const CHUNK: usize = 64 * 1024;
/// Output not yet through the emulator above which the PTY is not read.
const SCREEN_HIGH: usize = 4 * 1024 * 1024;
/// ...and below which reading resumes.
const SCREEN_LOW: usize = 1024 * 1024;
/// Input chunks queued for the PTY at most (a shell that does not read its input loses keys
/// beyond, and the client is not blocked).
const INPUT_QUEUE: usize = 1024;

pub(super) struct Parts {
    pub terminal: Arc<Terminal>,
    pub registry: Arc<Terminals>,
    pub shell: Shell,
    pub ctl_rx: mpsc::UnboundedReceiver<Ctl>,
    pub rows: u16,
    pub cols: u16,
    pub grace: Duration,
    pub history_lines: usize,
    pub root: PathBuf,
}

enum ScreenMsg {
    Bytes(Bytes),
    Resize(u16, u16),
    Replay(String),
}

enum WriteMsg {
    Data(Bytes),
    Resize(u16, u16),
}

enum Stage {
    /// Waiting for its replay; output meanwhile is kept to follow it.
    Waiting {
        kept: BytesMut,
        overflowed: bool,
    },
    Live,
}

struct Attached {
    id: String,
    sink: Arc<dyn Client>,
    window: Window,
    readonly: bool,
    size: Option<(u16, u16)>,
    stage: Stage,
}

struct Pump {
    terminal: Arc<Terminal>,
    registry: Arc<Terminals>,
    clients: Vec<Attached>,
    screen_tx: std::sync::mpsc::Sender<ScreenMsg>,
    /// Bytes handed to the emulator and not yet processed.
    screen_backlog: Arc<AtomicUsize>,
    screen_drained: Arc<Notify>,
    writer: mpsc::Sender<WriteMsg>,
    size: (u16, u16),
    grace: Duration,
    root: PathBuf,
    title: String,
    cwd: Option<String>,
}

pub(super) fn start(p: Parts) {
    let (screen_tx, screen_rx) = std::sync::mpsc::channel();
    let backlog = Arc::new(AtomicUsize::new(0));
    let drained = Arc::new(Notify::new());
    let screen = Screen::new(p.rows, p.cols, p.history_lines);
    let ctl = p.terminal.ctl.clone();
    let (b, d) = (backlog.clone(), drained.clone());
    let spawned = std::thread::Builder::new()
        .name(format!("atajo-screen-{}", p.terminal.id))
        .spawn(move || emulate(screen, screen_rx, ctl, b, d));
    if let Err(e) = spawned {
        warn!(error = %e, "cannot start a terminal's emulator; its clients get no replay");
    }
    let Shell {
        reader,
        writer,
        child,
    } = p.shell;
    let (write_tx, write_rx) = mpsc::channel(INPUT_QUEUE);
    tokio::spawn(write_input(writer, write_rx));
    let pump = Pump {
        terminal: p.terminal,
        registry: p.registry,
        clients: Vec::new(),
        screen_tx,
        screen_backlog: backlog,
        screen_drained: drained,
        writer: write_tx,
        size: (p.rows, p.cols),
        grace: p.grace,
        root: p.root,
        title: String::new(),
        cwd: None,
    };
    tokio::spawn(pump.run(reader, child, p.ctl_rx));
}

/// The emulator thread: parses everything the shell printed, in order, and answers replay
/// requests at the point of the stream where they were asked.
fn emulate(
    mut screen: Screen,
    rx: std::sync::mpsc::Receiver<ScreenMsg>,
    ctl: mpsc::UnboundedSender<Ctl>,
    backlog: Arc<AtomicUsize>,
    drained: Arc<Notify>,
) {
    let mut next = None;
    let mut gathered = Vec::new();
    while let Some(msg) = next.take().or_else(|| rx.recv().ok()) {
        match msg {
            ScreenMsg::Bytes(b) => {
                // Everything queued behind it goes in one go (a flood can then skip what
                // can no longer be seen); a resize or a replay request waits its turn.
                let mut n = b.len();
                let whole = match rx.try_recv() {
                    Ok(ScreenMsg::Bytes(more)) => {
                        gathered.clear();
                        gathered.extend_from_slice(&b);
                        gathered.extend_from_slice(&more);
                        n += more.len();
                        loop {
                            match rx.try_recv() {
                                Ok(ScreenMsg::Bytes(more)) => {
                                    gathered.extend_from_slice(&more);
                                    n += more.len();
                                }
                                Ok(other) => break next = Some(other),
                                Err(_) => break,
                            }
                        }
                        &gathered[..]
                    }
                    Ok(other) => {
                        next = Some(other);
                        &b[..]
                    }
                    Err(_) => &b[..],
                };
                screen.process_backlog(whole);
                let before = backlog.fetch_sub(n, Ordering::AcqRel);
                if before >= SCREEN_LOW && before - n < SCREEN_LOW {
                    drained.notify_one();
                }
                for notice in screen.notices() {
                    let _ = ctl.send(Ctl::Notice(notice));
                }
                // A flood's buffer (up to the 4 MiB backlog) is not kept for the next one: an
                // idle terminal holds its screen and history, nothing more.
                if gathered.capacity() > 256 * 1024 {
                    gathered = Vec::new();
                }
            }
            ScreenMsg::Resize(rows, cols) => screen.resize(rows, cols),
            ScreenMsg::Replay(client) => {
                let (rows, cols) = screen.size();
                let data = Bytes::from(screen.replay());
                let _ = ctl.send(Ctl::Replay {
                    client,
                    rows,
                    cols,
                    data,
                });
            }
        }
    }
}

async fn write_input(mut pty: pty_process::OwnedWritePty, mut rx: mpsc::Receiver<WriteMsg>) {
    while let Some(msg) = rx.recv().await {
        match msg {
            WriteMsg::Data(b) => {
                if pty.write_all(&b).await.is_err() {
                    break;
                }
            }
            WriteMsg::Resize(rows, cols) => {
                if let Err(e) = pty.resize(pty_process::Size::new(rows, cols)) {
                    debug!(error = %e, "cannot resize a terminal");
                }
            }
        }
    }
}

impl Pump {
    fn paused(&self) -> bool {
        if self.screen_backlog.load(Ordering::Acquire) > SCREEN_HIGH {
            return true;
        }
        // Read while any client can take output, or while nobody is there at all (the shell
        // must never block on a full terminal because its viewer left).
        !self.clients.is_empty()
            && !self
                .clients
                .iter()
                .any(|c| matches!(c.stage, Stage::Live) && c.window.open())
    }

    async fn run(
        mut self,
        mut reader: pty_process::OwnedReadPty,
        mut child: tokio::process::Child,
        mut ctl_rx: mpsc::UnboundedReceiver<Ctl>,
    ) {
        let mut buf = vec![0u8; CHUNK];
        let mut exit: Option<i32> = None;
        let mut reading = true;
        let mut alone_since: Option<Instant> = Some(Instant::now());
        loop {
            let paused = self.paused() && exit.is_none();
            let grace_end = alone_since.map(|t| t + self.grace);
            tokio::select! {
                biased;
                ctl = ctl_rx.recv() => match ctl {
                    Some(Ctl::Close) | None => {
                        let _ = child.start_kill();
                    }
                    Some(ctl) => {
                        self.handle(ctl);
                        alone_since = match (self.clients.is_empty(), alone_since) {
                            (true, None) => Some(Instant::now()),
                            (true, since) => since,
                            (false, _) => None,
                        };
                    }
                },
                status = child.wait(), if exit.is_none() => {
                    use std::os::unix::process::ExitStatusExt;
                    exit = Some(match status {
                        Ok(s) => s.code().unwrap_or_else(|| 128 + s.signal().unwrap_or(0)),
                        Err(_) => -1,
                    });
                }
                read = reader.read(&mut buf), if reading && !paused => match read {
                    Ok(n) if n > 0 => {
                        let mut chunk = BytesMut::from(&buf[..n]);
                        // Whatever else is ready goes in the same chunk.
                        while chunk.len() < CHUNK {
                            match reader.read(&mut buf[..CHUNK - chunk.len()]).now_or_never() {
                                Some(Ok(m)) if m > 0 => chunk.extend_from_slice(&buf[..m]),
                                _ => break,
                            }
                        }
                        self.output(chunk.freeze());
                    }
                    // EIO once every holder of the terminal's other side is gone.
                    _ => reading = false,
                },
                () = self.screen_drained.notified(), if paused => {}
                () = sleep_until(grace_end), if grace_end.is_some() => {
                    debug!(terminal = %self.terminal.id, "no client came back: ending the terminal");
                    let _ = child.start_kill();
                    alone_since = None;
                }
            }
            if !reading && let Some(code) = exit {
                self.finish(code);
                return;
            }
            if !reading && exit.is_none() {
                // The output is closed but the process lingers: it cannot be seen any more.
                let _ = child.start_kill();
            }
        }
    }

    fn finish(&mut self, code: i32) {
        self.registry.remove(&self.terminal.id);
        let id = self.terminal.id.clone();
        for c in &self.clients {
            let _ = c.sink.send(ToClient::Exit {
                terminal: id.clone(),
                code,
            });
        }
        debug!(terminal = %id, code, "terminal ended");
    }

    fn output(&mut self, chunk: Bytes) {
        let n = chunk.len();
        self.screen_backlog.fetch_add(n, Ordering::AcqRel);
        if self
            .screen_tx
            .send(ScreenMsg::Bytes(chunk.clone()))
            .is_err()
        {
            // No emulator (it could not start): nothing will drain the count.
            self.screen_backlog.fetch_sub(n, Ordering::AcqRel);
        }
        let id = self.terminal.id.clone();
        let mut gone = Vec::new();
        for c in &mut self.clients {
            match &mut c.stage {
                Stage::Waiting { kept, overflowed } => {
                    if !*overflowed {
                        if kept.len() + n > HIGH_WATER {
                            *overflowed = true;
                            *kept = BytesMut::new();
                        } else {
                            kept.extend_from_slice(&chunk);
                        }
                    }
                }
                Stage::Live if !c.window.open() => c.window.skipped(),
                Stage::Live => match c.sink.send(ToClient::Output {
                    terminal: id.clone(),
                    data: chunk.clone(),
                }) {
                    Ok(()) => c.window.sent(n),
                    Err(SendError::Full) => c.window.skipped(),
                    Err(SendError::Closed) => gone.push(c.id.clone()),
                },
            }
        }
        for g in gone {
            self.detach(&g);
        }
    }

    fn handle(&mut self, ctl: Ctl) {
        match ctl {
            Ctl::Attach {
                client,
                sink,
                size,
                readonly,
            } => {
                // A second attach from the same client starts over.
                self.clients.retain(|c| c.id != client);
                let _ = sink.send(ToClient::Title {
                    terminal: self.terminal.id.clone(),
                    title: self.title.clone(),
                });
                self.clients.push(Attached {
                    id: client.clone(),
                    sink,
                    window: Window::default(),
                    readonly,
                    size: if readonly { None } else { size },
                    stage: Stage::Waiting {
                        kept: BytesMut::new(),
                        overflowed: false,
                    },
                });
                // The size first: the replay is drawn at the size the client will have.
                self.fit();
                let _ = self.screen_tx.send(ScreenMsg::Replay(client));
                self.count_clients();
            }
            Ctl::Detach { client } => self.detach(&client),
            Ctl::Input { client, data } => {
                let ok = self
                    .clients
                    .iter()
                    .any(|c| c.id == client && !c.readonly && matches!(c.stage, Stage::Live));
                if ok && self.writer.try_send(WriteMsg::Data(data)).is_err() {
                    debug!(terminal = %self.terminal.id, "input dropped: the shell is not reading it");
                }
            }
            Ctl::Resize { client, rows, cols } => {
                if let Some(c) = self
                    .clients
                    .iter_mut()
                    .find(|c| c.id == client && !c.readonly && matches!(c.stage, Stage::Live))
                {
                    c.size = Some((rows, cols));
                    self.fit();
                }
            }
            Ctl::Ack { client, bytes } => {
                let Some(c) = self.clients.iter_mut().find(|c| c.id == client) else {
                    return;
                };
                if c.window.acked(bytes) {
                    // It was held back and missed output: send it the screen again.
                    c.stage = Stage::Waiting {
                        kept: BytesMut::new(),
                        overflowed: false,
                    };
                    let _ = self.screen_tx.send(ScreenMsg::Replay(client));
                }
            }
            Ctl::Rename(name) => {
                self.terminal.update_info(|i| i.name = name);
                self.registry.changed();
            }
            Ctl::Close => {}
            Ctl::Replay {
                client,
                rows,
                cols,
                data,
            } => self.replayed(&client, rows, cols, data),
            Ctl::Notice(Notice::Title(title)) => {
                self.title.clone_from(&title);
                self.terminal.update_info(|i| i.title.clone_from(&title));
                self.broadcast(|terminal| ToClient::Title {
                    terminal,
                    title: title.clone(),
                });
            }
            Ctl::Notice(Notice::Cwd(path)) => {
                use std::os::unix::ffi::OsStrExt;
                let cwd = rel_of(
                    &self.root,
                    std::path::Path::new(std::ffi::OsStr::from_bytes(&path)),
                );
                if cwd != self.cwd {
                    self.cwd.clone_from(&cwd);
                    self.terminal.update_info(|i| i.cwd.clone_from(&cwd));
                    self.broadcast(|terminal| ToClient::Cwd {
                        terminal,
                        cwd: cwd.clone(),
                    });
                }
            }
        }
    }

    fn replayed(&mut self, client: &str, rows: u16, cols: u16, data: Bytes) {
        let id = self.terminal.id.clone();
        let Some(c) = self.clients.iter_mut().find(|c| c.id == client) else {
            return;
        };
        let kept = match &mut c.stage {
            Stage::Live => return,
            Stage::Waiting {
                overflowed: true, ..
            } => {
                // More went by than a window while the replay was made: make a new one.
                c.stage = Stage::Waiting {
                    kept: BytesMut::new(),
                    overflowed: false,
                };
                let _ = self.screen_tx.send(ScreenMsg::Replay(client.to_owned()));
                return;
            }
            Stage::Waiting { kept, .. } => std::mem::take(kept),
        };
        let n = data.len();
        let sent = c.sink.send(ToClient::Replay {
            terminal: id.clone(),
            rows,
            cols,
            data,
        });
        match sent {
            Ok(()) => {
                c.window.replayed(n);
                c.stage = Stage::Live;
                if !kept.is_empty() {
                    let k = kept.len();
                    match c.sink.send(ToClient::Output {
                        terminal: id,
                        data: kept.freeze(),
                    }) {
                        Ok(()) => c.window.sent(k),
                        Err(_) => c.window.skipped(),
                    }
                }
            }
            Err(SendError::Full) => {
                // It cannot take the screen now: try again once it acknowledges.
                c.stage = Stage::Live;
                c.window.skipped();
            }
            Err(SendError::Closed) => {
                let gone = c.id.clone();
                self.detach(&gone);
            }
        }
    }

    fn detach(&mut self, client: &str) {
        let before = self.clients.len();
        self.clients.retain(|c| c.id != client);
        if self.clients.len() != before {
            self.fit();
            self.count_clients();
        }
    }

    fn count_clients(&self) {
        let n = u32::try_from(self.clients.len()).unwrap_or(u32::MAX);
        self.terminal.update_info(|i| i.clients = n);
    }

    fn broadcast(&self, msg: impl Fn(Arc<str>) -> ToClient) {
        for c in &self.clients {
            let _ = c.sink.send(msg(self.terminal.id.clone()));
        }
    }

    /// Sizes the terminal to the smallest of its writing clients (every one sees all of it).
    fn fit(&mut self) {
        let sizes = self.clients.iter().filter_map(|c| c.size);
        let Some(rows) = sizes.clone().map(|s| s.0).min() else {
            return;
        };
        let cols = sizes.map(|s| s.1).min().unwrap_or(self.size.1);
        if (rows, cols) == self.size {
            return;
        }
        self.size = (rows, cols);
        self.terminal.update_info(|i| {
            i.rows = rows;
            i.cols = cols;
        });
        if self.writer.try_send(WriteMsg::Resize(rows, cols)).is_err() {
            debug!(terminal = %self.terminal.id, "resize dropped: the input queue is full");
        }
        let _ = self.screen_tx.send(ScreenMsg::Resize(rows, cols));
    }
}

async fn sleep_until(t: Option<Instant>) {
    match t {
        Some(t) => tokio::time::sleep_until(t).await,
        None => std::future::pending().await,
    }
}
