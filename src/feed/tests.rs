//! The feeds and the router with a real watcher and a recording sink.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::*;
use crate::workspace::WatchMsg;

#[derive(Clone, Default)]
struct Recorder {
    log: Arc<Mutex<Vec<String>>>,
    /// Refuse this many sends with `Full` first (a slow client).
    full: Arc<Mutex<usize>>,
}

impl Recorder {
    fn push(&self, line: String) -> Result<(), SendError> {
        let mut full = self.full.lock().unwrap();
        if *full > 0 {
            *full -= 1;
            return Err(SendError::Full);
        }
        self.log.lock().unwrap().push(line);
        Ok(())
    }

    fn lines(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    async fn wait_for(&self, what: &str) -> Vec<String> {
        for _ in 0..100 {
            let lines = self.lines();
            if lines.iter().any(|l| l.contains(what)) {
                return lines;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("never saw {what:?} in {:?}", self.lines());
    }
}

impl Sink for Recorder {
    fn compat(&self, c: &FsChange) -> Result<(), SendError> {
        self.push(format!("compat {:?} {}", c.kind, c.path))
    }
    fn changes(&self, b: &FsChanges) -> Result<(), SendError> {
        let paths: Vec<_> = b
            .changes
            .iter()
            .map(|c| format!("{:?} {}", c.kind, c.path))
            .collect();
        self.push(format!("changes #{} {}", b.seq, paths.join(", ")))
    }
    fn listing(&self, p: &ListingPage) -> Result<(), SendError> {
        let names: Vec<_> = p.entries.iter().map(|e| e.name.as_str()).collect();
        self.push(format!(
            "listing #{} {:?} {} [{}]",
            p.seq,
            p.reason,
            p.path,
            names.join(",")
        ))
    }
    fn warning(&self, w: &FsWarning) -> Result<(), SendError> {
        self.push(format!("warning {}", w.path))
    }
}

fn workspace() -> (tempfile::TempDir, Arc<Workspace>) {
    let tmp = tempfile::tempdir().unwrap();
    let ws = Arc::new(Workspace::open(tmp.path()).unwrap());
    (tmp, ws)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_events_are_caught_up_and_shown_folders_listed_again() {
    let (_tmp, ws) = workspace();
    std::fs::create_dir(ws.root().join("docs")).unwrap();
    // No watcher: whatever happens in the root is "lost", as in an overflow, until the tree
    // is read again, which is what the watcher does on an overflow.
    ws.tree().load(false);
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let counters = crate::metrics::FeedCounters::default();
    let hub = Hub::new(ws.clone(), counters.clone());
    tokio::spawn(route(hub.clone(), rx));
    let compat = Recorder::default();
    let explorer = Recorder::default();
    let _c = hub.attach(compat.clone(), crate::lang::Lang::En);
    let e = hub.attach(explorer.clone(), crate::lang::Lang::En);
    e.subscribe("docs", None).unwrap();
    explorer.wait_for("listing #1 Subscribe docs []").await;

    tx.send(WatchMsg::Changes(
        vec![FsChange::new("seen.txt", ChangeKind::Created)],
        ws.tree().stamp(),
    ))
    .unwrap();
    std::fs::write(ws.root().join("docs/lost.txt"), b"x").unwrap();
    let found = ws.tree().resync(false);
    let seen = 1 + found.len() as u64;
    tx.send(WatchMsg::Changes(found, ws.tree().stamp()))
        .unwrap();
    tx.send(WatchMsg::Rescan("test".into())).unwrap();

    let lines = compat.wait_for("compat Created docs/lost.txt").await;
    assert!(
        lines.contains(&"compat Created seen.txt".to_owned()),
        "{lines:?}"
    );
    explorer.wait_for("Resync docs [lost.txt]").await;
    // What /metrics says about it: every change seen, one overflow, one folder sent again.
    assert_eq!(counters.watcher_events.get(), seen);
    assert_eq!(counters.watcher_overflows.get(), 1);
    assert_eq!(counters.resyncs.get(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_client_gets_everything_coalesced_and_in_order() {
    let (_tmp, ws) = workspace();
    let hub = Hub::new(ws, Default::default());
    let slow = Recorder::default();
    *slow.full.lock().unwrap() = 5;
    let _h = hub.attach(slow.clone(), crate::lang::Lang::En);
    let mut changes = Vec::new();
    for i in 0..1000 {
        changes.push((FsChange::new(format!("f{i}"), ChangeKind::Created), 1));
        changes.push((FsChange::new(format!("f{i}"), ChangeKind::Modified), 1));
    }
    changes.push((FsChange::new("f3", ChangeKind::Removed), 1));
    hub.publish(&changes);
    let lines = slow.wait_for("compat Created f999").await;
    // One event per file, its net effect; the removed one not at all (the original design
    // has no removal event); nothing lost to the full buffer.
    assert_eq!(lines.len(), 999, "{:?}", &lines[..5]);
    assert_eq!(lines[0], "compat Created f0");
    assert!(!lines.iter().any(|l| l.ends_with(" f3")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_handle_ends_its_feed() {
    let (_tmp, ws) = workspace();
    let hub = Hub::new(ws, Default::default());
    let gone = Recorder::default();
    let h = hub.attach(gone.clone(), crate::lang::Lang::En);
    drop(h);
    hub.publish(&[(FsChange::new("x", ChangeKind::Created), 1)]);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(gone.lines().is_empty());
    assert!(hub.feeds().is_empty());
}
