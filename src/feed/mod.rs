//! Who is told what about changes on disk, and how fast. Every client has its own feed: a
//! task that sends, in order, the listings it asked for and the changes in the folders it
//! shows (or, for a client of the original design that never subscribes, the compatibility
//! events). A feed sends a change the moment it is routed; only when a client takes changes
//! slower than they come do they coalesce (see `pending`). Nothing is dropped: a full outgoing
//! buffer makes the feed wait, never lose.

mod pending;
mod route;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

pub use pending::{MAX_BATCH, MAX_SUBS};
use pending::{Pending, Work};
pub use route::route;

use crate::lang::Lang;
use crate::metrics::FeedCounters;
use crate::protocol::{
    ChangeKind, FsChange, FsChanges, FsDelta, FsWarning, ListingPage, ListingReason,
};
use crate::workspace::{self, Workspace, client_rel_path};

/// The first page of a snapshot is small, so a huge folder shows at once; the rest go in
/// larger pages.
const FIRST_PAGE: usize = 200;
const PAGE: usize = 5000;

#[derive(Debug, PartialEq, Eq)]
pub enum SendError {
    /// The client's outgoing buffer is full: try again later.
    Full,
    /// The client is gone.
    Closed,
}

/// Where a feed's messages go (a Socket.IO connection in the server).
pub trait Sink: Send + Sync + 'static {
    fn compat(&self, change: &FsChange) -> Result<(), SendError>;
    fn changes(&self, batch: &FsChanges) -> Result<(), SendError>;
    fn listing(&self, page: &ListingPage) -> Result<(), SendError>;
    fn warning(&self, warning: &FsWarning) -> Result<(), SendError>;
}

struct Feed {
    /// The language its client is told things in (its explorer may switch).
    lang: Mutex<Lang>,
    pending: Mutex<Pending>,
    wake: Notify,
    closed: AtomicBool,
}

impl Feed {
    fn lang(&self) -> Lang {
        *self.lang.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn state(&self) -> MutexGuard<'_, Pending> {
        // A panic while holding it cannot leave Pending half-updated in a way that matters
        // more than losing the client's updates: go on with what is there.
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Every client's feed.
pub struct Hub {
    ws: Arc<Workspace>,
    feeds: Mutex<HashMap<u64, Arc<Feed>>>,
    next: AtomicU64,
    /// Folders polled instead of watched, told to every new subscriber too.
    /// Folders the watcher could not watch (the inotify limit): said to every explorer.
    unwatched: Mutex<Vec<String>>,
    counters: FeedCounters,
}

impl Hub {
    pub fn new(ws: Arc<Workspace>, counters: FeedCounters) -> Arc<Self> {
        Arc::new(Self {
            ws,
            feeds: Mutex::new(HashMap::new()),
            next: AtomicU64::new(1),
            unwatched: Mutex::new(Vec::new()),
            counters,
        })
    }

    /// Changes waiting in every feed (clients that read slower than changes come).
    pub fn backlog(&self) -> usize {
        self.feeds().iter().map(|f| f.state().backlog()).sum()
    }

    fn feeds(&self) -> Vec<Arc<Feed>> {
        self.feeds
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect()
    }

    /// A feed for a new client; it lives until the handle is dropped or the client is gone.
    pub fn attach(self: &Arc<Self>, sink: impl Sink, lang: Lang) -> FeedHandle {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let feed = Arc::new(Feed {
            lang: Mutex::new(lang),
            pending: Mutex::new(Pending::default()),
            wake: Notify::new(),
            closed: AtomicBool::new(false),
        });
        self.feeds
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, feed.clone());
        tokio::spawn(run(
            feed.clone(),
            sink,
            self.ws.clone(),
            self.counters.resyncs.clone(),
        ));
        FeedHandle {
            id,
            feed,
            hub: self.clone(),
        }
    }

    /// Routes changes to every feed and wakes them.
    /// Each change comes with its batch's stamp (`Tree::stamp`).
    pub fn publish(&self, changes: &[(FsChange, u64)]) {
        if changes.is_empty() {
            return;
        }
        for feed in self.feeds() {
            {
                let mut p = feed.state();
                for (c, stamp) in changes {
                    p.push(c, *stamp);
                }
            }
            feed.wake.notify_one();
        }
    }

    /// Events were lost: every shown folder is listed again.
    pub fn resync_all(&self) {
        for feed in self.feeds() {
            feed.state().resync_all();
            feed.wake.notify_one();
        }
    }

    /// Tells every explorer (now and later) that part of the tree is only polled.
    /// Tells every explorer that `folder` is read every 2 s instead of watched.
    pub fn warn_unwatched(&self, folder: String) {
        self.unwatched
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(folder.clone());
        for feed in self.feeds() {
            let mut p = feed.state();
            if p.is_subscriber() {
                p.warn(unwatched_warning(&folder, feed.lang()));
                drop(p);
                feed.wake.notify_one();
            }
        }
    }
}

fn unwatched_warning(folder: &str, lang: Lang) -> FsWarning {
    FsWarning {
        path: folder.to_owned(),
        message: crate::tr!(lang, "watch_limit"),
    }
}

/// A client's hold on its feed.
pub struct FeedHandle {
    id: u64,
    feed: Arc<Feed>,
    hub: Arc<Hub>,
}

impl FeedHandle {
    /// Shows a folder (root-relative, `/`-separated): a snapshot, then its changes.
    pub fn subscribe(&self, path: &str, lang: Option<Lang>) -> Result<String, String> {
        if let Some(l) = lang {
            *self.feed.lang.lock().unwrap_or_else(|e| e.into_inner()) = l;
        }
        let lang = self.feed.lang();
        let rel = client_rel_path(path).ok_or_else(|| crate::tr!(lang, "path_inside"))?;
        let path = workspace::rel_to_string(&rel);
        let first = {
            let mut p = self.feed.state();
            let first = !p.is_subscriber();
            p.subscribe(&path)
                .map_err(|max| crate::tr!(lang, "too_many_folders", max = max))?;
            first
        };
        if first {
            let folders = self
                .hub
                .unwatched
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            let mut p = self.feed.state();
            for folder in folders {
                p.warn(unwatched_warning(&folder, lang));
            }
        }
        self.feed.wake.notify_one();
        Ok(path)
    }

