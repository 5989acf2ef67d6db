//! File contents over HTTP — `GET /api/files/PATH` (preview and download; a folder comes as a
//! zip streamed while it is read) and `PUT /api/files/PATH` (upload and save, the body streamed
//! to disk). They are not shell commands, so they go through `workspace::content`, which opens
//! nothing but beneath the root. Bodies are raw bytes, never base64 in JSON.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path as UrlPath, Query, State};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use serde::Serialize;
use tokio::io::AsyncWriteExt;
use tracing::{debug, warn};

use super::App;
use super::auth::{COOKIE, cookie_values};
use crate::history::{Ended, Record, Verdict};
use crate::lang::Lang;
use crate::protocol::Entry;
use crate::users::Identity;
use crate::workspace::{self, ContentError, WriteRules, rel_to_string};

#[derive(Debug, Default, serde::Deserialize)]
pub struct FileQuery {
    /// Send as an attachment (a download) instead of inline (a preview).
    download: Option<String>,
    /// The path's real bytes in hex, for names that are not UTF-8 (instead of the URL's path).
    raw: Option<String>,
    /// PUT: replace a file that exists.
    overwrite: Option<String>,
    /// PUT: create missing parent folders.
    parents: Option<String>,
    /// PUT: make PATH a folder (an empty one in a dropped tree); the body is ignored.
    folder: Option<String>,
    token: Option<String>,
    /// The language of error messages (else the Accept-Language header's).
    lang: Option<String>,
}

fn flag(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|v| v != "0" && v != "false")
}

#[derive(Serialize)]
struct Failure<'a> {
    error: String,
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    current: Option<Entry>,
}

fn fail(status: StatusCode, kind: &str, error: impl Into<String>) -> Response {
    let body = Failure {
        error: error.into(),
        kind,
        current: None,
    };
    (status, axum::Json(body)).into_response()
}

fn content_failure(e: ContentError, lang: Lang) -> Response {
    use crate::tr;
    let (status, kind, error) = match &e {
        ContentError::NotFound => (StatusCode::NOT_FOUND, "missing", tr!(lang, "http_missing")),
        ContentError::IsDir => (StatusCode::CONFLICT, "not_a_file", tr!(lang, "http_is_dir")),
        ContentError::NotFile => (
            StatusCode::CONFLICT,
            "not_a_file",
            tr!(lang, "http_not_file"),
        ),
        ContentError::BadPath => (
            StatusCode::BAD_REQUEST,
            "invalid",
            tr!(lang, "http_bad_path"),
        ),
        ContentError::Protected => (
            StatusCode::FORBIDDEN,
            "protected",
            tr!(lang, "http_protected"),
        ),
        ContentError::Conflict { .. } => (
            StatusCode::PRECONDITION_FAILED,
            "conflict",
            tr!(lang, "http_conflict"),
        ),
        ContentError::Exists { .. } => (StatusCode::CONFLICT, "exists", tr!(lang, "http_exists")),
        ContentError::NoParent => (StatusCode::CONFLICT, "missing", tr!(lang, "http_no_parent")),
        ContentError::Outside => (StatusCode::FORBIDDEN, "outside", tr!(lang, "http_outside")),
        ContentError::Io(io) if workspace::leads_outside(io) => {
            (StatusCode::FORBIDDEN, "outside", tr!(lang, "http_outside"))
        }
        ContentError::Io(io) => {
            let (status, kind) = match io.raw_os_error() {
                Some(libc::ENOSPC) | Some(libc::EDQUOT) => {
                    (StatusCode::INSUFFICIENT_STORAGE, "full")
                }
                Some(libc::EFBIG) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
                Some(libc::EACCES) | Some(libc::EPERM) => (StatusCode::FORBIDDEN, "denied"),
                _ => (StatusCode::INTERNAL_SERVER_ERROR, "io"),
            };
            let why = crate::text::os_error(lang, io);
            (status, kind, tr!(lang, "http_io", why = why))
        }
    };
    let current = match e {
        ContentError::Conflict { current } | ContentError::Exists { current } => current,
        _ => None,
    };
    (
        status,
        axum::Json(Failure {
            error,
            kind,
            current,
        }),
    )
        .into_response()
}

