//! The watcher: one thread that owns the inotify descriptor, walks the tree once, then applies
//! every event to the workspace model and passes the resulting changes on. It reads inotify
//! itself (rather than through `notify`) because the model must be able to say "every change
//! queued before now is applied" (`Tree::fresh`): that takes the descriptor's queued-bytes
//! count and a count of what was read, which a callback-based watcher cannot give.

use std::os::fd::OwnedFd;
use std::sync::Arc;
use std::time::Instant;

use rustix::event::{EventfdFlags, PollFd, PollFlags, Timespec, eventfd, poll};
use rustix::fs::inotify;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use super::Workspace;
use super::tree::{POLL_EVERY, Tree, parse};
use crate::protocol::FsChange;

#[derive(Debug)]
pub enum WatchMsg {
    /// Changes seen on disk, already in the model, with their batch's stamp (`Tree::stamp`).
    Changes(Vec<FsChange>, u64),
    /// Events were lost (queue overflow): the changes found by reading the tree again were
    /// sent; shown folders should be listed again.
    Rescan(String),
    /// Changes atajo made itself, announced by the pipeline as soon as they are done (already
    /// in the model, so the watcher's own report of them changes nothing).
    Announced(Vec<FsChange>, u64),
    /// The OS refused another watch (the inotify watch limit) for this root-relative folder:
    /// it is read again every `POLL_EVERY` instead.
    LimitReached(String),
}

/// Keeps the watcher running; dropping it stops the thread.
pub struct Watcher {
    tx: UnboundedSender<WatchMsg>,
    stop: Arc<OwnedFd>,
}

impl Watcher {
    /// A sender into the same stream the watcher feeds, for announcements.
    pub fn sender(&self) -> UnboundedSender<WatchMsg> {
        self.tx.clone()
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = rustix::io::write(&*self.stop, &1u64.to_ne_bytes());
    }
}

/// Starts the watcher on the workspace: it loads the model (watching each folder before
/// reading it) and keeps it current. Instructions wait for the first walk (`Tree::fresh`).
pub fn watch(ws: Arc<Workspace>) -> std::io::Result<(Watcher, UnboundedReceiver<WatchMsg>)> {
    let fd = Arc::new(inotify::init(
        inotify::CreateFlags::CLOEXEC | inotify::CreateFlags::NONBLOCK,
    )?);
    let stop = Arc::new(eventfd(0, EventfdFlags::CLOEXEC | EventfdFlags::NONBLOCK)?);
    let (tx, rx) = unbounded_channel();
    ws.tree().set_inotify(fd.clone());
    let (tx2, stop2) = (tx.clone(), stop.clone());
    std::thread::Builder::new()
        .name("atajo-watch".into())
        .spawn(move || run(&ws, &fd, &stop2, &tx2))?;
    Ok((Watcher { tx, stop }, rx))
}

/// Tells the model, however the watcher ends, that nothing queued will be applied any more.
struct Stopped<'a>(&'a Tree);

impl Drop for Stopped<'_> {
    fn drop(&mut self) {
        self.0.set_stopped();
    }
}

fn run(ws: &Workspace, fd: &OwnedFd, stop: &OwnedFd, tx: &UnboundedSender<WatchMsg>) {
    let tree = ws.tree();
    let _stopped = Stopped(tree);
    let started = Instant::now();
    tree.load(true);
    {
        let m = tree.read();
        tracing::info!(
            entries = m.len(),
            bytes = m.heap_bytes(),
            ms = started.elapsed().as_millis() as u64,
            "workspace model loaded"
        );
    }
    warn_limits(tree, tx);
    let mut buf = vec![0u8; 64 * 1024];
    let mut next_poll = Instant::now() + POLL_EVERY;
    loop {
        let timeout = tree.read().has_polled().then(|| {
            let left = next_poll.saturating_duration_since(Instant::now());
            Timespec {
                tv_sec: left.as_secs() as i64,
                tv_nsec: i64::from(left.subsec_nanos()),
            }
        });
        let mut fds = [
            PollFd::new(fd, PollFlags::IN),
            PollFd::new(stop, PollFlags::IN),
        ];
        match poll(&mut fds, timeout.as_ref()) {
            Ok(_) | Err(rustix::io::Errno::INTR) => {}
            Err(e) => {
                tracing::error!(error = %e, "the file watcher stopped");
                return;
            }
        }
        if !fds[1].revents().is_empty() {
            return;
        }
        if !fds[0].revents().is_empty() && !drain(tree, fd, &mut buf, tx) {
            return;
        }
        if tree.read().has_polled() && Instant::now() >= next_poll {
            let changes = tree.resync(true);
            if !changes.is_empty() && tx.send(WatchMsg::Changes(changes, tree.stamp())).is_err() {
                return;
            }
            next_poll = Instant::now() + POLL_EVERY;
        }
    }
}

