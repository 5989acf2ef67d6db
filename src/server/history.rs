//! The history over Socket.IO (`history`: search, filters, pages; people other than admins
//! read their own rows) and the audit over HTTP (`GET /api/audit`, admins only, JSON lines),
//! and telling every page when the history cannot be written.

use std::net::SocketAddr;
use std::sync::Arc;

use super::SocketIo;
use axum::extract::{ConnectInfo, Query, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, StatusCode, header};
use serde_json::Value;
use socketioxide::extract::TryData;

use super::{AckSender, SocketRef};

use super::App;
use super::socket::{decode, lang_of, who};
use crate::history::search::{self, HistoryQuery};
use crate::protocol::{HistoryReply, Notice, event};
use crate::users::Role;

#[derive(serde::Deserialize)]
struct HistoryRequest {
    #[serde(flatten)]
    query: HistoryQuery,
    #[serde(default)]
    lang: Option<String>,
}

pub(super) async fn history(
    s: SocketRef,
    TryData(data): TryData<Value>,
    ack: AckSender,
    socketioxide::extract::State(app): socketioxide::extract::State<Arc<App>>,
) {
    let failed = |error: String| HistoryReply {
        ok: false,
        rows: Vec::new(),
        error: Some(error),
    };
    let reply = match decode::<HistoryRequest>(&s, data) {
        Err(e) => failed(e),
        Ok(req) => {
            let lang = lang_of(&s, req.lang.as_deref());
            let mut q = req.query;
            // Only admins read others' rows: a person's history says where they went.
            match who(&s) {
                Some(w) if w.role == Role::Admin => {}
                Some(w) => q.user = Some(w.user.clone()),
                None => q.user = Some(String::new()),
            }
            match app.database.clone() {
                None => failed(crate::tr!(lang, "history_none")),
                Some(db) => {
                    let found = tokio::task::spawn_blocking(move || {
                        search::reader(&db).and_then(|c| search::search(&c, &q))
                    })
                    .await;
                    match found {
                        Ok(Ok(rows)) => HistoryReply {
                            ok: true,
                            rows,
                            error: None,
                        },
                        Ok(Err(e)) => failed(crate::tr!(lang, "history_unreadable", why = e)),
                        Err(e) => failed(crate::tr!(lang, "history_unreadable", why = e)),
                    }
                }
            }
        }
    };
    if let Err(e) = ack.send(&reply) {
        tracing::debug!(sid = %s.id, error = %e, "history reply not sent");
    }
}

#[derive(serde::Deserialize)]
pub struct AuditQuery {
    since: Option<f64>,
    lang: Option<String>,
}

/// The audit as JSON lines, for admins (the start-up token, an admin's cookie or JWT).
pub async fn audit(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<AuditQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = super::request_lang(&headers, q.lang.as_deref());
    let ip = super::client_ip(peer);
    let who = match super::files::identify(&app, &headers, ip, lang) {
        Ok(w) => w,
        Err(res) => return *res,
    };
    if who.role != Role::Admin {
        let msg = crate::tr!(lang, "audit_admins_only");
        return (StatusCode::FORBIDDEN, format!("{msg}\n")).into_response();
    }
    let Some(db) = app.database.clone() else {
        let msg = crate::tr!(lang, "history_none");
        return (StatusCode::NOT_FOUND, format!("{msg}\n")).into_response();
    };
    let exported = tokio::task::spawn_blocking(move || {
        let conn = search::reader(&db)?;
        let mut out = Vec::new();
        search::export_audit(&conn, q.since, &mut out)?;
        Ok::<_, search::ExportError>(out)
    })
    .await;
    match exported {
        Ok(Ok(body)) => (
            [(header::CONTENT_TYPE, "application/x-ndjson; charset=utf-8")],
            body,
        )
            .into_response(),
        Ok(Err(e)) => {
            let msg = crate::tr!(lang, "history_unreadable", why = e);
            (StatusCode::INTERNAL_SERVER_ERROR, format!("{msg}\n")).into_response()
        }
        Err(e) => {
            let msg = crate::tr!(lang, "history_unreadable", why = e);
            (StatusCode::INTERNAL_SERVER_ERROR, format!("{msg}\n")).into_response()
        }
    }
}

/// Tells every page when the history stops (and starts again) being written.
pub(super) fn tell_health(app: &Arc<App>, io: SocketIo) {
    let mut health = app.services.history.health();
    let metrics = app.services.metrics.clone();
    tokio::spawn(async move {
        while health.changed().await.is_ok() {
            let message = health.borrow_and_update().clone();
            metrics
                .history_failing
                .set(if message.is_some() { 1.0 } else { 0.0 });
            let notice = Notice {
                kind: "history".into(),
                message,
            };
            if let Some(ns) = io.of("/") {
                // Each process tells its own clients about its own writer.
                let _ = ns.local().emit(event::NOTICE, &notice).await;
            }
        }
    });
}