/// Who makes a request: a token (as a bearer or `?token=`: the start-up token or a JWT) or
/// the browser's session cookie. A cookie counts for a write only with an Origin header, which
/// the guard has checked is ours (browsers send one on every cross-origin-capable request, so
/// a request without it is not a browser's), and with the cookie's CSRF token in a header.
fn caller(
    app: &App,
    method: &Method,
    headers: &HeaderMap,
    q: &FileQuery,
    ip: std::net::IpAddr,
    lang: Lang,
) -> Result<Identity, Box<Response>> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "));
    for token in bearer.into_iter().chain(q.token.as_deref()) {
        match app.auth.by_token(ip, token.trim()) {
            Ok(Some(who)) => return Ok(who),
            Ok(None) => {}
            Err(blocked) => {
                let secs = blocked.retry_after.as_secs().max(1);
                let message = crate::tr!(lang, "login_limited", secs = secs);
                let mut res = fail(StatusCode::TOO_MANY_REQUESTS, "limited", message);
                if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                    res.headers_mut().insert(header::RETRY_AFTER, v);
                }
                return Err(Box::new(res));
            }
        }
    }
    let found = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| cookie_values(h, COOKIE))
        .find_map(|c| app.auth.by_cookie(c).map(|who| (who, c)));
    let Some((who, cookie)) = found else {
        return Err(Box::new(unauthorized(lang)));
    };
    if method == Method::GET {
        return Ok(who);
    }
    if !headers.contains_key(header::ORIGIN) {
        return Err(Box::new(unauthorized(lang)));
    }
    if !super::login::csrf_ok(app, headers, cookie) {
        let message = crate::tr!(lang, "http_csrf");
        return Err(Box::new(fail(StatusCode::FORBIDDEN, "csrf", message)));
    }
    Ok(who)
}

/// Who makes a read-only request (a token as a bearer, or the browser's cookie).
pub(super) fn identify(
    app: &App,
    headers: &HeaderMap,
    ip: std::net::IpAddr,
    lang: Lang,
) -> Result<Identity, Box<Response>> {
    caller(app, &Method::GET, headers, &FileQuery::default(), ip, lang)
}

/// Whether `rel` (and where it really leads, through links) lies in the person's folders.
fn in_scope(app: &App, who: &Identity, rel: &std::path::Path) -> bool {
    if who.scope.is_all() {
        return true;
    }
    if !who.scope.allows_path(rel) {
        return false;
    }
    let root = app.services.workspace.root();
    match workspace::resolve_physical(root, std::path::Path::new(""), rel, "") {
        Ok(real) => real
            .strip_prefix(root)
            .is_ok_and(|r| who.scope.allows_path(r)),
        Err(_) => false,
    }
}

fn not_yours(lang: Lang, rel: &std::path::Path) -> Response {
    let message = crate::tr!(lang, "reason_not_yours", path = rel_to_string(rel));
    fail(StatusCode::FORBIDDEN, "forbidden", message)
}

fn unauthorized(lang: Lang) -> Response {
    let message = crate::tr!(lang, "http_unauthorized");
    fail(StatusCode::UNAUTHORIZED, "unauthorized", message)
}

/// A failed task (a panic or cancellation in a blocking thread), said as an I/O failure.
fn task_failed(e: tokio::task::JoinError, lang: Lang) -> Response {
    let why = e.to_string();
    let message = crate::tr!(lang, "http_io", why = why);
    fail(StatusCode::INTERNAL_SERVER_ERROR, "io", message)
}

/// The root-relative path a request names.
fn target(path: Option<&str>, q: &FileQuery) -> Result<PathBuf, ContentError> {
    match &q.raw {
        Some(hex) => workspace::rel_from_hex(hex),
        None => workspace::rel_from_bytes(path.unwrap_or("").trim_matches('/').as_bytes()),
    }
}