/// Reads and applies every queued event. False when the stream's reader is gone.
fn drain(tree: &Tree, fd: &OwnedFd, buf: &mut [u8], tx: &UnboundedSender<WatchMsg>) -> bool {
    loop {
        let n = match tree.read_events(fd, buf) {
            Ok(0) => return true,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return true,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                tracing::error!(error = %e, "cannot read file events");
                return true;
            }
        };
        let events: Vec<_> = parse(&buf[..n]).collect();
        let (changes, lost) = tree.apply(&events);
        if !changes.is_empty() && tx.send(WatchMsg::Changes(changes, tree.stamp())).is_err() {
            return false;
        }
        if lost {
            tracing::warn!("file events were lost: reading the tree again");
            let found = tree.resync(false);
            tracing::info!(found = found.len(), "caught up after lost events");
            if !found.is_empty() && tx.send(WatchMsg::Changes(found, tree.stamp())).is_err() {
                return false;
            }
            if tx
                .send(WatchMsg::Rescan("the event queue overflowed".into()))
                .is_err()
            {
                return false;
            }
        }
        tree.drop_gone_watches();
        tree.applied(n as u64);
        warn_limits(tree, tx);
    }
}

fn warn_limits(tree: &Tree, tx: &UnboundedSender<WatchMsg>) {
    for folder in tree.take_limit_reached() {
        let _ = tx.send(WatchMsg::LimitReached(folder));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ChangeKind;
    use std::time::Duration;

    /// Everything reported until the watcher goes quiet.
    async fn next_changes(rx: &mut UnboundedReceiver<WatchMsg>) -> Vec<FsChange> {
        let mut all = Vec::new();
        while let Ok(Some(msg)) = tokio::time::timeout(Duration::from_millis(300), rx.recv()).await
        {
            match msg {
                WatchMsg::Changes(c, _) | WatchMsg::Announced(c, _) => all.extend(c),
                WatchMsg::Rescan(_) | WatchMsg::LimitReached(_) => {}
            }
        }
        all
    }

    fn open() -> (tempfile::TempDir, Arc<Workspace>) {
        let tmp = tempfile::tempdir().unwrap();
        let ws = Arc::new(Workspace::open(tmp.path()).unwrap());
        (tmp, ws)
    }

    #[tokio::test]
    async fn reports_relative_changes_and_skips_state_dir() {
        let (_tmp, ws) = open();
        let root = ws.root().to_path_buf();
        let (_w, mut rx) = watch(ws.clone()).unwrap();
        ws.tree().fresh().await;
        std::fs::create_dir(root.join("PROYECTO")).unwrap();
        std::fs::create_dir(root.join(super::super::STATE_DIR)).unwrap();
        std::fs::write(root.join(super::super::STATE_DIR).join("x"), b"1").unwrap();
        let got = next_changes(&mut rx).await;
        assert!(got.contains(&FsChange::new("PROYECTO", ChangeKind::Created)));
        assert!(
            got.iter()
                .all(|c| !c.path.starts_with(super::super::STATE_DIR)),
            "{got:?}"
        );

        std::fs::write(root.join("PROYECTO/n.txt"), b"hola").unwrap();
        std::fs::write(root.join("PROYECTO/n.txt"), b"hola de nuevo").unwrap();
        let got = next_changes(&mut rx).await;
        assert!(
            got.contains(&FsChange::new("PROYECTO/n.txt", ChangeKind::Created)),
            "{got:?}"
        );
        std::fs::rename(root.join("PROYECTO/n.txt"), root.join("m.txt")).unwrap();
        let got = next_changes(&mut rx).await;
        for want in [
            ("PROYECTO/n.txt", ChangeKind::Removed),
            ("m.txt", ChangeKind::Created),
        ] {
            assert!(
                got.contains(&FsChange::new(want.0, want.1)),
                "missing {want:?} in {got:?}"
            );
        }
        std::fs::write(root.join("m.txt"), b"otra cosa").unwrap();
        let got = next_changes(&mut rx).await;
        assert!(
            got.contains(&FsChange::new("m.txt", ChangeKind::Modified)),
            "{got:?}"
        );
    }

    #[tokio::test]
    async fn contents_of_a_new_folder_are_caught_up() {
        let (_tmp, ws) = open();
        let root = ws.root().to_path_buf();
        let (_w, mut rx) = watch(ws.clone()).unwrap();
        ws.tree().fresh().await;
        // Faster than the watcher can add watches on the new folders.
        std::fs::create_dir_all(root.join("a/b/c")).unwrap();
        std::fs::write(root.join("a/b/c/f.txt"), b"x").unwrap();
        let seen: std::collections::HashSet<String> = next_changes(&mut rx)
            .await
            .into_iter()
            .map(|c| c.path)
            .collect();
        for p in ["a", "a/b", "a/b/c", "a/b/c/f.txt"] {
            assert!(seen.contains(p), "{p} never reported: {seen:?}");
        }
    }
}
