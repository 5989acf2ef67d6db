//! What one client has yet to be told, coalesced: while the client keeps up this holds one
//! change at a time; when changes come faster than it takes them, they pile up here as one
//! latest state per path instead of a backlog of events, and a subscribed folder with too
//! many pending changes is re-listed once instead.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use crate::protocol::{ChangeKind, FsChange, FsWarning, ListingReason};

/// A subscribed folder with more pending changes than this gets a fresh snapshot instead.
pub const MAX_DIRTY: usize = 2000;
/// Changes per `fs_changes` batch.
pub const MAX_BATCH: usize = 2000;
/// Compatibility events taken at a time.
pub const COMPAT_CHUNK: usize = 256;
/// Folders one client may subscribe to at once.
pub const MAX_SUBS: usize = 64;
/// A folder re-listed because of a storm is not re-listed again sooner than this.
pub const RESYNC_GAP: Duration = Duration::from_millis(500);

#[derive(Debug, PartialEq)]
pub enum Work {
    /// Send a fresh snapshot of this folder.
    Listing(String, ListingReason),
    /// Send these changes (root-relative paths) with the entries as they are now.
    Deltas(Vec<(String, ChangeKind)>),
    /// Send these as `nuevo_archivo` / `actualizar_archivo`.
    Compat(Vec<FsChange>),
    Warning(FsWarning),
    /// Nothing is due before this long.
    Wait(Duration),
    Idle,
}

#[derive(Debug, Default)]
struct Sub {
    dirty: Coalescer,
    /// Too much changed (or events were lost): the next thing to send is a snapshot.
    resync: bool,
    /// The latest stamp among the changes that called for `resync`.
    resync_at: u64,
    last_listed: Option<Instant>,
    /// The stamp of the model when this folder was last listed: changes stamped up to it are
    /// in that listing.
    listed: u64,
}

impl Sub {
    /// What is pending is dropped for a fresh listing; only one that holds the latest of
    /// them (and of `stamp`) makes the listing unnecessary.
    fn needs_listing(&mut self, stamp: u64) {
        self.resync_at = self.resync_at.max(stamp).max(self.dirty.latest);
        self.dirty.clear();
        self.resync = true;
    }
}

#[derive(Debug, Default)]
pub struct Pending {
    /// For a client that subscribed to nothing: the original design's events.
    compat: Coalescer,
    subs: HashMap<String, Sub>,
    listings: VecDeque<(String, ListingReason)>,
    warnings: VecDeque<FsWarning>,
}

/// Pending changes, one per path, in the order paths first changed; O(1) to add and take.
#[derive(Debug, Default)]
struct Coalescer {
    order: VecDeque<String>,
    kinds: HashMap<String, ChangeKind>,
    /// The latest stamp among the changes held.
    latest: u64,
}

impl Coalescer {
    /// Folds a later change of a path into its pending one. What a client needs is the net
    /// effect: created-then-modified is a creation; anything-then-removed is a removal;
    /// removed-then-created is a creation.
    fn push(&mut self, path: &str, kind: ChangeKind, stamp: u64) {
        self.latest = self.latest.max(stamp);
        match self.kinds.get_mut(path) {
            Some(k) => {
                *k = match (*k, kind) {
                    (ChangeKind::Created, ChangeKind::Modified) => ChangeKind::Created,
                    (_, later) => later,
                }
            }
            None => {
                self.kinds.insert(path.to_owned(), kind);
                self.order.push_back(path.to_owned());
            }
        }
    }

    fn pop(&mut self) -> Option<(String, ChangeKind)> {
        let path = self.order.pop_front()?;
        let kind = self.kinds.remove(&path)?;
        if self.order.is_empty() {
            self.latest = 0;
        }
        Some((path, kind))
    }

    fn len(&self) -> usize {
        self.order.len()
    }

    fn clear(&mut self) {
        self.order.clear();
        self.kinds.clear();
        self.latest = 0;
    }
}

