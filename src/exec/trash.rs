//! `rm` through atajo moves what it removes into the workspace's trash (`.atajo/trash`), one
//! folder per command with a manifest of where each item came from, so `undo` can put it
//! back. A permanent deletion (the user's explicit choice when confirming) really deletes.
//! Messages and exit codes follow GNU rm.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::builtin::{Done, locate, strerror};
use super::quote;
use crate::lang::Lang;
use crate::text;
use crate::workspace::{STATE_DIR, Workspace, rawname, rel_to_string};

const MANIFEST: &str = "manifest.json";

fn trash_dir() -> PathBuf {
    Path::new(STATE_DIR).join("trash")
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub id: String,
    /// Milliseconds since the epoch.
    pub when: u64,
    pub items: Vec<Item>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Item {
    /// Root-relative place it was removed from.
    pub from: String,
    /// Name inside the entry's folder.
    pub stored: String,
}

impl Manifest {
    /// A manifest only moves things between its own folder and plain places in the
    /// workspace: commands can write `.atajo/` (only the policy keeps them out), so one that
    /// names another folder, climbs with `..` or points into atajo's state is ignored.
    fn is_sound(&self, folder: &str) -> bool {
        let plain = |p: &str| {
            let path = Path::new(p);
            !p.is_empty()
                && path
                    .components()
                    .all(|c| matches!(c, std::path::Component::Normal(_)))
                && path
                    .components()
                    .next()
                    .is_some_and(|c| c.as_os_str() != STATE_DIR)
        };
        self.id == folder
            && self.items.iter().all(|i| {
                plain(&i.from) && plain(&i.stored) && Path::new(&i.stored).components().count() == 1
            })
    }
}

fn new_id() -> (String, u64) {
    static N: AtomicU32 = AtomicU32::new(0);
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    (format!("{ms}-{}", N.fetch_add(1, Ordering::Relaxed)), ms)
}

fn quoted(s: &str) -> String {
    quote::shell_always(&rawname::os(s))
}

pub fn rm(
    flags: &str,
    operands: &[&str],
    ws: &Workspace,
    cwd: &Path,
    permanent: bool,
    lang: Lang,
) -> Done {
    let recursive = flags.contains(['r', 'R']);
    let force = flags.contains('f');
    let empty_dirs = flags.contains('d');
    let verbose = flags.contains('v');
    let dir = ws.dir();
    let mut out = String::new();
    let mut code = 0;
    let (id, when) = new_id();
    let entry = trash_dir().join(&id);
    let mut manifest = Manifest {
        id: id.clone(),
        when,
        items: Vec::new(),
    };
    for &operand in operands {
        let fail = |out: &mut String, msg: &str| {
            out.push_str(&format!("rm: cannot remove {}: {msg}\n", quoted(operand)));
        };
        let last = Path::new(operand).components().next_back();
        if matches!(
            last,
            Some(std::path::Component::CurDir | std::path::Component::ParentDir)
        ) {
            out.push_str(&format!(
                "rm: refusing to remove '.' or '..' directory: skipping {}\n",
                quoted(operand)
            ));
            code = 1;
            continue;
        }
        let rel = match locate(ws, cwd, operand) {
            Ok(rel) if !rel.as_os_str().is_empty() => rel,
            Ok(_) => {
                fail(&mut out, "Permission denied");
                code = 1;
                continue;
            }
            Err(e) => {
                fail(&mut out, &strerror(&e));
                code = 1;
                continue;
            }
        };
        let meta = match dir.symlink_metadata(&rel) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound && force => continue,
            Err(e) => {
                fail(&mut out, &strerror(&e));
                code = 1;
                continue;
            }
        };
        if meta.is_dir() && !recursive {
            let empty = dir
                .read_dir(&rel)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false);
            if !(empty_dirs && empty) {
                fail(&mut out, "Is a directory");
                code = 1;
                continue;
            }
        }
        let done = if permanent {
            if meta.is_dir() {
                dir.remove_dir_all(&rel)
            } else {
                dir.remove_file(&rel)
            }
        } else {
            let stored = manifest.items.len().to_string();
            dir.create_dir_all(&entry)
                .and_then(|()| dir.rename(&rel, dir, entry.join(&stored)))
                .map(|()| {
                    manifest.items.push(Item {
                        from: rel_to_string(&rel),
                        stored,
                    });
                })
        };
        match done {
            Ok(()) if verbose => {
                let what = if meta.is_dir() {
                    "removed directory"
                } else {
                    "removed"
                };
                out.push_str(&format!("{what} {}\n", quoted(operand)));
            }
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(libc::EXDEV) => {
                fail(
                    &mut out,
                    "it is on another file system than the trash; confirm a permanent deletion instead",
                );
                code = 1;
            }
            Err(e) => {
                fail(&mut out, &strerror(&e));
                code = 1;
            }
        }
    }
    if !manifest.items.is_empty() {
        let written = serde_json::to_vec_pretty(&manifest)
            .map_err(io::Error::other)
            .and_then(|json| dir.write(entry.join(MANIFEST), json));
        match written {
            Ok(()) => {
                let (n, at) = (manifest.items.len(), rel_to_string(&entry));
                out.push_str(&crate::tr!(lang, "trash_moved", n = n, at = at));
                out.push('\n');
            }
            Err(e) => {
                let (at, why) = (rel_to_string(&entry), text::os_error(lang, &e));
                out.push_str(&crate::tr!(
                    lang,
                    "trash_manifest_failed",
                    at = at,
                    why = why
                ));
                out.push('\n');
                code = 1;
            }
        }
    }
    Done {
        output: out,
        code,
        created: Vec::new(),
    }
}

