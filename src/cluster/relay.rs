//! socketioxide-redis's pub/sub driver, written over the `redis` crate's connection manager
//! instead of the crate's own: it reconnects and subscribes again after Redis restarts, and
//! a message that cannot be published is counted and dropped rather than failing the
//! broadcast (the adapter would then skip this process's own sockets too). The same relay
//! runs with no Redis at all, so the adapter is one type whether or not a cluster is set up.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, PushInfo, PushKind, Value};
use socketioxide_redis::drivers::{ChanItem, Driver, MessageStream};
use tokio::sync::mpsc;

use crate::metrics::ClusterCounters;

/// How long a command to Redis may take before this process treats Redis as gone. A broadcast
/// waits for its publish before reaching this process's own sockets (the adapter's order), so
/// an outage must fail fast rather than hold every local message back.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(1);

type Handlers = Arc<RwLock<HashMap<String, mpsc::Sender<ChanItem>>>>;

#[derive(Clone)]
pub struct Relay {
    /// `None`: this process serves alone.
    conn: Option<ConnectionManager>,
    handlers: Handlers,
    counters: ClusterCounters,
}

impl Relay {
    /// A relay to nobody: every broadcast stays in this process.
    pub fn alone(counters: ClusterCounters) -> Self {
        counters.connected.set(1);
        counters.nodes.set(1);
        Self {
            conn: None,
            handlers: Handlers::default(),
            counters,
        }
    }

    /// Connects to Redis (RESP3: messages arrive on the same connection as commands).
    pub async fn connect(url: &str, counters: ClusterCounters) -> redis::RedisResult<Self> {
        let client = redis::Client::open(with_resp3(url))?;
        let handlers = Handlers::default();
        let to = handlers.clone();
        let received = counters.received.clone();
        let config = ConnectionManagerConfig::new()
            .set_push_sender(move |info: PushInfo| {
                deliver(info, &to, &received);
                Ok::<(), std::convert::Infallible>(())
            })
            .set_automatic_resubscription()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT))
            // One quick retry per command; the heartbeats try again every few seconds.
            .set_number_of_retries(1)
            .set_max_delay(std::time::Duration::from_millis(100));
        let conn = ConnectionManager::new_with_config(client, config).await?;
        counters.connected.set(1);
        Ok(Self {
            conn: Some(conn),
            handlers,
            counters,
        })
    }

    pub fn joined(&self) -> bool {
        self.conn.is_some()
    }

    fn went(&self, ok: bool) {
        let was = self.counters.connected.set(i64::from(ok)) == 1;
        if was && !ok {
            tracing::warn!("Redis cannot be reached: serving this process's clients only");
        } else if !was && ok {
            tracing::info!("Redis answers again: the other processes are reached");
        }
    }
}

/// The crate's drivers need RESP3 (push messages); a URL that does not choose gets it.
fn with_resp3(url: &str) -> String {
    if url.contains("protocol=") {
        return url.to_owned();
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}protocol=resp3")
}

/// Hands a pub/sub message to its channel's subscriber, without waiting: a subscriber that
/// does not keep up loses messages rather than stalling the connection.
fn deliver(
    info: PushInfo,
    handlers: &Handlers,
    received: &prometheus_client::metrics::counter::Counter,
) {
    if !matches!(info.kind, PushKind::Message) {
        return;
    }
    let mut data = info.data.into_iter();
    let (Some(Value::BulkString(chan)), Some(Value::BulkString(payload))) =
        (data.next(), data.next())
    else {
        return;
    };
    let Ok(chan) = String::from_utf8(chan) else {
        return;
    };
    received.inc();
    let handlers = handlers.read().unwrap_or_else(|e| e.into_inner());
    if let Some(tx) = handlers.get(&chan)
        && tx.try_send((chan, payload)).is_err()
    {
        tracing::warn!(
            "a cluster subscriber is behind: a message from another process was dropped"
        );
    }
}

impl Driver for Relay {
    type Error = redis::RedisError;

    async fn publish(&self, chan: String, val: Vec<u8>) -> Result<(), Self::Error> {
        let Some(conn) = &self.conn else {
            return Ok(());
        };
        match conn.clone().publish::<_, _, Value>(chan, val).await {
            Ok(_) => {
                self.counters.sent.inc();
                self.went(true);
            }
            Err(e) => {
                self.counters.lost.inc();
                tracing::debug!(error = %e, "a message to the other processes was lost");
                self.went(false);
            }
        }
        Ok(())
    }

    async fn subscribe(
        &self,
        chan: String,
        size: usize,
    ) -> Result<MessageStream<ChanItem>, Self::Error> {
        let (tx, rx) = mpsc::channel(size.max(1));
        // Kept even with no Redis: the stream then waits forever instead of ending.
        self.handlers
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(chan.clone(), tx);
        if let Some(conn) = &self.conn {
            conn.clone().subscribe(chan).await?;
        }
        Ok(MessageStream::new(rx))
    }

    async fn unsubscribe(&self, chan: String) -> Result<(), Self::Error> {
        self.handlers
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&chan);
        if let Some(conn) = &self.conn {
            conn.clone().unsubscribe(chan).await?;
        }
        Ok(())
    }

    async fn num_serv(&self, chan: &str) -> Result<u16, Self::Error> {
        let Some(conn) = &self.conn else {
            return Ok(1);
        };
        let (_, count): (String, u16) = redis::cmd("PUBSUB")
            .arg("NUMSUB")
            .arg(chan)
            .query_async(&mut conn.clone())
            .await?;
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resp3_is_asked_for_unless_chosen() {
        assert_eq!(
            with_resp3("redis://127.0.0.1:6379"),
            "redis://127.0.0.1:6379?protocol=resp3"
        );
        assert_eq!(
            with_resp3("redis://127.0.0.1/0?db=1"),
            "redis://127.0.0.1/0?db=1&protocol=resp3"
        );
        assert_eq!(with_resp3("redis://h/?protocol=3"), "redis://h/?protocol=3");
    }

    #[tokio::test]
    async fn alone_keeps_subscriptions_open_and_publishes_nowhere() {
        use futures_util::StreamExt;
        let relay = Relay::alone(ClusterCounters::default());
        let mut stream = relay.subscribe("c".into(), 4).await.unwrap();
        relay.publish("c".into(), b"x".to_vec()).await.unwrap();
        assert_eq!(relay.num_serv("c").await.unwrap(), 1);
        // Nothing arrives, and the stream has not ended either.
        let next = tokio::time::timeout(std::time::Duration::from_millis(50), stream.next()).await;
        assert!(next.is_err(), "the stream must stay open and empty");
    }

    #[test]
    fn a_message_reaches_its_channel_only() {
        let handlers = Handlers::default();
        let (tx, mut rx) = mpsc::channel(2);
        handlers.write().unwrap().insert("a".into(), tx);
        let received = prometheus_client::metrics::counter::Counter::default();
        let msg = |chan: &str| PushInfo {
            kind: PushKind::Message,
            data: vec![
                Value::BulkString(chan.as_bytes().to_vec()),
                Value::BulkString(b"hi".to_vec()),
            ],
        };
        deliver(msg("a"), &handlers, &received);
        deliver(msg("b"), &handlers, &received);
        deliver(
            PushInfo {
                kind: PushKind::Subscribe,
                data: vec![],
            },
            &handlers,
            &received,
        );
        assert_eq!(rx.try_recv().unwrap(), ("a".to_owned(), b"hi".to_vec()));
        assert!(rx.try_recv().is_err());
        assert_eq!(received.get(), 2);
    }
}