    pub fn unsubscribe(&self, path: &str) -> bool {
        let path = client_rel_path(path).map(|p| workspace::rel_to_string(&p));
        path.is_some_and(|p| self.feed.state().unsubscribe(&p))
    }
}

impl Drop for FeedHandle {
    fn drop(&mut self) {
        self.hub
            .feeds
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.id);
        self.feed.closed.store(true, Ordering::Relaxed);
        self.feed.wake.notify_one();
    }
}

/// Sends with patience: a full buffer is waited out (the client is reading slower than
/// changes come; meanwhile they coalesce), a closed one ends the feed.
pub async fn patiently(mut send: impl FnMut() -> Result<(), SendError>) -> Result<(), SendError> {
    let mut backoff = Duration::from_millis(1);
    loop {
        match send() {
            Err(SendError::Full) => {
                tokio::time::sleep(backoff).await;
                // Short enough to keep a short outgoing queue from running dry.
                backoff = (backoff * 2).min(Duration::from_millis(8));
            }
            done => return done,
        }
    }
}

async fn run(
    feed: Arc<Feed>,
    sink: impl Sink,
    ws: Arc<Workspace>,
    resyncs: prometheus_client::metrics::counter::Counter,
) {
    let mut seq: u32 = 0;
    loop {
        if feed.closed.load(Ordering::Relaxed) {
            return;
        }
        let work = feed.state().take(Instant::now());
        let sent = match work {
            Work::Idle => {
                feed.wake.notified().await;
                Ok(())
            }
            Work::Wait(d) => {
                let _ = tokio::time::timeout(d, feed.wake.notified()).await;
                Ok(())
            }
            Work::Warning(w) => patiently(|| sink.warning(&w)).await,
            Work::Compat(changes) => {
                let mut r = Ok(());
                for c in &changes {
                    r = patiently(|| sink.compat(c)).await;
                    if r.is_err() {
                        break;
                    }
                }
                r
            }
            Work::Deltas(changes) => {
                let deltas = deltas(&ws, changes);
                seq = seq.wrapping_add(1);
                let batch = FsChanges {
                    seq,
                    changes: deltas,
                };
                patiently(|| sink.changes(&batch)).await
            }
            Work::Listing(path, reason) => {
                if reason == ListingReason::Resync {
                    resyncs.inc();
                }
                let r = send_listing(&sink, &ws, &path, reason, &mut seq, &feed).await;
                if r.as_ref().is_ok_and(|listed| !listed) {
                    feed.state().drop_sub(&path);
                }
                r.map(|_| ())
            }
        };
        if sent.is_err() {
            return;
        }
        // A feed with a backlog never blocks on a send that succeeds: let the requests and
        // the socket writers on this worker thread run between chunks.
        tokio::task::yield_now().await;
    }
}

