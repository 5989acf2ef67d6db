//! Who may connect: holders of the token (≥128 random bits, compared in constant time) or of a
//! session cookie the browser got in exchange for it. The cookie is signed with the token
//! (a random nonce and its HMAC-SHA256), so a server restarted with the same token still
//! knows it: an open page reconnects instead of being logged out. A new token ends every
//! cookie made with the old one.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

pub const COOKIE: &str = "atajo_session";

pub struct Auth {
    token: String,
}

#[derive(Debug, thiserror::Error)]
#[error("the system's random number generator failed: {0}")]
pub struct RandomError(String);

/// 32 random bytes, hex: 256 bits from the OS.
pub fn random_hex() -> Result<String, RandomError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| RandomError(e.to_string()))?;
    Ok(hex(&bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Auth {
    pub fn new(token: String) -> Self {
        Self { token }
    }

    pub fn token_ok(&self, candidate: &str) -> bool {
        let (a, b) = (self.token.as_bytes(), candidate.as_bytes());
        a.len() == b.len() && bool::from(a.ct_eq(b))
    }

    /// The signature of a session's nonce: HMAC-SHA256 keyed with the token.
    fn sign(&self, nonce: &str) -> Option<String> {
        // HMAC takes a key of any length: `None` cannot happen.
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(self.token.as_bytes()).ok()?;
        mac.update(b"atajo-session:");
        mac.update(nonce.as_bytes());
        Some(hex(&mac.finalize().into_bytes()))
    }

    /// A new browser session, returned as the cookie's value (`NONCE.SIGNATURE`).
    pub fn open_session(&self) -> Result<String, RandomError> {
        let nonce = random_hex()?;
        let signature = self
            .sign(&nonce)
            .ok_or_else(|| RandomError("the session could not be signed".into()))?;
        Ok(format!("{nonce}.{signature}"))
    }

    pub fn session_ok(&self, cookie: &str) -> bool {
        let Some((nonce, signature)) = cookie.split_once('.') else {
            return false;
        };
        if nonce.len() != 64 || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
            return false;
        }
        self.sign(nonce).is_some_and(|want| {
            want.len() == signature.len() && bool::from(want.as_bytes().ct_eq(signature.as_bytes()))
        })
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
        assert_eq!(s.len(), 64 + 1 + 64);
        assert!(auth.session_ok(&s));
        assert!(!auth.session_ok("x"));
        assert!(!auth.session_ok(&s[..64]));
        // A restart with the same token still knows the cookie; another token does not.
        assert!(Auth::new("a".repeat(32)).session_ok(&s));
        assert!(!Auth::new("b".repeat(32)).session_ok(&s));
        // A changed signature or nonce is refused.
        let mut forged = s.clone();
        forged.replace_range(70..71, if &s[70..71] == "0" { "1" } else { "0" });
        assert!(!auth.session_ok(&forged));
        let other_nonce = format!("{}{}", "f".repeat(64), &s[64..]);
        assert!(!auth.session_ok(&other_nonce));
        assert_eq!(cookie_value("a=1; atajo_session=xyz", COOKIE), Some("xyz"));
        assert_eq!(query_value("EIO=4&token=abc&t=1", "token"), Some("abc"));
    }
}
