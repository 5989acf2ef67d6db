//! HTTP and Socket.IO: axum serves the embedded web app, the token exchange and /healthz;
//! socketioxide speaks Socket.IO v5 to browsers and scripts. Each connection gets a feed
//! (`crate::feed`) that keeps it told of the changes on disk it cares about.

mod activity;
mod assets;
mod auth;
mod counted;
mod desktop;
mod files;
mod front;
mod guard;
mod history;
mod login;
mod nodes;
mod ops;
mod presence;
mod sessions;
mod shell;
mod shutdown;
mod socket;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use http::{StatusCode, Uri, header};
use socketioxide::handler::ConnectHandler;
use tokio::sync::mpsc::UnboundedReceiver;

pub use auth::random_hex;
pub use front::{FrontError, normalize_base, parse_proxies};

use crate::feed::{self, Hub};
use crate::session::Services;
use crate::terminal::{TerminalSettings, Terminals};
use crate::workspace::{WatchMsg, Watcher};
use auth::Auth;
use guard::Guard;

/// The Socket.IO server and its sockets, typed with the adapter that can reach the other
/// processes of the workspace (`crate::cluster`).
pub(crate) type SocketIo = socketioxide::SocketIo<crate::cluster::Adapter>;
pub(crate) type SocketRef = socketioxide::extract::SocketRef<crate::cluster::Adapter>;
pub(crate) type AckSender = socketioxide::extract::AckSender<crate::cluster::Adapter>;

pub struct App {
    pub services: Arc<Services>,
    auth: Auth,
    hub: Arc<Hub>,
    /// Shell terminals, when the server offers them (`--shell`).
    terminals: Option<Arc<Terminals>>,
    presence: Arc<presence::Presence>,
    /// This process among the others serving the workspace (alone without `--cluster-redis`).
    cluster: Arc<crate::cluster::Cluster>,
    /// The connections of this process that follow the activity.
    followers: activity::Followers,
    /// The Socket.IO server, for HTTP routes that close connections (logout).
    io: std::sync::OnceLock<SocketIo>,
    database: Option<std::path::PathBuf>,
    /// Whether the watcher's changes are being routed to the feeds (`/readyz`).
    routing: std::sync::atomic::AtomicBool,
    /// The requests running, for a shutdown that lets them finish.
    drain: shutdown::Drain,
    /// The path the app is served under: `""` or `/atajo` (cookies and redirects follow it).
    base: String,
    /// The desktop session's bus, when the server runs in one.
    desktop: Option<desktop::Bus>,
    #[cfg_attr(not(feature = "desktop"), allow(dead_code))]
    notify_after: Duration,
}

