//! For the people who run atajo: `/healthz` (the process answers), `/readyz` (it can do its
//! work: the watcher's changes are routed and the history is written) and `/metrics`
//! (Prometheus text, for an admin's token or cookie).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::extract::{ConnectInfo, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, StatusCode, header};

use super::App;
use crate::users::Role;

pub async fn healthz(State(app): State<Arc<App>>) -> impl IntoResponse {
    axum::Json(serde_json::json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "node": app.cluster.node(),
    }))
}

pub async fn readyz(State(app): State<Arc<App>>) -> Response {
    let mut not = Vec::new();
    if !app.routing.load(Ordering::Relaxed) {
        not.push("the watcher's changes are not routed");
    }
    if app.drain.stopping() {
        not.push("the server is stopping");
    }
    let history = app.services.history.health().borrow().clone();
    if history.is_some() {
        not.push("the history cannot be written");
    }
    let status = if not.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = serde_json::json!({
        "status": if not.is_empty() { "ready" } else { "not ready" },
        "problems": not,
        "history": history,
        // Losing Redis is not a reason to stop serving: this process's clients are served,
        // and the figure says the others are not reached.
        "cluster": {
            "node": app.cluster.node(),
            "joined": app.cluster.joined(),
            "connected": app.services.metrics.cluster.connected.get() == 1,
            "nodes": app.services.metrics.cluster.nodes.get(),
        },
    });
    (status, axum::Json(body)).into_response()
}

pub async fn metrics(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let lang = super::request_lang(&headers, None);
    let who = match super::files::identify(&app, &headers, super::client_ip(peer), lang) {
        Ok(w) => w,
        Err(res) => return *res,
    };
    if who.role != Role::Admin {
        let msg = crate::tr!(lang, "metrics_admins_only");
        return (StatusCode::FORBIDDEN, format!("{msg}\n")).into_response();
    }
    exposition(&app)
}

/// The metrics as Prometheus reads them, with the gauges that are read rather than counted
/// brought up to date.
fn exposition(app: &App) -> Response {
    let m = &app.services.metrics;
    m.feed_backlog.set(gauge(app.hub.backlog()));
    m.running.set(gauge(app.drain.running()));
    m.shells
        .set(gauge(app.terminals.as_ref().map_or(0, |t| t.list().len())));
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        app.services.metrics.render(),
    )
        .into_response()
}

/// `/metrics`, `/healthz` and `/readyz` on a loopback port of their own, without a token.
pub async fn serve_metrics(app: Arc<App>, addr: SocketAddr) -> Result<(), super::ServeError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| super::ServeError::Bind { addr, source })?;
    let local = listener.local_addr()?;
    let router = axum::Router::new()
        .route(
            "/metrics",
            axum::routing::get(|State(app): State<Arc<App>>| async move { exposition(&app) }),
        )
        .route("/healthz", axum::routing::get(healthz))
        .route("/readyz", axum::routing::get(readyz))
        .with_state(app)
        // Loopback names only in Host: a web page cannot rebind its name to this port.
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(super::guard::Guard::new(true, &[])),
            super::guard::guard,
        ));
    tracing::info!(%local, "metrics without a token on loopback");
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            tracing::error!(error = %e, "the metrics port stopped");
        }
    });
    Ok(())
}

fn gauge(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
