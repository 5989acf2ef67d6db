//! The recursive watcher: turns inotify events (from atajo's own commands and from any other
//! process) into root-relative changes. It never waits: batching happens downstream, only when
//! changes arrive faster than they can be sent.

use std::path::{Path, PathBuf};

use notify::event::{CreateKind, EventKind, ModifyKind, RenameMode};
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
    /// A folder appeared. The OS watch on it is added only after this event is handled, so
    /// whatever was created inside it meanwhile produced no event: its contents must be
    /// scanned once (root-relative path).
    NewDir(PathBuf),
    /// Changes atajo made itself, announced by the pipeline as soon as they are done; the
    /// watcher's own report of them is dropped downstream as a duplicate.
    Announced(Vec<FsChange>),
}

/// Keeps the OS watch alive; dropping it stops the events.
pub struct Watcher {
    _inner: RecommendedWatcher,
    tx: UnboundedSender<WatchMsg>,
}

impl Watcher {
    /// A sender into the same stream the watcher feeds, for announcements.
    pub fn sender(&self) -> UnboundedSender<WatchMsg> {
        self.tx.clone()
    }
}

pub fn watch(root: &Path) -> notify::Result<(Watcher, UnboundedReceiver<WatchMsg>)> {
    let (tx, rx) = unbounded_channel();
    let root_owned = root.to_path_buf();
    let events_tx = tx.clone();
    let mut inner = notify::recommended_watcher(move |res: notify::Result<Event>| {
        forward(&root_owned, &events_tx, res);
    })?;
    inner.watch(root, RecursiveMode::Recursive)?;
    Ok((Watcher { _inner: inner, tx }, rx))
}

fn forward(root: &Path, tx: &UnboundedSender<WatchMsg>, res: notify::Result<Event>) {
    let msg = match res {
        Ok(event) if event.need_rescan() => WatchMsg::Rescan("the event queue overflowed".into()),
        Ok(event) => {
            let changes = changes_of(root, &event);
            if changes.is_empty() {
                return;
            }
            let new_dir = matches!(event.kind, EventKind::Create(CreateKind::Folder))
                .then(|| event.paths.first().and_then(|p| p.strip_prefix(root).ok()))
                .flatten()
                .map(Path::to_path_buf);
            let _ = tx.send(WatchMsg::Changes(changes));
            match new_dir {
                Some(dir) => WatchMsg::NewDir(dir),
                None => return,
            }
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

/// Everything beneath the root-relative folder `dir` (at most `limit` entries), as
/// "created" changes: the catch-up for a folder whose watch came after its contents.
pub fn scan_new_dir(root: &Path, dir: &Path, limit: usize) -> Vec<FsChange> {
    let mut out = Vec::new();
    let mut stack = vec![root.join(dir)];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            if out.len() >= limit {
                return out;
            }
            let path = e.path();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(path.clone());
            }
            if let Some(rel) = relative(root, &path) {
                out.push(FsChange {
                    path: rel,
                    kind: ChangeKind::Created,
                });
            }
        }
    }
    out
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

    /// Everything reported until the watcher goes quiet, new folders scanned as the
    /// broadcaster does.
    async fn next_changes(root: &Path, rx: &mut UnboundedReceiver<WatchMsg>) -> Vec<FsChange> {
        let mut all = Vec::new();
        while let Ok(Some(msg)) = tokio::time::timeout(Duration::from_millis(300), rx.recv()).await
        {
            match msg {
                WatchMsg::Changes(c) | WatchMsg::Announced(c) => all.extend(c),
                WatchMsg::NewDir(d) => all.extend(scan_new_dir(root, &d, 100)),
                WatchMsg::Rescan(_) => {}
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
        let got = next_changes(&root, &mut rx).await;
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
        let got = next_changes(&root, &mut rx).await;
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

    #[tokio::test]
    async fn contents_of_a_new_folder_are_caught_up() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let (_w, mut rx) = watch(&root).unwrap();
        // Faster than the watcher can add watches on the new folders.
        std::fs::create_dir_all(root.join("a/b/c")).unwrap();
        std::fs::write(root.join("a/b/c/f.txt"), b"x").unwrap();
        let seen: std::collections::HashSet<String> = next_changes(&root, &mut rx)
            .await
            .into_iter()
            .map(|c| c.path)
            .collect();
        for p in ["a", "a/b", "a/b/c", "a/b/c/f.txt"] {
            assert!(seen.contains(p), "{p} never reported: {seen:?}");
        }
    }
}