/// Lists `path` from the workspace model and sends it page by page; `Ok(false)` when it could
/// not be listed (the client was told why). The first page is small, so a huge folder shows
/// at once.
async fn send_listing(
    sink: &impl Sink,
    ws: &Arc<Workspace>,
    path: &str,
    reason: ListingReason,
    seq: &mut u32,
    feed: &Feed,
) -> Result<bool, SendError> {
    // Everything done on disk before the request is in the model first (a folder made a
    // moment ago and shown at once).
    ws.tree().fresh().await;
    let ws2 = ws.clone();
    let p = path.to_owned();
    let read = tokio::task::spawn_blocking(move || {
        let rel =
            client_rel_path(&p).ok_or_else(|| std::io::Error::from_raw_os_error(libc::EACCES))?;
        ws2.tree().stamped_listing(&rel)
    })
    .await
    .unwrap_or_else(|e| Err(std::io::Error::other(e)));
    let items = match read {
        Ok((items, stamp)) => {
            // Changes the listing already holds, however late they are routed, are not sent
            // again (nor taken for a reason to list it once more).
            feed.state().listed(path, stamp);
            items
        }
        Err(error) => {
            *seq = seq.wrapping_add(1);
            let page = ListingPage {
                seq: *seq,
                path: path.to_owned(),
                reason,
                offset: 0,
                total: 0,
                entries: Vec::new(),
                done: true,
                error: Some({
                    let lang = feed.lang();
                    let shown = if path.is_empty() { "/" } else { path };
                    let why = crate::text::os_error(lang, &error);
                    crate::tr!(lang, "listing_failed", path = shown, why = why)
                }),
            };
            patiently(|| sink.listing(&page)).await?;
            return Ok(false);
        }
    };
    let total = items.len() as u32;
    let mut offset = 0usize;
    loop {
        let take = if offset == 0 { FIRST_PAGE } else { PAGE };
        let end = (offset + take).min(items.len());
        let entries = items[offset..end]
            .iter()
            .map(|(name, meta)| meta.entry(name))
            .collect();
        let done = end == items.len();
        *seq = seq.wrapping_add(1);
        let page = ListingPage {
            seq: *seq,
            path: path.to_owned(),
            reason,
            offset: offset as u32,
            total,
            done,
            entries,
            error: None,
        };
        patiently(|| sink.listing(&page)).await?;
        if done {
            return Ok(true);
        }
        offset = end;
        tokio::task::yield_now().await;
    }
}

/// The entries as the model has them now, for the changed paths: a path that is gone is a
/// removal, whatever its events said; one that is there again is no removal.
fn deltas(ws: &Workspace, changes: Vec<(String, ChangeKind)>) -> Vec<FsDelta> {
    let tree = ws.tree();
    changes
        .into_iter()
        .map(|(path, kind)| {
            let entry = client_rel_path(&path).and_then(|rel| tree.entry_at(&rel));
            let kind = match (&entry, kind) {
                (None, _) => ChangeKind::Removed,
                (Some(_), ChangeKind::Removed) => ChangeKind::Created,
                (Some(_), k) => k,
            };
            FsDelta { path, kind, entry }
        })
        .collect()
}

#[cfg(test)]
mod tests;
