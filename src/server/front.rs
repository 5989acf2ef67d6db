//! What stands in front of atajo: the base path it is served under (`/atajo/` behind nginx,
//! `base_path`) and the proxies whose `X-Forwarded-For` is believed (`trusted_proxies`). Runs
//! before everything else, so every handler sees paths without the base and the client's own
//! address where it would see the proxy's.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{StatusCode, Uri, header};
use ipnet::IpNet;

#[derive(Debug, Default)]
pub struct Front {
    /// `""` or `/some/path` (no trailing slash).
    pub base: String,
    pub trusted: Vec<IpNet>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FrontError {
    #[error(
        "base_path {0:?} must be a path such as /atajo: letters, digits, '-', '_', '.', '~' between slashes, no '..'"
    )]
    BasePath(String),
    #[error("trusted_proxies: {0:?} is not an address or a network such as 10.0.0.0/8")]
    Proxy(String),
}

/// `/atajo/`, `atajo`, `/atajo` → `/atajo`; `/` and `` → ``.
pub fn normalize_base(raw: &str) -> Result<String, FrontError> {
    let trimmed = raw.trim().trim_matches('/');
    if trimmed.is_empty() {
        return Ok(String::new());
    }
    let ok = trimmed.split('/').all(|seg| {
        !seg.is_empty()
            && seg != "."
            && seg != ".."
            && seg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.~".contains(c))
    });
    if !ok {
        return Err(FrontError::BasePath(raw.to_owned()));
    }
    Ok(format!("/{trimmed}"))
}

pub fn parse_proxies(list: &[String]) -> Result<Vec<IpNet>, FrontError> {
    list.iter()
        .map(|p| {
            let p = p.trim();
            p.parse::<IpNet>()
                .or_else(|_| p.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| FrontError::Proxy(p.to_owned()))
        })
        .collect()
}

impl Front {
    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.trusted.iter().any(|n| n.contains(&ip))
    }

    /// The client behind trusted proxies: the right-most `X-Forwarded-For` address that is
    /// not one of them (the ones to its left are whatever the client claimed).
    fn forwarded_client(&self, headers: &http::HeaderMap) -> Option<IpAddr> {
        let hops: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|h| h.to_str().ok())
            .flat_map(|h| h.split(','))
            .map(|a| a.trim().parse::<IpAddr>().map(|ip| ip.to_canonical()))
            .collect::<Result<_, _>>()
            .ok()?;
        hops.iter()
            .rev()
            .find(|ip| !self.trusts(**ip))
            .or(hops.first())
            .copied()
    }
}

pub async fn front(State(f): State<Arc<Front>>, mut req: Request<Body>, next: Next) -> Response {
    // The address the listener saw, where every handler looks for it.
    if let Some(ConnectInfo(super::counted::Peer(peer))) = req
        .extensions()
        .get::<ConnectInfo<super::counted::Peer>>()
        .copied()
    {
        req.extensions_mut().insert(ConnectInfo(peer));
    }
    if !f.trusted.is_empty()
        && let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied()
        && f.trusts(peer.ip())
        && let Some(client) = f.forwarded_client(req.headers())
    {
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::new(client, 0)));
    }
    if f.base.is_empty() {
        return next.run(req).await;
    }
    let path = req.uri().path();
    let query = req
        .uri()
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    if path == f.base {
        // Relative URLs of the page resolve beneath the base only from `/base/`.
        let to = format!("{}/{query}", f.base);
        return (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, to)]).into_response();
    }
    let Some(rest) = path.strip_prefix(&f.base).filter(|r| r.starts_with('/')) else {
        let lang = super::request_lang(req.headers(), None);
        let msg = crate::tr!(lang, "http_outside_base", base = format!("{}/", f.base));
        return (StatusCode::NOT_FOUND, format!("{msg}\n")).into_response();
    };
    match format!("{rest}{query}").parse::<Uri>() {
        Ok(inner) => {
            *req.uri_mut() = inner;
            next.run(req).await
        }
        Err(_) => (StatusCode::BAD_REQUEST, "bad path\n").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_paths() {
        assert_eq!(normalize_base("").as_deref(), Ok(""));
        assert_eq!(normalize_base("/").as_deref(), Ok(""));
        assert_eq!(normalize_base("/atajo/").as_deref(), Ok("/atajo"));
        assert_eq!(normalize_base("atajo").as_deref(), Ok("/atajo"));
        assert_eq!(normalize_base("/w/ana-1").as_deref(), Ok("/w/ana-1"));
        for bad in ["/a/../b", "/a//b", "/a b", "/a?x", "/./a", "/é"] {
            assert!(normalize_base(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_client_behind_trusted_proxies() {
        let f = Front {
            base: String::new(),
            trusted: parse_proxies(&["127.0.0.1".into(), "10.0.0.0/8".into()]).expect("valid"),
        };
        let with = |xff: &str| {
            let mut h = http::HeaderMap::new();
            h.insert("x-forwarded-for", xff.parse().expect("header"));
            f.forwarded_client(&h)
        };
        let ip = |s: &str| Some(s.parse::<IpAddr>().expect("ip"));
        assert_eq!(with("203.0.113.7"), ip("203.0.113.7"));
        // A client claiming an address first is not believed: the proxy's own hop counts.
        assert_eq!(with("1.2.3.4, 203.0.113.7"), ip("203.0.113.7"));
        assert_eq!(with("203.0.113.7, 10.1.2.3"), ip("203.0.113.7"));
        assert_eq!(with("10.1.2.3"), ip("10.1.2.3"));
        assert_eq!(with("::ffff:198.51.100.2"), ip("198.51.100.2"));
        assert_eq!(with("nonsense"), None);
        assert!(f.trusts("::ffff:127.0.0.1".parse().expect("ip")));
        assert!(!f.trusts("127.0.0.2".parse().expect("ip")));
        assert!(parse_proxies(&["10.0.0.0/33".into()]).is_err());
    }
}
