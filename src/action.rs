//! Explorer actions as the shell commands they stand for. A click never does anything itself:
//! it becomes `mkdir 'nueva carpeta'` or `mv a docs/`, which the session then judges and runs
//! like a typed command, so the terminal shows it, the policy decides and history records it.
//!
//! What a command cannot say — "the entry I saw", "a name that is still free" — is checked here
//! just before the command is made: a tag that no longer matches refuses the action as a
//! conflict, a taken name as such.

use std::path::{Component, Path, PathBuf};

use crate::lang::Lang;
use crate::protocol::{Action, EntryKind, ItemRef, RefusalKind};
use crate::workspace::{
    Workspace, client_rel_path, entry_at, rawname, rel_from_hex, rel_to_string,
};

/// The command an action stands for, and the line that explains it in the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    pub command: String,
    pub explanation: String,
    /// `Open`: moves the shared folder, so it must not wait behind a running command.
    pub moves_cwd: bool,
}

/// Why an action did not become a command, in the user's language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Refused {
    pub kind: RefusalKind,
    pub message: String,
}

fn refused(kind: RefusalKind, message: String) -> Refused {
    Refused { kind, message }
}

/// Makes the command for `action`, with paths relative to the session's folder `cwd`.
pub fn build(ws: &Workspace, cwd: &Path, action: &Action, lang: Lang) -> Result<Built, Refused> {
    let b = Builder { ws, cwd, lang };
    let (command, explanation) = match action {
        Action::NewFolder { dir, name } => b.create(dir, name, "mkdir", true)?,
        Action::NewFile { dir, name } => b.create(dir, name, "touch", false)?,
        Action::Rename { item, name } => b.rename(item, name)?,
        Action::Move { items, to } => b.relocate(items, to, false)?,
        Action::Copy { items, to } => b.relocate(items, to, true)?,
        Action::Delete { items } => b.delete(items)?,
        Action::Open { path } => {
            let rel = b.folder(path)?;
            let command = format!("cd {}", operands(&[word(&relative(cwd, &rel))]));
            return Ok(Built {
                command,
                explanation: crate::tr!(lang, "explorer_open"),
                moves_cwd: true,
            });
        }
        Action::Undo { trash } => {
            let command = match trash {
                Some(id)
                    if !id.is_empty() && id.chars().all(|c| c.is_ascii_digit() || c == '-') =>
                {
                    format!("undo {id}")
                }
                Some(id) => {
                    return Err(refused(
                        RefusalKind::Invalid,
                        crate::tr!(lang, "not_trash_entry", id = id),
                    ));
                }
                None => "undo".to_owned(),
            };
            (command, crate::tr!(lang, "explorer_undo"))
        }
    };
    Ok(Built {
        command,
        explanation,
        moves_cwd: false,
    })
}

struct Builder<'a> {
    ws: &'a Workspace,
    cwd: &'a Path,
    lang: Lang,
}

