//! What the model keeps of an entry's `lstat`: enough to answer a listing, a change and a tag
//! without asking the disk again.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::time::UNIX_EPOCH;

use cap_std::fs::{Metadata, MetadataExt};

use crate::protocol::{Entry, EntryKind};
use crate::workspace::rawname;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meta {
    pub kind: EntryKind,
    pub mode: u32,
    pub size: u64,
    /// Nanoseconds since the epoch; 0 for a time before it (as the protocol shows it).
    pub mtime_ns: i64,
    pub ino: u64,
}

impl Meta {
    /// From `lstat` (symlinks not followed).
    pub fn of(meta: &Metadata) -> Self {
        let ft = meta.file_type();
        let kind = if ft.is_symlink() {
            EntryKind::Symlink
        } else if ft.is_dir() {
            EntryKind::Dir
        } else if ft.is_file() {
            EntryKind::File
        } else {
            EntryKind::Other
        };
        let mtime_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.into_std().duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));
        Self {
            kind,
            mode: meta.mode(),
            size: meta.len(),
            mtime_ns,
            ino: meta.ino(),
        }
    }

    /// An entry that is there but cannot be looked at (permissions, a name too long…).
    pub fn unreadable() -> Self {
        Self {
            kind: EntryKind::Other,
            mode: 0,
            size: 0,
            mtime_ns: 0,
            ino: 0,
        }
    }

    pub fn is_dir(&self) -> bool {
        self.kind == EntryKind::Dir
    }

    /// Whether `other` is the same entry (not a new one under the same name): same kind, same
    /// inode.
    pub fn same_entry(&self, other: &Meta) -> bool {
        self.kind == other.kind && self.ino == other.ino
    }

    fn readable(&self) -> bool {
        self.ino != 0 || self.mode != 0
    }

    /// Cockpit's idea: any write, replace or chmod changes it, so a save or rename that carries
    /// it can tell the entry changed underneath.
    pub fn tag(&self) -> String {
        if !self.readable() {
            return String::new();
        }
        format!(
            "{:x}-{:x}-{:x}-{:o}",
            self.ino, self.mtime_ns, self.size, self.mode
        )
    }

    /// The protocol's entry for this metadata under `name` (raw bytes).
    pub fn entry(&self, name: &[u8]) -> Entry {
        let raw = OsStr::from_bytes(name);
        let text = rawname::text(raw).into_owned();
        let lossy = rawname::has_raw(&text);
        Entry {
            lossy,
            raw: lossy.then(|| hex(name)),
            name: text,
            kind: self.kind,
            size: self.size as f64,
            mtime: std::time::Duration::from_nanos(u64::try_from(self.mtime_ns).unwrap_or(0))
                .as_secs_f64(),
            tag: self.tag(),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}
