//! Tokens for scripts: JWTs signed with Ed25519 (EdDSA). The algorithm is fixed here and never
//! read from a token's header, so `alg: none`, HS256 signed with the public key, or any other
//! algorithm is refused. Each token names its session row (`jti`): revoking the row ends the
//! token before its `exp`.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// The only algorithm atajo signs or accepts.
pub const ALGORITHM: Algorithm = Algorithm::EdDSA;
/// Clock skew tolerated on `exp`, seconds.
const LEEWAY: u64 = 30;
const ISSUER: &str = "atajo";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// The account.
    pub sub: String,
    /// The session row, as text (JWT ids are strings).
    pub jti: String,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
}

#[derive(Debug, thiserror::Error)]
pub enum JwtError {
    #[error("cannot sign the token: {0}")]
    Sign(String),
    #[error("the token is not valid: {0}")]
    Invalid(String),
}

pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    public: [u8; 32],
    validation: Validation,
}

/// PKCS#8 v1 wrapping of an Ed25519 seed (RFC 8410): the fixed prefix, then the 32 bytes.
const PKCS8_ED25519_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

impl Keys {
    /// The keys of a 32-byte seed (kept in the database's secrets).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        let public = ed25519_dalek::SigningKey::from_bytes(seed)
            .verifying_key()
            .to_bytes();
        let mut der = PKCS8_ED25519_PREFIX.to_vec();
        der.extend_from_slice(seed);
        let mut validation = Validation::new(ALGORITHM);
        validation.leeway = LEEWAY;
        validation.validate_aud = false;
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "sub", "jti", "iss"]);
        Self {
            encoding: EncodingKey::from_ed_der(&der),
            decoding: DecodingKey::from_ed_der(&public),
            public,
            validation,
        }
    }

    /// The public key, raw (32 bytes): what a third party verifies tokens with.
    pub fn public_key(&self) -> [u8; 32] {
        self.public
    }

    pub fn issue(&self, user: &str, session: i64, ttl_secs: i64) -> Result<String, JwtError> {
        let iat = super::now();
        let claims = Claims {
            sub: user.to_owned(),
            jti: session.to_string(),
            iat,
            exp: iat.saturating_add(ttl_secs),
            iss: ISSUER.into(),
        };
        jsonwebtoken::encode(&Header::new(ALGORITHM), &claims, &self.encoding)
            .map_err(|e| JwtError::Sign(e.to_string()))
    }

    /// The claims of a token signed by these keys and not expired. Whether its session is
    /// still live is the caller's lookup.
    pub fn verify(&self, token: &str) -> Result<(Claims, i64), JwtError> {
        if token.len() > 4096 {
            return Err(JwtError::Invalid("too long".into()));
        }
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| JwtError::Invalid(e.to_string()))?;
        let session = data
            .claims
            .jti
            .parse::<i64>()
            .map_err(|_| JwtError::Invalid("jti is not a session".into()))?;
        Ok((data.claims, session))
    }
}

/// Whether a string looks like a JWT (three base64url parts) rather than the start-up token.
pub fn looks_like_jwt(s: &str) -> bool {
    s.split('.').count() == 3 && s.starts_with("eyJ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use hmac::{Hmac, KeyInit, Mac};

    fn keys() -> Keys {
        Keys::from_seed(&[7u8; 32])
    }

    fn forge(header: &str, claims: &Claims, sign: impl Fn(&[u8]) -> Vec<u8>) -> String {
        let h = B64.encode(header);
        let c = B64.encode(serde_json::to_vec(claims).unwrap());
        let input = format!("{h}.{c}");
        let sig = B64.encode(sign(input.as_bytes()));
        format!("{input}.{sig}")
    }

    #[test]
    fn issued_tokens_verify_and_forgeries_do_not() {
        let k = keys();
        let t = k.issue("ana", 42, 3600).unwrap();
        assert!(looks_like_jwt(&t));
        let (claims, session) = k.verify(&t).unwrap();
        assert_eq!((claims.sub.as_str(), session), ("ana", 42));

        // Expired beyond the leeway.
        let old = k.issue("ana", 42, -120).unwrap();
        assert!(k.verify(&old).is_err());
        // Another server's keys.
        assert!(Keys::from_seed(&[8u8; 32]).verify(&t).is_err());
        // A changed claim breaks the signature.
        let mut parts: Vec<&str> = t.split('.').collect();
        let mut claims2 = claims.clone();
        claims2.sub = "admin".into();
        let body = B64.encode(serde_json::to_vec(&claims2).unwrap());
        parts[1] = &body;
        assert!(k.verify(&parts.join(".")).is_err());

        // alg none, unsigned.
        let none = forge(r#"{"alg":"none","typ":"JWT"}"#, &claims, |_| Vec::new());
        assert!(k.verify(&none).is_err());
        // HS256 keyed with the public key (the classic confusion).
        let public = k.public_key();
        let hs = forge(r#"{"alg":"HS256","typ":"JWT"}"#, &claims, |input| {
            let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&public).unwrap();
            mac.update(input);
            mac.finalize().into_bytes().to_vec()
        });
        assert!(k.verify(&hs).is_err());
        // A jti that is not a session.
        let mut odd = claims.clone();
        odd.jti = "x".into();
        let odd = jsonwebtoken::encode(&Header::new(ALGORITHM), &odd, &k.encoding).unwrap();
        assert!(k.verify(&odd).is_err());
        assert!(k.verify(&"a".repeat(5000)).is_err());
        assert!(!looks_like_jwt("abcdef0123"));
    }
}
