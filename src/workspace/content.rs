//! File contents that are not shell commands — preview, download, upload, edit-and-save —
//! opened only through the root's capability handle. A write goes to a hidden part file next
//! to its target and replaces the target in one rename, so a reader never sees half a file and
//! a failed or cancelled upload leaves the old one as it was. A save that carries the tag the
//! editor started from is refused when the file changed meanwhile.

use std::ffi::OsString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use cap_std::fs::{Metadata, OpenOptions, OpenOptionsExt, PermissionsExt};

use super::{STATE_DIR, Workspace, entry_at};
use crate::protocol::Entry;

#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    #[error("nothing is there")]
    NotFound,
    #[error("it is a folder")]
    IsDir,
    #[error("it is not a regular file")]
    NotFile,
    #[error("the path must be a plain path beneath the root (raw: its bytes in hex)")]
    BadPath,
    #[error("atajo's own state (.atajo) cannot be written from outside")]
    Protected,
    #[error("the file changed on disk since it was opened")]
    Conflict { current: Option<Entry> },
    #[error("a file of that name exists (say to overwrite it)")]
    Exists { current: Option<Entry> },
    #[error("the parent folder does not exist")]
    NoParent,
    #[error("the path leads outside the workspace through a symbolic link")]
    Outside,
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// A root-relative path from its raw bytes (`/`-separated): plain downward components only.
pub fn rel_from_bytes(bytes: &[u8]) -> Result<PathBuf, ContentError> {
    let p = PathBuf::from(OsString::from(std::ffi::OsStr::from_bytes(bytes)));
    let plain = p.components().all(|c| matches!(c, Component::Normal(_)));
    if plain && !bytes.contains(&0) {
        Ok(p)
    } else {
        Err(ContentError::BadPath)
    }
}

/// A root-relative path from its raw bytes in hex (two digits per byte), as clients send a path
/// whose names are not UTF-8.
pub fn rel_from_hex(hex: &str) -> Result<PathBuf, ContentError> {
    if !hex.len().is_multiple_of(2) {
        return Err(ContentError::BadPath);
    }
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect();
    rel_from_bytes(&bytes.ok_or(ContentError::BadPath)?)
}

/// What a path is, without following a final symlink.
pub fn stat(ws: &Workspace, rel: &Path) -> Result<Metadata, ContentError> {
    if rel.as_os_str().is_empty() {
        return Ok(ws.dir().dir_metadata()?);
    }
    match ws.dir().symlink_metadata(rel) {
        Ok(m) => Ok(m),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(ContentError::NotFound),
        Err(e) => Err(e.into()),
    }
}

/// cap-std's refusal of a path that leaves the root (through a link): its only sign is its
/// text, "a path led outside of the filesystem".
pub fn leads_outside(e: &io::Error) -> bool {
    e.raw_os_error().is_none() && e.to_string().contains("outside of the filesystem")
}

/// Opens a regular file for reading, with its entry (the tag it had when opened).
pub fn open_read(ws: &Workspace, rel: &Path) -> Result<(std::fs::File, Entry), ContentError> {
    let mut meta = stat(ws, rel)?;
    if meta.file_type().is_symlink() {
        // A link is read where it leads, if that is beneath the root (cap-std follows it
        // only there); one that leads outside is a refusal, not a missing file.
        meta = match ws.dir().metadata(rel) {
            Ok(m) => m,
            Err(e) if leads_outside(&e) => return Err(ContentError::Outside),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(ContentError::NotFound),
            Err(e) => return Err(e.into()),
        };
    }
    if meta.is_dir() {
        return Err(ContentError::IsDir);
    }
    if !meta.is_file() {
        return Err(ContentError::NotFile);
    }
    let file = ws.dir().open(rel)?.into_std();
    let entry = entry_at(ws.dir(), rel)?.ok_or(ContentError::NotFound)?;
    Ok((file, entry))
}

/// How a write may treat what is already there.
#[derive(Debug, Clone, Default)]
pub struct WriteRules {
    /// Replace only the file with this tag (an editor's save).
    pub if_match: Option<String>,
    /// Replace an existing file (an upload the user said to overwrite).
    pub overwrite: bool,
    /// Create missing parent folders (a folder dropped from the desktop).
    pub parents: bool,
}

/// A write in progress: the part file to fill, then `commit` or `abort`.
#[derive(Debug)]
pub struct PartFile {
    pub file: std::fs::File,
    part: PathBuf,
    target: PathBuf,
    rules: WriteRules,
}

