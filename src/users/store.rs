//! Accounts, sessions and the server's signing secrets, in atajo's SQLite database (the one
//! in the data folder that also keeps the history). A session's cookie is never stored: only
//! its SHA-256, so a copy of the database opens no session.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use super::{Role, Scope, digest_hex, now, valid_name};

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE IF NOT EXISTS users (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,
    role    TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    roots   TEXT NOT NULL DEFAULT '[]',
    hash    TEXT NOT NULL,
    created INTEGER NOT NULL,
    changed INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    user        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('browser', 'token')),
    secret_hash TEXT UNIQUE,
    created     INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    expires     INTEGER NOT NULL,
    revoked     INTEGER,
    label       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions(user_id);
CREATE TABLE IF NOT EXISTS secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);";

/// A browser session ends this long after its login, however active.
pub const BROWSER_TTL: Duration = Duration::from_secs(30 * 24 * 3600);
/// …and this long after it was last seen.
pub const BROWSER_IDLE: Duration = Duration::from_secs(7 * 24 * 3600);
/// `last_seen` is written at most this often per session: a lookup is a read.
const TOUCH_EVERY: i64 = 60;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {path}: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error("the database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("{0:?} is not a valid account name (letters, digits, . _ - @; at most 64)")]
    BadName(String),
    #[error("there is already an account called {0:?}")]
    Exists(String),
    #[error("there is no account called {0:?}")]
    NoUser(String),
    #[error("the account {0:?} has folders that are not valid: {1}")]
    BadRoots(String, String),
    #[error("the system's random number generator failed")]
    Random,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub role: Role,
    /// The folders as given, root-relative; empty for the whole root.
    pub roots: Vec<String>,
    #[serde(skip)]
    pub hash: String,
    pub created: i64,
    pub changed: i64,
}

