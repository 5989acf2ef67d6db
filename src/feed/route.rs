//! From the watcher's stream to the feeds: duplicates dropped, new folders caught up, lost
//! events recovered, folders beyond the watch limit polled.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::mpsc::UnboundedReceiver;

use super::Hub;
use crate::protocol::{ChangeKind, FsChange, FsWarning};
use crate::workspace::{self, WatchMsg, Watcher, rel_to_string};

/// Messages taken from the stream at once before routing them.
const TAKE: usize = 10_000;
/// Entries a catch-up scan reports at most.
const SCAN_LIMIT: usize = 1_000_000;
/// A pause this long in the events means the watcher had read everything the OS queued.
const QUIET: Duration = Duration::from_millis(50);
/// In a storm (at least `STORM` changes within `WINDOW`) and within a run of events (the
/// previous batch came less than `BURST` before), the router waits `GATHER` before it takes
/// what has come: one wake-up of the router, every feed and every socket writer per gathering
/// instead of per event, which left the CPU to the clients and the writers (the storm
/// benchmark). A change after a pause, or one of a few in a row (instructions one after
/// another), still goes out at once.
const BURST: Duration = Duration::from_millis(5);
const GATHER: Duration = Duration::from_millis(2);
const WINDOW: Duration = Duration::from_millis(10);
const STORM: usize = 64;
/// Slack for file-system timestamps, which are taken from a coarse clock.
const SLACK: Duration = Duration::from_secs(1);

/// Runs until the watcher's stream ends (the server shuts down).
pub async fn route(hub: Arc<Hub>, mut watcher: Watcher, mut rx: UnboundedReceiver<WatchMsg>) {
    let mut recent = RecentlyCreated::default();
    let root = hub.ws.root().to_path_buf();
    // When the current run of events began: after a lost-events notice, everything changed
    // since then is looked at again.
    let mut burst_start = SystemTime::now();
    let mut last_event = Instant::now();
    let mut pace = Pace::new(Instant::now());
    while let Some(first) = rx.recv().await {
        let gap = last_event.elapsed();
        if gap >= QUIET {
            burst_start = SystemTime::now();
        }
        if pace.storm && gap < BURST {
            tokio::time::sleep(GATHER).await;
        }
        last_event = Instant::now();
        let mut changes: Vec<FsChange> = Vec::new();
        let mut lost = false;
        let mut new_dirs = Vec::new();
        let mut unwatched = Vec::new();
        let mut take = |msg: WatchMsg, changes: &mut Vec<FsChange>| match msg {
            WatchMsg::Changes(c) | WatchMsg::Announced(c) => changes.extend(c),
            WatchMsg::NewDir(d) => new_dirs.push(d),
            WatchMsg::Rescan(why) => {
                tracing::warn!(%why, "file events were lost: catching up");
                lost = true;
            }
            WatchMsg::LimitReached(dir) => unwatched.push(dir),
        };
        take(first, &mut changes);
        while changes.len() < TAKE {
            match rx.try_recv() {
                Ok(msg) => take(msg, &mut changes),
                Err(_) => break,
            }
        }
        pace.note(changes.len(), Instant::now());
        recent.filter(&mut changes);
        dedup(&mut changes);
        hub.publish(&changes);

        for refused in unwatched {
            // The watcher gives up on the rest of a batch after the first refusal, so the
            // refused folder's siblings may be unwatched too: poll from its parent.
            let dir = match refused.parent() {
                Some(p) if refused != root && p.starts_with(&root) => p.to_path_buf(),
                _ => root.clone(),
            };
            if watcher.poll(&dir) {
                let rel = dir
                    .strip_prefix(&root)
                    .map(rel_to_string)
                    .unwrap_or_default();
                tracing::warn!(
                    folder = %dir.display(),
                    "the inotify watch limit is reached: this folder is polled every 2 s \
                     (raise fs.inotify.max_user_watches to watch it)"
                );
                hub.warn(FsWarning {
                    path: rel,
                    message: "too many folders to watch (the inotify watch limit): changes here \
                              show up within 2 s"
                        .into(),
                });
                // What changed before polling started is found like lost events.
                lost = true;
            }
        }
        if lost {
            if let Err(dir) = watcher.rewatch()
                && watcher.poll(&dir)
            {
                tracing::warn!(folder = %dir.display(), "watch limit: polled instead");
            }
            let since = burst_start.checked_sub(SLACK).unwrap_or(burst_start);
            let root2 = root.clone();
            let mut found = tokio::task::spawn_blocking(move || {
                workspace::changed_since(&root2, since, SCAN_LIMIT)
            })
            .await
            .unwrap_or_default();
            tracing::info!(found = found.len(), "caught up after lost events");
            recent.filter(&mut found);
            hub.publish(&found);
            hub.resync_all();
        }
        if !new_dirs.is_empty() {
            // By now the watcher has added its watches on these folders; whatever appeared in
            // them before that is found by a scan.
            let root2 = root.clone();
            let mut found = tokio::task::spawn_blocking(move || {
                new_dirs
                    .iter()
                    .flat_map(|d| workspace::scan_new_dir(&root2, d, 10_000))
                    .collect::<Vec<_>>()
            })
            .await
            .unwrap_or_default();
            recent.filter(&mut found);
            hub.publish(&found);
        }
    }
}

