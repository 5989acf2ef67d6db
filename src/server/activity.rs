//! Who ran what, live: every request the history is told of becomes an `activity` message for
//! the connections that follow it (`follow_activity`) and may see the folder it was asked in.
//! The message is a room broadcast, so with `--cluster-redis` it reaches the followers of every
//! process once, through the adapter; the connection that asked is left out.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;
use socketioxide::extract::{State, TryData};
use socketioxide::socket::Sid;
use tokio::sync::broadcast::error::RecvError;

use super::socket::{decode, protocol_error, who};
use super::{AckSender, App, SocketIo, SocketRef};
use crate::history::Tapped;
use crate::protocol::{ActivityMsg, FollowActivity, event};

/// Requests started and not yet ended that this process keeps for their end's message. A
/// request whose end never comes (its writer died with it) is dropped past this many.
const OPEN_MAX: usize = 10_000;

/// The room of those who follow what is asked in `folder` (root-relative).
fn room(folder: &str) -> String {
    format!("activity:{folder}")
}

/// The rooms whose followers may see `cwd`: the folder and every folder above it.
fn rooms_for(cwd: &str) -> Vec<String> {
    let mut rooms = vec![room("")];
    let mut at = 0;
    while at < cwd.len() {
        let end = cwd[at..].find('/').map_or(cwd.len(), |i| at + i);
        rooms.push(room(&cwd[..end]));
        at = end + 1;
    }
    rooms
}

/// How many connections of this process follow the activity: with none, and no other
/// process to tell, the history's requests are not turned into messages at all.
#[derive(Default)]
pub(super) struct Followers(AtomicUsize);

/// Marks a connection that follows, so it is counted once and uncounted when it goes.
struct Following;

impl Followers {
    fn any(&self) -> bool {
        self.0.load(Ordering::Relaxed) > 0
    }
}

/// A connection went: it follows no more.
pub(super) fn disconnected(s: &SocketRef, app: &App) {
    if s.extensions.remove::<Arc<Following>>().is_some() {
        app.followers.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// `follow_activity {on}`: starts or stops this connection's `activity` messages.
pub(super) async fn follow(
    s: SocketRef,
    TryData(data): TryData<Value>,
    ack: AckSender,
    State(app): State<Arc<App>>,
) {
    let msg = match decode::<FollowActivity>(&s, data) {
        Ok(m) => m,
        Err(why) => {
            protocol_error(&s, event::FOLLOW_ACTIVITY, &why);
            let _ = ack.send(&serde_json::json!({ "ok": false, "error": why }));
            return;
        }
    };
    let Some(who) = who(&s) else {
        return;
    };
    let rooms: Vec<String> = who.scope.roots().iter().map(|r| room(r)).collect();
    if msg.on {
        s.join(rooms);
        // Its own room, so that its own requests can be left out (`except` takes rooms).
        s.join(s.id);
        if s.extensions.insert(Arc::new(Following)).is_none() {
            app.followers.0.fetch_add(1, Ordering::Relaxed);
        }
    } else {
        s.leave(rooms);
        disconnected(&s, &app);
    }
    let _ = ack.send(&serde_json::json!({ "ok": true }));
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn message(node: &str, id: String, record: &crate::history::Record, status: &str) -> ActivityMsg {
    ActivityMsg {
        id,
        user: record.user.clone(),
        kind: record.kind.to_owned(),
        source: record.source.clone(),
        input: record.input.clone(),
        command: record.command.clone(),
        cwd: record.cwd.clone(),
        status: status.to_owned(),
        exit_code: None,
        node: node.to_owned(),
        at_ms: now_ms(),
    }
}

/// Turns the history's requests into `activity` broadcasts, for as long as the server runs.
pub(super) fn run(app: &Arc<App>, io: SocketIo) {
    let mut rx = app.services.history.follow();
    let node = app.cluster.node().to_owned();
    let app = app.clone();
    tokio::spawn(async move {
        // The start of each running request, with who asked, for its end's message.
        let mut open: HashMap<u64, (ActivityMsg, String)> = HashMap::new();
        let mut decided = 0u64;
        loop {
            let tapped = match rx.recv().await {
                Ok(t) => t,
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(
                        missed,
                        "activity fell behind the history; messages were skipped"
                    );
                    continue;
                }
                Err(RecvError::Closed) => break,
            };
            // Nobody to tell: not even a message made (a busy single server pays nothing).
            if !app.cluster.joined() && !app.followers.any() {
                continue;
            }
            let (msg, client) = match tapped {
                Tapped::Started { id, record } => {
                    let msg = message(&node, format!("{node}-{id}"), &record, "running");
                    if open.len() >= OPEN_MAX {
                        open.clear();
                    }
                    open.insert(id, (msg.clone(), record.client.clone()));
                    (msg, record.client.clone())
                }
                Tapped::Finished {
                    id,
                    exit_code,
                    status,
                } => {
                    let Some((mut msg, client)) = open.remove(&id) else {
                        continue;
                    };
                    msg.status = status.to_owned();
                    msg.exit_code = Some(exit_code);
                    msg.at_ms = now_ms();
                    (msg, client)
                }
                Tapped::Decided { record, ended } => {
                    decided += 1;
                    let status = ended.map_or(record.verdict.as_str(), |(_, s)| s);
                    let mut msg = message(&node, format!("{node}-d{decided}"), &record, status);
                    msg.exit_code = ended.map(|(code, _)| code);
                    (msg, record.client.clone())
                }
            };
            let Some(ns) = io.of("/") else {
                continue;
            };
            let mut to = ns.to(rooms_for(&msg.cwd));
            if let Ok(sid) = Sid::from_str(&client) {
                to = to.except(sid);
            }
            if let Err(e) = to.emit(event::ACTIVITY, &msg).await {
                tracing::debug!(error = %e, "activity not sent to every follower");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_is_seen_from_itself_and_every_folder_above() {
        assert_eq!(rooms_for(""), vec!["activity:"]);
        assert_eq!(
            rooms_for("a/bb/c"),
            vec![
                "activity:",
                "activity:a",
                "activity:a/bb",
                "activity:a/bb/c"
            ]
        );
        // A look-alike sibling is not above: `ab` is not beneath `a`.
        assert!(!rooms_for("ab/x").contains(&"activity:a".to_owned()));
    }
}
