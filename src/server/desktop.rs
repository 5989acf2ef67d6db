//! The desktop's part in the connection (feature `desktop`): "show in file manager" (`reveal`)
//! for a person at the server's own machine, and a notification when a long command ends while
//! its page is hidden (`visibility`). Without the feature, or without a session bus, nothing
//! here is offered and `hello.desktop` is false.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;
use socketioxide::extract::{State, TryData};

use super::{AckSender, SocketRef};

use super::App;
use super::socket::{decode, lang_of, may_see};
use crate::protocol::{RevealReply, RevealRequest, VisibilityMsg, event};

#[cfg(feature = "desktop")]
pub type Bus = crate::desktop::Desktop;

/// No desktop in this build: a type with no values.
#[cfg(not(feature = "desktop"))]
#[derive(Clone, Debug)]
pub enum Bus {}

/// The session bus, when there is one (and the feature is built in).
pub async fn connect() -> Option<Bus> {
    #[cfg(feature = "desktop")]
    {
        let bus = crate::desktop::Desktop::connect().await;
        if bus.is_some() {
            tracing::info!("desktop session: notifications and \"show in file manager\" on");
        }
        bus
    }
    #[cfg(not(feature = "desktop"))]
    None
}

/// Whether this page is hidden now (told by the page).
#[derive(Default)]
struct Hidden(AtomicBool);

/// Whether `reveal` is offered to this connection: a desktop, and a client on this machine
/// (the file manager opens on the server's screen).
pub fn offered(s: &SocketRef, app: &App) -> bool {
    app.desktop.is_some() && super::peer_ip(&s.req_parts().extensions).is_loopback()
}

pub fn register(s: &SocketRef) {
    s.extensions.insert(Arc::new(Hidden::default()));
    s.on(event::REVEAL, reveal);
    s.on(
        event::VISIBILITY,
        |s: SocketRef, TryData(data): TryData<Value>| async move {
            if let Ok(msg) = decode::<VisibilityMsg>(&s, data)
                && let Some(h) = s.extensions.get::<Arc<Hidden>>()
            {
                h.0.store(msg.hidden, Ordering::Relaxed);
            }
        },
    );
}

async fn reveal(
    s: SocketRef,
    TryData(data): TryData<Value>,
    ack: AckSender,
    State(app): State<Arc<App>>,
) {
    let reply = match decode::<RevealRequest>(&s, data) {
        Err(e) => RevealReply {
            ok: false,
            error: Some(e),
        },
        Ok(req) => {
            let lang = lang_of(&s, req.lang.as_deref());
            match shown(&s, &app, &req.path, lang).await {
                Ok(()) => RevealReply {
                    ok: true,
                    error: None,
                },
                Err(e) => RevealReply {
                    ok: false,
                    error: Some(e),
                },
            }
        }
    };
    let _ = ack.send(&reply);
}

async fn shown(
    s: &SocketRef,
    app: &App,
    path: &str,
    lang: crate::lang::Lang,
) -> Result<(), String> {
    let Some(bus) = app.desktop.as_ref().filter(|_| offered(s, app)) else {
        return Err(crate::tr!(lang, "desktop_unavailable"));
    };
    may_see(s, path, lang)?;
    let rel =
        crate::workspace::client_rel_path(path).ok_or_else(|| crate::tr!(lang, "path_inside"))?;
    let root = app.services.workspace.root();
    // What the file manager will select, links followed: never a place outside the root.
    let real =
        std::fs::canonicalize(root.join(&rel)).map_err(|e| crate::text::os_error(lang, &e))?;
    if !real.starts_with(root) {
        return Err(crate::tr!(lang, "desktop_outside", path = path));
    }
    show(bus, real, lang).await
}

#[cfg(feature = "desktop")]
async fn show(bus: &Bus, real: std::path::PathBuf, lang: crate::lang::Lang) -> Result<(), String> {
    bus.show_items(&[real]).await.map_err(|e| match e {
        crate::desktop::DesktopError::NoFileManager => crate::tr!(lang, "desktop_no_file_manager"),
        other => other.to_string(),
    })
}

#[cfg(not(feature = "desktop"))]
async fn show(bus: &Bus, _: std::path::PathBuf, _: crate::lang::Lang) -> Result<(), String> {
    match *bus {}
}

/// A request of this connection ended: when it ran long and its page is hidden, the desktop
/// says so.
pub fn ended(s: &SocketRef, app: &App, command: &str, code: i32, took: std::time::Duration) {
    #[cfg(feature = "desktop")]
    {
        let hidden = s
            .extensions
            .get::<Arc<Hidden>>()
            .is_some_and(|h| h.0.load(Ordering::Relaxed));
        let Some(bus) = app.desktop.clone() else {
            return;
        };
        if !hidden || took < app.notify_after {
            return;
        }
        let lang = lang_of(s, None);
        let summary = crate::tr!(lang, "desktop_command_ended");
        let command: String = command.chars().take(200).collect();
        let body = crate::tr!(
            lang,
            "desktop_command_ended_body",
            command = command,
            code = code,
            secs = took.as_secs()
        );
        tokio::spawn(async move {
            if let Err(e) = bus.notify(&summary, &body).await {
                tracing::info!(error = %e, "no notification shown");
            }
        });
    }
    #[cfg(not(feature = "desktop"))]
    let _ = (s, app, command, code, took);
}
