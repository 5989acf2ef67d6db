//! The one live model of the workspace tree. The explorer's listings and changes and the
//! assistant's view of the names around a folder read it; the watcher (`keeper`) keeps it
//! current from inotify, and the pipeline tells it at once what its own commands made. Nothing
//! on the instruction path reads a directory: an instruction costs the same in an empty folder
//! and in one with 100,000 entries.
//!
//! Every change to the model comes from an `lstat` made while holding the model's write lock,
//! whoever makes it (the watcher, an announcement, a folder loaded for an explorer): the last
//! one to look always saw the newest state, and any change after that look is an inotify event
//! still to be applied. So the model converges on the disk whatever order things happen in.
//!
//! What is kept: every folder beneath the root, loaded (its children known and watched) as the
//! tree is first walked, except the insides of folders nobody needs kept current (`LAZY`:
//! `.git`, `node_modules`, `target`… and atajo's own `.atajo`), and nothing beyond
//! `max_entries` entries: those folders are loaded, and watched from then on, the first time
//! someone lists them. A folder the kernel will not watch (the inotify watch limit) is re-read
//! every `POLL_EVERY`.

mod events;
mod meta;
mod model;
mod words;

use std::ffi::{OsStr, OsString};
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use cap_std::fs::Dir;
use tokio::sync::watch;

pub use events::{Event, parse};
pub use meta::Meta;
pub use model::{Model, ROOT, Upsert, Watch};
pub use words::{extension, words};

use super::STATE_DIR;
use crate::protocol::{ChangeKind, FsChange};

/// One entry of a listing: its name's bytes and metadata.
pub type Listed = (Box<[u8]>, Meta);

/// Folders whose insides are loaded only when someone looks: they are big, change in storms
/// and are never what a person means by a name (VS Code leaves the same ones unwatched).
pub const LAZY: &[&str] = &[
    STATE_DIR,
    ".git",
    "node_modules",
    "target",
    "__pycache__",
    ".venv",
    ".hg",
    ".svn",
];

/// Entries the first walk loads at most: about 170 bytes each in memory.
pub const DEFAULT_MAX_ENTRIES: usize = 1_000_000;

/// How often a folder beyond the inotify watch limit is read again.
pub const POLL_EVERY: Duration = Duration::from_secs(2);

/// Entries looked at (`lstat`) per hold of the write lock while a folder loads, so that a
/// huge folder never keeps readers waiting long.
const CHUNK: usize = 256;

/// How long an instruction waits for the watcher to apply what was queued before it.
const FRESH_WAIT: Duration = Duration::from_secs(2);

/// The inotify events a watched folder reports.
pub(crate) fn watch_flags() -> rustix::fs::inotify::WatchFlags {
    use rustix::fs::inotify::WatchFlags as W;
    W::CREATE
        | W::DELETE
        | W::MOVED_FROM
        | W::MOVED_TO
        | W::MODIFY
        | W::ATTRIB
        | W::ONLYDIR
        | W::DONT_FOLLOW
        | W::EXCL_UNLINK
}

#[derive(Debug, Clone, Copy, Default)]
struct Progress {
    /// The first walk is done.
    ready: bool,
    /// Bytes of inotify events applied to the model.
    applied: u64,
}

/// The live model and what keeps it in step with the disk.
pub struct Tree {
    model: RwLock<Model>,
    dir: Dir,
    root: PathBuf,
    max_entries: AtomicUsize,
    /// The watcher's inotify descriptor, once it runs.
    inotify: OnceLock<Arc<OwnedFd>>,
    /// Bytes read from the inotify descriptor so far; held across each read, so that what was
    /// read and what is still queued can be told apart (see `fresh`).
    reads: Mutex<u64>,
    progress: watch::Sender<Progress>,
    /// Where folders refused a watch are told (the watcher's stream).
    limit_reached: Mutex<Vec<String>>,
    /// Folders whose events could not be applied (they were moved before the watcher got to
    /// them): read again once they can be found, `(id, generation)`.
    dirty: Mutex<Vec<(u32, u32)>>,
    /// Counts the batches of changes applied to the model (see `stamp`).
    stamp: AtomicU64,
}

