//! Several processes serving one workspace (`--cluster-redis URL`), for a team behind a load
//! balancer. Each process watches the folder itself, so file changes are never relayed (each
//! would arrive once per process). What only one process knows travels through Redis:
//! who ran what (socketioxide-redis's adapter carries the `activity` broadcast to the sockets
//! of every process), who is here and which sessions ended (this module's messages between
//! processes, since each process answers for its own sockets: their language, their count).
//! A process that loses Redis keeps serving its own clients and counts what the others missed.

#[cfg(feature = "cluster")]
mod relay;

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use crate::protocol::Present;

/// The Socket.IO adapter every socket of the server is typed with: Redis-capable when built
/// with the `cluster` feature (alone until `--cluster-redis` is given), else in-process.
#[cfg(feature = "cluster")]
pub type Adapter =
    socketioxide_redis::CustomRedisAdapter<socketioxide::adapter::Emitter, relay::Relay>;
#[cfg(not(feature = "cluster"))]
pub type Adapter = socketioxide::adapter::LocalAdapter;

/// What one process tells the others.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NodeMsg {
    /// Who is connected to the sender, sent when it changes and as a heartbeat: a process
    /// that stops sending it (killed) is forgotten.
    Presence { users: Vec<Present> },
    /// A process that just started asks the others who is connected to them.
    Ask,
    /// A session ended (logout, revocation): every process closes its connections.
    SessionEnded { session: i64 },
    /// The sender is stopping: forget its people now rather than at the next heartbeat.
    Bye,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope {
    pub from: String,
    #[serde(flatten)]
    pub msg: NodeMsg,
}

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("this atajo was built without the `cluster` feature: --cluster-redis needs it")]
    NotBuilt,
    #[error("cannot reach Redis for the cluster: {0}")]
    Redis(String),
    #[error("cannot join the other processes through Redis: {0}")]
    Join(String),
}

/// This process's place among the processes of its workspace.
pub struct Cluster {
    node: String,
    /// The channel the processes of this workspace talk on.
    #[cfg_attr(not(feature = "cluster"), allow(dead_code))]
    chan: String,
    /// The prefix of the adapter's channels (one workspace's processes share it).
    #[cfg_attr(not(feature = "cluster"), allow(dead_code))]
    prefix: String,
    #[cfg(feature = "cluster")]
    relay: relay::Relay,
}

/// A name for this process, unique among the processes of a workspace: host, pid and a
/// random suffix (a pid can be reused after a restart).
fn node_name() -> String {
    let random = crate::server::random_hex().unwrap_or_default();
    let suffix = random.get(..6).unwrap_or_default();
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let host = host.trim();
    if host.is_empty() {
        format!("{}-{suffix}", std::process::id())
    } else {
        format!("{host}-{}-{suffix}", std::process::id())
    }
}

impl Cluster {
    fn named(root: &std::path::Path) -> (String, String, String) {
        // The processes of one workspace share channels named after its root; other
        // workspaces on the same Redis never hear them.
        let key = crate::history::root_key(root);
        (
            node_name(),
            format!("atajo-{key}-node"),
            format!("atajo-{key}"),
        )
    }

    /// This process alone: nothing leaves it.
    pub fn alone(root: &std::path::Path, counters: crate::metrics::ClusterCounters) -> Self {
        let (node, chan, prefix) = Self::named(root);
        #[cfg(not(feature = "cluster"))]
        {
            counters.connected.set(1);
            counters.nodes.set(1);
        }
        Self {
            node,
            chan,
            prefix,
            #[cfg(feature = "cluster")]
            relay: relay::Relay::alone(counters),
        }
    }