pub struct ServerOptions {
    pub addr: SocketAddr,
    pub token: String,
    /// Accounts and sessions (multi-user mode when it has accounts); `None` without a data
    /// folder: single-user only.
    pub store: Option<Arc<crate::users::Store>>,
    /// The database the history is read from (the panel, the audit export).
    pub database: Option<std::path::PathBuf>,
    pub allow_origin: Vec<String>,
    /// `Some` when clients may open shell terminals.
    pub terminals: Option<TerminalSettings>,
    /// How long running requests may take to finish once the server is told to stop.
    pub stop_grace: Duration,
    /// The path the app is served under (normalized: `""` or `/atajo`).
    pub base_path: String,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// A loopback address serving `/metrics` without a token.
    pub metrics_addr: Option<SocketAddr>,
    /// A command at least this long that ends while its page is hidden gets a desktop
    /// notification.
    pub notify_after: Duration,
    /// The Redis that joins the processes serving this workspace (`--cluster-redis`).
    pub cluster_redis: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Cluster(#[from] crate::cluster::ClusterError),
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
    (watcher, changes): (Watcher, UnboundedReceiver<WatchMsg>),
    opts: ServerOptions,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let hub = Hub::new(services.workspace.clone(), services.metrics.feed.clone());
    let terminals = opts.terminals.map(|settings| {
        Terminals::new(
            settings,
            services.workspace.root().to_path_buf(),
            services.sandbox.clone(),
        )
    });
    let auth = match opts.store {
        Some(store) => Auth::with_store(opts.token, store)
            .map_err(|e| ServeError::Io(std::io::Error::other(e.to_string())))?,
        None => Auth::new(opts.token),
    };
    let desktop = desktop::connect().await;
    let counters = services.metrics.cluster.clone();
    let cluster = Arc::new(match &opts.cluster_redis {
        Some(url) => {
            crate::cluster::Cluster::join(url, services.workspace.root(), counters).await?
        }
        None => crate::cluster::Cluster::alone(services.workspace.root(), counters),
    });
    let app = Arc::new(App {
        services,
        auth,
        hub: hub.clone(),
        terminals,
        presence: Arc::default(),
        cluster: cluster.clone(),
        followers: activity::Followers::default(),
        io: std::sync::OnceLock::new(),
        database: opts.database,
        routing: std::sync::atomic::AtomicBool::new(true),
        drain: shutdown::Drain::default(),
        base: opts.base_path.clone(),
        desktop,
        notify_after: opts.notify_after,
    });
    #[cfg(feature = "cluster")]
    let builder = socketioxide::SocketIo::builder()
        .with_adapter::<crate::cluster::Adapter>(cluster.adapter());
    #[cfg(not(feature = "cluster"))]
    let builder = socketioxide::SocketIo::builder();
    let (layer, io) = builder
        .with_state(app.clone())
        // Instructions are small, but a client sending a huge one deserves a clear answer,
        // not a dropped connection: room for a few MiB, refused with a message above 16 KiB.
        .max_payload(4 * 1024 * 1024)
        // Packets a connection may queue before sending waits: a reply emitted behind them
        // waits for all of them, so the queue is kept short and a feed's backlog waits (and
        // coalesces) in the feed instead.
        .max_buffer_size(OUTGOING_PACKETS)
        .ping_interval(Duration::from_secs(20))
        .build_layer();
    #[cfg(feature = "cluster")]
    io.ns("/", socket::on_connect.with(socket::authenticate))
        .await
        .map_err(|e| crate::cluster::ClusterError::Join(e.to_string()))?;
    #[cfg(not(feature = "cluster"))]
    io.ns("/", socket::on_connect.with(socket::authenticate));
    let _ = app.io.set(io.clone());
    app.presence.clone().run(
        io.clone(),
        cluster.clone(),
        app.services.metrics.cluster.clone(),
    );
    activity::run(&app, io.clone());
    nodes::listen(app.clone(), io.clone()).await;
    if cluster.joined() {
        tracing::info!(
            node = cluster.node(),
            "joined the other processes of this workspace through Redis"
        );
    }
    sessions::watch(app.clone(), io.clone());
    history::tell_health(&app, io.clone());
    if let Some(t) = &app.terminals {
        shell::announce(t, io.clone());
    }
    let routed = app.clone();
    tokio::spawn(async move {
        // The watcher runs as long as its changes are routed.
        let _watcher = watcher;
        feed::route(hub, changes).await;
        routed
            .routing
            .store(false, std::sync::atomic::Ordering::Relaxed);
        tracing::error!("the watcher's changes are no longer routed");
    });

    let guard = Arc::new(Guard::new(opts.addr.ip().is_loopback(), &opts.allow_origin));
    let router = Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/login", post(login::login))
        .route("/logout", post(login::logout))
        .route("/api/auth", get(login::mode))
        .route("/api/audit", get(history::audit))
        .route("/", get(index))
        .route("/api/files", get(files::get_root))
        .route(
            "/api/files/{*path}",
            get(files::get_path).put(files::put_path),
        )
        .fallback(get(static_file))
        .with_state(app.clone())
        .layer(layer)
        .layer(axum::middleware::from_fn_with_state(guard, guard::guard));
    // Around the whole router, not inside it: the base path comes off before routing.
    let front = Arc::new(front::Front {
        base: opts.base_path,
        trusted: opts.trusted_proxies,
    });
    let service = tower::Layer::layer(
        &axum::middleware::from_fn_with_state(front, front::front),
        router,
    );

    let listener = tokio::net::TcpListener::bind(opts.addr)
        .await
        .map_err(|source| ServeError::Bind {
            addr: opts.addr,
            source,
        })?;
    let local = listener.local_addr()?;
    if let Some(addr) = opts.metrics_addr {
        ops::serve_metrics(app.clone(), addr).await?;
    }
    // Signals are watched from before `ready`: a SIGTERM right after start-up is a clean stop.
    let (signalled, signals) = shutdown::signals();
    ready(local);
    // Replies are small and latency-bound: never wait for Nagle's algorithm.
    let listener = counted::Counted::new(
        listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
            limit_unsent(tcp);
        }),
        app.services.metrics.bytes_received.clone(),
        app.services.metrics.bytes_sent.clone(),
    );
    let (stop_http, http_stopped) = tokio::sync::oneshot::channel::<()>();
    let mut http = tokio::spawn(
        axum::serve(
            listener,
            axum::ServiceExt::<axum::extract::Request>::into_make_service_with_connect_info::<
                counted::Peer,
            >(service),
        )
        .with_graceful_shutdown(async move {
            let _ = http_stopped.await;
        })
        .into_future(),
    );
    tokio::select! {
        () = signalled => {}
        served = &mut http => {
            // The listener failed on its own: nothing to drain for.
            return match served {
                Ok(r) => r.map_err(ServeError::Io),
                Err(e) => Err(ServeError::Io(std::io::Error::other(e))),
            };
        }
    }
    stop(&app, &io, stop_http, http, opts.stop_grace, signals).await;
    Ok(())
}