fn parent_of(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

fn is_within(folder: &str, path: &str) -> bool {
    folder == path
        || (folder.len() > path.len()
            && folder.starts_with(path)
            && folder.as_bytes()[path.len()] == b'/')
}

impl Pending {
    /// Changes and listings waiting to be sent.
    pub fn backlog(&self) -> usize {
        self.compat.len()
            + self.subs.values().map(|s| s.dirty.len()).sum::<usize>()
            + self.listings.len()
    }

    pub fn is_subscriber(&self) -> bool {
        !self.subs.is_empty()
    }

    /// Starts showing `path` (or re-lists it when already shown); `Err(MAX_SUBS)` when that
    /// many are shown already.
    pub fn subscribe(&mut self, path: &str) -> Result<(), usize> {
        let reason = if self.subs.contains_key(path) {
            ListingReason::Refresh
        } else if self.subs.len() >= MAX_SUBS {
            return Err(MAX_SUBS);
        } else {
            // A client that subscribes is an explorer: the original design's events stop.
            self.compat.clear();
            self.subs.insert(path.to_owned(), Sub::default());
            ListingReason::Subscribe
        };
        self.listings.retain(|(p, _)| p != path);
        self.listings.push_back((path.to_owned(), reason));
        Ok(())
    }

    pub fn unsubscribe(&mut self, path: &str) -> bool {
        self.listings.retain(|(p, _)| p != path);
        self.subs.remove(path).is_some()
    }

    /// A folder whose listing failed is no longer shown.
    pub fn drop_sub(&mut self, path: &str) {
        self.subs.remove(path);
    }

    pub fn warn(&mut self, w: FsWarning) {
        self.warnings.push_back(w);
    }

    /// Events were lost: every shown folder is listed again.
    pub fn resync_all(&mut self) {
        for sub in self.subs.values_mut() {
            // No listing read so far holds what was lost.
            sub.needs_listing(u64::MAX);
        }
    }

    /// A change, stamped with the batch it was applied in (`Tree::stamp`).
    pub fn push(&mut self, c: &FsChange, stamp: u64) {
        if self.subs.is_empty() {
            self.compat.push(&c.path, c.kind, stamp);
            return;
        }
        if let Some(sub) = self.subs.get_mut(parent_of(&c.path))
            && !sub.resync
            && stamp > sub.listed
        {
            sub.dirty.push(&c.path, c.kind, stamp);
            if sub.dirty.len() > MAX_DIRTY {
                sub.needs_listing(stamp);
            }
        }
        // A shown folder (or one of its parents) removed, moved away or moved back: what it
        // holds is known only by listing it, unless a listing read after the change did.
        if c.kind != ChangeKind::Modified {
            for (folder, sub) in &mut self.subs {
                if !folder.is_empty() && is_within(folder, &c.path) && stamp > sub.listed {
                    sub.needs_listing(stamp);
                }
            }
        }
    }

    /// `path` was listed from the model at `stamp`: what called for a listing up to then is
    /// answered by it.
    pub fn listed(&mut self, path: &str, stamp: u64) {
        if let Some(sub) = self.subs.get_mut(path) {
            sub.listed = sub.listed.max(stamp);
            if sub.resync && sub.resync_at <= stamp {
                sub.resync = false;
            }
        }
    }

    /// The next thing to send, most urgent first: asked-for listings, warnings, changes in
    /// shown folders, snapshots of folders that changed too much, compatibility events.
    pub fn take(&mut self, now: Instant) -> Work {
        if let Some((path, reason)) = self.listings.pop_front() {
            if let Some(sub) = self.subs.get_mut(&path) {
                sub.dirty.clear();
                sub.resync = false;
                sub.resync_at = 0;
                sub.last_listed = Some(now);
            }
            return Work::Listing(path, reason);
        }
        if let Some(w) = self.warnings.pop_front() {
            return Work::Warning(w);
        }
        let mut batch = Vec::new();
        for sub in self.subs.values_mut() {
            while batch.len() < MAX_BATCH {
                match sub.dirty.pop() {
                    Some(change) => batch.push(change),
                    None => break,
                }
            }
        }
        if !batch.is_empty() {
            return Work::Deltas(batch);
        }
        let mut wait: Option<Duration> = None;
        for (path, sub) in &mut self.subs {
            if !sub.resync {
                continue;
            }
            let due = sub.last_listed.map_or(now, |t| t + RESYNC_GAP);
            if due <= now {
                sub.resync = false;
                sub.resync_at = 0;
                sub.last_listed = Some(now);
                return Work::Listing(path.clone(), ListingReason::Resync);
            }
            let left = due - now;
            wait = Some(wait.map_or(left, |w| w.min(left)));
        }
        let mut compat = Vec::new();
        while compat.len() < COMPAT_CHUNK {
            match self.compat.pop() {
                // The original design has no removal event.
                Some((_, ChangeKind::Removed)) => {}
                Some((path, kind)) => compat.push(FsChange { path, kind }),
                None => break,
            }
        }
        if !compat.is_empty() {
            return Work::Compat(compat);
        }
        wait.map_or(Work::Idle, Work::Wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(path: &str, kind: ChangeKind) -> FsChange {
        FsChange::new(path, kind)
    }

    #[test]
    fn compat_changes_fold_to_their_net_effect_in_order() {
        let mut p = Pending::default();
        p.push(&c("a", ChangeKind::Created), 1);
        p.push(&c("b", ChangeKind::Created), 1);
        p.push(&c("a", ChangeKind::Modified), 1);
        p.push(&c("c", ChangeKind::Created), 1);
        p.push(&c("c", ChangeKind::Removed), 1);
        p.push(&c("d", ChangeKind::Modified), 1);
        let Work::Compat(got) = p.take(Instant::now()) else {
            panic!("compat expected");
        };
        assert_eq!(
            got,
            [
                c("a", ChangeKind::Created),
                c("b", ChangeKind::Created),
                c("d", ChangeKind::Modified)
            ]
        );
        assert_eq!(p.take(Instant::now()), Work::Idle);
    }

    #[test]
    fn a_subscriber_gets_only_the_changes_in_its_folders() {
        let mut p = Pending::default();
        p.push(&c("x", ChangeKind::Created), 1);
        p.subscribe("src").unwrap();
        assert_eq!(
            p.take(Instant::now()),
            Work::Listing("src".into(), ListingReason::Subscribe)
        );
        // The compat backlog went when it subscribed.
        assert_eq!(p.take(Instant::now()), Work::Idle);
        for i in 0..50_000 {
            p.push(
                &c(&format!("node_modules/p{i}/index.js"), ChangeKind::Created),
                1,
            );
        }
        p.push(&c("src/main.rs", ChangeKind::Modified), 1);
        p.push(&c("src/sub/deep.rs", ChangeKind::Modified), 1);
        assert_eq!(
            p.take(Instant::now()),
            Work::Deltas(vec![("src/main.rs".into(), ChangeKind::Modified)])
        );
        assert_eq!(p.take(Instant::now()), Work::Idle);
    }

    #[test]
    fn too_many_changes_in_a_folder_become_one_snapshot_not_too_often() {
        let mut p = Pending::default();
        p.subscribe("").unwrap();
        let t0 = Instant::now();
        assert!(matches!(p.take(t0), Work::Listing(..)));
        for i in 0..=MAX_DIRTY {
            p.push(&c(&format!("f{i}"), ChangeKind::Created), 1);
        }
        // Listed just now: the snapshot waits for the gap.
        assert_eq!(p.take(t0), Work::Wait(RESYNC_GAP));
        p.push(&c("late", ChangeKind::Created), 1);
        let later = t0 + RESYNC_GAP;
        assert_eq!(
            p.take(later),
            Work::Listing(String::new(), ListingReason::Resync)
        );
        assert_eq!(p.take(later), Work::Idle);
    }

    #[test]
    fn a_shown_folder_removed_or_moved_is_listed_again() {
        let mut p = Pending::default();
        p.subscribe("a/b").unwrap();
        p.subscribe("ab").unwrap();
        let now = Instant::now();
        while !matches!(p.take(now), Work::Idle) {}
        p.push(&c("a", ChangeKind::Removed), 1);
        assert_eq!(
            p.take(now + RESYNC_GAP),
            Work::Listing("a/b".into(), ListingReason::Resync)
        );
        assert_eq!(p.take(now + RESYNC_GAP), Work::Idle);
    }

    #[test]
    fn subscribing_again_is_a_refresh_and_there_is_a_limit() {
        let mut p = Pending::default();
        p.subscribe("a").unwrap();
        p.subscribe("a").unwrap();
        assert_eq!(
            p.take(Instant::now()),
            Work::Listing("a".into(), ListingReason::Refresh)
        );
        for i in 1..MAX_SUBS {
            p.subscribe(&format!("d{i}")).unwrap();
        }
        assert!(p.subscribe("one-more").is_err());
        assert!(p.unsubscribe("a"));
        assert!(p.subscribe("one-more").is_ok());
    }

    #[test]
    fn what_a_listing_already_holds_is_not_sent_again() {
        let mut p = Pending::default();
        let now = Instant::now();
        // The folder was made just before it was shown; its own creation is routed after
        // the listing was read (stamp 3): no second listing, no repeated entry.
        p.subscribe("up").unwrap();
        assert!(matches!(p.take(now), Work::Listing(..)));
        p.listed("up", 3);
        p.push(&c("up", ChangeKind::Created), 2);
        p.push(&c("up/old.txt", ChangeKind::Created), 3);
        assert_eq!(p.take(now + RESYNC_GAP), Work::Idle);
        // A later change is sent.
        p.push(&c("up/big.bin", ChangeKind::Created), 4);
        assert_eq!(
            p.take(now + RESYNC_GAP),
            Work::Deltas(vec![("up/big.bin".into(), ChangeKind::Created)])
        );
        // The folder replaced after the listing: listed again.
        p.push(&c("up", ChangeKind::Created), 5);
        assert_eq!(
            p.take(now + RESYNC_GAP),
            Work::Listing("up".into(), ListingReason::Resync)
        );
    }

    #[test]
    fn a_listing_in_flight_answers_only_what_it_holds() {
        let mut p = Pending::default();
        let now = Instant::now();
        p.subscribe("up").unwrap();
        assert!(matches!(p.take(now), Work::Listing(..)));
        // While the listing is read, a later change (stamp 9) and the folder's own
        // creation (stamp 5, routed late) come in: the listing read at 7 does not hold the
        // change at 9, which the folder's creation dropped, so the folder is listed again.
        p.push(&c("up/new.txt", ChangeKind::Created), 9);
        p.push(&c("up", ChangeKind::Created), 5);
        p.listed("up", 7);
        assert_eq!(
            p.take(now + RESYNC_GAP),
            Work::Listing("up".into(), ListingReason::Resync)
        );
        // Events lost: no listing read before answers that.
        p.resync_all();
        p.listed("up", 100);
        assert_eq!(
            p.take(now + 2 * RESYNC_GAP),
            Work::Listing("up".into(), ListingReason::Resync)
        );
    }
}
