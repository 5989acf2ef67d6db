//! Who is in the workspace: every connection's person, told to every connection when someone
//! comes or goes. Arrivals are gathered for a moment, so a thousand clients connecting at once
//! cost a handful of broadcasts, not a million messages.
//!
//! With several processes on one workspace each knows only its own connections: it tells the
//! others its list when it changes and every few seconds (a heartbeat), and shows its clients
//! the sum. A process that falls silent (killed) is forgotten after three missed heartbeats.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use super::SocketIo;
use crate::cluster::{Cluster, NodeMsg};
use crate::metrics::ClusterCounters;
use crate::protocol::{PresenceMsg, Present, event};
use crate::users::{Identity, Role};

/// How long changes are gathered before one broadcast.
const GATHER: Duration = Duration::from_millis(250);
/// How often a process tells the others who is connected to it, changed or not.
pub const HEARTBEAT: Duration = Duration::from_secs(2);
/// A process not heard from for this long (three heartbeats and a half) is gone.
const SILENCE: Duration = Duration::from_secs(7);

#[derive(Default)]
pub struct Presence {
    connections: Mutex<HashMap<String, (String, Role)>>,
    /// The other processes' people, by process, and when each was last heard.
    others: Mutex<HashMap<String, (Vec<Present>, Instant)>>,
    changed: Notify,
    /// Whether this process's own list changed since the others were told.
    mine_changed: AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Presence {
    pub fn joined(&self, sid: &str, who: &Identity) {
        lock(&self.connections).insert(sid.to_owned(), (who.user.clone(), who.role));
        self.mine_changed.store(true, Ordering::Relaxed);
        self.changed.notify_one();
    }

    pub fn left(&self, sid: &str) {
        if lock(&self.connections).remove(sid).is_some() {
            self.mine_changed.store(true, Ordering::Relaxed);
            self.changed.notify_one();
        }
    }

    /// Another process's people (its heartbeat or a change).
    pub fn heard(&self, node: &str, users: Vec<Present>) {
        let mut others = lock(&self.others);
        let same = others.get(node).is_some_and(|(u, _)| *u == users);
        others.insert(node.to_owned(), (users, Instant::now()));
        drop(others);
        if !same {
            self.changed.notify_one();
        }
    }

    /// Another process stopped.
    pub fn forget(&self, node: &str) {
        if lock(&self.others).remove(node).is_some() {
            self.changed.notify_one();
        }
    }

    /// The people connected to this process.
    pub fn mine(&self) -> Vec<Present> {
        let connections = lock(&self.connections);
        tally(connections.values().map(|(u, r)| (u.as_str(), *r, 1)))
    }

    /// Who is here, by name, on every process heard from.
    pub fn now(&self) -> PresenceMsg {
        let mine = self.mine();
        let others = lock(&self.others);
        let all = mine
            .iter()
            .chain(others.values().flat_map(|(u, _)| u.iter()));
        PresenceMsg {
            users: tally(all.map(|p| (p.user.as_str(), p.role, p.connections))),
        }
    }

    /// Forgets the processes silent for too long; whether any was.
    fn expire(&self, counters: &ClusterCounters) -> bool {
        let mut others = lock(&self.others);
        let before = others.len();
        others.retain(|_, (_, heard)| heard.elapsed() < SILENCE);
        counters
            .nodes
            .set(i64::try_from(others.len() + 1).unwrap_or(i64::MAX));
        others.len() != before
    }

    /// Tells this process's clients whenever the list changed, and the other processes
    /// whenever this process's own part did, for as long as the server runs.
    pub fn run(
        self: std::sync::Arc<Self>,
        io: SocketIo,
        cluster: std::sync::Arc<Cluster>,
        counters: ClusterCounters,
    ) {
        tokio::spawn(async move {
            let mut last: Option<Vec<Present>> = None;
            let mut beat = tokio::time::interval(HEARTBEAT);
            beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                let heartbeat = tokio::select! {
                    () = self.changed.notified() => {
                        tokio::time::sleep(GATHER).await;
                        false
                    }
                    _ = beat.tick() => true,
                };
                if self.mine_changed.swap(false, Ordering::Relaxed) || heartbeat {
                    cluster.tell(NodeMsg::Presence { users: self.mine() }).await;
                }
                self.expire(&counters);
                let msg = self.now();
                if last.as_ref() == Some(&msg.users) {
                    continue;
                }
                last = Some(msg.users.clone());
                // This process's clients only: the others tell theirs.
                if let Some(ns) = io.of("/")
                    && let Err(e) = ns.local().emit(event::PRESENCE, &msg).await
                {
                    tracing::debug!(error = %e, "presence not sent to everyone");
                }
            }
        });
    }
}

/// Connections summed by name, sorted by name.
fn tally<'a>(people: impl Iterator<Item = (&'a str, Role, u32)>) -> Vec<Present> {
    let mut by_user: HashMap<&str, Present> = HashMap::new();
    for (user, role, n) in people {
        by_user
            .entry(user)
            .and_modify(|p| p.connections += n)
            .or_insert_with(|| Present {
                user: user.to_owned(),
                role,
                connections: n,
            });
    }
    let mut users: Vec<Present> = by_user.into_values().collect();
    users.sort_by(|a, b| a.user.cmp(&b.user));
    users
}

#[cfg(test)]
mod tests {
    use super::*;

    fn present(user: &str, n: u32) -> Present {
        Present {
            user: user.into(),
            role: Role::Operator,
            connections: n,
        }
    }

    #[test]
    fn other_processes_people_are_summed_with_ours() {
        let p = Presence::default();
        let mut ana = Identity::owner();
        ana.user = "ana".into();
        ana.role = Role::Operator;
        p.joined("s1", &ana);
        p.heard("n2", vec![present("ana", 2), present("bo", 1)]);
        p.heard("n3", vec![present("eva", 1)]);
        assert_eq!(
            p.now().users,
            vec![present("ana", 3), present("bo", 1), present("eva", 1)]
        );
        p.forget("n3");
        p.left("s1");
        assert_eq!(p.now().users, vec![present("ana", 2), present("bo", 1)]);
        assert_eq!(p.mine(), Vec::<Present>::new());
    }

    #[test]
    fn a_silent_process_is_forgotten() {
        let p = Presence::default();
        p.heard("n2", vec![present("bo", 1)]);
        let counters = ClusterCounters::default();
        assert!(!p.expire(&counters));
        assert_eq!(counters.nodes.get(), 2);
        let long_ago = Instant::now().checked_sub(SILENCE + Duration::from_secs(1));
        if let (Some((_, heard)), Some(t)) = (lock(&p.others).get_mut("n2"), long_ago) {
            *heard = t;
        }
        assert!(p.expire(&counters));
        assert!(p.now().users.is_empty());
        assert_eq!(counters.nodes.get(), 1);
    }
}
