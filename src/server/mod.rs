//! HTTP and Socket.IO: axum serves the embedded web app, the token exchange and /healthz;
//! socketioxide speaks Socket.IO v5 to browsers and scripts. The watcher's changes are
//! broadcast from here to every client of the workspace.

mod assets;
mod auth;
mod guard;
mod socket;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use http::{StatusCode, Uri, header};
use socketioxide::SocketIo;
use socketioxide::handler::ConnectHandler;
use tokio::sync::mpsc::UnboundedReceiver;

pub use auth::random_hex;

use crate::protocol::{ChangeKind, FileEvent, FsChange, FsChanges, event};
use crate::session::Services;
use crate::workspace::{self, WatchMsg};
use auth::{Auth, COOKIE};
use guard::Guard;

/// The room of clients that have listed a folder: only they get `fs_changes` batches. The
/// original design's clients never list, and are sent only the compatibility events.
const EXPLORERS: &str = "explorers";

pub struct App {
    pub services: Arc<Services>,
    auth: Auth,
    seq: AtomicU32,
}

impl App {
    fn seq(&self) -> u32 {
        self.seq.load(Ordering::Relaxed)
    }
}

pub struct ServerOptions {
    pub addr: SocketAddr,
    pub token: String,
    pub allow_origin: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the server stopped: {0}")]
    Io(#[from] std::io::Error),
}

/// Binds, then calls `ready` with the real address (port 0 becomes a real port) before serving.
pub async fn serve(
    services: Arc<Services>,
    changes: UnboundedReceiver<WatchMsg>,
    opts: ServerOptions,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let app = Arc::new(App {
        services,
        auth: Auth::new(opts.token),
        seq: AtomicU32::new(0),
    });
    let (layer, io) = SocketIo::builder()
        .with_state(app.clone())
        // Instructions are small, but a client sending a huge one deserves a clear answer,
        // not a dropped connection: room for a few MiB, refused with a message above 16 KiB.
        .max_payload(4 * 1024 * 1024)
        .max_buffer_size(4096)
        .ping_interval(Duration::from_secs(20))
        .build_layer();
    io.ns("/", socket::on_connect.with(socket::authenticate));
    tokio::spawn(broadcast(io, app.clone(), changes));

    let guard = Arc::new(Guard::new(opts.addr.ip().is_loopback(), &opts.allow_origin));
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route("/login", post(login))
        .route("/", get(index))
        .fallback(get(static_file))
        .with_state(app)
        .layer(layer)
        .layer(axum::middleware::from_fn_with_state(guard, guard::guard));

    let listener = tokio::net::TcpListener::bind(opts.addr)
        .await
        .map_err(|source| ServeError::Bind {
            addr: opts.addr,
            source,
        })?;
    let local = listener.local_addr()?;
    ready(local);
    // Replies are small and latency-bound: never wait for Nagle's algorithm.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

async fn healthz() -> impl IntoResponse {
    axum::Json(serde_json::json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

#[derive(serde::Deserialize)]
struct TokenParam {
    token: Option<String>,
}

/// Trades a valid token for an HttpOnly, SameSite=Strict session cookie and sends the browser
/// to a URL without the token.
fn exchange(app: &App, token: &str) -> Response {
    if !app.auth.token_ok(token) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "Token no válido: abre la URL que atajo imprimió al arrancar.\nInvalid token: open the URL atajo printed when it started.\n",
        )
            .into_response();
    }
    match app.auth.open_session() {
        Ok(id) => (
            [(
                header::SET_COOKIE,
                format!("{COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/"),
            )],
            Redirect::to("/"),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot open a session");
            (StatusCode::INTERNAL_SERVER_ERROR, "cannot open a session\n").into_response()
        }
    }
}

async fn index(State(app): State<Arc<App>>, Query(q): Query<TokenParam>) -> Response {
    match q.token {
        Some(token) => exchange(&app, &token),
        None => assets::serve("index.html"),
    }
}

async fn login(State(app): State<Arc<App>>, Form(f): Form<TokenParam>) -> Response {
    exchange(&app, f.token.as_deref().unwrap_or(""))
}

async fn static_file(uri: Uri) -> Response {
    assets::serve(uri.path())
}

/// Sends every change to every client: at once when changes are rare (a lone change is never
/// held back), coalesced when they arrive faster than they are sent.
async fn broadcast(io: SocketIo, app: Arc<App>, mut rx: UnboundedReceiver<WatchMsg>) {
    let mut recent = RecentlyCreated::default();
    while let Some(first) = rx.recv().await {
        let mut changes: Vec<FsChange> = Vec::new();
        let mut rescan = false;
        let mut new_dirs = Vec::new();
        let mut take = |msg: WatchMsg, changes: &mut Vec<FsChange>| match msg {
            WatchMsg::Changes(c) | WatchMsg::Announced(c) => changes.extend(c),
            WatchMsg::NewDir(d) => new_dirs.push(d),
            WatchMsg::Rescan(why) => {
                tracing::warn!(%why, "file events were lost; clients will re-list");
                rescan = true;
            }
        };
        take(first, &mut changes);
        while changes.len() < 10_000 {
            match rx.try_recv() {
                Ok(msg) => take(msg, &mut changes),
                Err(_) => break,
            }
        }
        recent.filter(&mut changes);
        send(&io, &app, changes, rescan).await;
        if !new_dirs.is_empty() {
            // By now the watcher has added its watches on these folders; whatever appeared in
            // them before that is found by a scan.
            let root = app.services.workspace.root().to_path_buf();
            let mut found = tokio::task::spawn_blocking(move || {
                new_dirs
                    .iter()
                    .flat_map(|d| workspace::scan_new_dir(&root, d, 10_000))
                    .collect::<Vec<_>>()
            })
            .await
            .unwrap_or_default();
            recent.filter(&mut found);
            if !found.is_empty() {
                send(&io, &app, found, false).await;
            }
        }
    }
}

async fn send(io: &SocketIo, app: &App, mut changes: Vec<FsChange>, rescan: bool) {
    dedup(&mut changes);
    for c in &changes {
        let name = match c.kind {
            ChangeKind::Created => event::NUEVO_ARCHIVO,
            ChangeKind::Modified => event::ACTUALIZAR_ARCHIVO,
            ChangeKind::Removed => continue,
        };
        if let Err(e) = io
            .emit(
                name,
                &FileEvent {
                    ruta: c.path.clone(),
                },
            )
            .await
        {
            tracing::debug!(error = %e, "compat event not delivered to every client");
        }
    }
    if rescan {
        // An empty batch with a fresh number tells clients to re-list what they show.
        changes.clear();
    }
    let seq = app.seq.fetch_add(1, Ordering::Relaxed) + 1;
    if let Err(e) = io
        .to(EXPLORERS)
        .emit(event::FS_CHANGES, &FsChanges { seq, changes })
        .await
    {
        tracing::debug!(error = %e, "fs_changes not delivered to every client");
    }
}

/// A creation can be reported up to three times: announced by the pipeline that made it, seen
/// by the watcher, and found by the scan of its new parent folder. The first report goes out;
/// later ones within `KEEP` are dropped. A removal forgets the path, so a real re-creation
/// always goes out.
struct RecentlyCreated {
    seen: std::collections::HashMap<String, std::time::Instant>,
    last_sweep: std::time::Instant,
}

impl Default for RecentlyCreated {
    fn default() -> Self {
        Self {
            seen: std::collections::HashMap::new(),
            last_sweep: std::time::Instant::now(),
        }
    }
}

impl RecentlyCreated {
    const KEEP: Duration = Duration::from_secs(5);

    fn filter(&mut self, changes: &mut Vec<FsChange>) {
        let now = std::time::Instant::now();
        // Forget old entries once per period, not on every batch of a storm.
        if now.duration_since(self.last_sweep) >= Self::KEEP {
            self.seen
                .retain(|_, at| now.duration_since(*at) < Self::KEEP);
            self.last_sweep = now;
        }
        changes.retain(|c| match c.kind {
            ChangeKind::Created => match self.seen.get(&c.path) {
                Some(at) if now.duration_since(*at) < Self::KEEP => false,
                _ => {
                    self.seen.insert(c.path.clone(), now);
                    true
                }
            },
            ChangeKind::Removed => {
                self.seen.remove(&c.path);
                true
            }
            ChangeKind::Modified => true,
        });
    }
}

/// Drops a change that repeats the previous change of the same path (a file written in many
/// chunks is one modification); order and every real transition are kept.
fn dedup(changes: &mut Vec<FsChange>) {
    let mut last = std::collections::HashMap::new();
    changes.retain(|c| last.insert(c.path.clone(), c.kind) != Some(c.kind));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(path: &str, kind: ChangeKind) -> FsChange {
        FsChange {
            path: path.into(),
            kind,
        }
    }

    #[test]
    fn a_creation_goes_out_once_and_a_re_creation_again() {
        let mut recent = RecentlyCreated::default();
        let mut announced = vec![c("a", ChangeKind::Created)];
        recent.filter(&mut announced);
        assert_eq!(announced.len(), 1);
        let mut watched = vec![c("a", ChangeKind::Created), c("b", ChangeKind::Created)];
        recent.filter(&mut watched);
        assert_eq!(watched, [c("b", ChangeKind::Created)]);
        // The scan of a new parent folder is a third report of the same creation.
        let mut scanned = vec![c("a", ChangeKind::Created), c("b", ChangeKind::Created)];
        recent.filter(&mut scanned);
        assert!(scanned.is_empty());
        let mut again = vec![
            c("a", ChangeKind::Removed),
            c("a", ChangeKind::Created),
            c("a", ChangeKind::Modified),
        ];
        recent.filter(&mut again);
        assert_eq!(again.len(), 3);
    }
}