/// How fast changes come: a storm is `STORM` of them within one `WINDOW`.
struct Pace {
    since: Instant,
    count: usize,
    storm: bool,
}

impl Pace {
    fn new(now: Instant) -> Self {
        Self {
            since: now,
            count: 0,
            storm: false,
        }
    }

    fn note(&mut self, changes: usize, now: Instant) {
        self.count += changes;
        if now.duration_since(self.since) >= WINDOW {
            self.storm = self.count >= STORM;
            self.since = now;
            self.count = 0;
        } else if self.count >= STORM {
            self.storm = true;
        }
    }
}

/// A creation can be reported up to three times: announced by the pipeline that made it, seen
/// by the watcher, and found by the scan of its new parent folder. The first report goes out;
/// later ones within `KEEP` are dropped. A removal forgets the path, so a real re-creation
/// always goes out.
struct RecentlyCreated {
    seen: HashMap<String, Instant>,
    last_sweep: Instant,
}

impl Default for RecentlyCreated {
    fn default() -> Self {
        Self {
            seen: HashMap::new(),
            last_sweep: Instant::now(),
        }
    }
}

impl RecentlyCreated {
    const KEEP: Duration = Duration::from_secs(5);

    fn filter(&mut self, changes: &mut Vec<FsChange>) {
        let now = Instant::now();
        // Forget old entries once per period, not on every batch of a storm.
        if now.duration_since(self.last_sweep) >= Self::KEEP {
            self.seen
                .retain(|_, at| now.duration_since(*at) < Self::KEEP);
            self.last_sweep = now;
        }
        changes.retain(|c| match c.kind {
            ChangeKind::Created => match self.seen.get(&c.path) {
                Some(at) if now.duration_since(*at) < Self::KEEP => false,
                _ => {
                    self.seen.insert(c.path.clone(), now);
                    true
                }
            },
            ChangeKind::Removed => {
                self.seen.remove(&c.path);
                true
            }
            ChangeKind::Modified => true,
        });
    }
}

/// Drops a change that repeats the previous change of the same path (a file written in many
/// chunks is one modification); order and every real transition are kept.
fn dedup(changes: &mut Vec<FsChange>) {
    let mut last = HashMap::new();
    changes.retain(|c| last.insert(c.path.clone(), c.kind) != Some(c.kind));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(path: &str, kind: ChangeKind) -> FsChange {
        FsChange::new(path, kind)
    }

    #[test]
    fn a_storm_is_many_changes_in_a_short_time() {
        let t0 = Instant::now();
        let mut pace = Pace::new(t0);
        // Instructions one after another: a change or two every few milliseconds.
        for i in 1..=20 {
            pace.note(2, t0 + Duration::from_millis(3 * i));
            assert!(!pace.storm);
        }
        // A flood: hundreds within a window.
        let t1 = t0 + Duration::from_millis(100);
        pace.note(300, t1);
        assert!(pace.storm);
        pace.note(300, t1 + Duration::from_millis(5));
        assert!(pace.storm);
        // A trickle after it ends the storm once a window has passed.
        pace.note(1, t1 + Duration::from_millis(20));
        pace.note(1, t1 + Duration::from_millis(40));
        assert!(!pace.storm);
    }

    #[test]
    fn a_creation_goes_out_once_and_a_re_creation_again() {
        let mut recent = RecentlyCreated::default();
        let mut announced = vec![c("a", ChangeKind::Created)];
        recent.filter(&mut announced);
        assert_eq!(announced.len(), 1);
        let mut watched = vec![c("a", ChangeKind::Created), c("b", ChangeKind::Created)];
        recent.filter(&mut watched);
        assert_eq!(watched, [c("b", ChangeKind::Created)]);
        // The scan of a new parent folder is a third report of the same creation.
        let mut scanned = vec![c("a", ChangeKind::Created), c("b", ChangeKind::Created)];
        recent.filter(&mut scanned);
        assert!(scanned.is_empty());
        let mut again = vec![
            c("a", ChangeKind::Removed),
            c("a", ChangeKind::Created),
            c("a", ChangeKind::Modified),
        ];
        recent.filter(&mut again);
        assert_eq!(again.len(), 3);
    }
}
