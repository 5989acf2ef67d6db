//! On a desktop, the session bus (D-Bus): "show in file manager" through
//! `org.freedesktop.FileManager1.ShowItems`, and a notification when a long command ends while
//! its page is hidden (`org.freedesktop.Notifications.Notify`). Used only when the server finds
//! a session bus; every call is bounded and a missing service is a message, never a failure.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Calls on the bus wait this long at most (a hung file manager must not hang a request).
const CALL_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, thiserror::Error)]
pub enum DesktopError {
    #[error("no file manager answers on this desktop (org.freedesktop.FileManager1)")]
    NoFileManager,
    #[error("no notification service answers on this desktop (org.freedesktop.Notifications)")]
    NoNotifications,
    #[error("the desktop did not answer within {0:?}")]
    Timeout(Duration),
    #[error("the desktop refused: {0}")]
    Bus(#[from] zbus::Error),
}

#[derive(Clone, Debug)]
pub struct Desktop {
    bus: zbus::Connection,
}

impl Desktop {
    /// The session bus, when this process runs in a desktop session (`None` otherwise: under
    /// systemd or over SSH there is none, and nothing here is offered).
    pub async fn connect() -> Option<Self> {
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS")?;
        match tokio::time::timeout(CALL_TIMEOUT, zbus::Connection::session()).await {
            Ok(Ok(bus)) => Some(Self { bus }),
            Ok(Err(e)) => {
                tracing::info!(error = %e, "no desktop session bus: desktop integration off");
                None
            }
            Err(_) => {
                tracing::info!("the desktop session bus did not answer: desktop integration off");
                None
            }
        }
    }

    /// Opens the desktop's file manager with `paths` selected in their folders.
    pub async fn show_items(&self, paths: &[PathBuf]) -> Result<(), DesktopError> {
        let uris: Vec<String> = paths.iter().map(|p| file_uri(p)).collect();
        let body = (uris, "");
        let call = self.bus.call_method(
            Some("org.freedesktop.FileManager1"),
            "/org/freedesktop/FileManager1",
            Some("org.freedesktop.FileManager1"),
            "ShowItems",
            &body,
        );
        match tokio::time::timeout(CALL_TIMEOUT, call).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) if is_unknown_service(&e) => Err(DesktopError::NoFileManager),
            Ok(Err(e)) => Err(e.into()),
            Err(_) => Err(DesktopError::Timeout(CALL_TIMEOUT)),
        }
    }

    /// Shows a notification; its id on success.
    pub async fn notify(&self, summary: &str, body: &str) -> Result<u32, DesktopError> {
        let hints: HashMap<&str, zbus::Variant<'_>> = HashMap::new();
        let args = (
            "atajo",
            0u32,
            "utilities-terminal",
            summary,
            body,
            Vec::<&str>::new(),
            hints,
            -1i32,
        );
        let call = self.bus.call_method(
            Some("org.freedesktop.Notifications"),
            "/org/freedesktop/Notifications",
            Some("org.freedesktop.Notifications"),
            "Notify",
            &args,
        );
        match tokio::time::timeout(CALL_TIMEOUT, call).await {
            Ok(Ok(reply)) => Ok(reply.body().deserialize::<u32>()?),
            Ok(Err(e)) if is_unknown_service(&e) => Err(DesktopError::NoNotifications),
            Ok(Err(e)) => Err(e.into()),
            Err(_) => Err(DesktopError::Timeout(CALL_TIMEOUT)),
        }
    }
}

fn is_unknown_service(e: &zbus::Error) -> bool {
    match e {
        zbus::Error::MethodError(name, _, _) => {
            let name = name.as_str();
            name == "org.freedesktop.DBus.Error.ServiceUnknown"
                || name == "org.freedesktop.DBus.Error.NameHasNoOwner"
        }
        zbus::Error::FDO(e) => matches!(
            **e,
            zbus::fdo::Error::ServiceUnknown(_) | zbus::fdo::Error::NameHasNoOwner(_)
        ),
        _ => false,
    }
}

/// `file://` URI of an absolute path, every byte outside the unreserved set percent-encoded
/// (names that are not UTF-8 included).
pub fn file_uri(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut uri = String::from("file://");
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_of_any_name() {
        assert_eq!(
            file_uri(Path::new("/srv/w/informe final.txt")),
            "file:///srv/w/informe%20final.txt"
        );
        assert_eq!(file_uri(Path::new("/w/año#1")), "file:///w/a%C3%B1o%231");
        use std::os::unix::ffi::OsStrExt;
        let raw = std::ffi::OsStr::from_bytes(b"/w/\xff.bin");
        assert_eq!(file_uri(Path::new(raw)), "file:///w/%FF.bin");
    }
}
