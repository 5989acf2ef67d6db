//! Who may connect: holders of the token (≥128 random bits, compared in constant time) or of a
//! session cookie the browser got in exchange for it.

use std::collections::HashSet;
use std::sync::Mutex;

use subtle::ConstantTimeEq;

pub const COOKIE: &str = "atajo_session";

pub struct Auth {
    token: String,
    sessions: Mutex<HashSet<String>>,
}

#[derive(Debug, thiserror::Error)]
#[error("the system's random number generator failed: {0}")]
pub struct RandomError(String);

/// 32 random bytes, hex: 256 bits from the OS.
pub fn random_hex() -> Result<String, RandomError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| RandomError(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

impl Auth {
    pub fn new(token: String) -> Self {
        Self {
            token,
            sessions: Mutex::new(HashSet::new()),
        }
    }

    pub fn token_ok(&self, candidate: &str) -> bool {
        let (a, b) = (self.token.as_bytes(), candidate.as_bytes());
        a.len() == b.len() && bool::from(a.ct_eq(b))
    }

    /// A new browser session, returned as the cookie's value.
    pub fn open_session(&self) -> Result<String, RandomError> {
        let id = random_hex()?;
        if let Ok(mut s) = self.sessions.lock() {
            s.insert(id.clone());
        }
        Ok(id)
    }

    pub fn session_ok(&self, id: &str) -> bool {
        self.sessions
            .lock()
            .map(|s| s.contains(id))
            .unwrap_or(false)
    }
}

/// The value of one cookie in a `Cookie:` header.
pub fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header
        .split(';')
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The value of one parameter in a query string (tokens are hex: no decoding needed, and a
/// token that would need it is wrong anyway).
pub fn query_value<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_sessions() {
        let auth = Auth::new("a".repeat(32));
        assert!(auth.token_ok(&"a".repeat(32)));
        assert!(!auth.token_ok(&"a".repeat(31)));
        assert!(!auth.token_ok(""));
        let s = auth.open_session().unwrap();
        assert_eq!(s.len(), 64);
        assert!(auth.session_ok(&s));
        assert!(!auth.session_ok("x"));
        assert_eq!(cookie_value("a=1; atajo_session=xyz", COOKIE), Some("xyz"));
        assert_eq!(query_value("EIO=4&token=abc&t=1", "token"), Some("abc"));
    }
}
