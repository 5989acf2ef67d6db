//! Reading the history back: filters, full-text search (FTS5 over instructions and commands,
//! newest first, stopping at the limit) and the audit as JSON lines.

use std::io::Write;

use rusqlite::{Connection, ToSql};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One request as the history keeps it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct HistoryRow {
    #[ts(type = "number")]
    pub id: i64,
    /// Seconds since the epoch.
    pub at: f64,
    pub user: String,
    pub kind: String,
    pub source: Option<String>,
    pub cwd: String,
    pub input: String,
    pub command: Option<String>,
    /// `allowed`, `denied`, `confirm`, `not_understood`, `forbidden`.
    pub verdict: String,
    pub reason: Option<String>,
    pub approval: Option<String>,
    /// `running`, `done`, `timed_out`, `cancelled`, `interrupted`, `decided` (nothing ran).
    pub status: String,
    pub exit_code: Option<i32>,
    pub duration_ms: Option<f64>,
    pub output_head: Option<String>,
    pub output_tail: Option<String>,
}

/// What to look for; every part optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct HistoryQuery {
    /// Words that must all appear in the instruction or the command (prefixes match).
    #[serde(default)]
    #[ts(optional)]
    pub search: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub user: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub kind: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub verdict: Option<String>,
    /// Only rows at or after this time (seconds since the epoch).
    #[serde(default)]
    #[ts(optional)]
    pub since: Option<f64>,
    /// Only rows older than this id (the next page).
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub before: Option<i64>,
    /// At most this many rows (default 50, at most 1000).
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
}

/// A person's words as an FTS5 query: each word quoted (no operator can be smuggled in) and
/// matched as a prefix, all of them required. `None` when there is no word.
pub fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .take(16)
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

const COLS: &str =
    "h.id, h.at, h.user, h.kind, h.source, h.cwd, h.input, h.command, h.verdict, h.reason,
                    h.approval, h.status, h.exit_code, h.duration_ms, h.output_head, h.output_tail";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<HistoryRow> {
    Ok(HistoryRow {
        id: r.get(0)?,
        at: r.get(1)?,
        user: r.get(2)?,
        kind: r.get(3)?,
        source: r.get(4)?,
        cwd: r.get(5)?,
        input: r.get(6)?,
        command: r.get(7)?,
        verdict: r.get(8)?,
        reason: r.get(9)?,
        approval: r.get(10)?,
        status: r.get(11)?,
        exit_code: r.get(12)?,
        duration_ms: r.get(13)?,
        output_head: r.get(14)?,
        output_tail: r.get(15)?,
    })
}

/// The rows that match, newest first.
pub fn search(conn: &Connection, q: &HistoryQuery) -> rusqlite::Result<Vec<HistoryRow>> {
    let mut conds: Vec<&str> = Vec::new();
    let mut args: Vec<Box<dyn ToSql>> = Vec::new();
    let fts = q.search.as_deref().and_then(fts_query);
    if let Some(f) = &fts {
        conds.push("history_fts MATCH ?");
        args.push(Box::new(f.clone()));
    }
    if let Some(u) = &q.user {
        conds.push("h.user = ?");
        args.push(Box::new(u.clone()));
    }
    if let Some(k) = &q.kind {
        conds.push("h.kind = ?");
        args.push(Box::new(k.clone()));
    }
    if let Some(v) = &q.verdict {
        conds.push("h.verdict = ?");
        args.push(Box::new(v.clone()));
    }
    if let Some(s) = q.since {
        conds.push("h.at >= ?");
        args.push(Box::new(s));
    }
    if let Some(b) = q.before {
        conds.push("h.id < ?");
        args.push(Box::new(b));
    }
    let limit = q.limit.unwrap_or(50).clamp(1, 1000);
    let filter = if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    };
    // With words, the full-text index leads, newest first, and stops at the limit; without,
    // the table's own order does.
    let sql = if fts.is_some() {
        format!(
            "SELECT {COLS} FROM history_fts JOIN history h ON h.id = history_fts.rowid {filter}
             ORDER BY history_fts.rowid DESC LIMIT {limit}"
        )
    } else {
        format!("SELECT {COLS} FROM history h {filter} ORDER BY h.id DESC LIMIT {limit}")
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let params: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref()).collect();
    let rows = stmt.query_map(params.as_slice(), row)?;
    rows.collect()
}

/// Writes the audit from `since` on as JSON lines, oldest first. Returns the lines written.
pub fn export_audit(
    conn: &Connection,
    since: Option<f64>,
    out: &mut dyn Write,
) -> Result<u64, ExportError> {
    let mut stmt = conn.prepare(
        "SELECT id, at, user, session, action, kind, source, input, command, verdict, reason, detail
         FROM audit WHERE at >= ?1 ORDER BY id",
    )?;
    let mut rows = stmt.query([since.unwrap_or(0.0)])?;
    let mut n = 0;
    while let Some(r) = rows.next()? {
        let line = serde_json::json!({
            "id": r.get::<_, i64>(0)?,
            "at": r.get::<_, f64>(1)?,
            "user": r.get::<_, String>(2)?,
            "session": r.get::<_, Option<i64>>(3)?,
            "action": r.get::<_, String>(4)?,
            "kind": r.get::<_, Option<String>>(5)?,
            "source": r.get::<_, Option<String>>(6)?,
            "input": r.get::<_, Option<String>>(7)?,
            "command": r.get::<_, Option<String>>(8)?,
            "verdict": r.get::<_, Option<String>>(9)?,
            "reason": r.get::<_, Option<String>>(10)?,
            "detail": r.get::<_, Option<String>>(11)?,
        });
        serde_json::to_writer(&mut *out, &line).map_err(std::io::Error::from)?;
        out.write_all(b"\n")?;
        n += 1;
    }
    Ok(n)
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot read the audit: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("cannot write the export: {0}")]
    Io(#[from] std::io::Error),
}

/// Opens the history for reading (the CLI, the server's panel): a connection of its own that
/// waits for the writer rather than failing.
pub fn reader(path: &std::path::Path) -> rusqlite::Result<Connection> {
    let has_tables = |c: &Connection| {
        c.query_row(
            "SELECT count(*) = 2 FROM sqlite_master WHERE name IN ('history', 'audit')",
            [],
            |r| r.get::<_, bool>(0),
        )
    };
    {
        // A database no server has written a request to yet (accounts made first): make the
        // tables, so reading finds them empty.
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        if !has_tables(&conn)? {
            super::db::prepare(&conn)?;
        }
    }
    let conn = Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(conn)
}