    /// Joins the workspace's other processes through the Redis at `url`.
    #[cfg_attr(not(feature = "cluster"), allow(unused_variables))]
    pub async fn join(
        url: &str,
        root: &std::path::Path,
        counters: crate::metrics::ClusterCounters,
    ) -> Result<Self, ClusterError> {
        #[cfg(feature = "cluster")]
        {
            let (node, chan, prefix) = Self::named(root);
            let relay = relay::Relay::connect(url, counters)
                .await
                .map_err(|e| ClusterError::Redis(e.to_string()))?;
            Ok(Self {
                node,
                chan,
                prefix,
                relay,
            })
        }
        #[cfg(not(feature = "cluster"))]
        Err(ClusterError::NotBuilt)
    }

    /// This process's name (`hello.node`, `/healthz`).
    pub fn node(&self) -> &str {
        &self.node
    }

    /// Whether other processes may be listening.
    pub fn joined(&self) -> bool {
        #[cfg(feature = "cluster")]
        return self.relay.joined();
        #[cfg(not(feature = "cluster"))]
        false
    }

    /// What the Socket.IO adapter is built from.
    #[cfg(feature = "cluster")]
    pub fn adapter(&self) -> socketioxide_redis::RedisAdapterCtr<relay::Relay> {
        socketioxide_redis::RedisAdapterCtr::new_with_driver(
            self.relay.clone(),
            socketioxide_redis::RedisAdapterConfig::new().with_prefix(self.prefix.clone()),
        )
    }

    /// Tells the other processes (nothing when alone).
    pub async fn tell(&self, msg: NodeMsg) {
        if !self.joined() {
            return;
        }
        #[cfg(feature = "cluster")]
        {
            use socketioxide_redis::drivers::Driver;
            let envelope = Envelope {
                from: self.node.clone(),
                msg,
            };
            match serde_json::to_vec(&envelope) {
                Ok(bytes) => {
                    let _ = self.relay.publish(self.chan.clone(), bytes).await;
                }
                Err(e) => {
                    tracing::error!(error = %e, "a message to the other processes could not be written")
                }
            }
        }
        #[cfg(not(feature = "cluster"))]
        drop(msg);
    }

    /// What the other processes say, from now on (`None` when alone).
    pub async fn listen(&self) -> Option<mpsc::Receiver<Envelope>> {
        if !self.joined() {
            return None;
        }
        #[cfg(feature = "cluster")]
        {
            use futures_util::StreamExt;
            use socketioxide_redis::drivers::Driver;
            let mut stream = match self.relay.subscribe(self.chan.clone(), 1024).await {
                Ok(s) => s,
                Err(e) => {
                    tracing::error!(error = %e, "cannot hear the other processes");
                    return None;
                }
            };
            let (tx, rx) = mpsc::channel(1024);
            let me = self.node.clone();
            tokio::spawn(async move {
                while let Some((_, bytes)) = stream.next().await {
                    match serde_json::from_slice::<Envelope>(&bytes) {
                        Ok(e) if e.from == me => {}
                        Ok(e) => {
                            if tx.send(e).await.is_err() {
                                break;
                            }
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "a message from another process was not understood")
                        }
                    }
                }
            });
            Some(rx)
        }
        #[cfg(not(feature = "cluster"))]
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_back_as_written() {
        let msgs = [
            NodeMsg::Presence {
                users: vec![Present {
                    user: "ana".into(),
                    role: crate::users::Role::Operator,
                    connections: 2,
                }],
            },
            NodeMsg::Ask,
            NodeMsg::SessionEnded { session: 7 },
            NodeMsg::Bye,
        ];
        for msg in msgs {
            let e = Envelope {
                from: "n1".into(),
                msg: msg.clone(),
            };
            let back: Envelope = serde_json::from_slice(&serde_json::to_vec(&e).unwrap()).unwrap();
            assert_eq!(back.from, "n1");
            assert_eq!(back.msg, msg);
        }
    }

    #[test]
    fn workspaces_get_their_own_channels() {
        let (_, a, _) = Cluster::named(std::path::Path::new("/srv/a"));
        let (_, b, _) = Cluster::named(std::path::Path::new("/srv/b"));
        let (_, again, _) = Cluster::named(std::path::Path::new("/srv/a"));
        assert_ne!(a, b);
        assert_eq!(a, again);
    }
}