impl std::fmt::Debug for Tree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tree")
            .field("root", &self.root)
            .finish_non_exhaustive()
    }
}

/// Whether changes at this root-relative path are told to anyone: atajo's own state is not.
fn reported(path: &[u8]) -> bool {
    let state = STATE_DIR.as_bytes();
    !(path.starts_with(state) && matches!(path.get(state.len()), None | Some(b'/')))
}

impl Tree {
    pub fn new(root: PathBuf, dir: Dir) -> Self {
        Self {
            model: RwLock::new(Model::new()),
            dir,
            root,
            max_entries: AtomicUsize::new(DEFAULT_MAX_ENTRIES),
            inotify: OnceLock::new(),
            reads: Mutex::new(0),
            progress: watch::Sender::new(Progress::default()),
            limit_reached: Mutex::new(Vec::new()),
            dirty: Mutex::new(Vec::new()),
            stamp: AtomicU64::new(0),
        }
    }

    /// Marks a batch of changes as applied (call it once the model holds them) and returns
    /// the batch's stamp. A listing carries the stamp the model had when it was read: every
    /// batch stamped up to it is already in the listing, so a feed need not send it again,
    /// however late the batch reaches the feed.
    pub fn stamp(&self) -> u64 {
        self.stamp.fetch_add(1, Ordering::SeqCst) + 1
    }

    pub fn set_max_entries(&self, n: usize) {
        self.max_entries.store(n.max(1), Ordering::Relaxed);
    }

    pub fn max_entries(&self) -> usize {
        self.max_entries.load(Ordering::Relaxed)
    }

    /// The model, to read. Held briefly: the watcher waits for it.
    pub fn read(&self) -> RwLockReadGuard<'_, Model> {
        // A panic while writing leaves at worst a stale entry, which the next event or
        // resync corrects: go on with what is there.
        self.model.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Model> {
        self.model.write().unwrap_or_else(|e| e.into_inner())
    }

