//! The history's tables: `history` (one row per request, updated when it ends), its full-text
//! index `history_fts` (instructions and commands), and `audit` (decisions and account
//! events, append-only: a trigger refuses every UPDATE). Older databases are brought up to
//! date in place.

use rusqlite::{Connection, params};

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
);
CREATE TABLE IF NOT EXISTS audit (
    id      INTEGER PRIMARY KEY,
    at      REAL NOT NULL,
    user    TEXT NOT NULL,
    session INTEGER,
    action  TEXT NOT NULL,
    kind    TEXT,
    source  TEXT,
    input   TEXT,
    command TEXT,
    verdict TEXT,
    reason  TEXT,
    detail  TEXT
);
CREATE INDEX IF NOT EXISTS audit_at ON audit(at);
CREATE TRIGGER IF NOT EXISTS audit_append_only BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit is append-only');
END;
";

/// Columns added since the first version, with their definitions.
const ADDED: &[(&str, &str)] = &[
    ("user", "TEXT NOT NULL DEFAULT ''"),
    ("session", "INTEGER"),
    ("source", "TEXT"),
    ("cwd", "TEXT NOT NULL DEFAULT ''"),
    ("verdict", "TEXT NOT NULL DEFAULT 'allowed'"),
    ("approval", "TEXT"),
    ("status", "TEXT NOT NULL DEFAULT 'done'"),
    ("output_head", "TEXT"),
    ("output_tail", "TEXT"),
    ("ended_at", "REAL"),
    // The process that wrote the row (`writer_id`): a `running` row is interrupted only when
    // it is gone.
    ("writer", "TEXT"),
];

const INDEXES: &str = "
CREATE INDEX IF NOT EXISTS history_user ON history(user, id);
CREATE INDEX IF NOT EXISTS history_at ON history(at);
CREATE INDEX IF NOT EXISTS history_running ON history(status) WHERE status = 'running';
CREATE VIRTUAL TABLE IF NOT EXISTS history_fts USING fts5(
    input, command, content='history', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS history_fts_insert AFTER INSERT ON history BEGIN
    INSERT INTO history_fts(rowid, input, command) VALUES (new.id, new.input, new.command);
END;
CREATE TRIGGER IF NOT EXISTS history_fts_delete AFTER DELETE ON history BEGIN
    INSERT INTO history_fts(history_fts, rowid, input, command)
        VALUES ('delete', old.id, old.input, old.command);
END;
CREATE TRIGGER IF NOT EXISTS history_fts_update AFTER UPDATE OF input, command ON history BEGIN
    INSERT INTO history_fts(history_fts, rowid, input, command)
        VALUES ('delete', old.id, old.input, old.command);
    INSERT INTO history_fts(rowid, input, command) VALUES (new.id, new.input, new.command);
END;
";

/// Creates or updates the tables. Rows an older atajo wrote are indexed once.
pub fn prepare(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(SCHEMA)?;
    let have: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('history')")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for (name, def) in ADDED {
        if !have.iter().any(|h| h == name) {
            conn.execute_batch(&format!("ALTER TABLE history ADD COLUMN {name} {def}"))?;
        }
    }
    let had_fts: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'history_fts')",
        [],
        |r| r.get(0),
    )?;
    conn.execute_batch(INDEXES)?;
    if !had_fts {
        conn.execute_batch("INSERT INTO history_fts(history_fts) VALUES ('rebuild')")?;
    }
    Ok(())
}

/// Requests that were running when the last server died (killed, power lost): they ended
/// without anyone seeing how. Returns how many.
/// Rows of a server still running (another process on the same workspace) stay as they are.
pub fn mark_interrupted(conn: &Connection) -> rusqlite::Result<usize> {
    let writers: Vec<Option<String>> = conn
        .prepare("SELECT DISTINCT writer FROM history WHERE status = 'running'")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut marked = 0;
    for writer in writers {
        match writer {
            Some(w) if super::writer_id::alive(&w) => {}
            Some(w) => {
                marked += conn.execute(
                    "UPDATE history SET status = 'interrupted' WHERE status = 'running' AND writer = ?1",
                    params![w],
                )?;
            }
            None => {
                marked += conn.execute(
                    "UPDATE history SET status = 'interrupted' WHERE status = 'running' AND writer IS NULL",
                    [],
                )?;
            }
        }
    }
    Ok(marked)
}

/// How much history is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Retention {
    /// Rows kept in each of `history` and `audit` (the newest).
    pub max_rows: u64,
    /// Days a row is kept.
    pub max_days: u64,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            max_rows: 1_000_000,
            max_days: 365,
        }
    }
}

/// Drops what is older or beyond the newest `max_rows`. The audit's trigger forbids changes,
/// not this: forgetting by age and count is the one deletion it allows.
pub fn retain(conn: &Connection, r: Retention, now: f64) -> rusqlite::Result<usize> {
    let oldest = now - (r.max_days as f64) * 86400.0;
    let keep = i64::try_from(r.max_rows).unwrap_or(i64::MAX);
    let mut gone = 0;
    for table in ["history", "audit"] {
        gone += conn.execute(
            &format!("DELETE FROM {table} WHERE at < ?1"),
            params![oldest],
        )?;
        gone += conn.execute(
            &format!(
                "DELETE FROM {table} WHERE id <= (SELECT id FROM {table} ORDER BY id DESC LIMIT 1 OFFSET ?1)"
            ),
            params![keep],
        )?;
    }
    Ok(gone)
}