fn check_target(ws: &Workspace, target: &Path, rules: &WriteRules) -> Result<(), ContentError> {
    let current = entry_at(ws.dir(), target)?;
    match (&rules.if_match, current) {
        (Some(tag), Some(e)) if *tag == e.tag => Ok(()),
        (Some(_), current) => Err(ContentError::Conflict { current }),
        (None, Some(e)) if e.kind == crate::protocol::EntryKind::Dir => Err(ContentError::IsDir),
        (None, Some(e)) if !rules.overwrite => Err(ContentError::Exists { current: Some(e) }),
        (None, _) => Ok(()),
    }
}

/// Makes a folder and any missing parents (an empty folder in a dropped tree); one that is
/// already there is fine.
pub fn make_folder(ws: &Workspace, target: &Path) -> Result<Entry, ContentError> {
    if target.as_os_str().is_empty() {
        return Err(ContentError::BadPath);
    }
    if target
        .components()
        .next()
        .is_some_and(|c| c.as_os_str() == STATE_DIR)
    {
        return Err(ContentError::Protected);
    }
    match ws.dir().create_dir_all(target) {
        // Something else by that name: said below, with what it is.
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e.into()),
    }
    let entry = entry_at(ws.dir(), target)?.ok_or(ContentError::NotFound)?;
    if entry.kind == crate::protocol::EntryKind::Dir {
        Ok(entry)
    } else {
        Err(ContentError::Exists {
            current: Some(entry),
        })
    }
}

/// Starts writing `target`: checks it may be written as `rules` say, then opens a hidden part
/// file beside it.
pub fn begin_write(
    ws: &Workspace,
    target: &Path,
    rules: WriteRules,
) -> Result<PartFile, ContentError> {
    let name = target.file_name().ok_or(ContentError::BadPath)?;
    if target
        .components()
        .next()
        .is_some_and(|c| c.as_os_str() == STATE_DIR)
    {
        return Err(ContentError::Protected);
    }
    let parent = target.parent().unwrap_or(Path::new(""));
    if !parent.as_os_str().is_empty() {
        match ws.dir().metadata(parent) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(ContentError::NoParent),
            Err(e) if e.kind() == io::ErrorKind::NotFound && rules.parents => {
                ws.dir().create_dir_all(parent)?;
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(ContentError::NoParent),
            Err(e) => return Err(e.into()),
        }
    }
    check_target(ws, target, &rules)?;
    // An edited file keeps its permissions.
    let mode = ws
        .dir()
        .metadata(target)
        .map_or(0o644, |m| m.permissions().mode() & 0o7777);
    let mut suffix = [0u8; 6];
    let _ = getrandom::fill(&mut suffix);
    let tail: String = suffix.iter().map(|b| format!("{b:02x}")).collect();
    let mut part_name = OsString::from(".");
    part_name.push(name);
    part_name.push(format!(".atajo-part-{tail}"));
    let part = parent.join(part_name);
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true).mode(mode);
    let file = ws.dir().open_with(&part, &opts)?.into_std();
    Ok(PartFile {
        file,
        part,
        target: target.to_path_buf(),
        rules,
    })
}

impl PartFile {
    /// Puts the written file in place (checked again: someone may have written meanwhile) and
    /// returns its entry.
    pub fn commit(self, ws: &Workspace) -> Result<Entry, ContentError> {
        let done = self
            .file
            .sync_data()
            .map_err(ContentError::from)
            .and_then(|()| check_target(ws, &self.target, &self.rules))
            .and_then(|()| {
                ws.dir()
                    .rename(&self.part, ws.dir(), &self.target)
                    .map_err(ContentError::from)
            });
        match done {
            Ok(()) => entry_at(ws.dir(), &self.target)?.ok_or(ContentError::NotFound),
            Err(e) => {
                let _ = ws.dir().remove_file(&self.part);
                Err(e)
            }
        }
    }

    /// Drops what was written; the target is as it was.
    pub fn abort(self, ws: &Workspace) {
        if let Err(e) = ws.dir().remove_file(&self.part) {
            tracing::warn!(error = %e, part = %self.part.display(), "cannot remove a part file");
        }
    }

    pub fn target(&self) -> &Path {
        &self.target
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn ws() -> (tempfile::TempDir, Workspace) {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("docs")).unwrap();
        std::fs::write(tmp.path().join("docs/a.txt"), "old").unwrap();
        let ws = Workspace::open(tmp.path()).unwrap();
        (tmp, ws)
    }

    fn write(
        ws: &Workspace,
        rel: &str,
        data: &str,
        rules: WriteRules,
    ) -> Result<Entry, ContentError> {
        let mut part = begin_write(ws, Path::new(rel), rules)?;
        part.file.write_all(data.as_bytes())?;
        part.commit(ws)
    }

    fn read(ws: &Workspace, rel: &str) -> String {
        std::fs::read_to_string(ws.root().join(rel)).unwrap()
    }

