//! inotify events, read from the bytes the kernel wrote, and applied to the model. An event
//! only says where to look: each entry it names is looked at once per batch (`lstat`), and the
//! model is made to say what is there now, so a burst of events for one file costs one look.

use super::model::{Upsert, Watch};
use super::{Tree, push};
use crate::protocol::{ChangeKind, FsChange};
use std::collections::HashMap;

/// One event as the kernel wrote it (`struct inotify_event`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event<'a> {
    pub wd: i32,
    pub mask: u32,
    pub cookie: u32,
    /// The entry's name in the watched folder; empty for an event about the folder itself.
    pub name: &'a [u8],
}

const HEADER: usize = 16;

/// The events in what one `read` of an inotify descriptor returned.
pub fn parse(buf: &[u8]) -> impl Iterator<Item = Event<'_>> {
    let mut at = 0;
    std::iter::from_fn(move || {
        let header = buf.get(at..at + HEADER)?;
        let word = |i: usize| {
            let b: [u8; 4] = header[i..i + 4].try_into().unwrap_or_default();
            u32::from_ne_bytes(b)
        };
        let len = word(12) as usize;
        let name = buf.get(at + HEADER..at + HEADER + len)?;
        at += HEADER + len;
        // The name is padded with NULs to an aligned length.
        let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
        Some(Event {
            wd: word(0) as i32,
            mask: word(4),
            cookie: word(8),
            name: &name[..end],
        })
    })
}

/// An entry named by an event: its folder in the model and its name.
type Key = (u32, Vec<u8>);

/// The entries of one folder a batch names, with what it said of each.
type Folder = (u32, Vec<(Vec<u8>, Said)>);

/// What a batch said about one entry.
#[derive(Debug, Default, Clone, Copy)]
struct Said {
    /// Its contents or attributes changed: a modification even if `lstat` looks the same
    /// (file times tick coarsely, so two writes can leave the same stamp).
    modified: bool,
}

