//! Checks that run on every HTTP request before any handler: the Host header when bound to
//! loopback (DNS rebinding), the Origin of Socket.IO and state-changing requests (cross-site
//! WebSocket hijacking), and the security headers on every response.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, Method, StatusCode, header};

pub struct Guard {
    pub loopback: bool,
    /// Extra origins, normalised (`scheme://host[:port]`, lowercase, no trailing slash).
    pub allowed_origins: Vec<String>,
}

impl Guard {
    pub fn new(loopback: bool, allow_origin: &[String]) -> Self {
        Self {
            loopback,
            allowed_origins: allow_origin
                .iter()
                .map(|o| o.trim_end_matches('/').to_ascii_lowercase())
                .collect(),
        }
    }

    fn host_ok(&self, host: &str) -> bool {
        if !self.loopback {
            return true;
        }
        let name = host_name(host);
        name == "localhost"
            || name.ends_with(".localhost")
            || name == "[::1]"
            || name
                .parse::<std::net::Ipv4Addr>()
                .is_ok_and(|ip| ip.is_loopback())
            || self.allowed_origins.iter().any(|o| {
                o.split_once("://")
                    .is_some_and(|(_, h)| host_name(h) == name)
            })
    }

    /// Same origin (the Origin names the Host we were reached at) or explicitly allowed.
    pub fn origin_ok(&self, origin: &str, host: Option<&str>) -> bool {
        let origin = origin.trim_end_matches('/').to_ascii_lowercase();
        let same = host.is_some_and(|h| {
            let h = h.to_ascii_lowercase();
            origin == format!("http://{h}") || origin == format!("https://{h}")
        });
        same || self.allowed_origins.contains(&origin)
    }
}

fn host_name(host: &str) -> String {
    let host = host.to_ascii_lowercase();
    if host.starts_with('[') {
        return host.split_inclusive(']').next().unwrap_or("").to_owned();
    }
    host.rsplit_once(':')
        .map_or(host.clone(), |(h, _)| h.to_owned())
}

fn refuse(status: StatusCode, msg: &str) -> Response {
    tracing::warn!(%status, "{msg}");
    (status, format!("{msg}\n")).into_response()
}

pub async fn guard(State(g): State<Arc<Guard>>, req: Request<Body>, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned);
    if !host.as_deref().is_some_and(|h| g.host_ok(h)) {
        let lang = super::request_lang(req.headers(), None);
        return refuse(StatusCode::FORBIDDEN, &crate::tr!(lang, "guard_host"));
    }
    let needs_origin_check =
        req.uri().path().starts_with("/socket.io") || req.method() != Method::GET;
    if needs_origin_check {
        // Every Origin header must pass: a second, forged one must not hide behind the first.
        let ok = req
            .headers()
            .get_all(header::ORIGIN)
            .iter()
            .all(|o| o.to_str().is_ok_and(|o| g.origin_ok(o, host.as_deref())));
        if !ok {
            let lang = super::request_lang(req.headers(), None);
            return refuse(StatusCode::FORBIDDEN, &crate::tr!(lang, "guard_origin"));
        }
    }
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    for (name, value) in [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        // Not no-referrer: with it, browsers send `Origin: null` on same-origin form posts.
        (header::REFERRER_POLICY, "same-origin"),
    ] {
        // A handler that set its own (a file's preview) knows better.
        h.entry(name).or_insert(HeaderValue::from_static(value));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_origins() {
        let g = Guard::new(true, &["https://atajo.example.org/".into()]);
        assert!(g.host_ok("127.0.0.1:8470"));
        assert!(g.host_ok("localhost:8470"));
        assert!(g.host_ok("[::1]:8470"));
        assert!(g.host_ok("atajo.example.org"));
        assert!(!g.host_ok("evil.example.com:8470"));
        assert!(!g.host_ok("127.0.0.1.evil.com"));
        assert!(g.origin_ok("http://127.0.0.1:8470", Some("127.0.0.1:8470")));
        assert!(!g.origin_ok("http://127.0.0.1:9999", Some("127.0.0.1:8470")));
        assert!(!g.origin_ok("http://evil.com", Some("127.0.0.1:8470")));
        assert!(!g.origin_ok("null", Some("127.0.0.1:8470")));
        assert!(g.origin_ok("https://atajo.example.org", Some("127.0.0.1:8470")));
        assert!(Guard::new(false, &[]).host_ok("anything"));
    }
}