impl UserRow {
    pub fn scope(&self) -> Scope {
        // Admins see everything; the rest were checked when they were stored.
        if self.role == Role::Admin {
            return Scope::All;
        }
        Scope::of(&self.roots).unwrap_or(Scope::Roots(Vec::new().into()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionKind {
    Browser,
    Token,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            SessionKind::Browser => "browser",
            SessionKind::Token => "token",
        }
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct SessionRow {
    pub id: i64,
    pub user: String,
    pub kind: SessionKind,
    pub created: i64,
    pub last_seen: i64,
    pub expires: i64,
    pub revoked: Option<i64>,
    pub label: String,
}

impl SessionRow {
    /// Still opens doors at `at`.
    pub fn live(&self, at: i64) -> bool {
        self.revoked.is_none()
            && self.expires > at
            && (self.kind == SessionKind::Token || self.last_seen + secs(BROWSER_IDLE) > at)
    }
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

/// A session found by its secret or id, with its account as it is now.
#[derive(Debug, Clone)]
pub struct Found {
    pub session: SessionRow,
    pub user: UserRow,
}

pub struct Store {
    conn: Mutex<Connection>,
}

fn random<const N: usize>() -> Result<[u8; N], StoreError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|_| StoreError::Random)?;
    Ok(bytes)
}

fn user_of(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<UserRow> {
    let role: String = r.get(at + 2)?;
    let roots: String = r.get(at + 3)?;
    Ok(UserRow {
        id: r.get(at)?,
        name: r.get(at + 1)?,
        // The CHECK constraint keeps other values out.
        role: Role::parse(&role).unwrap_or(Role::Viewer),
        roots: serde_json::from_str(&roots).unwrap_or_default(),
        hash: r.get(at + 4)?,
        created: r.get(at + 5)?,
        changed: r.get(at + 6)?,
    })
}

const USER_COLS: &str = "u.id, u.name, u.role, u.roots, u.hash, u.created, u.changed";
const SESSION_COLS: &str =
    "s.id, s.user, s.kind, s.created, s.last_seen, s.expires, s.revoked, s.label";

fn session_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<SessionRow> {
    let kind: String = r.get(2)?;
    Ok(SessionRow {
        id: r.get(0)?,
        user: r.get(1)?,
        kind: if kind == "token" {
            SessionKind::Token
        } else {
            SessionKind::Browser
        },
        created: r.get(3)?,
        last_seen: r.get(4)?,
        expires: r.get(5)?,
        revoked: r.get(6)?,
        label: r.get(7)?,
    })
}

impl Store {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let open_err = |source| StoreError::Open {
            path: path.display().to_string(),
            source,
        };
        let conn = Connection::open(path).map_err(open_err)?;
        // The history's writer and another atajo (the CLI) share the file.
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(open_err)?;
        conn.execute_batch(SCHEMA).map_err(open_err)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic elsewhere cannot leave the connection in a state SQLite does not recover.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Changes whenever another connection (another process) committed: the cue to look
    /// for sessions it ended.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .db()
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    pub fn has_users(&self) -> Result<bool, StoreError> {
        Ok(self
            .db()
            .query_row("SELECT EXISTS (SELECT 1 FROM users)", [], |r| r.get(0))?)
    }

    /// Adds an account; `roots` must already be valid folders (the caller checks the disk).
    pub fn add_user(
        &self,
        name: &str,
        role: Role,
        roots: &[String],
        hash: &str,
    ) -> Result<UserRow, StoreError> {
        if !valid_name(name) {
            return Err(StoreError::BadName(name.into()));
        }
        let roots =
            Scope::of(roots).map_err(|e| StoreError::BadRoots(name.into(), e.to_string()))?;
        let roots = if roots.is_all() {
            Vec::new()
        } else {
            roots.roots()
        };
        let at = now();
        let db = self.db();
        let inserted = db.execute(
            "INSERT INTO users (name, role, roots, hash, created, changed) VALUES (?1, ?2, ?3, ?4, ?5, ?5)
             ON CONFLICT(name) DO NOTHING",
            params![
                name,
                role.as_str(),
                serde_json::to_string(&roots).unwrap_or_else(|_| "[]".into()),
                hash,
                at
            ],
        )?;
        if inserted == 0 {
            return Err(StoreError::Exists(name.into()));
        }
        drop(db);
        self.user(name)?
            .ok_or_else(|| StoreError::NoUser(name.into()))
    }

    pub fn user(&self, name: &str) -> Result<Option<UserRow>, StoreError> {
        Ok(self
            .db()
            .query_row(
                &format!("SELECT {USER_COLS} FROM users u WHERE u.name = ?1"),
                [name],
                |r| user_of(r, 0),
            )
            .optional()?)
    }

    pub fn users(&self) -> Result<Vec<UserRow>, StoreError> {
        let db = self.db();
        let mut stmt = db.prepare(&format!("SELECT {USER_COLS} FROM users u ORDER BY u.name"))?;
        let rows = stmt.query_map([], |r| user_of(r, 0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Removes an account and ends its sessions. Returns the sessions ended.
    pub fn remove_user(&self, name: &str) -> Result<Vec<i64>, StoreError> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let ended = end_sessions_of(&tx, name)?;
        let n = tx.execute("DELETE FROM users WHERE name = ?1", [name])?;
        if n == 0 {
            return Err(StoreError::NoUser(name.into()));
        }
        tx.commit()?;
        Ok(ended)
    }

    /// A new password ends every session of the account (a thief's included).
    pub fn set_password(&self, name: &str, hash: &str) -> Result<Vec<i64>, StoreError> {
        self.change_user(name, "hash = ?2", hash)
    }

    /// A new role (and folders) ends the account's sessions: the next login gets the new ones
    /// everywhere at once, not when each page happens to reconnect.
    pub fn set_role(
        &self,
        name: &str,
        role: Role,
        roots: Option<&[String]>,
    ) -> Result<Vec<i64>, StoreError> {
        let mut ended = self.change_user(name, "role = ?2", role.as_str())?;
        if let Some(roots) = roots {
            let scope =
                Scope::of(roots).map_err(|e| StoreError::BadRoots(name.into(), e.to_string()))?;
            let roots = if scope.is_all() {
                Vec::new()
            } else {
                scope.roots()
            };
            let json = serde_json::to_string(&roots).unwrap_or_else(|_| "[]".into());
            ended.extend(self.change_user(name, "roots = ?2", &json)?);
        }
        Ok(ended)
    }

    fn change_user(&self, name: &str, set: &str, value: &str) -> Result<Vec<i64>, StoreError> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let n = tx.execute(
            &format!("UPDATE users SET {set}, changed = ?3 WHERE name = ?1"),
            params![name, value, now()],
        )?;
        if n == 0 {
            return Err(StoreError::NoUser(name.into()));
        }
        let ended = end_sessions_of(&tx, name)?;
        tx.commit()?;
        Ok(ended)
    }

    /// Opens a session for an account. A browser session comes with its secret (the cookie's
    /// value, returned once); a token's is its signed JWT, made by the caller from the id.
    pub fn open_session(
        &self,
        user: &UserRow,
        kind: SessionKind,
        ttl: Duration,
        label: &str,
    ) -> Result<(i64, Option<String>), StoreError> {
        let secret = match kind {
            SessionKind::Browser => Some(format!(
                "s_{}",
                random::<32>()?
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
            )),
            SessionKind::Token => None,
        };
        let at = now();
        let label: String = label.chars().take(200).collect();
        let db = self.db();
        db.execute(
            "INSERT INTO sessions (user_id, user, kind, secret_hash, created, last_seen, expires, label)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7)",
            params![
                user.id,
                user.name,
                kind.as_str(),
                secret.as_deref().map(digest_hex),
                at,
                at.saturating_add(secs(ttl)),
                label
            ],
        )?;
        Ok((db.last_insert_rowid(), secret))
    }

    /// The live session a cookie opens, with its account; `None` for anything else.
    pub fn session_by_secret(&self, secret: &str) -> Result<Option<Found>, StoreError> {
        self.find("s.secret_hash = ?1", &digest_hex(secret))
    }

    /// The live session of a token's `jti`.
    pub fn session_by_id(&self, id: i64) -> Result<Option<Found>, StoreError> {
        self.find("s.id = ?1", &id.to_string())
    }

    fn find(&self, cond: &str, key: &str) -> Result<Option<Found>, StoreError> {
        let at = now();
        let db = self.db();
        let found = db
            .query_row(
                &format!(
                    "SELECT {SESSION_COLS}, {USER_COLS} FROM sessions s JOIN users u ON u.id = s.user_id
                     WHERE {cond}"
                ),
                [key],
                |r| {
                    Ok(Found {
                        session: session_of(r)?,
                        user: user_of(r, 8)?,
                    })
                },
            )
            .optional()?;
        let Some(found) = found.filter(|f| f.session.live(at)) else {
            return Ok(None);
        };
        if at - found.session.last_seen >= TOUCH_EVERY {
            db.execute(
                "UPDATE sessions SET last_seen = ?2 WHERE id = ?1",
                params![found.session.id, at],
            )?;
        }
        Ok(Some(found))
    }

    /// Ends a session. False when there was none (or it had ended).
    pub fn revoke(&self, id: i64) -> Result<bool, StoreError> {
        Ok(self.db().execute(
            "UPDATE sessions SET revoked = ?2 WHERE id = ?1 AND revoked IS NULL",
            params![id, now()],
        )? > 0)
    }

    /// Every session, newest first; the ended ones only with `all`.
    pub fn sessions(&self, all: bool) -> Result<Vec<SessionRow>, StoreError> {
        let at = now();
        let db = self.db();
        let mut stmt = db.prepare(&format!(
            "SELECT {SESSION_COLS} FROM sessions s ORDER BY s.id DESC"
        ))?;
        let rows = stmt.query_map([], session_of)?;
        let mut out = Vec::new();
        for row in rows {
            let row = row?;
            if all || row.live(at) {
                out.push(row);
            }
        }
        Ok(out)
    }

    /// Sessions among `ids` that no longer open anything (revoked, expired, idle, or their
    /// account gone): what a server checks its live connections against.
    pub fn ended_among(&self, ids: &[i64]) -> Result<Vec<i64>, StoreError> {
        let at = now();
        let db = self.db();
        let mut stmt = db.prepare_cached(&format!(
            "SELECT {SESSION_COLS}, EXISTS (SELECT 1 FROM users u WHERE u.id = s.user_id)
             FROM sessions s WHERE s.id = ?1"
        ))?;
        let mut ended = Vec::new();
        for &id in ids {
            let row = stmt
                .query_row([id], |r| Ok((session_of(r)?, r.get::<_, bool>(8)?)))
                .optional()?;
            match row {
                Some((s, true)) if s.live(at) => {}
                _ => ended.push(id),
            }
        }
        Ok(ended)
    }

    /// A named secret of this server (created on first use): the JWT signing seed, the CSRF
    /// key. Kept in the database so every process on one workspace shares them.
    pub fn secret(&self, name: &str) -> Result<[u8; 32], StoreError> {
        let fresh = random::<32>()?;
        let db = self.db();
        db.execute(
            "INSERT INTO secrets (name, value) VALUES (?1, ?2) ON CONFLICT(name) DO NOTHING",
            params![name, fresh.as_slice()],
        )?;
        let value: Vec<u8> =
            db.query_row("SELECT value FROM secrets WHERE name = ?1", [name], |r| {
                r.get(0)
            })?;
        <[u8; 32]>::try_from(value.as_slice()).map_err(|_| {
            StoreError::Sql(rusqlite::Error::InvalidColumnType(
                0,
                "value".into(),
                rusqlite::types::Type::Blob,
            ))
        })
    }
}

fn end_sessions_of(tx: &rusqlite::Transaction<'_>, name: &str) -> Result<Vec<i64>, StoreError> {
    let mut stmt = tx.prepare("SELECT id FROM sessions WHERE user = ?1 AND revoked IS NULL")?;
    let ids: Vec<i64> = stmt
        .query_map([name], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    tx.execute(
        "UPDATE sessions SET revoked = ?2 WHERE user = ?1 AND revoked IS NULL",
        params![name, now()],
    )?;
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let tmp = tempfile::tempdir().unwrap();
        let s = Store::open(&tmp.path().join("atajo.sqlite")).unwrap();
        (tmp, s)
    }

    #[test]
    fn accounts_and_sessions() {
        let (_tmp, s) = store();
        assert!(!s.has_users().unwrap());
        let ana = s
            .add_user("ana", Role::Operator, &["a/".into(), "a/deep".into()], "H")
            .unwrap();
        assert_eq!(ana.roots, vec!["a".to_owned()]);
        assert!(s.has_users().unwrap());
        assert!(matches!(
            s.add_user("ana", Role::Viewer, &[], "H"),
            Err(StoreError::Exists(_))
        ));
        assert!(matches!(
            s.add_user("owner", Role::Viewer, &[], "H"),
            Err(StoreError::BadName(_))
        ));
        assert!(matches!(
            s.add_user("eve", Role::Viewer, &["../x".into()], "H"),
            Err(StoreError::BadRoots(..))
        ));

        let (id, secret) = s
            .open_session(&ana, SessionKind::Browser, BROWSER_TTL, "firefox")
            .unwrap();
        let secret = secret.unwrap();
        let found = s.session_by_secret(&secret).unwrap().unwrap();
        assert_eq!((found.session.id, found.user.name.as_str()), (id, "ana"));
        assert!(s.session_by_secret("s_nope").unwrap().is_none());
        // Only the digest is stored.
        let stored: String = s
            .db()
            .query_row(
                "SELECT secret_hash FROM sessions WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(stored, digest_hex(&secret));
        assert!(!stored.contains(&secret));

        let (tid, none) = s
            .open_session(&ana, SessionKind::Token, Duration::from_secs(3600), "ci")
            .unwrap();
        assert!(none.is_none());
        assert!(s.session_by_id(tid).unwrap().is_some());
        assert_eq!(s.sessions(false).unwrap().len(), 2);

        assert!(s.revoke(tid).unwrap());
        assert!(!s.revoke(tid).unwrap());
        assert!(s.session_by_id(tid).unwrap().is_none());
        assert_eq!(s.ended_among(&[id, tid]).unwrap(), vec![tid]);

        // A new password ends the rest.
        assert_eq!(s.set_password("ana", "H2").unwrap(), vec![id]);
        assert!(s.session_by_secret(&secret).unwrap().is_none());
        assert_eq!(s.sessions(true).unwrap().len(), 2);
        assert!(s.sessions(false).unwrap().is_empty());

        s.set_role("ana", Role::Viewer, Some(&["b".into()]))
            .unwrap();
        let ana = s.user("ana").unwrap().unwrap();
        assert_eq!(
            (ana.role, ana.roots.clone()),
            (Role::Viewer, vec!["b".to_owned()])
        );
        let (id2, _) = s
            .open_session(&ana, SessionKind::Browser, BROWSER_TTL, "")
            .unwrap();
        assert_eq!(s.remove_user("ana").unwrap(), vec![id2]);
        assert_eq!(s.ended_among(&[id2]).unwrap(), vec![id2]);
        assert!(matches!(s.remove_user("ana"), Err(StoreError::NoUser(_))));
    }

    #[test]
    fn expiry_and_secrets() {
        let (tmp, s) = store();
        let bo = s.add_user("bo", Role::Admin, &["x".into()], "H").unwrap();
        assert_eq!(bo.scope(), Scope::All);
        let (id, _) = s
            .open_session(&bo, SessionKind::Token, Duration::ZERO, "")
            .unwrap();
        assert!(s.session_by_id(id).unwrap().is_none());
        let key = s.secret("jwt").unwrap();
        assert_eq!(key, s.secret("jwt").unwrap());
        assert_ne!(key, s.secret("csrf").unwrap());
        // Another connection (another process) sees the same secret, and its writes move
        // this one's data_version.
        let v = s.data_version().unwrap();
        let other = Store::open(&tmp.path().join("atajo.sqlite")).unwrap();
        assert_eq!(other.secret("jwt").unwrap(), key);
        other.revoke(id).unwrap();
        other.add_user("cy", Role::Viewer, &[], "H").unwrap();
        assert_ne!(s.data_version().unwrap(), v);
    }
}