    #[cfg(test)]
    pub(crate) fn write_for_tests(&self) -> RwLockWriteGuard<'_, Model> {
        self.write()
    }

    fn abs(&self, rel: &Path) -> PathBuf {
        if rel.as_os_str().is_empty() {
            self.root.clone()
        } else {
            self.root.join(rel)
        }
    }

    fn open(&self, rel: &Path) -> std::io::Result<Dir> {
        if rel.as_os_str().is_empty() {
            self.dir.try_clone()
        } else {
            self.dir.open_dir(rel)
        }
    }

    /// Opens the folder `id` where the model says it is, if what is there is that folder (its
    /// inode): a folder moved or replaced since is not read in its place. Returns the handle,
    /// its path and the node's generation.
    fn open_folder(&self, id: u32) -> Option<(Dir, PathBuf, u32)> {
        let (rel, generation, ino) = {
            let m = self.read();
            if !m.is_dir(id) {
                return None;
            }
            (m.path(id), m.generation(id), m.meta(id).ino)
        };
        let dir = self.open(&rel).ok()?;
        if id != ROOT {
            use cap_std::fs::MetadataExt;
            let here = dir.dir_metadata().ok()?;
            if here.ino() != ino {
                return None;
            }
        }
        Some((dir, rel, generation))
    }

    pub(crate) fn mark_dirty(&self, id: u32, generation: u32) {
        self.dirty
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((id, generation));
    }

    /// Reads again the folders whose events could not be applied, where they are now.
    pub(crate) fn retry_dirty(&self, out: &mut Vec<FsChange>) {
        let dirty = std::mem::take(&mut *self.dirty.lock().unwrap_or_else(|e| e.into_inner()));
        let mut still = Vec::new();
        for (id, generation) in dirty {
            if !self.read().alive(id, generation) || still.contains(&(id, generation)) {
                continue;
            }
            if self.open_folder(id).is_some() {
                self.load_folder(id, false, true, &mut Some(out));
            } else {
                still.push((id, generation));
            }
        }
        self.dirty
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(still);
    }

    /// Waits until the model holds every change made on disk before this call: the first walk
    /// is done and the watcher has applied every inotify event queued by now. Returns at once
    /// when nothing is queued; never waits longer than `FRESH_WAIT` (a stuck watcher makes an
    /// instruction see an older tree, never hang).
    pub async fn fresh(&self) {
        let Some(fd) = self.inotify.get() else {
            return;
        };
        let target = {
            let read = self.reads.lock().unwrap_or_else(|e| e.into_inner());
            // Queued bytes, counted while no read is under way: everything queued before this
            // call ends within the first `read + queued` bytes of the stream.
            *read + rustix::io::ioctl_fionread(fd).unwrap_or(0)
        };
        let done = |p: &Progress| p.ready && p.applied >= target;
        if done(&self.progress.borrow()) {
            return;
        }
        let mut rx = self.progress.subscribe();
        if tokio::time::timeout(FRESH_WAIT, rx.wait_for(done))
            .await
            .is_err()
        {
            tracing::warn!("the file watcher is behind: answering with an older view of the tree");
        }
    }

    /// The same wait, for a thread that is not async (tests).
    pub fn fresh_blocking(&self) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build();
        if let Ok(rt) = rt {
            rt.block_on(self.fresh());
        }
    }

    pub(crate) fn set_inotify(&self, fd: Arc<OwnedFd>) {
        let _ = self.inotify.set(fd);
    }

    /// Reads from the inotify descriptor into `buf`, counting what was read (see `fresh`).
    pub(crate) fn read_events(&self, fd: &OwnedFd, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut read = self.reads.lock().unwrap_or_else(|e| e.into_inner());
        let n = rustix::io::read(fd, buf)?;
        *read += n as u64;
        Ok(n)
    }

    /// `bytes` more of the event stream are in the model.
    pub(crate) fn applied(&self, bytes: u64) {
        self.progress.send_modify(|p| p.applied += bytes);
    }

    pub(crate) fn set_ready(&self) {
        self.progress.send_modify(|p| p.ready = true);
    }

    /// The watcher stopped: nobody will apply what is queued, so nobody waits for it.
    pub(crate) fn set_stopped(&self) {
        self.progress.send_modify(|p| {
            p.ready = true;
            p.applied = u64::MAX;
        });
    }

    /// Folders refused a watch since the last call (root-relative).
    pub(crate) fn take_limit_reached(&self) -> Vec<String> {
        std::mem::take(&mut *self.limit_reached.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Loads the whole tree as the policy says (see the module's notes), watching each folder
    /// before reading it when `watch`. No change is reported: nobody has seen the tree yet.
    pub fn load(&self, watch: bool) {
        self.load_below(ROOT, watch, &mut None);
        self.set_ready();
    }

    /// Loads the folder at `rel` and its subfolders as `load` would, in step with the rest
    /// (used when a folder appears: its contents are reported as created).
    fn load_below(&self, id: u32, watch: bool, out: &mut Option<&mut Vec<FsChange>>) {
        let mut queue = std::collections::VecDeque::from([id]);
        while let Some(dir) = queue.pop_front() {
            // Judged when its turn comes: the folders before it may have filled the model.
            if dir != id && !self.eager(dir) {
                continue;
            }
            queue.extend(self.load_folder(dir, watch, false, out));
        }
    }

    /// Whether the folder `id` is loaded without anyone asking.
    /// (Not inside a lazy folder either: one someone opened is kept current, but what appears
    /// inside it, a package `npm install` adds, is loaded only when someone opens that too.)
    fn eager(&self, id: u32) -> bool {
        let m = self.read();
        if m.len() >= self.max_entries() || m.is_loaded(id) {
            return false;
        }
        let mut at = Some(id);
        while let Some(n) = at {
            if LAZY.iter().any(|l| m.name(n) == l.as_bytes()) {
                return false;
            }
            at = m.parent(n);
        }
        true
    }

    /// Makes sure the folder at `rel` is loaded (and watched, when the watcher runs): an
    /// explorer is about to show it. Errors say why it cannot be.
    pub fn ensure_loaded(&self, rel: &Path) -> std::io::Result<()> {
        // Every folder on the way may be one nobody loaded yet.
        let mut at = ROOT;
        let watch = self.inotify.get().is_some();
        let parts: Vec<&OsStr> = rel.iter().collect();
        for i in 0..=parts.len() {
            if !self.read().is_loaded(at) {
                self.load_folder(at, watch, false, &mut None);
            }
            let Some(part) = parts.get(i) else {
                break;
            };
            let m = self.read();
            at = match m.child(at, part.as_bytes()) {
                Some(c) if m.is_dir(c) => c,
                Some(_) => return Err(os_error(libc::ENOTDIR)),
                None => return Err(os_error(libc::ENOENT)),
            };
        }
        Ok(())
    }

    /// The entries of the folder at `rel` in the explorer's order (folders first, natural
    /// order), as `(name, metadata)`: loads the folder first if nobody has yet.
    pub fn listing(&self, rel: &Path) -> std::io::Result<Vec<Listed>> {
        self.stamped_listing(rel).map(|(items, _)| items)
    }

    /// A folder's entries and the stamp of the last batch of changes they include.
    pub fn stamped_listing(&self, rel: &Path) -> std::io::Result<(Vec<Listed>, u64)> {
        self.ensure_loaded(rel)?;
        self.refresh_unwatched_children(rel);
        let (mut items, stamp): (Vec<Listed>, u64) = {
            let m = self.read();
            // Read under the lock: a batch stamped later was applied after this read.
            let stamp = self.stamp.load(Ordering::SeqCst);
            let id = m
                .lookup(rel)
                .filter(|&id| m.is_dir(id))
                .ok_or_else(|| os_error(libc::ENOENT))?;
            let items = m
                .children(id)
                .map(|c| (Box::<[u8]>::from(m.name(c)), m.meta(c)))
                .collect();
            (items, stamp)
        };
        // Sorted outside the lock: a huge folder's keys take a while.
        items.sort_by_cached_key(|(name, meta)| {
            super::order_key(OsStr::from_bytes(name), meta.is_dir())
        });
        Ok((items, stamp))
    }

    /// A folder nobody opened (`node_modules`…) is not watched, so no event says when its
    /// time moves with what it holds: its entry is looked at again whenever its parent is
    /// listed, so the tag a client sees (and renames with) is the one on disk.
    fn refresh_unwatched_children(&self, rel: &Path) {
        let unwatched: Vec<(u32, Vec<u8>)> = {
            let m = self.read();
            let Some(id) = m.lookup(rel) else {
                return;
            };
            m.children(id)
                .filter(|&c| m.is_dir(c) && m.watch(c) == Watch::None)
                .map(|c| (c, m.name(c).to_vec()))
                .collect()
        };
        if unwatched.is_empty() {
            return;
        }
        let Ok(dir) = self.open(rel) else {
            return;
        };
        for (id, name) in unwatched {
            if let Ok(meta) = dir.symlink_metadata(OsStr::from_bytes(&name)) {
                self.write().refresh(id, Meta::of(&meta));
            }
        }
    }

    /// The entry at the root-relative `rel` as the model has it.
    pub fn entry_at(&self, rel: &Path) -> Option<crate::protocol::Entry> {
        let m = self.read();
        m.lookup(rel).filter(|&id| id != ROOT).map(|id| m.entry(id))
    }

    /// Loads only what an instruction said in `cwd` can name, for a process that does not
    /// watch (`atajo translate`): the folders up to the root, one level each, and `cwd` four
    /// levels down, at most `max` entries.
    pub fn load_around(&self, cwd: &Path, max: usize) {
        let mut at = ROOT;
        for part in cwd.iter() {
            self.load_folder(at, false, false, &mut None);
            match self.read().child(at, part.as_bytes()) {
                Some(c) => at = c,
                None => return,
            }
        }
        let mut queue = std::collections::VecDeque::from([(at, 0)]);
        while let Some((dir, depth)) = queue.pop_front() {
            if self.read().len() >= max {
                break;
            }
            for sub in self.load_folder(dir, false, false, &mut None) {
                let lazy = LAZY.iter().any(|l| self.read().name(sub) == l.as_bytes());
                if depth + 1 < 4 && !lazy {
                    queue.push_back((sub, depth + 1));
                }
            }
        }
    }

    /// Watches (when `watch`), reads and looks at every entry of the folder `id`, putting what
    /// it finds into the model; with `prune`, entries no longer there go (a resync). Returns
    /// the subfolders found. Changes go to `out` when given.
    fn load_folder(
        &self,
        id: u32,
        watch: bool,
        prune: bool,
        out: &mut Option<&mut Vec<FsChange>>,
    ) -> Vec<u32> {
        let Some((dir, rel, generation)) = self.open_folder(id) else {
            return Vec::new();
        };
        // Watched before it is read: whatever happens from now on is an event. (A folder
        // beyond the watch limit is offered a watch again each time it is read: one may have
        // been freed.)
        let watched = matches!(self.read().watch(id), Watch::Wd(_));
        if watch
            && !watched
            && let Some(fd) = self.inotify.get()
        {
            let abs = self.abs(&rel);
            let how = match rustix::fs::inotify::add_watch(&**fd, &abs, watch_flags()) {
                Ok(wd) => Some(Watch::Wd(wd)),
                Err(rustix::io::Errno::NOSPC) => Some(Watch::Polled),
                Err(e) => {
                    tracing::debug!(folder = %abs.display(), error = %e, "cannot watch");
                    None
                }
            };
            if let Some(how) = how {
                let mut m = self.write();
                if !m.alive(id, generation) {
                    return Vec::new();
                }
                let was = m.watch(id);
                if how == Watch::Polled && was != Watch::Polled {
                    let parent_polled = m.parent(id).is_some_and(|p| m.watch(p) == Watch::Polled);
                    if !parent_polled {
                        self.limit_reached
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push(m.path_text(id));
                    }
                }
                m.set_watch(id, how);
            }
        }
        let names: Vec<OsString> = match dir.entries() {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .map(|e| e.file_name())
                .collect(),
            Err(_) => return Vec::new(),
        };
        let mut subfolders = Vec::new();
        for chunk in names.chunks(CHUNK) {
            let mut m = self.write();
            if !m.alive(id, generation) {
                return Vec::new();
            }
            for name in chunk {
                if let Some((c, _)) = self.look(&mut m, &dir, id, name.as_bytes(), out)
                    && m.is_dir(c)
                {
                    subfolders.push(c);
                }
            }
        }
        let mut m = self.write();
        if !m.alive(id, generation) {
            return Vec::new();
        }
        if prune {
            let seen: std::collections::HashSet<&[u8]> =
                names.iter().map(|n| n.as_bytes()).collect();
            let stale: Vec<Vec<u8>> = m
                .children(id)
                .map(|c| m.name(c))
                .filter(|n| !seen.contains(n))
                .map(<[u8]>::to_vec)
                .collect();
            for name in stale {
                // Looked at again: it may have come back since the folder was read.
                self.look(&mut m, &dir, id, &name, out);
            }
        }
        // Its own time moved with what it holds (a polled folder has no event to say so).
        if id != ROOT
            && let Ok(meta) = dir.dir_metadata()
        {
            m.refresh(id, Meta::of(&meta));
        }
        m.set_loaded(id, true);
        subfolders
    }

    /// Looks at `name` in the folder `parent` (opened as `dir`) and makes the model say what
    /// is there: added, updated or removed. Returns the entry and what happened, `None` when
    /// it is gone. A change is added to `out`.
    fn look(
        &self,
        m: &mut Model,
        dir: &Dir,
        parent: u32,
        name: &[u8],
        out: &mut Option<&mut Vec<FsChange>>,
    ) -> Option<(u32, Upsert)> {
        let meta = match dir.symlink_metadata(OsStr::from_bytes(name)) {
            Ok(meta) => Meta::of(&meta),
            Err(e)
                if e.kind() == std::io::ErrorKind::NotFound
                    || e.raw_os_error() == Some(libc::ENOTDIR) =>
            {
                if let Some(gone) = m.child(parent, name) {
                    let path = m.path_bytes(gone);
                    m.remove(gone);
                    push(out, &path, ChangeKind::Removed);
                }
                return None;
            }
            Err(_) => Meta::unreadable(),
        };
        let done = m.upsert(parent, name, meta);
        match done {
            Upsert::Created(id) => push(out, &m.path_bytes(id), ChangeKind::Created),
            Upsert::Same { id, changed: true } => {
                push(out, &m.path_bytes(id), ChangeKind::Modified)
            }
            Upsert::Same { .. } => {}
        }
        Some((done.id(), done))
    }

    /// The pipeline made these (root-relative) entries: into the model now, before the
    /// watcher reports them, so the explorer and the next instruction see them at once.
    /// Returns what was new to the model (the watcher's later report of it changes nothing).
    pub fn announce(&self, created: &[PathBuf]) -> Vec<FsChange> {
        let mut changes = Vec::new();
        let mut out = Some(&mut changes);
        for rel in created {
            let (Some(parent), Some(name)) = (rel.parent(), rel.file_name()) else {
                continue;
            };
            let Ok(dir) = self.open(parent) else {
                continue;
            };
            let mut m = self.write();
            // A folder the model does not hold yet is the watcher's to load.
            let Some(pid) = m.lookup(parent).filter(|&p| m.is_dir(p)) else {
                continue;
            };
            if let Some((_, Upsert::Same { .. })) =
                self.look(&mut m, &dir, pid, name.as_bytes(), &mut None)
            {
                continue;
            }
            if let Some(id) = m.child(pid, name.as_bytes()) {
                push(&mut out, &m.path_bytes(id), ChangeKind::Created);
            }
        }
        changes
    }

    /// Reads again every folder the model has loaded (after lost events) or only the polled
    /// ones, and reports what differs.
    pub(crate) fn resync(&self, only_polled: bool) -> Vec<FsChange> {
        let mut changes = Vec::new();
        let starts: Vec<u32> = if only_polled {
            // The tops of the polled parts: their subfolders are read with them.
            let m = self.read();
            m.polled()
                .into_iter()
                .filter(|&id| m.parent(id).is_none_or(|p| m.watch(p) != Watch::Polled))
                .collect()
        } else {
            vec![ROOT]
        };
        let watch = self.inotify.get().is_some();
        for start in starts {
            let mut queue = std::collections::VecDeque::from([start]);
            while let Some(dir) = queue.pop_front() {
                let subs = self.load_folder(dir, watch, true, &mut Some(&mut changes));
                for sub in subs {
                    let loaded = self.read().is_loaded(sub);
                    // A folder that appeared while events were lost, or beside the polled
                    // ones, is loaded as the first walk would have.
                    if loaded || self.eager(sub) {
                        queue.push_back(sub);
                    }
                }
            }
        }
        changes
    }

    /// Removes the kernel's watches on folders that left the model.
    pub(crate) fn drop_gone_watches(&self) {
        let gone = self.write().take_gone_wds();
        if let Some(fd) = self.inotify.get() {
            for wd in gone {
                let _ = rustix::fs::inotify::remove_watch(&**fd, wd);
            }
        }
    }
}

/// The error a client gets for a folder that is not there, as the OS words it.
fn os_error(code: i32) -> std::io::Error {
    std::io::Error::from_raw_os_error(code)
}

fn push(out: &mut Option<&mut Vec<FsChange>>, path: &[u8], kind: ChangeKind) {
    if let Some(out) = out.as_mut()
        && reported(path)
    {
        out.push(FsChange {
            path: crate::workspace::rawname::text_of_bytes(path),
            kind,
        });
    }
}

/// A fresh walk of the disk beneath `root` as `(path, is_dir)` pairs, sorted: what the model
/// must equal (tests).
#[cfg(test)]
pub(crate) fn walk_disk(root: &Path) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(root.join(&rel)) else {
            continue;
        };
        for e in entries.flatten() {
            let p = rel.join(e.file_name());
            let dir = e.file_type().is_ok_and(|t| t.is_dir());
            if dir && !LAZY.iter().any(|l| e.file_name() == *l) {
                stack.push(p.clone());
            }
            out.push((crate::workspace::rel_to_string(&p), dir));
        }
    }
    out.sort();
    out
}

/// The model's entries as `(path, is_dir)` pairs, sorted (tests).
#[cfg(test)]
pub(crate) fn walk_model(m: &Model) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut stack = vec![ROOT];
    while let Some(id) = stack.pop() {
        for c in m.children(id) {
            stack.push(c);
            out.push((m.path_text(c), m.is_dir(c)));
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests;
