//! The recursive watcher: turns inotify events (from atajo's own commands and from any other
//! process) into root-relative changes. It never waits: batching happens downstream, only when
//! changes arrive faster than they can be sent.

use std::path::Path;

use notify::event::{EventKind, ModifyKind, RenameMode};
use notify::{Event, RecommendedWatcher, RecursiveMode, Watcher as _};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use super::STATE_DIR;
use super::path::rel_to_string;
use crate::protocol::{ChangeKind, FsChange};

#[derive(Debug)]
pub enum WatchMsg {
    Changes(Vec<FsChange>),
    /// Events were lost (queue overflow) or the watcher failed: listings must be redone.
    Rescan(String),
}

/// Keeps the OS watch alive; dropping it stops the events.
pub struct Watcher {
    _inner: RecommendedWatcher,
}

pub fn watch(root: &Path) -> notify::Result<(Watcher, UnboundedReceiver<WatchMsg>)> {
    let (tx, rx) = unbounded_channel();
    let root_owned = root.to_path_buf();
    let mut inner = notify::recommended_watcher(move |res: notify::Result<Event>| {
        forward(&root_owned, &tx, res);
    })?;
    inner.watch(root, RecursiveMode::Recursive)?;
    Ok((Watcher { _inner: inner }, rx))
}

fn forward(root: &Path, tx: &UnboundedSender<WatchMsg>, res: notify::Result<Event>) {
    let msg = match res {
        Ok(event) if event.need_rescan() => WatchMsg::Rescan("the event queue overflowed".into()),
        Ok(event) => {
            let changes = changes_of(root, &event);
            if changes.is_empty() {
                return;
            }
            WatchMsg::Changes(changes)
        }
        Err(e) => {
            tracing::warn!(error = %e, "file watcher error");
            WatchMsg::Rescan(e.to_string())
        }
    };
    // The receiver is gone only while the server shuts down.
    let _ = tx.send(msg);
}

fn changes_of(root: &Path, event: &Event) -> Vec<FsChange> {
    let kinds: Vec<(usize, ChangeKind)> = match event.kind {
        EventKind::Create(_) => vec![(0, ChangeKind::Created)],
        EventKind::Remove(_) => vec![(0, ChangeKind::Removed)],
        EventKind::Modify(ModifyKind::Name(RenameMode::From)) => vec![(0, ChangeKind::Removed)],
        EventKind::Modify(ModifyKind::Name(RenameMode::To)) => vec![(0, ChangeKind::Created)],
        EventKind::Modify(ModifyKind::Name(RenameMode::Both)) => {
            vec![(0, ChangeKind::Removed), (1, ChangeKind::Created)]
        }
        EventKind::Modify(ModifyKind::Name(_)) => {
            let exists = event
                .paths
                .first()
                .is_some_and(|p| p.symlink_metadata().is_ok());
            let kind = if exists {
                ChangeKind::Created
            } else {
                ChangeKind::Removed
            };
            vec![(0, kind)]
        }
        EventKind::Modify(_) => vec![(0, ChangeKind::Modified)],
        EventKind::Access(_) | EventKind::Any | EventKind::Other => Vec::new(),
    };
    kinds
        .into_iter()
        .filter_map(|(i, kind)| {
            let rel = relative(root, event.paths.get(i)?)?;
            Some(FsChange { path: rel, kind })
        })
        .collect()
}

/// The root-relative form of a watched path; `None` for the root itself and for atajo's own
/// state folder.
fn relative(root: &Path, abs: &Path) -> Option<String> {
    let rel = abs.strip_prefix(root).ok()?;
    if rel.as_os_str().is_empty() || rel.starts_with(STATE_DIR) {
        return None;
    }
    Some(rel_to_string(rel))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    async fn next_changes(rx: &mut UnboundedReceiver<WatchMsg>) -> Vec<FsChange> {
        let mut all = Vec::new();
        while let Ok(Some(msg)) = tokio::time::timeout(Duration::from_millis(300), rx.recv()).await
        {
            if let WatchMsg::Changes(c) = msg {
                all.extend(c);
            }
        }
        all
    }

    #[tokio::test]
    async fn reports_relative_changes_and_skips_state_dir() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let (_w, mut rx) = watch(&root).unwrap();
        std::fs::create_dir(root.join("PROYECTO")).unwrap();
        std::fs::create_dir(root.join(STATE_DIR)).unwrap();
        std::fs::write(root.join(STATE_DIR).join("x"), b"1").unwrap();
        let got = next_changes(&mut rx).await;
        assert!(got.contains(&FsChange {
            path: "PROYECTO".into(),
            kind: ChangeKind::Created
        }));
        assert!(
            got.iter().all(|c| !c.path.starts_with(STATE_DIR)),
            "{got:?}"
        );

        std::fs::write(root.join("PROYECTO/n.txt"), b"hola").unwrap();
        std::fs::rename(root.join("PROYECTO/n.txt"), root.join("m.txt")).unwrap();
        let got = next_changes(&mut rx).await;
        for want in [
            ("PROYECTO/n.txt", ChangeKind::Created),
            ("PROYECTO/n.txt", ChangeKind::Modified),
            ("PROYECTO/n.txt", ChangeKind::Removed),
            ("m.txt", ChangeKind::Created),
        ] {
            assert!(
                got.contains(&FsChange {
                    path: want.0.into(),
                    kind: want.1
                }),
                "missing {want:?} in {got:?}"
            );
        }
    }
}
