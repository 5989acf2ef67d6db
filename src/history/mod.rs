//! The durable record of what was asked, what ran and how it ended, in SQLite (WAL), with an
//! append-only audit of decisions and account events. Writes happen on a thread of their own
//! so an instruction never waits for the disk; when the disk refuses (full, locked), records
//! are held and retried, and the failure is told (`health`), never a crash or a lost command.

mod db;
pub mod search;
mod writer_id;

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, params};

pub use db::Retention;

/// What was asked and what was decided, written when the request is judged.
#[derive(Debug, Clone)]
pub struct Record {
    /// Which connection asked (the Socket.IO id, or `http`).
    pub client: String,
    /// Who asked: an account's name, or `owner`.
    pub user: String,
    pub session: Option<i64>,
    /// `instruction`, `command`, `comando_natural`, `action`, `upload`…
    pub kind: &'static str,
    /// Who wrote the command: `rules`, `model`, a plugin, `explorer`, `typed`.
    pub source: Option<String>,
    /// The folder it was asked in, root-relative.
    pub cwd: String,
    pub input: String,
    pub command: Option<String>,
    pub verdict: Verdict,
    pub reason: Option<String>,
    /// How a destructive command was confirmed: `trash` or `permanent`.
    pub approval: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    Denied,
    /// Destructive: waiting for a yes.
    Confirm,
    NotUnderstood,
    /// The person's role may not (a viewer).
    Forbidden,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::Denied => "denied",
            Verdict::Confirm => "confirm",
            Verdict::NotUnderstood => "not_understood",
            Verdict::Forbidden => "forbidden",
        }
    }
}

/// How a request that ran ended.
#[derive(Debug, Clone)]
pub struct Ended {
    pub exit_code: i32,
    pub duration_ms: f64,
    /// Its output; only a head and a tail are kept.
    pub output: String,
    /// `done`, `timed_out` or `cancelled`.
    pub status: &'static str,
}

/// Something the audit records besides requests: logins, logouts, ended sessions, account
/// changes.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub user: String,
    pub session: Option<i64>,
    /// `login`, `login_failed`, `logout`, `session_ended`, `user_added`…
    pub action: &'static str,
    pub detail: String,
}

/// A request that is running: what its end is written against.
#[derive(Debug)]
pub struct Running(u64);

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("cannot open the history database {path}: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error("cannot start the history writer: {0}")]
    Thread(std::io::Error),
}

/// How long the writer gathers records after the first of a batch: one wake-up and one
/// transaction for everything asked meanwhile, never one per instruction.
const GATHER: Duration = Duration::from_millis(20);
/// Records held while the database cannot be written (full disk, locked): beyond this the
/// oldest go, each loss counted in the log.
const HELD: usize = 100_000;
/// Bytes of a command's output kept at each end.
const OUTPUT_KEPT: usize = 2048;

enum Msg {
    Insert {
        at: f64,
        running: Option<u64>,
        /// Shared with the activity feed's tap: written as is, never copied.
        record: Arc<Record>,
        ended: Option<Ended>,
    },
    Finish {
        at: f64,
        running: u64,
        ended: Ended,
    },
    Audit {
        at: f64,
        event: AuditEvent,
    },
    /// Answered once everything sent before it is written.
    Flush(std::sync::mpsc::SyncSender<()>),
}

pub struct History {
    tx: Option<Sender<Msg>>,
    writer: Option<JoinHandle<()>>,
    next: std::sync::atomic::AtomicU64,
    health: tokio::sync::watch::Receiver<Option<String>>,
    /// Every request as it is written, for whoever follows them live (the activity feed).
    tap: tokio::sync::broadcast::Sender<Tapped>,
}

/// A request as the history was told it: who asked what, and later how it ended.
#[derive(Debug, Clone)]
pub enum Tapped {
    /// It runs now; `id` names it in the `Finished` that follows (unique in this process).
    Started { id: u64, record: Arc<Record> },
    Finished {
        id: u64,
        exit_code: i32,
        status: &'static str,
    },
    /// Decided without running (denied, waiting for a yes…), or ran and ended at once.
    Decided {
        record: Arc<Record>,
        ended: Option<(i32, &'static str)>,
    },
}

/// Requests a slow follower may fall behind by before it misses some.
const TAP_CAPACITY: usize = 1024;

pub(crate) fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// A served root's short name, the same for every process serving it: the first 6 bytes of
/// the SHA-256 of its path, in hex (its data folder's name, its Redis channels).
pub fn root_key(root: &Path) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(root.as_os_str().as_encoded_bytes());
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// Where a workspace's database (history, accounts, sessions) lives in the data folder: one
/// folder per served root, named for the root (readable) and a hash of its path (unique),
/// with a `root` file saying which.
pub fn location(data_dir: &Path, root: &Path) -> PathBuf {
    let hash = root_key(root);
    let name: String = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "root".into())
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    data_dir
        .join("workspaces")
        .join(format!("{name}-{hash}"))
        .join(DATABASE)
}

