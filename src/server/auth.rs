//! Who may connect, and as whom.
//!
//! - The start-up token (≥128 random bits, compared in constant time) is the owner's key: an
//!   admin over the whole root. A browser trades it for a cookie signed with the token (a
//!   random nonce and its HMAC-SHA256), so a server restarted with the same token still knows
//!   it; a new token ends every such cookie.
//! - Accounts (`crate::users`) log in with a password for a server-side session: the cookie
//!   is a random secret whose SHA-256 is the session's key in the database. Scripts send a JWT
//!   whose `jti` is a session row. Ending the row ends both at once.
//! - Every cookie has a CSRF token bound to it (an HMAC of the cookie): HTTP mutations made
//!   with a cookie must carry it in a header.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::users::limit::{Blocked, Limiter, Quotas};
use crate::users::store::{BROWSER_TTL, Found};
use crate::users::{self, Identity, SessionKind, Store, jwt, password};

pub const COOKIE: &str = "atajo_session";
/// The header an HTTP mutation made with a cookie carries its CSRF token in.
pub const CSRF_HEADER: &str = "x-atajo-csrf";

pub struct Auth {
    token: String,
    accounts: Option<Accounts>,
}

/// What multi-user mode needs; absent when there is no database (no data folder).
struct Accounts {
    store: Arc<Store>,
    keys: jwt::Keys,
    csrf_key: [u8; 32],
    limiter: Limiter,
    /// Argon2 checks at once: each takes a core for tens of milliseconds, and a flood of
    /// logins must not take every core from the people already working.
    verifying: tokio::sync::Semaphore,
    /// Whether accounts exist (multi-user mode), refreshed when the database changes.
    multi: AtomicBool,
}

#[derive(Debug, thiserror::Error)]
#[error("the system's random number generator failed: {0}")]
pub struct RandomError(String);

/// Why a login did not open a session.
#[derive(Debug)]
pub enum LoginError {
    /// Wrong name or password (never which of the two).
    Wrong,
    /// Too many failures from here (or for this account): try again after this long.
    Limited(Blocked),
    /// atajo has no accounts (single-user, or no database).
    NoAccounts,
    /// The database failed.
    Store(users::StoreError),
}

