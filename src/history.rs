//! The durable record of what was asked, what ran and how it ended, in SQLite. Writes happen
//! on a thread of their own so an instruction never waits for the disk.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, params};

#[derive(Debug, Clone)]
pub struct Record {
    /// Which connection asked (the Socket.IO id).
    pub client: String,
    /// `instruction`, `command` or `comando_natural`.
    pub kind: &'static str,
    pub input: String,
    pub command: Option<String>,
    pub allowed: bool,
    pub reason: Option<String>,
    pub exit_code: Option<i32>,
    pub duration_ms: Option<f64>,
}

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

pub struct History {
    tx: Option<Sender<(f64, Record)>>,
    writer: Option<JoinHandle<()>>,
}

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE IF NOT EXISTS history (
    id          INTEGER PRIMARY KEY,
    at          REAL NOT NULL,
    client      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    input       TEXT NOT NULL,
    command     TEXT,
    allowed     INTEGER NOT NULL,
    reason      TEXT,
    exit_code   INTEGER,
    duration_ms REAL
);";

/// Where a workspace's database (history, accounts, sessions) lives in the data folder: one
/// folder per served root, named for the root (readable) and a hash of its path (unique),
/// with a `root` file saying which.
pub fn location(data_dir: &Path, root: &Path) -> PathBuf {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(root.as_os_str().as_encoded_bytes());
    let hash: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
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
    pub fn open(path: &Path) -> Result<Self, HistoryError> {
        let open_err = |source| HistoryError::Open {
            path: path.display().to_string(),
            source,
        };
        let conn = Connection::open(path).map_err(open_err)?;
        conn.execute_batch(SCHEMA).map_err(open_err)?;
        let (tx, rx) = channel();
        let writer = std::thread::Builder::new()
            .name("history".into())
            .spawn(move || write_loop(conn, rx))
            .map_err(HistoryError::Thread)?;
        Ok(Self {
            tx: Some(tx),
            writer: Some(writer),
        })
    }

    pub fn record(&self, record: Record) {
        // When it happened, not when it is written.
        let at = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        if let Some(tx) = &self.tx
            && tx.send((at, record)).is_err()
        {
            tracing::error!("the history writer has stopped; a record was lost");
        }
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

fn write_loop(mut conn: Connection, rx: Receiver<(f64, Record)>) {
    lower_priority();
    while let Ok(first) = rx.recv() {
        // Whatever comes meanwhile goes in the same transaction (records wait in the channel,
        // and a shutdown still writes them all: `Drop` closes it and joins).
        std::thread::sleep(GATHER);
        let batch: Vec<(f64, Record)> = std::iter::once(first).chain(rx.try_iter()).collect();
        if let Err(e) = write_batch(&mut conn, &batch) {
            tracing::error!(error = %e, lost = batch.len(), "cannot write history");
        }
    }
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

fn write_batch(conn: &mut Connection, batch: &[(f64, Record)]) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO history (at, client, kind, input, command, allowed, reason, exit_code, duration_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        for (at, r) in batch {
            stmt.execute(params![
                at,
                r.client,
                r.kind,
                r.input,
                r.command,
                r.allowed,
                r.reason,
                r.exit_code,
                r.duration_ms
            ])?;
        }
    }
    tx.commit()
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_root_has_its_own_place_and_an_old_history_moves_there() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        let a = super::location(&data, std::path::Path::new("/srv/proyecto"));
        let b = super::location(&data, std::path::Path::new("/home/ana/proyecto"));
        assert_ne!(a, b);
        assert!(a.starts_with(data.join("workspaces")));
        assert!(
            a.parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("proyecto-")
        );

        let root = tmp.path().join("ws");
        std::fs::create_dir_all(root.join(".atajo")).unwrap();
        let legacy = root.join(".atajo/history.sqlite");
        std::fs::write(&legacy, "old").unwrap();
        std::fs::write(root.join(".atajo/history.sqlite-wal"), "wal").unwrap();
        let db = super::location(&data, &root);
        super::prepare(&db, &root, &legacy).unwrap();
        assert_eq!(std::fs::read_to_string(&db).unwrap(), "old");
        assert!(!legacy.exists());
        assert!(!root.join(".atajo/history.sqlite-wal").exists());
        assert_eq!(
            std::fs::read(db.parent().unwrap().join("root")).unwrap(),
            root.as_os_str().as_encoded_bytes()
        );
        // A history already there is never replaced.
        std::fs::write(&legacy, "older").unwrap();
        super::prepare(&db, &root, &legacy).unwrap();
        assert_eq!(std::fs::read_to_string(&db).unwrap(), "old");
    }

    use super::*;

    #[test]
    fn records_survive_a_restart() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("h.sqlite");
        {
            let h = History::open(&db).unwrap();
            for i in 0..50 {
                h.record(Record {
                    client: "c".into(),
                    kind: "instruction",
                    input: format!("crear carpeta x{i}"),
                    command: Some(format!("mkdir x{i}")),
                    allowed: true,
                    reason: None,
                    exit_code: Some(0),
                    duration_ms: Some(0.1),
                });
            }
        }
        let conn = Connection::open(&db).unwrap();
        let n: i64 = conn
            .query_row("SELECT count(*) FROM history WHERE allowed = 1", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(n, 50);
        History::open(&db).unwrap();
    }
}
