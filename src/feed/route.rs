//! From the watcher's stream to the feeds: changes gathered in a storm, repeats dropped, lost
//! events turned into fresh listings, folders beyond the watch limit told about. The model
//! is already current when a change arrives here (the watcher applied it, or the pipeline
//! that announced it), so nothing here touches the disk.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedReceiver;

use super::Hub;
use crate::protocol::{ChangeKind, FsChange};
use crate::workspace::WatchMsg;

/// Messages taken from the stream at once before routing them.
const TAKE: usize = 10_000;
/// In a storm (at least `STORM` changes seen by the watcher within `WINDOW`: what atajo's own
/// commands made does not count) and within a run of events (the
/// previous batch came less than `BURST` before), the router waits `GATHER` before it takes
/// what has come: one wake-up of the router, every feed and every socket writer per gathering
/// instead of per event, which left the CPU to the clients and the writers (the storm
/// benchmark). A change after a pause, or one of a few in a row (instructions one after
/// another), still goes out at once.
const BURST: Duration = Duration::from_millis(5);
const GATHER: Duration = Duration::from_millis(2);
const WINDOW: Duration = Duration::from_millis(10);
const STORM: usize = 64;

/// Runs until the watcher's stream ends (the server shuts down).
pub async fn route(hub: Arc<Hub>, mut rx: UnboundedReceiver<WatchMsg>) {
    let mut last_event = Instant::now();
    let mut pace = Pace::new(Instant::now());
    while let Some(first) = rx.recv().await {
        let gap = last_event.elapsed();
        // What a command of atajo's made is an answer someone waits for: never held back.
        if pace.storm && gap < BURST && !matches!(first, WatchMsg::Announced(..)) {
            tokio::time::sleep(GATHER).await;
        }
        last_event = Instant::now();
        let mut changes: Vec<(FsChange, u64)> = Vec::new();
        let mut seen = 0;
        let mut lost = false;
        let mut unwatched = Vec::new();
        let mut take = |msg: WatchMsg, changes: &mut Vec<(FsChange, u64)>| match msg {
            WatchMsg::Changes(c, stamp) => {
                seen += c.len();
                hub.counters.watcher_events.inc_by(c.len() as u64);
                changes.extend(c.into_iter().map(|c| (c, stamp)));
            }
            // Instructions in a row, however many clients send them, are not a storm.
            WatchMsg::Announced(c, stamp) => changes.extend(c.into_iter().map(|c| (c, stamp))),
            WatchMsg::Rescan(why) => {
                tracing::warn!(%why, "file events were lost: shown folders are listed again");
                hub.counters.watcher_overflows.inc();
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
        pace.note(seen, Instant::now());
        dedup(&mut changes);
        hub.publish(&changes);
        for folder in unwatched {
            tracing::warn!(
                %folder,
                "the inotify watch limit is reached: this folder is read every 2 s \
                 (raise fs.inotify.max_user_watches to watch it)"
            );
            hub.warn_unwatched(folder);
        }
        if lost {
            hub.resync_all();
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

/// Drops a change that repeats the previous change of the same path (a file written in many
/// chunks is one modification); order and every real transition are kept. The change kept
/// takes the latest stamp of those it stands for, so a listing that holds only the earlier
/// ones does not hide it.
fn dedup(changes: &mut Vec<(FsChange, u64)>) {
    let mut last: HashMap<String, (ChangeKind, usize)> = HashMap::new();
    let mut kept: Vec<(FsChange, u64)> = Vec::with_capacity(changes.len());
    for (c, stamp) in changes.drain(..) {
        match last.get(&c.path) {
            Some(&(kind, at)) if kind == c.kind => kept[at].1 = kept[at].1.max(stamp),
            _ => {
                last.insert(c.path.clone(), (c.kind, kept.len()));
                kept.push((c, stamp));
            }
        }
    }
    *changes = kept;
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