/// 32 random bytes, hex: 256 bits from the OS.
pub fn random_hex() -> Result<String, RandomError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| RandomError(e.to_string()))?;
    Ok(hex(&bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac_hex(key: &[u8], label: &[u8], data: &[u8]) -> Option<String> {
    // HMAC takes a key of any length: `None` cannot happen.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).ok()?;
    mac.update(label);
    mac.update(data);
    Some(hex(&mac.finalize().into_bytes()))
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

impl Auth {
    pub fn new(token: String) -> Self {
        Self {
            token,
            accounts: None,
        }
    }

    /// With accounts, sessions and tokens kept in `store`.
    pub fn with_store(token: String, store: Arc<Store>) -> Result<Self, users::StoreError> {
        let keys = jwt::Keys::from_seed(&store.secret(users::JWT_SECRET)?);
        let csrf_key = store.secret(users::CSRF_SECRET)?;
        let multi = AtomicBool::new(store.has_users()?);
        Ok(Self {
            token,
            accounts: Some(Accounts {
                store,
                keys,
                csrf_key,
                limiter: Limiter::new(Quotas::default()),
                verifying: tokio::sync::Semaphore::new(2),
                multi,
            }),
        })
    }

    /// The public key tokens are verified with (Ed25519, raw), for anyone who wants to check
    /// one: it lets nobody sign.
    pub fn jwt_public_key(&self) -> Option<[u8; 32]> {
        self.accounts.as_ref().map(|a| a.keys.public_key())
    }

    pub fn store(&self) -> Option<&Arc<Store>> {
        self.accounts.as_ref().map(|a| &a.store)
    }

    /// Whether accounts exist: the login asks for a name and a password.
    pub fn multi_user(&self) -> bool {
        self.accounts
            .as_ref()
            .is_some_and(|a| a.multi.load(Ordering::Relaxed))
    }

    /// Looks again whether accounts exist (after the database changed).
    pub fn refresh_mode(&self) {
        if let Some(a) = &self.accounts
            && let Ok(m) = a.store.has_users()
        {
            a.multi.store(m, Ordering::Relaxed);
        }
    }

    pub fn token_ok(&self, candidate: &str) -> bool {
        same(&self.token, candidate)
    }

    /// The signature of an owner session's nonce: HMAC-SHA256 keyed with the token.
    fn sign(&self, nonce: &str) -> Option<String> {
        hmac_hex(self.token.as_bytes(), b"atajo-session:", nonce.as_bytes())
    }

    /// A new browser session for the token's holder, returned as the cookie's value
    /// (`NONCE.SIGNATURE`).
    pub fn open_session(&self) -> Result<String, RandomError> {
        let nonce = random_hex()?;
        let signature = self
            .sign(&nonce)
            .ok_or_else(|| RandomError("the session could not be signed".into()))?;
        Ok(format!("{nonce}.{signature}"))
    }

    /// Whether a cookie is the token holder's (signed with the token).
    pub fn session_ok(&self, cookie: &str) -> bool {
        let Some((nonce, signature)) = cookie.split_once('.') else {
            return false;
        };
        if nonce.len() != 64 || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
            return false;
        }
        self.sign(nonce).is_some_and(|want| same(&want, signature))
    }

    /// Who a cookie belongs to, if it opens anything.
    pub fn by_cookie(&self, cookie: &str) -> Option<Identity> {
        if cookie.starts_with("s_") {
            let a = self.accounts.as_ref()?;
            if cookie.len() != 66 {
                return None;
            }
            return match a.store.session_by_secret(cookie) {
                Ok(found) => found.map(identity_of),
                Err(e) => {
                    tracing::error!(error = %e, "cannot look a session up");
                    None
                }
            };
        }
        self.session_ok(cookie).then(Identity::owner)
    }

    /// Who a bearer credential belongs to: the start-up token, or a JWT of a live session.
    /// Failures count against `ip` (they are guesses); `Err` when it may not even try.
    pub fn by_token(&self, ip: IpAddr, token: &str) -> Result<Option<Identity>, Blocked> {
        if let Some(a) = &self.accounts {
            a.limiter.gate(ip, None)?;
        }
        if self.token_ok(token) {
            return Ok(Some(Identity::owner()));
        }
        let found = self.accounts.as_ref().and_then(|a| {
            let (claims, session) = a.keys.verify(token).ok()?;
            let found = a.store.session_by_id(session).ok()??;
            (found.user.name == claims.sub && found.session.kind == SessionKind::Token)
                .then(|| identity_of(found))
        });
        if found.is_none()
            && let Some(a) = &self.accounts
        {
            a.limiter.failed(ip, None);
        }
        Ok(found)
    }

    /// Whether `token` is the start-up token; a wrong one counts against `ip`, and an address
    /// that guessed too often may not even try.
    pub fn owner_token(&self, ip: IpAddr, token: &str) -> Result<bool, Blocked> {
        if let Some(a) = &self.accounts {
            a.limiter.gate(ip, None)?;
        }
        let ok = self.token_ok(token);
        if !ok && let Some(a) = &self.accounts {
            a.limiter.failed(ip, None);
        }
        Ok(ok)
    }

    /// The CSRF token of a cookie: what the page must send back on HTTP mutations.
    pub fn csrf_for(&self, cookie: &str) -> String {
        let key: &[u8] = match &self.accounts {
            Some(a) => &a.csrf_key,
            None => self.token.as_bytes(),
        };
        hmac_hex(key, b"atajo-csrf:", cookie.as_bytes()).unwrap_or_default()
    }

    pub fn csrf_ok(&self, cookie: &str, sent: &str) -> bool {
        same(&self.csrf_for(cookie), sent)
    }

    /// Checks a name and password (off the async threads, a few at a time) and opens a
    /// browser session: its id and cookie.
    pub async fn login(
        &self,
        ip: IpAddr,
        name: &str,
        password: &str,
        label: &str,
    ) -> Result<(Identity, String), LoginError> {
        let a = self.accounts.as_ref().ok_or(LoginError::NoAccounts)?;
        if !a.multi.load(Ordering::Relaxed) {
            return Err(LoginError::NoAccounts);
        }
        a.limiter
            .gate(ip, Some(name))
            .map_err(LoginError::Limited)?;
        let user = a.store.user(name).map_err(LoginError::Store)?;
        let hash = user
            .as_ref()
            .map_or_else(|| password::decoy().to_owned(), |u| u.hash.clone());
        let ok = {
            let _slot = a.verifying.acquire().await;
            let password = password.to_owned();
            tokio::task::spawn_blocking(move || password::verify(&password, &hash))
                .await
                .unwrap_or(false)
        };
        let user = match user {
            Some(u) if ok => u,
            _ => {
                a.limiter.failed(ip, Some(name));
                return Err(LoginError::Wrong);
            }
        };
        let (id, secret) = a
            .store
            .open_session(&user, SessionKind::Browser, BROWSER_TTL, label)
            .map_err(LoginError::Store)?;
        let secret = secret.ok_or(LoginError::Store(users::StoreError::Random))?;
        let scope = user.scope();
        Ok((
            Identity {
                user: user.name,
                role: user.role,
                scope,
                session: Some(id),
            },
            secret,
        ))
    }

    /// Ends the session a cookie opens (logout). Returns its id and account.
    pub fn logout(&self, cookie: &str) -> Option<(i64, String)> {
        let who = self.by_cookie(cookie)?;
        let id = who.session?;
        let a = self.accounts.as_ref()?;
        a.store
            .revoke(id)
            .ok()
            .filter(|ended| *ended)
            .map(|_| (id, who.user))
    }
}

fn identity_of(found: Found) -> Identity {
    Identity {
        scope: found.user.scope(),
        user: found.user.name,
        role: found.user.role,
        session: Some(found.session.id),
    }
}

/// Every value of cookie `name` in a `Cookie:` header: two atajo servers on one host (under `/` and `/atajo/`)
/// each set one, and the browser sends both beneath `/atajo/`.
pub fn cookie_values<'a>(header: &'a str, name: &str) -> impl Iterator<Item = &'a str> {
    header
        .split(';')
        .filter_map(|kv| kv.trim().split_once('='))
        .filter(move |(k, _)| *k == name)
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
        assert_eq!(
            cookie_values("a=1; atajo_session=xyz", COOKIE).collect::<Vec<_>>(),
            ["xyz"]
        );
        assert_eq!(
            cookie_values("atajo_session=b; a=1; atajo_session=r", COOKIE).collect::<Vec<_>>(),
            ["b", "r"]
        );
        assert_eq!(query_value("EIO=4&token=abc&t=1", "token"), Some("abc"));
    }
}
