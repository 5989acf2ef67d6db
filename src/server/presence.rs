//! Who is in the workspace: every connection's person, told to every connection when someone
//! comes or goes. Arrivals are gathered for a moment, so a thousand clients connecting at once
//! cost a handful of broadcasts, not a million messages.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use socketioxide::SocketIo;
use tokio::sync::Notify;

use crate::protocol::{PresenceMsg, Present, event};
use crate::users::{Identity, Role};

/// How long changes are gathered before one broadcast.
const GATHER: Duration = Duration::from_millis(250);

#[derive(Default)]
pub struct Presence {
    connections: Mutex<HashMap<String, (String, Role)>>,
    changed: Notify,
}

impl Presence {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, (String, Role)>> {
        self.connections.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn joined(&self, sid: &str, who: &Identity) {
        self.map()
            .insert(sid.to_owned(), (who.user.clone(), who.role));
        self.changed.notify_one();
    }

    pub fn left(&self, sid: &str) {
        if self.map().remove(sid).is_some() {
            self.changed.notify_one();
        }
    }

    /// Who is here, by name.
    pub fn now(&self) -> PresenceMsg {
        let mut by_user: HashMap<String, Present> = HashMap::new();
        for (user, role) in self.map().values() {
            by_user
                .entry(user.clone())
                .and_modify(|p| p.connections += 1)
                .or_insert_with(|| Present {
                    user: user.clone(),
                    role: *role,
                    connections: 1,
                });
        }
        let mut users: Vec<Present> = by_user.into_values().collect();
        users.sort_by(|a, b| a.user.cmp(&b.user));
        PresenceMsg { users }
    }

    /// Broadcasts the list whenever it changed, for as long as the server runs.
    pub fn run(self: std::sync::Arc<Self>, io: SocketIo) {
        tokio::spawn(async move {
            let mut last: Option<Vec<Present>> = None;
            loop {
                self.changed.notified().await;
                tokio::time::sleep(GATHER).await;
                let msg = self.now();
                if last.as_ref() == Some(&msg.users) {
                    continue;
                }
                last = Some(msg.users.clone());
                if let Some(ns) = io.of("/")
                    && let Err(e) = ns.emit(event::PRESENCE, &msg).await
                {
                    tracing::debug!(error = %e, "presence not sent to everyone");
                }
            }
        });
    }
}
