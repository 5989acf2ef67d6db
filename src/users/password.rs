//! Passwords: Argon2id hashes in PHC strings. Both hashing and checking cost tens of
//! milliseconds of CPU on purpose, so the server calls them off its async threads.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// Shorter passwords are refused: guessing them is cheap even at Argon2's cost.
pub const MIN_LEN: usize = 8;
/// Longer ones too: hashing is linear in the input and this bounds what one attempt costs.
pub const MAX_LEN: usize = 1024;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("the password is too short: at least {MIN_LEN} characters")]
    TooShort,
    #[error("the password is too long: at most {MAX_LEN} bytes")]
    TooLong,
    #[error("cannot hash the password: {0}")]
    Hash(String),
}

/// Argon2id v19 at the crate's defaults (m = 19 MiB, t = 2, p = 1: OWASP's first choice).
/// Each hash carries its parameters, so changing these later keeps old hashes valid.
fn hasher() -> Argon2<'static> {
    Argon2::default()
}

pub fn hash(password: &str) -> Result<String, PasswordError> {
    if password.chars().count() < MIN_LEN {
        return Err(PasswordError::TooShort);
    }
    if password.len() > MAX_LEN {
        return Err(PasswordError::TooLong);
    }
    hasher()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// Whether `password` matches `phc`. A malformed hash matches nothing. The comparison inside
/// the crate is constant-time.
pub fn verify(password: &str, phc: &str) -> bool {
    if password.len() > MAX_LEN {
        return false;
    }
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    hasher()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// A hash of nothing anyone knows: checked when the account does not exist, so a wrong
/// name takes as long as a wrong password and the time does not tell names apart.
pub fn decoy() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        let mut secret = [0u8; 24];
        let _ = getrandom::fill(&mut secret);
        let text: String = secret.iter().map(|b| format!("{b:02x}")).collect();
        hash(&text).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_refuse() {
        let h = hash("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse", &h));
        assert!(!verify("correct horsf", &h));
        assert!(!verify("correct horse", "not a hash"));
        assert!(matches!(hash("short"), Err(PasswordError::TooShort)));
        assert!(matches!(
            hash(&"x".repeat(2000)),
            Err(PasswordError::TooLong)
        ));
        // Two hashes of one password differ (a salt each).
        assert_ne!(h, hash("correct horse").unwrap());
        assert!(!verify("anything at all", decoy()));
    }
}