impl Tree {
    /// Applies a batch of events. Returns the changes, and whether the kernel lost events
    /// (queue overflow): then the caller resyncs.
    pub fn apply(&self, events: &[Event<'_>]) -> (Vec<FsChange>, bool) {
        let mut changes = Vec::new();
        let mut lost = false;
        // Entries to look at, once each, in the order they were first named.
        let mut order: Vec<Key> = Vec::new();
        let mut said: HashMap<Key, Said> = HashMap::new();
        // MOVED_FROM events waiting for their MOVED_TO, by cookie.
        let mut moved_from: HashMap<u32, Key> = HashMap::new();
        let mut moves: Vec<(Key, Key)> = Vec::new();
        {
            let m = self.read();
            for e in events {
                if e.mask & libc::IN_Q_OVERFLOW != 0 {
                    lost = true;
                    continue;
                }
                let Some(dir) = m.by_wd(e.wd) else {
                    continue;
                };
                if e.mask & libc::IN_IGNORED != 0 || e.name.is_empty() {
                    // About the folder itself: its parent's watch tells what became of it.
                    continue;
                }
                let key = (dir, e.name.to_vec());
                let s = said.entry(key.clone()).or_insert_with(|| {
                    order.push(key.clone());
                    Said::default()
                });
                s.modified |= e.mask & (libc::IN_MODIFY | libc::IN_ATTRIB) != 0;
                if e.mask & libc::IN_MOVED_FROM != 0 {
                    moved_from.insert(e.cookie, key.clone());
                }
                if e.mask & libc::IN_MOVED_TO != 0
                    && let Some(from) = moved_from.remove(&e.cookie)
                {
                    moves.push((from, key));
                }
            }
        }
        // Watches the kernel dropped (the folder was removed).
        let ignored: Vec<i32> = events
            .iter()
            .filter(|e| e.mask & libc::IN_IGNORED != 0)
            .map(|e| e.wd)
            .collect();
        if !ignored.is_empty() {
            let mut m = self.write();
            for wd in ignored {
                if let Some(id) = m.by_wd(wd) {
                    m.set_watch(id, Watch::None);
                }
            }
        }
        let mut moved_unloaded = Vec::new();
        // A rename within the tree moves the entry and everything beneath it (their watches
        // follow them in the kernel): no folder is read again.
        for ((from_dir, from), (to_dir, to)) in moves {
            let mut m = self.write();
            let Some(id) = m.child(from_dir, &from) else {
                continue;
            };
            if !m.is_dir(to_dir) {
                continue;
            }
            let old = m.path_bytes(id);
            m.rename(id, to_dir, &to);
            push(&mut Some(&mut changes), &old, ChangeKind::Removed);
            push(
                &mut Some(&mut changes),
                &m.path_bytes(id),
                ChangeKind::Created,
            );
            if m.is_dir(id) && !m.is_loaded(id) {
                moved_unloaded.push(id);
            }
        }
        // Look at each entry named, a folder at a time.
        let mut by_dir: Vec<Folder> = Vec::new();
        let mut slot: HashMap<u32, usize> = HashMap::new();
        for key in order {
            let s = said.get(&key).copied().unwrap_or_default();
            let i = *slot.entry(key.0).or_insert_with(|| {
                by_dir.push((key.0, Vec::new()));
                by_dir.len() - 1
            });
            by_dir[i].1.push((key.1, s));
        }
        let mut new_dirs = moved_unloaded;
        for (dir_id, names) in by_dir {
            let Some((dir, rel, generation)) = self.open_folder(dir_id) else {
                // The folder is not where the model has it: moved (a later event says where)
                // or gone (its parent's events remove it).
                let generation = self.read().generation(dir_id);
                self.mark_dirty(dir_id, generation);
                continue;
            };
            // Its own time and size moved with what it holds, and no event says so: kept
            // current quietly, so a listing or a tag taken now is right (nobody is told, as
            // nobody was before a model kept folders).
            if dir_id != super::ROOT
                && let Ok(meta) = self.dir.symlink_metadata(&rel)
            {
                self.write().refresh(dir_id, super::Meta::of(&meta));
            }
            for chunk in names.chunks(super::CHUNK) {
                let mut m = self.write();
                if !m.alive(dir_id, generation) {
                    break;
                }
                for (name, s) in chunk {
                    let mut out = Some(&mut changes);
                    let looked = self.look(&mut m, &dir, dir_id, name, &mut out);
                    if let Some((id, done)) = looked {
                        if s.modified && matches!(done, Upsert::Same { changed: false, .. }) {
                            push(&mut out, &m.path_bytes(id), ChangeKind::Modified);
                        }
                        if m.is_dir(id) && !m.is_loaded(id) {
                            new_dirs.push(id);
                        }
                    }
                }
            }
        }
        // A new folder's contents: watched first, then read, so nothing made in it goes
        // unseen; whatever it already holds is reported as created.
        for id in new_dirs {
            if self.eager(id) {
                self.load_below(id, true, &mut Some(&mut changes));
            }
        }
        self.retry_dirty(&mut changes);
        (changes, lost)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_the_kernel_writes() {
        let mut buf = Vec::new();
        for (wd, mask, cookie, name) in [(1i32, 0x100u32, 0u32, &b"a.txt"[..]), (2, 0x8000, 0, b"")]
        {
            buf.extend_from_slice(&wd.to_ne_bytes());
            buf.extend_from_slice(&mask.to_ne_bytes());
            buf.extend_from_slice(&cookie.to_ne_bytes());
            let padded = if name.is_empty() { 0 } else { 16 };
            buf.extend_from_slice(&(padded as u32).to_ne_bytes());
            buf.extend_from_slice(name);
            buf.extend(std::iter::repeat_n(0, padded - name.len()));
        }
        let got: Vec<_> = parse(&buf).collect();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].name, b"a.txt");
        assert_eq!(got[0].wd, 1);
        assert!(got[1].name.is_empty());
        assert_eq!(got[1].mask, 0x8000);
        // A truncated buffer ends the events, never panics.
        assert_eq!(parse(&buf[..20]).count(), 0);
    }
}
