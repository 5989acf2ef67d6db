//! The login and logout routes, and what the page asks before it connects.
//!
//! - `POST /login` with `token` (a form, as before): trades the start-up token for the
//!   owner's cookie and sends the browser to `/`.
//! - `POST /login` with `user` and `password` (a form or JSON, sent by the page): opens a
//!   session; 200 with who, 401 (wrong, never which part), 429 with `Retry-After`.
//! - `POST /logout`: ends the cookie's session (needs the CSRF header), clears the cookie.
//! - `GET /api/auth`: whether the login asks for an account or the token.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::{HeaderMap, StatusCode, header};
use serde::Deserialize;

use super::auth::{COOKIE, CSRF_HEADER, LoginError, cookie_values};
use super::{App, request_lang};
use crate::history::AuditEvent;

#[derive(Deserialize, Default)]
pub struct LoginForm {
    token: Option<String>,
    user: Option<String>,
    password: Option<String>,
    lang: Option<String>,
}

fn json(status: StatusCode, body: serde_json::Value) -> Response {
    (status, axum::Json(body)).into_response()
}

/// The cookie that holds a session: HttpOnly (no script reads it), SameSite=Strict (no other
/// site sends it), for the whole server.
pub(super) fn session_cookie(value: &str, secure: bool, base: &str) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={value}; HttpOnly; SameSite=Strict; Path={base}/{secure}")
}

/// Whether the page was reached over TLS (directly or through a proxy that says so).
pub(super) fn over_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

/// A form post or a JSON body.
fn form_of(headers: &HeaderMap, body: &[u8]) -> Option<LoginForm> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|c| c.starts_with("application/json"));
    if json {
        serde_json::from_slice(body).ok()
    } else {
        serde_urlencoded::from_bytes(body).ok()
    }
}

pub async fn login(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let lang_default = request_lang(&headers, None);
    let Some(form) = form_of(&headers, &body) else {
        let msg = crate::tr!(lang_default, "login_malformed");
        return json(StatusCode::BAD_REQUEST, serde_json::json!({"error": msg}));
    };
    let lang = request_lang(&headers, form.lang.as_deref());
    if let Some(token) = &form.token {
        let secure = over_tls(&headers);
        return super::exchange(&app, super::client_ip(peer), token, lang, secure);
    }
    let (Some(user), Some(password)) = (form.user.as_deref(), form.password.as_deref()) else {
        let msg = crate::tr!(lang, "login_malformed");
        return json(StatusCode::BAD_REQUEST, serde_json::json!({"error": msg}));
    };
    let ip = super::client_ip(peer);
    let label = headers
        .get(header::USER_AGENT)
        .and_then(|h| h.to_str().ok())
        .map(|ua| format!("{ip} {ua}"))
        .unwrap_or_else(|| ip.to_string());
    match app.auth.login(ip, user.trim(), password, &label).await {
        Ok((who, secret)) => {
            tracing::info!(user = %who.user, session = ?who.session, %ip, "logged in");
            app.services.metrics.login("ok");
            app.services.history.audit(AuditEvent {
                user: who.user.clone(),
                session: who.session,
                action: "login",
                detail: label.clone(),
            });
            let body = serde_json::json!({
                "user": who.user,
                "role": who.role,
                "roots": who.scope.roots(),
            });
            (
                [(
                    header::SET_COOKIE,
                    session_cookie(&secret, over_tls(&headers), &app.base),
                )],
                axum::Json(body),
            )
                .into_response()
        }
        Err(LoginError::Wrong) => {
            // Who tried is worth a line; what they typed never is.
            tracing::warn!(%ip, "a login failed");
            app.services.metrics.login("wrong");
            app.services.history.audit(AuditEvent {
                user: user.trim().chars().take(64).collect(),
                session: None,
                action: "login_failed",
                detail: ip.to_string(),
            });
            let msg = crate::tr!(lang, "login_wrong");
            json(StatusCode::UNAUTHORIZED, serde_json::json!({"error": msg}))
        }
        Err(LoginError::Limited(b)) => {
            let secs = b.retry_after.as_secs().max(1);
            tracing::warn!(%ip, retry_after = secs, "a login was refused: too many failures");
            app.services.metrics.login("limited");
            let msg = crate::tr!(lang, "login_limited", secs = secs);
            (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, secs.to_string())],
                axum::Json(serde_json::json!({"error": msg, "retry_after": secs})),
            )
                .into_response()
        }
        Err(LoginError::NoAccounts) => {
            let msg = crate::tr!(lang, "login_no_accounts");
            json(StatusCode::BAD_REQUEST, serde_json::json!({"error": msg}))
        }
        Err(LoginError::Store(e)) => {
            tracing::error!(error = %e, "cannot open a session");
            let msg = crate::tr!(lang, "http_no_session");
            json(
                StatusCode::SERVICE_UNAVAILABLE,
                serde_json::json!({"error": msg}),
            )
        }
    }
}

fn cookies_of(headers: &HeaderMap) -> Vec<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| cookie_values(h, COOKIE))
        .collect()
}

/// Whether a mutation made with the browser's cookie carries that cookie's CSRF token.
pub fn csrf_ok(app: &App, headers: &HeaderMap, cookie: &str) -> bool {
    headers
        .get(CSRF_HEADER)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|sent| app.auth.csrf_ok(cookie, sent))
}

pub async fn logout(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let lang = request_lang(&headers, None);
    let cookies = cookies_of(&headers);
    if cookies.is_empty() {
        return Redirect::to(&format!("{}/", app.base)).into_response();
    }
    // The page's CSRF token names its own cookie among those the browser sent.
    let Some(cookie) = cookies.into_iter().find(|c| csrf_ok(&app, &headers, c)) else {
        let msg = crate::tr!(lang, "http_csrf");
        return json(StatusCode::FORBIDDEN, serde_json::json!({"error": msg}));
    };
    if let Some((id, user)) = app.auth.logout(cookie) {
        app.services.history.audit(AuditEvent {
            user,
            session: Some(id),
            action: "logout",
            detail: String::new(),
        });
        if let Some(io) = app.io.get() {
            super::sessions::end(&app, io, id).await;
        }
    }
    (
        [(
            header::SET_COOKIE,
            format!(
                "{COOKIE}=; HttpOnly; SameSite=Strict; Path={}/; Max-Age=0",
                app.base
            ),
        )],
        json(StatusCode::OK, serde_json::json!({"ok": true})),
    )
        .into_response()
}

pub async fn mode(State(app): State<Arc<App>>) -> Response {
    let mode = if app.auth.multi_user() {
        "accounts"
    } else {
        "token"
    };
    use base64::Engine;
    let jwt = app.auth.jwt_public_key().map(|k| {
        serde_json::json!({
            "alg": "EdDSA",
            "crv": "Ed25519",
            "public_key": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(k),
        })
    });
    json(
        StatusCode::OK,
        serde_json::json!({ "login": mode, "jwt": jwt }),
    )
}
