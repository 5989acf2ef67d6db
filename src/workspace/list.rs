//! Folder listings: one `lstat`-class call per entry, contents never read, symlinks shown as
//! such and never followed.

use cap_std::fs::{Dir, Metadata};
use std::ffi::{OsStr, OsString};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::rawname;
use super::tree::Meta;
use crate::protocol::Entry;

/// Lists a folder opened through the workspace, sorted as people expect: folders first, then
/// by name, case-insensitive, with numbers in numeric order.
pub fn list(dir: &Dir) -> io::Result<Vec<Entry>> {
    let names = names(dir)?;
    Ok(entries(dir, &names))
}

/// A name in a folder and whether it is a folder, from the directory itself (no `lstat`).
#[derive(Debug, Clone)]
pub struct Name {
    pub name: OsString,
    pub is_dir: bool,
}

/// The names in a folder in the explorer's order, read without an `lstat` per entry (the kind
/// comes with the name from the file system), so a huge folder's first page can go out before
/// the rest has been looked at.
pub fn names(dir: &Dir) -> io::Result<Vec<Name>> {
    let mut names = Vec::new();
    for entry in dir.entries()? {
        let entry = entry?;
        // Only when the file system does not say does this cost an lstat.
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        names.push(Name {
            name: entry.file_name(),
            is_dir,
        });
    }
    names.sort_by_cached_key(|n| order_key(&n.name, n.is_dir));
    Ok(names)
}

/// The entries for some of a folder's names, in the same order: one `lstat` each, symlinks not
/// followed. A name gone since it was read is left out (the watcher reports its removal).
pub fn entries(dir: &Dir, names: &[Name]) -> Vec<Entry> {
    names
        .iter()
        .filter_map(|n| match dir.symlink_metadata(&n.name) {
            Ok(meta) => Some(entry_of(&n.name, &meta)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(_) => Some(unreadable(&n.name)),
        })
        .collect()
}

/// A name's place in the explorer's order as one byte string, so that sorting is a memcmp:
/// folders first, then the name's runs of digits compared as numbers (by length without
/// leading zeros, then digits) and its other runs case-insensitively; the raw bytes break ties.
/// Building one flat key per name keeps 100k names at ~40 ms instead of ~170 ms with a key of
/// parts, or ~400 ms comparing names char by char.
pub fn order_key(name: &OsStr, is_dir: bool) -> Vec<u8> {
    const NUMBER: u8 = 1;
    const TEXT: u8 = 2;
    let lossy = name.to_string_lossy();
    let mut key = Vec::with_capacity(lossy.len() + 8 + name.len());
    key.push(u8::from(!is_dir));
    let mut rest: &str = &lossy;
    while let Some(c) = rest.chars().next() {
        let digits = c.is_ascii_digit();
        let end = rest
            .find(|ch: char| ch.is_ascii_digit() != digits)
            .unwrap_or(rest.len());
        let (run, tail) = rest.split_at(end);
        if digits {
            let n = run.trim_start_matches('0');
            key.push(NUMBER);
            key.extend_from_slice(&(n.len().min(usize::from(u16::MAX)) as u16).to_be_bytes());
            key.extend_from_slice(n.as_bytes());
        } else {
            key.push(TEXT);
            for ch in run.chars().flat_map(char::to_lowercase) {
                let mut buf = [0; 4];
                key.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
            }
            // Ends the run below any character, so "a" sorts before "ab".
            key.push(0);
        }
        rest = tail;
    }
    key.push(0);
    key.extend_from_slice(name.as_bytes());
    key
}

/// One entry from its name and `lstat` metadata.
pub fn entry_of(raw: &OsStr, meta: &Metadata) -> Entry {
    Meta::of(meta).entry(raw.as_bytes())
}

fn unreadable(raw: &OsStr) -> Entry {
    Meta::unreadable().entry(raw.as_bytes())
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
pub fn client_rel_path(path: &str) -> Option<PathBuf> {
    // Bytes that are not UTF-8 come back as the text they were sent as (see `rawname`).
    let p = rawname::path(path.trim_matches('/'));
    let plain = p
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    (plain && !path.contains('\0')).then(|| p.into_owned())
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
                // The byte 0xFF as its stand-in (see `rawname`).
                "bad\u{10ffff}name",
                "file9",
                "file10",
                "link",
                "z.txt"
            ]
        );
        assert_eq!(e[6].kind, crate::protocol::EntryKind::Symlink);
        assert!(e[3].lossy);
        assert_eq!(e[3].raw.as_deref(), Some("626164ff6e616d65"));
        assert_eq!(
            client_rel_path(&e[3].name).as_deref(),
            Some(Path::new(bad)),
            "the name sent back names the file"
        );
        assert!(e[4].raw.is_none() && !e[4].tag.is_empty());
        assert_eq!(e[4].size, 1.0);
    }

    #[test]
    fn natural_order_with_numbers_of_any_size_and_case_folded() {
        let tmp = tempfile::tempdir().unwrap();
        for n in [
            "b",
            "A10",
            "a2",
            "a02x",
            "file100000000000000000000",
            "file99",
            "Zeta",
            "alpha",
        ] {
            std::fs::write(tmp.path().join(n), b"").unwrap();
        }
        let dir = Dir::open_ambient_dir(tmp.path(), ambient_authority()).unwrap();
        let listed = names(&dir).unwrap();
        let names: Vec<_> = listed.iter().map(|n| n.name.to_str().unwrap()).collect();
        assert_eq!(
            names,
            [
                "a2",
                "a02x",
                "A10",
                "alpha",
                "b",
                "file99",
                "file100000000000000000000",
                "Zeta"
            ]
        );
    }

    #[test]
    fn client_paths_only_go_down() {
        assert_eq!(client_rel_path(""), Some(PathBuf::new()));
        assert_eq!(client_rel_path("a/b/"), Some(PathBuf::from("a/b")));
        assert!(client_rel_path("../x").is_none());
        assert!(client_rel_path("a/../../x").is_none());
        assert!(client_rel_path("./a").is_none());
        assert!(client_rel_path("a\0b").is_none());
    }
}