/// The database's file name; before accounts existed it held only the history, and was
/// called `history.sqlite`.
const DATABASE: &str = "atajo.sqlite";
const OLD_DATABASE: &str = "history.sqlite";

/// Makes the folder of `db` and, when it has no database yet, moves in the one an older atajo
/// kept: `history.sqlite` beside it, or inside the workspace (`.atajo/history.sqlite`), with
/// its WAL files.
pub fn prepare(db: &Path, root: &Path, legacy: &Path) -> std::io::Result<()> {
    let Some(dir) = db.parent() else {
        return Ok(());
    };
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("root"), root.as_os_str().as_encoded_bytes())?;
    let beside = dir.join(OLD_DATABASE);
    let legacy = if beside.exists() {
        beside.as_path()
    } else {
        legacy
    };
    if db.exists() || !legacy.exists() {
        return Ok(());
    }
    for suffix in ["", "-wal", "-shm"] {
        let from = PathBuf::from(format!("{}{suffix}", legacy.display()));
        let to = PathBuf::from(format!("{}{suffix}", db.display()));
        if !from.exists() {
            continue;
        }
        // Another file system: copy, then remove.
        if std::fs::rename(&from, &to).is_err() {
            std::fs::copy(&from, &to)?;
            std::fs::remove_file(&from)?;
        }
    }
    tracing::info!(from = %legacy.display(), to = %db.display(), "moved the history out of the workspace");
    Ok(())
}

impl History {
    /// Opens (and brings up to date) the history, marks what was running when the last
    /// server died as interrupted, applies the retention and starts the writer.
    pub fn open(path: &Path, retention: Retention) -> Result<Self, HistoryError> {
        let open_err = |source| HistoryError::Open {
            path: path.display().to_string(),
            source,
        };
        let conn = Connection::open(path).map_err(open_err)?;
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(open_err)?;
        db::prepare(&conn).map_err(open_err)?;
        let interrupted = db::mark_interrupted(&conn).map_err(open_err)?;
        if interrupted > 0 {
            tracing::warn!(
                interrupted,
                "requests were running when atajo last stopped: marked interrupted"
            );
        }
        if let Err(e) = db::retain(&conn, retention, now()) {
            tracing::warn!(error = %e, "cannot apply the history's retention");
        }
        let (tx, rx) = channel();
        let (health_tx, health) = tokio::sync::watch::channel(None);
        let writer = Writer {
            conn,
            running: HashMap::new(),
            health: health_tx,
            retention,
            retained: std::time::Instant::now(),
        };
        let writer = std::thread::Builder::new()
            .name("history".into())
            .spawn(move || writer.run(rx))
            .map_err(HistoryError::Thread)?;
        Ok(Self {
            tx: Some(tx),
            writer: Some(writer),
            next: std::sync::atomic::AtomicU64::new(1),
            health,
            tap: tokio::sync::broadcast::channel(TAP_CAPACITY).0,
        })
    }

    /// Follows the requests written from now on.
    pub fn follow(&self) -> tokio::sync::broadcast::Receiver<Tapped> {
        self.tap.subscribe()
    }

    fn tell(&self, tapped: impl FnOnce() -> Tapped) {
        // Nobody follows (the CLI, a server with no clients yet): not even a clone.
        if self.tap.receiver_count() > 0 {
            let _ = self.tap.send(tapped());
        }
    }

    fn send(&self, msg: Msg) {
        if let Some(tx) = &self.tx
            && tx.send(msg).is_err()
        {
            tracing::error!("the history writer has stopped; a record was lost");
        }
    }

    /// A request that did not run (denied, waiting for a yes, not understood, forbidden).
    pub fn decided(&self, record: Record) {
        let record = Arc::new(record);
        self.tell(|| Tapped::Decided {
            record: record.clone(),
            ended: None,
        });
        self.send(Msg::Insert {
            at: now(),
            running: None,
            record,
            ended: None,
        });
    }

    /// A request that is starting: written at once as running, so a crash leaves it marked
    /// interrupted rather than missing.
    pub fn started(&self, record: Record) -> Running {
        let id = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let record = Arc::new(record);
        self.tell(|| Tapped::Started {
            id,
            record: record.clone(),
        });
        self.send(Msg::Insert {
            at: now(),
            running: Some(id),
            record,
            ended: None,
        });
        Running(id)
    }

    pub fn finished(&self, running: Running, ended: Ended) {
        self.tell(|| Tapped::Finished {
            id: running.0,
            exit_code: ended.exit_code,
            status: ended.status,
        });
        self.send(Msg::Finish {
            at: now(),
            running: running.0,
            ended,
        });
    }

