//! What the other processes of this workspace say (`--cluster-redis`): their people, their
//! questions, the sessions they ended, their stopping.

use std::sync::Arc;

use super::{App, SocketIo, sessions};
use crate::cluster::NodeMsg;

pub(super) async fn listen(app: Arc<App>, io: SocketIo) {
    let Some(mut rx) = app.cluster.listen().await else {
        return;
    };
    // A newcomer does not wait for the next heartbeats to know who is here.
    app.cluster.tell(NodeMsg::Ask).await;
    tokio::spawn(async move {
        while let Some(envelope) = rx.recv().await {
            match envelope.msg {
                NodeMsg::Presence { users } => app.presence.heard(&envelope.from, users),
                NodeMsg::Ask => {
                    app.cluster
                        .tell(NodeMsg::Presence {
                            users: app.presence.mine(),
                        })
                        .await;
                }
                NodeMsg::SessionEnded { session } => {
                    sessions::end_here(&app, &io, session).await;
                }
                NodeMsg::Bye => app.presence.forget(&envelope.from),
            }
        }
    });
}