    #[test]
    fn writes_replace_in_one_step_and_respect_what_is_there() {
        let (_t, ws) = ws();
        let e = write(&ws, "docs/new.txt", "hola", WriteRules::default()).unwrap();
        assert_eq!(e.size, 4.0);
        assert!(matches!(
            write(&ws, "docs/a.txt", "x", WriteRules::default()),
            Err(ContentError::Exists { .. })
        ));
        assert_eq!(read(&ws, "docs/a.txt"), "old");
        let overwrite = WriteRules {
            overwrite: true,
            ..Default::default()
        };
        write(&ws, "docs/a.txt", "new", overwrite).unwrap();
        assert_eq!(read(&ws, "docs/a.txt"), "new");
        assert!(matches!(
            write(
                &ws,
                "docs",
                "x",
                WriteRules {
                    overwrite: true,
                    ..Default::default()
                }
            ),
            Err(ContentError::IsDir)
        ));
        assert!(matches!(
            write(&ws, ".atajo/x", "x", WriteRules::default()),
            Err(ContentError::Protected)
        ));
        assert!(matches!(
            write(&ws, "deep/er/x", "x", WriteRules::default()),
            Err(ContentError::NoParent)
        ));
        let parents = WriteRules {
            parents: true,
            ..Default::default()
        };
        write(&ws, "deep/er/x", "x", parents).unwrap();
        assert_eq!(read(&ws, "deep/er/x"), "x");
        assert!(make_folder(&ws, Path::new("empty/inside")).is_ok());
        assert!(ws.root().join("empty/inside").is_dir());
        assert!(
            make_folder(&ws, Path::new("empty/inside")).is_ok(),
            "already there is fine"
        );
        assert!(matches!(
            make_folder(&ws, Path::new("docs/a.txt")),
            Err(ContentError::Exists { .. })
        ));
        assert!(matches!(
            make_folder(&ws, Path::new(".atajo/x")),
            Err(ContentError::Protected)
        ));
        // No part file is left behind.
        let left: Vec<_> = std::fs::read_dir(ws.root().join("docs"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left.len(), 2, "{left:?}");
    }

    #[test]
    fn a_save_with_a_stale_tag_is_a_conflict_and_keeps_the_other_write() {
        let (_t, ws) = ws();
        let (_, opened) = open_read(&ws, Path::new("docs/a.txt")).unwrap();
        std::fs::write(ws.root().join("docs/a.txt"), "someone else's").unwrap();
        let save = WriteRules {
            if_match: Some(opened.tag.clone()),
            ..Default::default()
        };
        match write(&ws, "docs/a.txt", "mine", save) {
            Err(ContentError::Conflict { current: Some(c) }) => assert_ne!(c.tag, opened.tag),
            other => panic!("{other:?}"),
        }
        assert_eq!(read(&ws, "docs/a.txt"), "someone else's");
        // Changed while the part file was being written: refused at commit, part removed.
        let (_, now) = open_read(&ws, Path::new("docs/a.txt")).unwrap();
        let mut part = begin_write(
            &ws,
            Path::new("docs/a.txt"),
            WriteRules {
                if_match: Some(now.tag),
                ..Default::default()
            },
        )
        .unwrap();
        part.file.write_all(b"mine").unwrap();
        std::fs::write(ws.root().join("docs/a.txt"), "a third write!").unwrap();
        assert!(matches!(
            part.commit(&ws),
            Err(ContentError::Conflict { .. })
        ));
        assert_eq!(read(&ws, "docs/a.txt"), "a third write!");
        assert_eq!(
            std::fs::read_dir(ws.root().join("docs")).unwrap().count(),
            1
        );
    }

    #[test]
    fn an_aborted_write_leaves_the_old_file() {
        let (_t, ws) = ws();
        let mut part = begin_write(
            &ws,
            Path::new("docs/a.txt"),
            WriteRules {
                overwrite: true,
                ..Default::default()
            },
        )
        .unwrap();
        part.file.write_all(b"half").unwrap();
        part.abort(&ws);
        assert_eq!(read(&ws, "docs/a.txt"), "old");
        assert_eq!(
            std::fs::read_dir(ws.root().join("docs")).unwrap().count(),
            1
        );
    }

    #[test]
    fn paths_from_bytes_stay_beneath_the_root() {
        assert!(rel_from_bytes(b"docs/a\xff.txt").is_ok());
        assert!(rel_from_bytes(b"").is_ok());
        for bad in [&b"../x"[..], b"/etc/passwd", b"a/../../x", b"a\0b"] {
            assert!(
                matches!(rel_from_bytes(bad), Err(ContentError::BadPath)),
                "{bad:?}"
            );
        }
        let (_t, ws) = ws();
        assert!(matches!(
            open_read(&ws, Path::new("docs")),
            Err(ContentError::IsDir)
        ));
        assert!(matches!(
            open_read(&ws, Path::new("nothing")),
            Err(ContentError::NotFound)
        ));
    }
}