    /// Something that ran and ended at once (a download, an upload).
    pub fn done(&self, record: Record, ended: Ended) {
        let record = Arc::new(record);
        self.tell(|| Tapped::Decided {
            record: record.clone(),
            ended: Some((ended.exit_code, ended.status)),
        });
        self.send(Msg::Insert {
            at: now(),
            running: None,
            record,
            ended: Some(ended),
        });
    }

    pub fn audit(&self, event: AuditEvent) {
        self.send(Msg::Audit { at: now(), event });
    }

    /// Waits (blocking) until everything recorded so far is written: `false` when `within`
    /// passed first (the database cannot be written: the records are still held).
    pub fn flush(&self, within: Duration) -> bool {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.send(Msg::Flush(tx));
        rx.recv_timeout(within).is_ok()
    }

    /// `Some(message)` while the database cannot be written (records are held meanwhile).
    pub fn health(&self) -> tokio::sync::watch::Receiver<Option<String>> {
        self.health.clone()
    }
}

impl Drop for History {
    /// Flushes what is queued before the process goes.
    fn drop(&mut self) {
        self.tx.take();
        if let Some(w) = self.writer.take() {
            let _ = w.join();
        }
    }
}

struct Writer {
    conn: Connection,
    /// Running requests' rows, by the id `started` gave them.
    running: HashMap<u64, i64>,
    health: tokio::sync::watch::Sender<Option<String>>,
    retention: Retention,
    retained: std::time::Instant,
}

/// How often retention runs while the server runs.
const RETAIN_EVERY: Duration = Duration::from_secs(3600);