/// The orderly stop: no new connections or requests, every page told, running requests given
/// `grace` (a second signal cuts it short), then stopped; shells ended; the history written.
async fn stop(
    app: &Arc<App>,
    io: &SocketIo,
    stop_http: tokio::sync::oneshot::Sender<()>,
    http: tokio::task::JoinHandle<std::io::Result<()>>,
    grace: Duration,
    signals: tokio::sync::watch::Receiver<u32>,
) {
    app.drain.begin();
    let _ = stop_http.send(());
    let running = app.drain.running();
    tracing::info!(
        running,
        grace_s = grace.as_secs_f64(),
        "stopping: no new connections or requests"
    );
    let told = crate::protocol::ServerStopping {
        grace_ms: u64::try_from(grace.as_millis()).unwrap_or(u64::MAX),
    };
    app.cluster.tell(crate::cluster::NodeMsg::Bye).await;
    if let Some(ns) = io.of("/") {
        // This process's clients: the others keep serving theirs.
        let _ = ns
            .local()
            .emit(crate::protocol::event::SERVER_STOPPING, &told)
            .await;
    }
    let drained = app
        .drain
        .finish(grace, Duration::from_secs(5), shutdown::second(signals))
        .await;
    let shells_ended = match &app.terminals {
        Some(t) => t.close_all(Duration::from_secs(3)).await,
        None => true,
    };
    // Connections still open (a long download) get a moment, not forever.
    if tokio::time::timeout(Duration::from_secs(3), http)
        .await
        .is_err()
    {
        tracing::warn!("HTTP requests still open at the stop");
    }
    let services = app.services.clone();
    let written =
        tokio::task::spawn_blocking(move || services.history.flush(Duration::from_secs(10)))
            .await
            .unwrap_or(false);
    if !written {
        tracing::error!("stopping with history records not written");
    }
    tracing::info!(
        finished = drained.finished,
        cancelled = drained.cancelled,
        shells_ended,
        history_written = written,
        "stopped"
    );
}

/// The language of a request's own messages: `?lang=`, else its Accept-Language, else English.
pub(crate) fn request_lang(headers: &http::HeaderMap, tag: Option<&str>) -> crate::lang::Lang {
    use crate::lang::Lang;
    tag.and_then(Lang::from_tag)
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|h| h.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_default()
}

#[derive(serde::Deserialize)]
struct TokenParam {
    token: Option<String>,
}

/// The address a request came from (IPv4 seen through IPv6 as itself).
pub(crate) fn client_ip(peer: SocketAddr) -> std::net::IpAddr {
    peer.ip().to_canonical()
}

/// The address of the request a socket was opened with.
pub(crate) fn peer_ip(ext: &http::Extensions) -> std::net::IpAddr {
    ext.get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED), |c| {
            client_ip(c.0)
        })
}

/// Trades a valid token for an HttpOnly, SameSite=Strict session cookie and sends the browser
/// to a URL without the token.
fn exchange(
    app: &App,
    ip: std::net::IpAddr,
    token: &str,
    lang: crate::lang::Lang,
    secure: bool,
) -> Response {
    // Guesses of the token count against the address, as wrong passwords do.
    let ok = match app.auth.owner_token(ip, token) {
        Ok(ok) => ok,
        Err(blocked) => {
            let secs = blocked.retry_after.as_secs().max(1);
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [
                    (header::CONTENT_TYPE, "text/plain; charset=utf-8".to_owned()),
                    (header::RETRY_AFTER, secs.to_string()),
                ],
                crate::tr!(lang, "login_limited", secs = secs) + "\n",
            )
                .into_response();
        }
    };
    if !ok {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            crate::tr!(lang, "http_bad_token") + "\n",
        )
            .into_response();
    }
    match app.auth.open_session() {
        Ok(id) => (
            [(
                header::SET_COOKIE,
                login::session_cookie(&id, secure, &app.base),
            )],
            Redirect::to(&format!("{}/", app.base)),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot open a session");
            let message = crate::tr!(lang, "http_no_session") + "\n";
            (StatusCode::INTERNAL_SERVER_ERROR, message).into_response()
        }
    }
}

async fn index(
    State(app): State<Arc<App>>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<SocketAddr>,
    Query(q): Query<TokenParam>,
    headers: http::HeaderMap,
) -> Response {
    match q.token {
        Some(token) => exchange(
            &app,
            client_ip(peer),
            &token,
            request_lang(&headers, None),
            login::over_tls(&headers),
        ),
        None => assets::serve("index.html"),
    }
}

async fn static_file(uri: Uri) -> Response {
    assets::serve(uri.path())
}

/// Packets a connection may queue before a send waits (socketioxide's buffer).
const OUTGOING_PACKETS: usize = 512;

/// Unsent bytes a connection may queue in the kernel. Without a limit the kernel buffers
/// megabytes for a client that reads slower than a storm of changes comes: a reply emitted
/// behind them waited for all of them (measured 200 ms and more by the storm benchmark).
/// With it, what the client cannot take yet waits in its feed, where changes coalesce and
/// replies pass them; data in flight (the network's share) is not limited, so downloads keep
/// their speed.
const UNSENT_LIMIT: u32 = 16 * 1024;

fn limit_unsent(tcp: &tokio::net::TcpStream) {
    if let Err(error) = socket2::SockRef::from(tcp).set_tcp_notsent_lowat(UNSENT_LIMIT) {
        tracing::debug!(%error, "TCP_NOTSENT_LOWAT not set");
    }
}
