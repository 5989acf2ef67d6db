//! Translations already made, keyed by the instruction (spacing and Unicode form normalized), its language, the folder
//! it was said in and a fingerprint of the names there (so "borra el pdf" is not answered
//! from a folder that has changed). Local (moka) always; Redis too when configured, shared
//! by every atajo process that points at it. Redis is a bonus, never a dependency: when it
//! is down or slow the local cache answers and nothing fails.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use moka::sync::Cache;
use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::lang::Lang;
use unicode_normalization::UnicodeNormalization;

/// What is kept of a translation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cached {
    pub command: Option<String>,
    pub explanation: String,
    pub source: String,
    pub confidence: f64,
    pub lang: Lang,
    pub understood: bool,
}

/// How long Redis keeps an entry, and how long one Redis call may take.
const REDIS_TTL_SECS: u64 = 24 * 3600;
const REDIS_DEADLINE: Duration = Duration::from_millis(150);
const KEY_PREFIX: &str = "atajo:translation:v1:";

pub struct TranslationCache {
    local: Cache<String, Cached>,
    redis: Option<Redis>,
}

struct Redis {
    conn: ConnectionManager,
    /// Whether the last call failed: said once in the log, not on every request.
    down: AtomicBool,
}

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("the Redis URL is invalid: {0}")]
    Url(String),
}

impl TranslationCache {
    pub fn local(capacity: u64) -> Self {
        Self {
            local: Cache::builder()
                .max_capacity(capacity)
                .time_to_live(Duration::from_secs(REDIS_TTL_SECS))
                .build(),
            redis: None,
        }
    }

    /// With Redis behind the local cache. An unreachable server is not an error here: the
    /// connection is retried in the background and the local cache answers meanwhile.
    pub fn with_redis(capacity: u64, url: &str) -> Result<Self, CacheError> {
        let client = redis::Client::open(url).map_err(|e| CacheError::Url(e.to_string()))?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(REDIS_DEADLINE))
            .set_response_timeout(Some(REDIS_DEADLINE))
            .set_number_of_retries(1);
        let mut cache = Self::local(capacity);
        // Lazy: connects on first use and reconnects by itself after a failure.
        match ConnectionManager::new_lazy_with_config(client, config) {
            Ok(conn) => {
                cache.redis = Some(Redis {
                    conn,
                    down: AtomicBool::new(false),
                });
            }
            Err(e) => {
                tracing::warn!(error = %e, "Redis cache unavailable; using the local cache only")
            }
        }
        Ok(cache)
    }

    /// `salt` names who could have answered (sources, model, plugins): a cache shared by
    /// servers set up differently never hands one's answer to another.
    pub fn key(text: &str, lang: Option<Lang>, cwd: &str, tree: u64, salt: &str) -> String {
        // Spacing and Unicode composition only: case and accents can be part of a name.
        let normalized = text
            .nfc()
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let mut h = Sha256::new();
        h.update(salt.as_bytes());
        h.update([0]);
        h.update(normalized.as_bytes());
        h.update([0, lang.map_or(0, |l| l as u8 + 1), 0]);
        h.update(cwd.as_bytes());
        // What the names around mean can change the answer: any entry made, removed or
        // renamed anywhere changes the tree's fingerprint.
        h.update([0]);
        h.update(tree.to_le_bytes());
        let digest = h.finalize();
        digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
    }

    pub async fn get(&self, key: &str) -> Option<Cached> {
        if let Some(hit) = self.local.get(key) {
            return Some(hit);
        }
        let redis = self.redis.as_ref()?;
        let mut conn = redis.conn.clone();
        let got: Result<Option<String>, _> =
            tokio::time::timeout(REDIS_DEADLINE, conn.get(format!("{KEY_PREFIX}{key}")))
                .await
                .map_err(|_| "timed out".to_owned())
                .and_then(|r| r.map_err(|e: redis::RedisError| e.to_string()));
        let found = redis.note(got)?;
        let cached: Cached = serde_json::from_str(&found?).ok()?;
        self.local.insert(key.to_owned(), cached.clone());
        Some(cached)
    }

    pub async fn put(&self, key: &str, value: Cached) {
        self.local.insert(key.to_owned(), value.clone());
        let Some(redis) = &self.redis else {
            return;
        };
        let Ok(json) = serde_json::to_string(&value) else {
            return;
        };
        let mut conn = redis.conn.clone();
        let set = tokio::time::timeout(
            REDIS_DEADLINE,
            conn.set_ex::<_, _, ()>(format!("{KEY_PREFIX}{key}"), json, REDIS_TTL_SECS),
        )
        .await
        .map_err(|_| "timed out".to_owned())
        .and_then(|r| r.map_err(|e| e.to_string()));
        redis.note(set);
    }

    pub fn has_redis(&self) -> bool {
        self.redis.is_some()
    }
}

impl Redis {
    /// The value of a call that went well; a failure is logged when Redis goes down and
    /// when it comes back, not on every request.
    fn note<T>(&self, r: Result<T, String>) -> Option<T> {
        match r {
            Ok(v) => {
                if self.down.swap(false, Ordering::Relaxed) {
                    tracing::info!("Redis cache is back");
                }
                Some(v)
            }
            Err(e) => {
                if !self.down.swap(true, Ordering::Relaxed) {
                    tracing::warn!(error = %e, "Redis cache failed; using the local cache only");
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assistant::Context;

    #[test]
    fn keys_follow_meaning_not_spelling() {
        let ctx = Context::from_entries([("docs", true)]);
        let a = TranslationCache::key(" crea  la carpeta fotos", None, "", ctx.fingerprint(), "");
        let b = TranslationCache::key("crea la carpeta fotos\n", None, "", ctx.fingerprint(), "");
        assert_eq!(a, b);
        assert_ne!(
            a,
            TranslationCache::key(
                "crea la carpeta fotos",
                None,
                "",
                ctx.fingerprint(),
                "model"
            )
        );
        // A name's case and accents are part of it.
        assert_ne!(
            a,
            TranslationCache::key("crea la carpeta FOTOS", None, "", ctx.fingerprint(), "")
        );
        let nfd = "crea la carpeta cafe\u{301}";
        assert_eq!(
            TranslationCache::key(nfd, None, "", ctx.fingerprint(), ""),
            TranslationCache::key("crea la carpeta café", None, "", ctx.fingerprint(), "")
        );
        assert_ne!(
            a,
            TranslationCache::key("crea la carpeta fotos", None, "docs", ctx.fingerprint(), "")
        );
        assert_ne!(
            a,
            TranslationCache::key(
                "crea la carpeta fotos",
                Some(Lang::Es),
                "",
                ctx.fingerprint(),
                ""
            )
        );
        let changed = Context::from_entries([("docs", true), ("fotos", true)]);
        assert_ne!(
            a,
            TranslationCache::key("crea la carpeta fotos", None, "", changed.fingerprint(), "")
        );
    }

    #[tokio::test]
    async fn an_unreachable_redis_leaves_the_local_cache_working() {
        // Nothing listens on port 1.
        let cache = TranslationCache::with_redis(10, "redis://127.0.0.1:1/").unwrap();
        let value = Cached {
            command: Some("ls".into()),
            explanation: "x".into(),
            source: "rules".into(),
            confidence: 0.9,
            lang: Lang::En,
            understood: true,
        };
        cache.put("k", value.clone()).await;
        assert_eq!(cache.get("k").await, Some(value));
        assert_eq!(cache.get("other").await, None);
        assert!(TranslationCache::with_redis(10, "not a url").is_err());
    }
}