impl Writer {
    fn run(mut self, rx: Receiver<Msg>) {
        lower_priority();
        let mut held: VecDeque<Msg> = VecDeque::new();
        let mut lost = 0usize;
        let mut backoff = Duration::from_millis(250);
        let mut open = true;
        while open || !held.is_empty() {
            if held.is_empty() {
                match rx.recv() {
                    Ok(first) => held.push_back(first),
                    Err(_) => break,
                }
            }
            // Whatever comes meanwhile goes in the same transaction (records wait in the
            // channel, and a shutdown still writes them all: `Drop` closes it and joins).
            std::thread::sleep(GATHER);
            loop {
                match rx.try_recv() {
                    Ok(m) => held.push_back(m),
                    Err(std::sync::mpsc::TryRecvError::Empty) => break,
                    Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                        open = false;
                        break;
                    }
                }
            }
            while held.len() > HELD {
                held.pop_front();
                lost += 1;
            }
            match self.write(held.make_contiguous()) {
                Ok(()) => {
                    for m in held.drain(..) {
                        if let Msg::Flush(done) = m {
                            let _ = done.try_send(());
                        }
                    }
                    backoff = Duration::from_millis(250);
                    if self.health.borrow().is_some() {
                        tracing::info!(lost, "the history is written again");
                        let _ = self.health.send(None);
                    }
                }
                Err(e) => {
                    let message = format!("the history cannot be written: {e}");
                    tracing::error!(held = held.len(), lost, "{message}");
                    let _ = self.health.send(Some(message));
                    if !open && backoff >= Duration::from_secs(4) {
                        tracing::error!(lost = held.len(), "stopping with history not written");
                        return;
                    }
                    std::thread::sleep(backoff);
                    backoff = (backoff * 2).min(Duration::from_secs(8));
                }
            }
            if self.retained.elapsed() >= RETAIN_EVERY {
                self.retained = std::time::Instant::now();
                if let Err(e) = db::retain(&self.conn, self.retention, now()) {
                    tracing::warn!(error = %e, "cannot apply the history's retention");
                }
            }
        }
    }

    /// One transaction for a batch; on failure nothing of it counts (the caller retries).
    fn write(&mut self, batch: &[Msg]) -> rusqlite::Result<()> {
        let tx = self.conn.transaction()?;
        let mut started: Vec<(u64, i64)> = Vec::new();
        let mut finished: Vec<u64> = Vec::new();
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO history (at, client, kind, input, command, allowed, reason, exit_code, duration_ms,
                     user, session, source, cwd, verdict, approval, status, output_head, output_tail, ended_at,
                     writer)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,
                     ?20)",
            )?;
            let mut finish = tx.prepare_cached(
                "UPDATE history SET exit_code = ?2, duration_ms = ?3, status = ?4, output_head = ?5,
                     output_tail = ?6, ended_at = ?7 WHERE id = ?1",
            )?;
            let mut audit = tx.prepare_cached(
                "INSERT INTO audit (at, user, session, action, kind, source, input, command, verdict, reason, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?;
            // A request that started and ended within one batch (most do: the batch gathers
            // 20 ms) is written once, as ended, instead of inserted and then updated.
            let ends_here: HashMap<u64, (&f64, &Ended)> = batch
                .iter()
                .filter_map(|m| match m {
                    Msg::Finish { at, running, ended } => Some((*running, (at, ended))),
                    _ => None,
                })
                .collect();
            let starts_here: std::collections::HashSet<u64> = batch
                .iter()
                .filter_map(|m| match m {
                    Msg::Insert {
                        running: Some(id), ..
                    } => Some(*id),
                    _ => None,
                })
                .collect();
            for msg in batch {
                match msg {
                    Msg::Insert {
                        at,
                        running,
                        record: r,
                        ended,
                    } => {
                        let merged = running.and_then(|id| ends_here.get(&id)).map(|(_, e)| *e);
                        let running = if merged.is_some() { &None } else { running };
                        let ended = merged.or(ended.as_ref());
                        let (head, tail) = ended.map_or((None, None), |e| head_tail(&e.output));
                        let status = match (running, ended) {
                            (Some(_), _) => "running",
                            (None, Some(e)) => e.status,
                            (None, None) => "decided",
                        };
                        insert.execute(params![
                            at,
                            r.client,
                            r.kind,
                            r.input,
                            r.command,
                            r.verdict == Verdict::Allowed,
                            r.reason,
                            ended.map(|e| e.exit_code),
                            ended.map(|e| e.duration_ms),
                            r.user,
                            r.session,
                            r.source,
                            r.cwd,
                            r.verdict.as_str(),
                            r.approval,
                            status,
                            head,
                            tail,
                            ended.map(|_| at),
                            writer_id::this_process(),
                        ])?;
                        if let Some(id) = running {
                            started.push((*id, tx.last_insert_rowid()));
                        }
                        let action = if r.verdict == Verdict::Allowed {
                            "run"
                        } else {
                            "refuse"
                        };
                        audit.execute(params![
                            at,
                            r.user,
                            r.session,
                            action,
                            r.kind,
                            r.source,
                            r.input,
                            r.command,
                            r.verdict.as_str(),
                            r.reason,
                            r.approval,
                        ])?;
                    }
                    Msg::Finish { at, running, ended } => {
                        if starts_here.contains(running) {
                            // Written with its start above.
                            continue;
                        }
                        let row = started
                            .iter()
                            .find(|(id, _)| id == running)
                            .map(|(_, row)| *row)
                            .or_else(|| self.running.get(running).copied());
                        let Some(row) = row else {
                            tracing::warn!("the end of a request whose start was not written");
                            continue;
                        };
                        let (head, tail) = head_tail(&ended.output);
                        finish.execute(params![
                            row,
                            ended.exit_code,
                            ended.duration_ms,
                            ended.status,
                            head,
                            tail,
                            at
                        ])?;
                        finished.push(*running);
                    }
                    Msg::Flush(_) => {}
                    Msg::Audit { at, event } => {
                        audit.execute(params![
                            at,
                            event.user,
                            event.session,
                            event.action,
                            None::<String>,
                            None::<String>,
                            None::<String>,
                            None::<String>,
                            None::<String>,
                            None::<String>,
                            event.detail,
                        ])?;
                    }
                }
            }
        }
        tx.commit()?;
        self.running.extend(started);
        for id in finished {
            self.running.remove(&id);
        }
        Ok(())
    }
}

/// The first and last bytes of an output (a tail only when there is more than both hold).
fn head_tail(output: &str) -> (Option<String>, Option<String>) {
    if output.is_empty() {
        return (None, None);
    }
    if output.len() <= 2 * OUTPUT_KEPT {
        return (Some(output.to_owned()), None);
    }
    let mut h = OUTPUT_KEPT;
    while !output.is_char_boundary(h) {
        h -= 1;
    }
    let mut t = output.len() - OUTPUT_KEPT;
    while !output.is_char_boundary(t) {
        t += 1;
    }
    (Some(output[..h].to_owned()), Some(output[t..].to_owned()))
}

/// Appends one event to the audit of the database at `path`, from another process (the
/// `atajo user` commands).
pub fn append_audit(path: &Path, event: &AuditEvent) -> rusqlite::Result<()> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    db::prepare(&conn)?;
    conn.execute(
        "INSERT INTO audit (at, user, session, action, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![now(), event.user, event.session, event.action, event.detail],
    )?;
    Ok(())
}

/// Recording is background work: on a machine with few cores the writer must not take the CPU
/// from the threads that answer the user, so it runs at the lowest scheduling priority.
fn lower_priority() {
    // SAFETY: plain syscalls on the calling thread; no memory is shared with the kernel.
    let rc = unsafe {
        let tid = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 19)
    };
    if rc != 0 {
        tracing::debug!(error = %std::io::Error::last_os_error(), "cannot lower the history writer's priority");
    }
}

#[cfg(test)]
mod tests;