/// `Content-Disposition` with the name as UTF-8 (RFC 6266) and a plain fallback.
fn disposition(kind: &str, name: &str) -> HeaderValue {
    let plain: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    HeaderValue::from_str(&format!(
        "{kind}; filename=\"{plain}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// What a file is served as. Anything a browser would run (HTML, SVG, XML, scripts) goes as
/// plain text: a preview must never execute a file from the workspace on atajo's origin.
fn content_type(name: &str) -> String {
    let mime = mime_guess::from_path(name).first_or_octet_stream();
    let essence = mime.essence_str();
    let active = matches!(
        mime.subtype().as_str(),
        "html" | "xhtml+xml" | "svg+xml" | "xml"
    ) || essence.contains("javascript")
        || essence.contains("ecmascript");
    if active || mime.type_() == mime_guess::mime::TEXT {
        "text/plain; charset=utf-8".to_owned()
    } else {
        essence.to_owned()
    }
}

fn record(
    app: &App,
    who: &Identity,
    kind: &'static str,
    input: String,
    code: i32,
    started: Instant,
) {
    app.services.history.done(
        Record {
            client: "http".into(),
            user: who.user.clone(),
            session: who.session,
            kind,
            source: None,
            cwd: String::new(),
            input,
            command: None,
            verdict: Verdict::Allowed,
            reason: None,
            approval: None,
        },
        Ended {
            exit_code: code,
            duration_ms: started.elapsed().as_secs_f64() * 1000.0,
            output: String::new(),
            status: "done",
        },
    );
}

pub async fn get_root(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<FileQuery>,
    headers: HeaderMap,
) -> Response {
    get(app, peer, None, q, headers).await
}

pub async fn get_path(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    UrlPath(path): UrlPath<String>,
    Query(q): Query<FileQuery>,
    headers: HeaderMap,
) -> Response {
    get(app, peer, Some(path), q, headers).await
}

async fn get(
    app: Arc<App>,
    peer: SocketAddr,
    path: Option<String>,
    q: FileQuery,
    headers: HeaderMap,
) -> Response {
    let lang = super::request_lang(&headers, q.lang.as_deref());
    let ip = super::client_ip(peer);
    let who = match caller(&app, &Method::GET, &headers, &q, ip, lang) {
        Ok(w) => w,
        Err(res) => return *res,
    };
    let rel = match target(path.as_deref(), &q) {
        Ok(r) => r,
        Err(e) => return content_failure(e, lang),
    };
    // A folder above one's own would come as a zip of everything in it: never.
    if !in_scope(&app, &who, &rel) {
        return not_yours(lang, &rel);
    }
    let ws = app.services.workspace.clone();
    let opened = {
        let rel = rel.clone();
        tokio::task::spawn_blocking(move || match workspace::open_read(&ws, &rel) {
            Err(ContentError::IsDir) => Ok(None),
            other => other.map(Some),
        })
        .await
    };
    let started = Instant::now();
    match opened {
        Ok(Ok(Some((file, entry)))) => {
            record(&app, &who, "download", rel_to_string(&rel), 0, started);
            serve_file(file, &entry, flag(&q.download), &headers)
        }
        Ok(Ok(None)) => {
            record(
                &app,
                &who,
                "download",
                format!("{}/ (zip)", rel_to_string(&rel)),
                0,
                started,
            );
            serve_zip(app, rel)
        }
        Ok(Err(e)) => content_failure(e, lang),
        Err(e) => task_failed(e, lang),
    }
}

fn serve_file(file: std::fs::File, entry: &Entry, download: bool, headers: &HeaderMap) -> Response {
    let etag = format!("\"{}\"", entry.tag);
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag);
    let mut res = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let stream =
            tokio_util::io::ReaderStream::with_capacity(tokio::fs::File::from_std(file), 64 * 1024);
        Body::from_stream(stream).into_response()
    };
    let h = res.headers_mut();
    let mime = content_type(&entry.name);
    let pdf = mime == "application/pdf";
    if let Ok(v) = HeaderValue::from_str(&mime) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if !fresh && let Ok(v) = HeaderValue::from_str(&format!("{}", entry.size as u64)) {
        h.insert(header::CONTENT_LENGTH, v);
    }
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::CONTENT_DISPOSITION,
        disposition(if download { "attachment" } else { "inline" }, &entry.name),
    );
    // Shown in atajo's own preview frame (a PDF); never scripted (the browser's PDF viewer
    // does not work in a sandboxed document, and a PDF runs no script of ours).
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(if pdf {
            "default-src 'none'; object-src 'self'; frame-ancestors 'self'"
        } else {
            "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
        }),
    );
    h.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    res
}

/// The zip is written on a blocking thread into a small channel: the download goes at the
/// client's pace, and a client that leaves stops the walk.
fn serve_zip(app: Arc<App>, rel: PathBuf) -> Response {
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<bytes::Bytes>>(8);
    let ws = app.services.workspace.clone();
    let name = workspace::folder_name(&ws, &rel);
    tokio::task::spawn_blocking(move || {
        let out = std::io::BufWriter::with_capacity(64 * 1024, ChannelWriter(tx.clone()));
        if let Err(e) = workspace::zip_folder(&ws, &rel, out) {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                warn!(error = %e, folder = %rel.display(), "zip stopped");
                // The client sees a broken download, not a truncated zip that looks whole.
                let _ = tx.blocking_send(Err(e));
            } else {
                debug!("zip download left by its client");
            }
        }
    });
    let stream = tokio_stream_from(rx);
    let mut res = Body::from_stream(stream).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        disposition("attachment", &format!("{name}.zip")),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn tokio_stream_from(
    rx: tokio::sync::mpsc::Receiver<std::io::Result<bytes::Bytes>>,
) -> impl futures_util::Stream<Item = std::io::Result<bytes::Bytes>> {
    futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|c| (c, rx)) })
}

