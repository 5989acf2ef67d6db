//! People and what they may do: accounts with a role and their folders (`store`), passwords
//! (`password`), signed tokens for scripts (`jwt`), and the limits on guessing (`limit`).
//!
//! atajo is single-user until the first account exists: the start-up token stays the owner's
//! key (an admin over the whole root) in both modes.

pub mod jwt;
pub mod limit;
pub mod password;
pub mod scope;
pub mod store;

pub use scope::Scope;
pub use store::{SessionKind, SessionRow, Store, StoreError, UserRow};

use serde::{Deserialize, Serialize};

/// What a person may do. Ordered: each role may do what the ones before it may.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Role {
    /// Browse, preview, download, watch terminals: nothing that changes or runs.
    Viewer,
    /// Run commands and explorer actions in their folders.
    Operator,
    /// Everything, everywhere: accounts, sessions, the audit.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "viewer" => Some(Role::Viewer),
            "operator" => Some(Role::Operator),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// May run commands, explorer actions, uploads and shells.
    pub fn runs(self) -> bool {
        self >= Role::Operator
    }
}

/// Who is on the other end of a connection or request.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The account's name; `owner` for the start-up token's holder.
    pub user: String,
    pub role: Role,
    pub scope: Scope,
    /// The session row, `None` for the start-up token (it has none: it lives as long as the
    /// server's token).
    pub session: Option<i64>,
}

impl Identity {
    /// The holder of the start-up token.
    pub fn owner() -> Self {
        Self {
            user: OWNER.into(),
            role: Role::Admin,
            scope: Scope::All,
            session: None,
        }
    }
}

/// The secrets' names in the database.
pub const JWT_SECRET: &str = "jwt-ed25519";
pub const CSRF_SECRET: &str = "csrf";

/// The name the start-up token's holder goes by; no account may take it.
pub const OWNER: &str = "owner";

/// A valid account name: what a person types at the login and reads in lists.
pub fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
        && !name.starts_with(['-', '.'])
        && name != OWNER
}

/// SHA-256 of a secret, hex: what the database keeps instead of a session's cookie.
pub fn digest_hex(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Seconds since the epoch, as SQLite and the JWT claims count time.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_roles() {
        assert!(valid_name("ana"));
        assert!(valid_name("josé.pérez"));
        assert!(valid_name("ops@example.org"));
        for bad in [
            "",
            "owner",
            "-x",
            ".x",
            "a b",
            "a/b",
            "a;b",
            &"x".repeat(65),
        ] {
            assert!(!valid_name(bad), "{bad:?}");
        }
        assert_eq!(Role::parse(" Operator "), Some(Role::Operator));
        assert_eq!(Role::parse("root"), None);
        assert!(Role::Admin.runs() && Role::Operator.runs() && !Role::Viewer.runs());
        assert!(Role::Viewer < Role::Operator && Role::Operator < Role::Admin);
    }
}
