//! The recursive watcher: turns inotify events (from atajo's own commands and from any other
//! process) into root-relative changes. It never waits: batching happens downstream, only when
//! changes arrive faster than they can be sent.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use notify::event::{CreateKind, EventKind, ModifyKind, RenameMode};
use notify::{Event, PollWatcher, RecommendedWatcher, RecursiveMode, Watcher as _};
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
    /// The OS refused another watch (the inotify watch limit) for this absolute folder: what
    /// happens beneath it is not reported until it is polled.
    LimitReached(PathBuf),
}

/// How often a folder that could not be watched is polled.
const POLL_EVERY: Duration = Duration::from_secs(2);

/// Keeps the OS watch alive; dropping it stops the events.
pub struct Watcher {
    inner: RecommendedWatcher,
    /// Folders beyond the watch limit, created on the first one.
    poller: Option<PollWatcher>,
    polled: Vec<PathBuf>,
    root: PathBuf,
    tx: UnboundedSender<WatchMsg>,
}

impl Watcher {
    /// A sender into the same stream the watcher feeds, for announcements.
    pub fn sender(&self) -> UnboundedSender<WatchMsg> {
        self.tx.clone()
    }

    /// Adds watches again over the whole tree: after an overflow, the events that would have
    /// added watches on new folders may be among the lost ones. Existing watches are kept.
    pub fn rewatch(&mut self) -> Result<(), PathBuf> {
        match self.inner.watch(&self.root, RecursiveMode::Recursive) {
            Ok(()) => Ok(()),
            Err(e) if matches!(e.kind, notify::ErrorKind::MaxFilesWatch) => Err(e
                .paths
                .first()
                .cloned()
                .unwrap_or_else(|| self.root.clone())),
            Err(e) => {
                tracing::warn!(error = %e, "cannot watch the tree again");
                Ok(())
            }
        }
    }

    /// Polls `dir` (absolute, beneath the root) and everything in it from now on. Returns
    /// false when it already was, or cannot be.
    pub fn poll(&mut self, dir: &Path) -> bool {
        if self.polled.iter().any(|p| dir.starts_with(p)) {
            return false;
        }
        if self.poller.is_none() {
            let root = self.root.clone();
            let tx = self.tx.clone();
            let config = notify::Config::default().with_poll_interval(POLL_EVERY);
            match PollWatcher::new(
                move |res: notify::Result<Event>| forward(&root, &tx, res),
                config,
            ) {
                Ok(p) => self.poller = Some(p),
                Err(e) => {
                    tracing::error!(error = %e, "cannot start polling");
                    return false;
                }
            }
        }
        let Some(poller) = self.poller.as_mut() else {
            return false;
        };
        match poller.watch(dir, RecursiveMode::Recursive) {
            Ok(()) => {
                self.polled.push(dir.to_path_buf());
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, dir = %dir.display(), "cannot poll");
                false
            }
        }
    }

    /// The folders polled instead of watched.
    pub fn polled(&self) -> &[PathBuf] {
        &self.polled
    }
}

/// Watches the whole tree beneath `root`. When the tree has more folders than the OS lets a
/// user watch, the rest is polled (and a `LimitReached` says where).
pub fn watch(root: &Path) -> notify::Result<(Watcher, UnboundedReceiver<WatchMsg>)> {
    let (tx, rx) = unbounded_channel();
    let root_owned = root.to_path_buf();
    let events_tx = tx.clone();
    let inner = notify::recommended_watcher(move |res: notify::Result<Event>| {
        forward(&root_owned, &events_tx, res);
    })?;
    let mut w = Watcher {
        inner,
        poller: None,
        polled: Vec::new(),
        root: root.to_path_buf(),
        tx,
    };
    match w.inner.watch(root, RecursiveMode::Recursive) {
        Ok(()) => {}
        Err(e) if matches!(e.kind, notify::ErrorKind::MaxFilesWatch) => {
            // Which folders got a watch before the limit is not known: poll them all.
            let _ = w.tx.send(WatchMsg::LimitReached(root.to_path_buf()));
        }
        Err(e) => return Err(e),
    }
    Ok((w, rx))
}

fn forward(root: &Path, tx: &UnboundedSender<WatchMsg>, res: notify::Result<Event>) {
    let msg = match res {
        Err(e) if matches!(e.kind, notify::ErrorKind::MaxFilesWatch) => {
            let dir = e
                .paths
                .first()
                .cloned()
                .unwrap_or_else(|| root.to_path_buf());
            WatchMsg::LimitReached(dir)
        }
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

/// Walks the tree beneath `start` (absolute) and collects what `pick` makes of each entry, at
/// most `limit` of them; atajo's own state folder is left out.
fn walk(
    root: &Path,
    start: PathBuf,
    limit: usize,
    mut pick: impl FnMut(&std::fs::DirEntry, String) -> Option<FsChange>,
) -> Vec<FsChange> {
    let mut out = Vec::new();
    let mut stack = vec![start];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            if out.len() >= limit {
                return out;
            }
            let path = e.path();
            let Some(rel) = relative(root, &path) else {
                continue;
            };
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(path);
            }
            out.extend(pick(&e, rel));
        }
    }
    out
}

/// Everything beneath the root-relative folder `dir` (at most `limit` entries), as
/// "created" changes: the catch-up for a folder whose watch came after its contents.
pub fn scan_new_dir(root: &Path, dir: &Path, limit: usize) -> Vec<FsChange> {
    walk(root, root.join(dir), limit, |_, rel| {
        Some(FsChange {
            path: rel,
            kind: ChangeKind::Created,
        })
    })
}

/// Everything beneath the root changed at or after `since` (at most `limit` entries): the
/// catch-up after an overflow, when which events were lost is unknown but not when. An entry
/// born since then (statx birth time) is "created", one only written or chmod-ed "modified".
pub fn changed_since(root: &Path, since: SystemTime, limit: usize) -> Vec<FsChange> {
    use std::os::unix::fs::MetadataExt;
    let since_ns = since
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128);
    walk(root, root.to_path_buf(), limit, |e, rel| {
        let meta = e.metadata().ok()?;
        let ctime_ns = i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec());
        if ctime_ns < since_ns {
            return None;
        }
        // Without a birth time (some file systems), say "created": the safe side for a
        // client that may never have heard of it.
        let born = meta.created().map_or(true, |b| b >= since);
        Some(FsChange {
            path: rel,
            kind: if born {
                ChangeKind::Created
            } else {
                ChangeKind::Modified
            },
        })
    })
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

    /// Everything reported until the watcher goes quiet, new folders scanned as the
    /// broadcaster does.
    async fn next_changes(root: &Path, rx: &mut UnboundedReceiver<WatchMsg>) -> Vec<FsChange> {
        let mut all = Vec::new();
        while let Ok(Some(msg)) = tokio::time::timeout(Duration::from_millis(300), rx.recv()).await
        {
            match msg {
                WatchMsg::Changes(c) | WatchMsg::Announced(c) => all.extend(c),
                WatchMsg::NewDir(d) => all.extend(scan_new_dir(root, &d, 100)),
                WatchMsg::Rescan(_) | WatchMsg::LimitReached(_) => {}
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
