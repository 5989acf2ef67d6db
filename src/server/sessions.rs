//! Ending sessions at once: logout, a new password, `atajo sessions revoke` from another
//! process, expiry. Each connection of a session is in that session's room; a watcher checks
//! the live sessions against the database whenever another process wrote to it (its
//! `data_version` moved) and every half minute (expiry), and disconnects the ended ones.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use super::SocketIo;

use super::App;
use crate::protocol::{SessionEnded, event};

/// How often the database is asked whether another process changed it.
const POLL: Duration = Duration::from_secs(1);
/// How often every live session is checked anyway (for expiry).
const SWEEP: Duration = Duration::from_secs(30);

pub fn room(session: i64) -> String {
    format!("session:{session}")
}

/// Ends a session on every process: this one's connections, and the other processes' (told
/// through Redis at once, rather than when their own check finds it in the database).
pub async fn end(app: &App, io: &SocketIo, session: i64) {
    app.cluster
        .tell(crate::cluster::NodeMsg::SessionEnded { session })
        .await;
    end_here(app, io, session).await;
}

/// Tells a session's connections to this process that it ended, then closes them.
pub async fn end_here(app: &App, io: &SocketIo, session: i64) {
    let Some(ns) = io.of("/") else {
        return;
    };
    // Each process closes its own: each knows its connections' language.
    let targets = ns.local().to(room(session));
    let sockets = targets.clone().sockets();
    if sockets.is_empty() {
        return;
    }
    app.services.metrics.sessions_ended.inc();
    for s in sockets {
        let lang = super::socket::lang_of(&s, None);
        let msg = SessionEnded {
            message: crate::tr!(lang, "session_ended"),
        };
        let _ = s.emit(event::SESSION_ENDED, &msg);
    }
    if let Err(e) = targets.disconnect().await {
        tracing::debug!(error = %e, session, "ended session's connections not all closed");
    }
    tracing::info!(session, "session ended; its connections were closed");
}

/// Watches the database for sessions that ended while their connections are open.
pub fn watch(app: Arc<App>, io: SocketIo) {
    let Some(store) = app.auth.store().cloned() else {
        return;
    };
    tokio::spawn(async move {
        let mut version = store.data_version().ok();
        let mut swept = tokio::time::Instant::now();
        let mut tick = tokio::time::interval(POLL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let now_version = store.data_version().ok();
            let changed = now_version != version;
            if !changed && swept.elapsed() < SWEEP {
                continue;
            }
            version = now_version;
            swept = tokio::time::Instant::now();
            if changed {
                app.auth.refresh_mode();
            }
            let live: Vec<i64> = io
                .of("/")
                .map(|ns| {
                    ns.sockets()
                        .iter()
                        .filter_map(|s| super::socket::who(s).and_then(|w| w.session))
                        .collect::<HashSet<i64>>()
                        .into_iter()
                        .collect()
                })
                .unwrap_or_default();
            if live.is_empty() {
                continue;
            }
            let store = store.clone();
            let ended = tokio::task::spawn_blocking(move || store.ended_among(&live)).await;
            match ended {
                Ok(Ok(ended)) => {
                    for id in ended {
                        // Every process runs this check on its own connections.
                        end_here(&app, &io, id).await;
                    }
                }
                Ok(Err(e)) => tracing::error!(error = %e, "cannot check the sessions"),
                Err(e) => tracing::error!(error = %e, "the session check failed"),
            }
        }
    });
}