impl Builder<'_> {
    fn invalid(&self, message: String) -> Refused {
        refused(RefusalKind::Invalid, message)
    }

    /// A root-relative path the client sent, refused unless it goes only downwards.
    fn rel(&self, path: &str) -> Result<PathBuf, Refused> {
        if path.contains('\u{FFFD}') {
            return Err(self.invalid(crate::tr!(self.lang, "shown_name", path = path)));
        }
        client_rel_path(path)
            .ok_or_else(|| self.invalid(crate::tr!(self.lang, "outside", path = path)))
    }

    /// An existing folder (the root included).
    fn folder(&self, path: &str) -> Result<PathBuf, Refused> {
        let rel = self.rel(path)?;
        let is_dir = rel.as_os_str().is_empty()
            || self
                .ws
                .dir()
                .metadata(&rel)
                .is_ok_and(|m| m.is_dir() && !is_symlink(self.ws, &rel));
        if is_dir {
            Ok(rel)
        } else {
            Err(refused(
                RefusalKind::Missing,
                crate::tr!(self.lang, "folder_gone", path = path),
            ))
        }
    }

    /// An entry the client saw: still there, and unchanged if the client said how it was.
    fn item(&self, item: &ItemRef) -> Result<(PathBuf, EntryKind), Refused> {
        let rel = match &item.raw {
            // A name that is not UTF-8: its real bytes, as the listing gave them.
            Some(hex) => rel_from_hex(hex).map_err(|_| {
                self.invalid(crate::tr!(self.lang, "bad_name_bytes", path = item.path))
            })?,
            None => self.rel(&item.path)?,
        };
        if rel.as_os_str().is_empty() {
            return Err(self.invalid(crate::tr!(self.lang, "root_fixed")));
        }
        let entry = entry_at(self.ws.dir(), &rel)
            .ok()
            .flatten()
            .ok_or_else(|| {
                refused(
                    RefusalKind::Missing,
                    crate::tr!(self.lang, "item_gone", path = item.path),
                )
            })?;
        if item.tag.as_ref().is_some_and(|t| *t != entry.tag) {
            return Err(refused(
                RefusalKind::Conflict,
                crate::tr!(self.lang, "item_changed", path = item.path),
            ));
        }
        Ok((rel, entry.kind))
    }

    fn name<'n>(&self, name: &'n str) -> Result<&'n str, Refused> {
        let bad = name.is_empty()
            || name == "."
            || name == ".."
            || name.contains('/')
            || name.contains('\0')
            || name.len() > 255
            || name.trim().is_empty();
        if bad {
            return Err(self.invalid(crate::tr!(self.lang, "bad_name", name = name)));
        }
        Ok(name)
    }

    fn taken(&self, rel: &Path) -> bool {
        self.ws.dir().symlink_metadata(rel).is_ok()
    }

    fn exists(&self, rel: &Path) -> Refused {
        let shown = rel_to_string(rel);
        refused(
            RefusalKind::Exists,
            crate::tr!(self.lang, "exists", path = shown),
        )
    }

    fn arg(&self, rel: &Path) -> String {
        word(&relative(self.cwd, rel))
    }

    fn create(
        &self,
        dir: &str,
        name: &str,
        program: &str,
        folder: bool,
    ) -> Result<(String, String), Refused> {
        let parent = self.folder(dir)?;
        let target = parent.join(self.name(name)?);
        if self.taken(&target) {
            return Err(self.exists(&target));
        }
        Ok((
            format!("{program} {}", operands(&[self.arg(&target)])),
            if folder {
                crate::tr!(self.lang, "explorer_new_folder")
            } else {
                crate::tr!(self.lang, "explorer_new_file")
            },
        ))
    }

    fn rename(&self, item: &ItemRef, name: &str) -> Result<(String, String), Refused> {
        let (from, _) = self.item(item)?;
        let to = from.with_file_name(self.name(name)?);
        if to == from {
            return Err(self.invalid(crate::tr!(self.lang, "same_name")));
        }
        if self.taken(&to) {
            return Err(self.exists(&to));
        }
        // -T: should a folder of that name appear meanwhile, fail instead of moving into it.
        Ok((
            format!("mv -T {}", operands(&[self.arg(&from), self.arg(&to)])),
            crate::tr!(self.lang, "explorer_rename"),
        ))
    }

    fn items(&self, items: &[ItemRef]) -> Result<Vec<(PathBuf, EntryKind)>, Refused> {
        if items.is_empty() {
            return Err(self.invalid(crate::tr!(self.lang, "nothing_selected")));
        }
        if items.len() > 10_000 {
            return Err(self.invalid(crate::tr!(self.lang, "too_many_items")));
        }
        let mut out: Vec<(PathBuf, EntryKind)> = Vec::with_capacity(items.len());
        for i in items {
            let found = self.item(i)?;
            if !out.iter().any(|(p, _)| *p == found.0) {
                out.push(found);
            }
        }
        Ok(out)
    }

    fn relocate(
        &self,
        items: &[ItemRef],
        to: &str,
        copy: bool,
    ) -> Result<(String, String), Refused> {
        let dest = self.folder(to)?;
        let items = self.items(items)?;
        for (p, _) in &items {
            if dest.starts_with(p) {
                let path = rel_to_string(p);
                return Err(self.invalid(crate::tr!(self.lang, "into_itself", path = path)));
            }
        }
        let explanation = if copy {
            crate::tr!(self.lang, "explorer_copy")
        } else {
            crate::tr!(self.lang, "explorer_move")
        };
        if !copy {
            let moving: Vec<_> = items
                .iter()
                .filter(|(p, _)| p.parent() != Some(dest.as_path()))
                .collect();
            if moving.is_empty() {
                return Err(self.invalid(crate::tr!(self.lang, "already_there")));
            }
            let mut args: Vec<String> = moving.iter().map(|(p, _)| self.arg(p)).collect();
            args.push(self.dest_arg(&dest));
            return Ok((format!("mv {}", operands(&args)), explanation));
        }
        // A copy never replaces: a taken name gets the first free "name (copy N)".
        let mut plain = Vec::new();
        let mut renamed = Vec::new();
        let mut claimed: Vec<PathBuf> = Vec::new();
        for (p, kind) in &items {
            let Some(name) = p.file_name().map(rawname::text) else {
                continue;
            };
            let mut target = dest.join(&*rawname::path(&name));
            if self.taken(&target) || claimed.contains(&target) {
                target = self.free_copy_name(&dest, &name, *kind == EntryKind::Dir, &claimed);
                renamed.push(operands(&[self.arg(p), self.arg(&target)]));
            } else {
                plain.push(self.arg(p));
            }
            claimed.push(target);
        }
        let recursive = if items.iter().any(|(_, k)| *k == EntryKind::Dir) {
            "-r "
        } else {
            ""
        };
        let mut commands = Vec::new();
        if !plain.is_empty() {
            plain.push(self.dest_arg(&dest));
            commands.push(format!("cp {recursive}{}", operands(&plain)));
        }
        for pair in renamed {
            commands.push(format!("cp {recursive}-T {pair}"));
        }
        Ok((commands.join(" && "), explanation))
    }

    /// The folder as a destination: `docs/` (the slash says "into"), `.` for here.
    fn dest_arg(&self, dest: &Path) -> String {
        let rel = relative(self.cwd, dest);
        if rel == "." || rel.ends_with("..") {
            word(&rel)
        } else {
            word(&format!("{rel}/"))
        }
    }

    fn free_copy_name(&self, dest: &Path, name: &str, dir: bool, claimed: &[PathBuf]) -> PathBuf {
        // "notes.txt" → "notes (copy).txt"; a folder or ".bashrc" keeps its whole name.
        let (stem, ext) = match name.rfind('.') {
            Some(i) if i > 0 && !dir => name.split_at(i),
            _ => (name, ""),
        };
        let word = crate::tr!(self.lang, "copy_word");
        (1..)
            .map(|n| {
                let label = if n == 1 {
                    word.clone()
                } else {
                    format!("{word} {n}")
                };
                dest.join(&*rawname::path(&format!("{stem} ({label}){ext}")))
            })
            .find(|p| !self.taken(p) && !claimed.contains(p))
            .unwrap_or_else(|| dest.join(&*rawname::path(name)))
    }

    fn delete(&self, items: &[ItemRef]) -> Result<(String, String), Refused> {
        let items = self.items(items)?;
        let recursive = if items.iter().any(|(_, k)| *k == EntryKind::Dir) {
            "-r "
        } else {
            ""
        };
        let args: Vec<String> = items.iter().map(|(p, _)| self.arg(p)).collect();
        Ok((
            format!("rm {recursive}{}", operands(&args)),
            crate::tr!(self.lang, "explorer_delete"),
        ))
    }
}

fn is_symlink(ws: &Workspace, rel: &Path) -> bool {
    ws.dir()
        .symlink_metadata(rel)
        .is_ok_and(|m| m.file_type().is_symlink())
}

/// Operands joined as shell words, after `--` only when one of them would read as an option.
fn operands(words: &[String]) -> String {
    let joined = words.join(" ");
    if words.iter().any(|w| w.starts_with('-')) {
        format!("-- {joined}")
    } else {
        joined
    }
}

/// `target` as seen from `from` (both root-relative): `..` up to what they share, then down.
pub fn relative(from: &Path, target: &Path) -> String {
    let a: Vec<Component> = from.components().collect();
    let b: Vec<Component> = target.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".to_owned(); a.len() - common];
    parts.extend(
        b[common..]
            .iter()
            .map(|c| rawname::text(c.as_os_str()).into_owned()),
    );
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

/// One shell word for `s`: bare when nothing in it means anything to the shell, else in single
/// quotes (a `'` inside becomes `'\''`); `$'…'` when it carries bytes that are not UTF-8.
pub fn word(s: &str) -> String {
    if let Some(w) = rawname::ansi_c_word(s) {
        return w;
    }
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._/-+,:@%".contains(c));
    if plain {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests;