struct ChannelWriter(tokio::sync::mpsc::Sender<std::io::Result<bytes::Bytes>>);

impl std::io::Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .blocking_send(Ok(bytes::Bytes::copy_from_slice(buf)))
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[derive(Serialize)]
struct Written {
    path: String,
    entry: Entry,
}

pub async fn put_path(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    UrlPath(path): UrlPath<String>,
    Query(q): Query<FileQuery>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let lang = super::request_lang(&headers, q.lang.as_deref());
    let ip = super::client_ip(peer);
    let who = match caller(&app, &Method::PUT, &headers, &q, ip, lang) {
        Ok(w) => w,
        Err(res) => return *res,
    };
    if !who.role.runs() {
        let message = crate::tr!(lang, "role_cannot_run");
        return fail(StatusCode::FORBIDDEN, "forbidden", message);
    }
    let rel = match target(Some(&path), &q) {
        Ok(r) if !r.as_os_str().is_empty() => r,
        Ok(_) => {
            let message = crate::tr!(lang, "http_root_not_file");
            return fail(StatusCode::BAD_REQUEST, "invalid", message);
        }
        Err(e) => return content_failure(e, lang),
    };
    if !in_scope(&app, &who, &rel) {
        return not_yours(lang, &rel);
    }
    if flag(&q.folder) {
        let ws = app.services.workspace.clone();
        let shown = rel_to_string(&rel);
        let made = tokio::task::spawn_blocking(move || workspace::make_folder(&ws, &rel)).await;
        return match made {
            Ok(Ok(entry)) => {
                record(&app, &who, "upload", format!("{shown}/"), 0, Instant::now());
                (StatusCode::OK, axum::Json(Written { path: shown, entry })).into_response()
            }
            Ok(Err(e)) => content_failure(e, lang),
            Err(e) => task_failed(e, lang),
        };
    }
    let if_match = headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().trim_matches('"').to_owned());
    let kind = if if_match.is_some() { "save" } else { "upload" };
    let rules = WriteRules {
        if_match,
        overwrite: flag(&q.overwrite),
        parents: flag(&q.parents),
    };
    let started = Instant::now();
    let ws = app.services.workspace.clone();
    let begun = {
        let rel = rel.clone();
        tokio::task::spawn_blocking(move || workspace::begin_write(&ws, &rel, rules)).await
    };
    let part = match begun {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => return content_failure(e, lang),
        Err(e) => return task_failed(e, lang),
    };
    let written = match part.file.try_clone() {
        Ok(f) => receive(tokio::fs::File::from_std(f), body).await,
        Err(e) => Err(Received::Disk(e)),
    };
    let ws = app.services.workspace.clone();
    let shown = rel_to_string(&rel);
    match written {
        Ok(bytes) => {
            let committed = tokio::task::spawn_blocking(move || part.commit(&ws)).await;
            match committed {
                Ok(Ok(entry)) => {
                    record(
                        &app,
                        &who,
                        kind,
                        format!("{shown} ({bytes} bytes)"),
                        0,
                        started,
                    );
                    (StatusCode::OK, axum::Json(Written { path: shown, entry })).into_response()
                }
                Ok(Err(e)) => content_failure(e, lang),
                Err(e) => task_failed(e, lang),
            }
        }
        Err(why) => {
            let _ = tokio::task::spawn_blocking(move || part.abort(&ws)).await;
            record(&app, &who, kind, format!("{shown} (stopped)"), 1, started);
            match why {
                Received::Client(e) => {
                    debug!(error = %e, path = %shown, "upload stopped by its client");
                    let message = crate::tr!(lang, "http_upload_stopped", why = e);
                    fail(StatusCode::BAD_REQUEST, "cancelled", message)
                }
                Received::Disk(e) => content_failure(ContentError::Io(e), lang),
            }
        }
    }
}

enum Received {
    /// The body broke off (the client cancelled or went away).
    Client(axum::Error),
    Disk(std::io::Error),
}

/// Streams the request body into the part file, chunk by chunk as it arrives.
async fn receive(mut file: tokio::fs::File, body: Body) -> Result<u64, Received> {
    let mut stream = body.into_data_stream();
    let mut total = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(Received::Client)?;
        file.write_all(&chunk).await.map_err(Received::Disk)?;
        total += chunk.len() as u64;
    }
    file.flush().await.map_err(Received::Disk)?;
    Ok(total)
}