/// The trash's entries, newest first.
pub fn entries(ws: &Workspace) -> Vec<Manifest> {
    let dir = ws.dir();
    let Ok(list) = dir.read_dir(trash_dir()) else {
        return Vec::new();
    };
    let mut all: Vec<Manifest> = list
        .flatten()
        .filter_map(|e| {
            let folder = e.file_name();
            let bytes = dir.read(trash_dir().join(&folder).join(MANIFEST)).ok()?;
            let m: Manifest = serde_json::from_slice(&bytes).ok()?;
            m.is_sound(folder.to_str()?).then_some(m)
        })
        .collect();
    all.sort_by(|a, b| b.when.cmp(&a.when).then_with(|| b.id.cmp(&a.id)));
    all
}

/// Puts back the newest trash entry (or the one named): every item whose place is free.
pub fn undo(id: Option<&str>, ws: &Workspace, lang: Lang) -> Done {
    let dir = ws.dir();
    let all = entries(ws);
    let found = match id {
        Some(id) => all.into_iter().find(|m| m.id == id),
        None => all.into_iter().next(),
    };
    let Some(manifest) = found else {
        return Done {
            output: match id {
                Some(id) => crate::tr!(lang, "undo_no_entry", id = quoted(id)) + "\n",
                None => crate::tr!(lang, "undo_empty") + "\n",
            },
            code: 1,
            created: Vec::new(),
        };
    };
    let entry = trash_dir().join(&manifest.id);
    let mut out = String::new();
    let mut code = 0;
    let mut left = Vec::new();
    for item in manifest.items {
        let to = rawname::path(&item.from).into_owned();
        let restored = if dir.symlink_metadata(&to).is_ok() {
            Err(io::Error::from_raw_os_error(libc::EEXIST))
        } else {
            let parent_ok = match to.parent() {
                Some(p) if !p.as_os_str().is_empty() => dir.create_dir_all(p),
                _ => Ok(()),
            };
            parent_ok.and_then(|()| dir.rename(entry.join(&item.stored), dir, &to))
        };
        match restored {
            Ok(()) => {
                out.push_str(&crate::tr!(
                    lang,
                    "undo_restored",
                    what = quoted(&item.from)
                ));
                out.push('\n');
            }
            Err(e) => {
                let (what, why) = (quoted(&item.from), text::os_error(lang, &e));
                out.push_str(&crate::tr!(
                    lang,
                    "undo_cannot_restore",
                    what = what,
                    why = why
                ));
                out.push('\n');
                code = 1;
                left.push(item);
            }
        }
    }
    let rest = if left.is_empty() {
        dir.remove_dir_all(&entry)
    } else {
        let m = Manifest {
            id: manifest.id,
            when: manifest.when,
            items: left,
        };
        serde_json::to_vec_pretty(&m)
            .map_err(io::Error::other)
            .and_then(|json| dir.write(entry.join(MANIFEST), json))
    };
    if let Err(e) = rest {
        let why = text::os_error(lang, &e);
        out.push_str(&crate::tr!(lang, "undo_cannot_tidy", why = why));
        out.push('\n');
    }
    Done {
        output: out,
        code,
        created: Vec::new(),
    }
}
