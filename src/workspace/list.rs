//! Folder listings: one `lstat`-class call per entry, contents never read, symlinks shown as
//! such and never followed.

use std::ffi::OsStr;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::UNIX_EPOCH;

use cap_std::fs::{Dir, Metadata, MetadataExt};

use crate::protocol::{Entry, EntryKind};

/// Lists a folder opened through the workspace, sorted as people expect: folders first, then
/// by name, case-insensitive, with numbers in numeric order.
pub fn list(dir: &Dir) -> io::Result<Vec<Entry>> {
    let mut entries = Vec::new();
    for entry in dir.entries()? {
        let entry = entry?;
        // DirEntry::metadata does not follow symlinks, like lstat.
        match entry.metadata() {
            Ok(meta) => entries.push(entry_of(&entry.file_name(), &meta)),
            // Vanished between readdir and lstat: leave it out, the watcher will say so.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(_) => entries.push(unreadable(&entry.file_name())),
        }
    }
    sort(&mut entries);
    Ok(entries)
}

/// The explorer's order: folders first, then by name, case-insensitive, numbers in order.
pub fn sort(entries: &mut [Entry]) {
    entries.sort_by(|a, b| {
        let rank = |e: &Entry| u8::from(e.kind != EntryKind::Dir);
        rank(a)
            .cmp(&rank(b))
            .then_with(|| natord::compare_ignore_case(&a.name, &b.name))
            .then_with(|| a.name.cmp(&b.name))
    });
}

/// One entry from its name and `lstat` metadata.
pub fn entry_of(raw: &OsStr, meta: &Metadata) -> Entry {
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
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.into_std().duration_since(UNIX_EPOCH).ok())
        .unwrap_or_default();
    Entry {
        name: raw.to_string_lossy().into_owned(),
        kind,
        size: meta.len() as f64,
        mtime: modified.as_secs_f64(),
        lossy: raw.to_str().is_none(),
        raw: raw.to_str().is_none().then(|| hex(raw.as_bytes())),
        // Cockpit's idea: any write, replace or chmod changes it, so a save or rename that
        // carries it can tell the entry changed underneath.
        tag: format!(
            "{:x}-{:x}-{:x}-{:o}",
            meta.ino(),
            modified.as_nanos(),
            meta.len(),
            meta.mode()
        ),
    }
}

fn unreadable(raw: &OsStr) -> Entry {
    Entry {
        name: raw.to_string_lossy().into_owned(),
        kind: EntryKind::Other,
        size: 0.0,
        mtime: 0.0,
        lossy: raw.to_str().is_none(),
        raw: raw.to_str().is_none().then(|| hex(raw.as_bytes())),
        tag: String::new(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The entry at a root-relative path, `None` when nothing is there (symlinks not followed).
pub fn entry_at(root: &Dir, rel: &Path) -> io::Result<Option<Entry>> {
    let Some(name) = rel.file_name() else {
        return Ok(None);
    };
    match root.symlink_metadata(rel) {
        Ok(meta) => Ok(Some(entry_of(name, &meta))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        // A parent that became a file, a name too long…: nothing there to show.
        Err(e) if e.raw_os_error() == Some(libc::ENOTDIR) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Parses a client-supplied folder path ("", "docs", "docs/sub") into a root-relative one,
/// refusing anything that is not a plain downward path.
pub fn client_rel_path(path: &str) -> Option<&Path> {
    let p = Path::new(path.trim_matches('/'));
    let plain = p
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    (plain && !path.contains('\0')).then_some(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cap_std::ambient_authority;

    #[test]
    fn lists_sorted_with_kinds_and_odd_names() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path();
        for d in ["b", "A10", "a2"] {
            std::fs::create_dir(p.join(d)).unwrap();
        }
        for f in ["z.txt", "file10", "file9"] {
            std::fs::write(p.join(f), b"x").unwrap();
        }
        std::os::unix::fs::symlink("/etc", p.join("link")).unwrap();
        let bad = std::ffi::OsStr::from_bytes(b"bad\xffname");
        std::fs::write(p.join(bad), b"").unwrap();

        let dir = Dir::open_ambient_dir(p, ambient_authority()).unwrap();
        let e = list(&dir).unwrap();
        let names: Vec<_> = e.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "a2",
                "A10",
                "b",
                "bad\u{fffd}name",
                "file9",
                "file10",
                "link",
                "z.txt"
            ]
        );
        assert_eq!(e[6].kind, EntryKind::Symlink);
        assert!(e[3].lossy);
        assert_eq!(e[3].raw.as_deref(), Some("626164ff6e616d65"));
        assert!(e[4].raw.is_none() && !e[4].tag.is_empty());
        assert_eq!(e[4].size, 1.0);
    }

    #[test]
    fn client_paths_only_go_down() {
        assert_eq!(client_rel_path(""), Some(Path::new("")));
        assert_eq!(client_rel_path("a/b/"), Some(Path::new("a/b")));
        assert!(client_rel_path("../x").is_none());
        assert!(client_rel_path("a/../../x").is_none());
        assert!(client_rel_path("./a").is_none());
        assert!(client_rel_path("a\0b").is_none());
    }
}
