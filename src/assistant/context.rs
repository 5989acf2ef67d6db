//! What the assistant may know about the workspace: the names beneath the current folder (and
//! beside it, up to the root), so "la carpeta musica" finds `música`, "el informe del año
//! 2024" finds `Informe año 2024.txt` and "copia main.py a docs" from `src/` finds `../docs`.
//! Only names and kinds, never contents.
//!
//! It is a view of the workspace model (`workspace::tree`), held for one translation: every
//! lookup is a query of the model's indexes (by path, folded name, word, extension), so it
//! costs the same beside 10 entries as beside 100,000, and nothing is read from disk.

use std::ops::Deref;
use std::path::Path;
use std::sync::RwLockReadGuard;

use memchr::memmem;

use super::words::fold;
use crate::protocol::EntryKind;
use crate::workspace::tree::{LAZY, Meta, Model, ROOT};

/// How far below the current folder a name is found without its path: "the jazz folder
/// inside música", not something six folders down.
const MAX_DEPTH: usize = 4;
/// Entries a description looks at among the word index's candidates (and the folders' contents
/// they lead to) at most.
const SCAN_AT_MOST: usize = 4000;
/// Entries near the folder looked through when no name holds a word whole.
const NEAR_AT_MOST: usize = 1000;

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Relative to the current folder, `/`-separated; `../x` for names beside it.
    pub path: String,
    pub name: String,
    pub folded: String,
    pub folded_path: String,
    pub dir: bool,
}

impl Entry {
    fn new(path: String, dir: bool) -> Self {
        let name = path.rsplit('/').next().unwrap_or(&path).to_owned();
        Self {
            folded: fold(&name),
            folded_path: fold(&path),
            name,
            path,
            dir,
        }
    }

    pub fn parent(&self) -> &str {
        self.path.rsplit_once('/').map_or("", |(p, _)| p)
    }

    pub fn ext(&self) -> Option<&str> {
        self.name
            .rsplit_once('.')
            .filter(|(stem, _)| !stem.is_empty())
            .map(|(_, e)| e)
    }
}

enum Held<'a> {
    Shared(RwLockReadGuard<'a, Model>),
    Owned(Box<Model>),
}

impl Deref for Held<'_> {
    type Target = Model;

    fn deref(&self) -> &Model {
        match self {
            Held::Shared(g) => g,
            Held::Owned(m) => m,
        }
    }
}

/// Where a node stands relative to the current folder.
enum Place {
    /// Beneath it, this many levels down (1: a child).
    Below(usize),
    /// A child of the folder this many levels up.
    Beside(usize),
}

pub struct Context<'a> {
    model: Held<'a>,
    /// The current folder, `None` when the model does not hold it (nothing is known then).
    cwd: Option<u32>,
    /// The current folder and its ancestors up to the root, nearest first.
    chain: Vec<u32>,
    /// Whether the model's root is the workspace's top (not a guessed one, or a test's).
    rooted: bool,
}

impl std::fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("cwd", &self.cwd)
            .finish_non_exhaustive()
    }
}

impl Default for Context<'_> {
    fn default() -> Self {
        Self::empty()
    }
}

fn is_lazy(name: &[u8]) -> bool {
    LAZY.iter().any(|l| name == l.as_bytes())
}

impl<'a> Context<'a> {
    /// The view from `cwd` (root-relative) of a model held for reading.
    pub fn new(model: RwLockReadGuard<'a, Model>, cwd: &Path) -> Self {
        Self::over(Held::Shared(model), cwd)
    }

    fn over(model: Held<'a>, cwd: &Path) -> Self {
        let cwd = model.lookup(cwd).filter(|&id| model.is_dir(id));
        let chain = cwd
            .map(|c| std::iter::successors(Some(c), |&n| model.parent(n)).collect())
            .unwrap_or_default();
        Self {
            model,
            cwd,
            chain,
            rooted: true,
        }
    }

    pub fn empty() -> Self {
        Self::over(Held::Owned(Box::default()), Path::new(""))
    }

    /// How many folders the current one is below the root (0 at the root), when known.
    pub fn depth(&self) -> Option<usize> {
        self.cwd
            .filter(|_| self.rooted)
            .map(|_| self.chain.len().saturating_sub(1))
    }

    /// `(path, is_dir)` pairs beneath the current folder, for tests and benchmarks.
    pub fn from_entries<'e>(entries: impl IntoIterator<Item = (&'e str, bool)>) -> Self {
        let mut m = Model::new();
        let mut ino = 0;
        let mut meta = |dir: bool| {
            ino += 1;
            Meta {
                kind: if dir { EntryKind::Dir } else { EntryKind::File },
                mode: if dir { 0o40755 } else { 0o100644 },
                size: 0,
                mtime_ns: 0,
                ino,
            }
        };
        for (path, dir) in entries {
            let mut at = ROOT;
            let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
            for (i, part) in parts.iter().enumerate() {
                let last = i + 1 == parts.len();
                at = match m.child(at, part.as_bytes()) {
                    Some(c) if !last || m.is_dir(c) == dir => c,
                    _ => m.upsert(at, part.as_bytes(), meta(!last || dir)).id(),
                };
            }
        }
        // What lies above these entries is not known: they may be anywhere in a workspace.
        Self::over(Held::Owned(Box::new(m)), Path::new("")).unrooted()
    }

    /// The same view, its root taken for the workspace's top.
    pub fn at_top(self) -> Self {
        Self {
            rooted: true,
            ..self
        }
    }

    /// The same view, its root no longer taken for the workspace's top (a guessed one).
    pub fn unrooted(self) -> Self {
        Self {
            rooted: false,
            ..self
        }
    }

    /// The whole tree's fingerprint (see `Model::fingerprint`).
    pub fn fingerprint(&self) -> u64 {
        self.model.fingerprint()
    }

    /// Where `id` stands from the current folder, if the assistant may name it without a path:
    /// at most `MAX_DEPTH` levels down and not inside a folder like `node_modules`, or a child
    /// of a folder above (but not that way up itself).
    fn place(&self, id: u32) -> Option<Place> {
        let m = &*self.model;
        let cwd = self.cwd?;
        let parent = m.parent(id)?;
        if let Some(up) = self.chain.iter().position(|&c| c == parent) {
            if up == 0 {
                return Some(Place::Below(1));
            }
            return (!self.chain.contains(&id)).then_some(Place::Beside(up));
        }
        let mut depth = 1;
        let mut at = parent;
        while at != cwd {
            depth += 1;
            if depth > MAX_DEPTH || is_lazy(m.name(at)) {
                return None;
            }
            at = m.parent(at)?;
        }
        Some(Place::Below(depth))
    }

    /// The path of `id` as the current folder sees it.
    fn rel_path(&self, id: u32, place: &Place) -> Option<String> {
        let m = &*self.model;
        let name = m.name_str(id)?;
        match *place {
            Place::Beside(up) => Some(format!("{}{name}", "../".repeat(up))),
            Place::Below(depth) => {
                let mut parts = vec![name];
                let mut at = id;
                for _ in 1..depth {
                    at = m.parent(at)?;
                    parts.push(m.name_str(at)?);
                }
                parts.reverse();
                Some(parts.join("/"))
            }
        }
    }

    fn entry(&self, id: u32) -> Option<Entry> {
        let place = self.place(id)?;
        Some(Entry::new(
            self.rel_path(id, &place)?,
            self.model.is_dir(id),
        ))
    }

    /// The node at `path` (relative to the current folder): each step spelt exactly or, when
    /// no name is spelt so, differing only in case and accents from exactly one.
    fn resolve(&self, path: &str) -> Option<(u32, String)> {
        let m = &*self.model;
        let mut at = self.cwd?;
        let mut shown: Vec<String> = Vec::new();
        for part in path.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    at = m.parent(at)?;
                    if shown.last().is_some_and(|s| s != "..") {
                        shown.pop();
                    } else {
                        shown.push("..".into());
                    }
                }
                name => {
                    let exact = m
                        .child(at, name.as_bytes())
                        .filter(|&c| m.name_str(c).is_some());
                    let next = match exact {
                        Some(c) => c,
                        None => {
                            let folded = fold(name);
                            let mut hits = m.named(&folded).filter(|&c| m.parent(c) == Some(at));
                            let first = hits.next()?;
                            if hits.next().is_some() {
                                return None;
                            }
                            first
                        }
                    };
                    shown.push(m.name_str(next)?.to_owned());
                    at = next;
                }
            }
        }
        (at != self.cwd?).then(|| (at, shown.join("/")))
    }

    /// The entry at `path` (relative to the current folder), spelt exactly or differing only
    /// in case and accents; an exact spelling wins.
    pub fn get(&self, path: &str) -> Option<Entry> {
        let path = path.trim_end_matches('/');
        let path = path.strip_prefix("./").unwrap_or(path);
        if path.is_empty() || path == "." {
            return None;
        }
        let (id, shown) = self.resolve(path)?;
        Some(Entry::new(shown, self.model.is_dir(id)))
    }

    /// Whether `dir` (relative, "" for here) is a folder we know of.
    pub fn is_dir(&self, dir: &str) -> bool {
        dir.is_empty() || dir == "." || self.get(dir).is_some_and(|e| e.dir)
    }

    /// The entries in `dir` (relative to the current folder; "" or "." for here).
    pub fn children(&self, dir: &str) -> impl Iterator<Item = Entry> + '_ {
        let dir = dir.trim_end_matches('/');
        let dir = if dir == "." { "" } else { dir };
        let (id, prefix) = if dir.is_empty() {
            (self.cwd, String::new())
        } else {
            match self.resolve(dir) {
                Some((id, shown)) => (Some(id), format!("{shown}/")),
                None => (None, String::new()),
            }
        };
        let m = &*self.model;
        id.into_iter()
            .flat_map(move |id| m.children(id))
            .filter_map(move |c| {
                let name = m.name_str(c)?;
                Some(Entry::new(format!("{prefix}{name}"), m.is_dir(c)))
            })
    }

    /// The one file in `dir` that is the biggest (`by_size`, `most`), smallest, newest or
    /// oldest, among those with one of `exts`; `None` when there is none or two tie.
    pub fn extreme(
        &self,
        dir: &str,
        by_size: bool,
        most: bool,
        exts: Option<&[String]>,
    ) -> Option<Entry> {
        let m = &*self.model;
        let id = self.folder(dir)?;
        let key = |c: u32| {
            let meta = m.meta(c);
            let k = if by_size {
                meta.size as i128
            } else {
                i128::from(meta.mtime_ns)
            };
            if most { -k } else { k }
        };
        let mut files: Vec<(i128, u32)> = m
            .children(id)
            .filter(|&c| !m.is_dir(c))
            .filter(|&c| {
                let Some(name) = m.name_str(c) else {
                    return false;
                };
                !name.starts_with('.')
                    && exts.is_none_or(|x| {
                        name.rsplit_once('.')
                            .is_some_and(|(_, e)| x.iter().any(|w| w.eq_ignore_ascii_case(e)))
                    })
            })
            .map(|c| (key(c), c))
            .collect();
        files.sort_unstable();
        match files.as_slice() {
            [(a, c), (b, _), ..] if a != b => self.entry_in(dir, *c),
            [(_, c)] => self.entry_in(dir, *c),
            _ => None,
        }
    }

    fn entry_in(&self, dir: &str, id: u32) -> Option<Entry> {
        let name = self.model.name_str(id)?;
        let dir = dir.trim_end_matches('/');
        let path = if dir.is_empty() || dir == "." {
            name.to_owned()
        } else {
            format!("{dir}/{name}")
        };
        Some(Entry::new(path, false))
    }

    /// The folder `dir` (relative; "" or "." for here) as a node.
    fn folder(&self, dir: &str) -> Option<u32> {
        let dir = dir.trim_end_matches('/');
        if dir.is_empty() || dir == "." {
            self.cwd
        } else {
            self.resolve(dir).map(|(id, _)| id)
        }
    }

    /// The names in `dir` and whether each is a folder, without building entries: for
    /// questions about every entry of a folder that may hold 100,000.
    pub fn child_names(&self, dir: &str) -> impl Iterator<Item = (&str, bool)> + '_ {
        let m = &*self.model;
        self.folder(dir)
            .into_iter()
            .flat_map(move |id| m.children(id))
            .filter_map(move |c| Some((m.name_str(c)?, m.is_dir(c))))
    }

    /// Whether some entry in `dir` has a name ending in `.ext` (as written): from the model's
    /// extension index or the folder's names, whichever is fewer.
    pub fn has_ext(&self, dir: &str, ext: &str) -> bool {
        let m = &*self.model;
        let Some(id) = self.folder(dir) else {
            return false;
        };
        let suffix = format!(".{ext}");
        let fits = |name: &str| name.len() > suffix.len() && name.ends_with(&suffix);
        let folded = fold(ext);
        if m.extension_count(&folded) < m.child_count(id) {
            m.with_extension(&folded)
                .any(|c| m.parent(c) == Some(id) && m.name_str(c).is_some_and(fits))
        } else {
            self.child_names(dir).any(|(name, _)| fits(name))
        }
    }

    /// Whether anything at or below here (or beside it) is called `name`, case and accents
    /// aside.
    pub fn has_name(&self, name: &str) -> bool {
        let trimmed = name.trim_end_matches('/');
        if trimmed.contains('/') {
            return self.get(trimmed).is_some();
        }
        let folded = fold(trimmed);
        self.model
            .named(&folded)
            .any(|id| self.model.name_str(id).is_some() && self.place(id).is_some())
    }

    /// The one entry below here called `name` (case and accents aside).
    pub fn unique_named(&self, name: &str) -> Option<Entry> {
        let folded = fold(name);
        let mut hits = self.model.named(&folded).filter(|&id| {
            self.model.name_str(id).is_some() && matches!(self.place(id), Some(Place::Below(_)))
        });
        let first = hits.next()?;
        if hits.next().is_some() {
            return None;
        }
        self.entry(first)
    }

    /// The names in the current folder, folders marked with `/`, at most `limit`.
    pub fn own_names(&self, limit: usize) -> Vec<String> {
        self.children("")
            .take(limit)
            .map(|e| {
                if e.dir {
                    format!("{}/", e.name)
                } else {
                    e.name
                }
            })
            .collect()
    }

    /// The one entry in `dir` (or, failing that, anywhere below) whose name holds every word
    /// (or a synonym of it) and has one of `exts`: "el log de la aplicación" → `app.log`.
    /// Candidates come from the model's word index (the rarest word's entries) or, with no
    /// word, its extension index; only words no name holds whole ("notas" in "notasviejas")
    /// fall back to looking through what is near.
    pub fn describe(
        &self,
        words: &[String],
        synonyms: &dyn Fn(&str) -> Vec<String>,
        exts: Option<&[&str]>,
        dir: &str,
        want_dir: Option<bool>,
    ) -> Option<Entry> {
        if words.is_empty() && exts.is_none() {
            return None;
        }
        let m = &*self.model;
        let (dir_id, prefix) = if dir.is_empty() || dir == "." {
            (self.cwd?, String::new())
        } else {
            let (id, shown) = self.resolve(dir)?;
            (id, format!("{shown}/"))
        };
        // Each word with its synonyms, and their searchers, built once rather than once per
        // entry (building a substring searcher costs more than running it on a short path).
        let alternatives: Vec<Vec<String>> = words
            .iter()
            .map(|w| std::iter::once(w.clone()).chain(synonyms(w)).collect())
            .collect();
        let finders: Vec<Vec<memmem::Finder<'static>>> = alternatives
            .iter()
            .map(|alts| {
                alts.iter()
                    .map(|s| memmem::Finder::new(s.as_bytes()).into_owned())
                    .collect()
            })
            .collect();
        let fits = |e: &Entry| {
            want_dir.is_none_or(|d| d == e.dir)
                && exts.is_none_or(|x| {
                    // "tar.gz": a kind may name more than the last extension.
                    let name = e.name.to_ascii_lowercase();
                    e.ext().is_some()
                        && x.iter().any(|w| {
                            name.strip_suffix(&w.to_ascii_lowercase())
                                .is_some_and(|stem| stem.len() > 1 && stem.ends_with('.'))
                        })
                })
                && finders.iter().all(|alts| {
                    alts.iter()
                        .any(|f| f.find(e.folded_path.as_bytes()).is_some())
                })
        };
        // A word the folder's own path holds says nothing about which entry in it is meant.
        let dir_folded = fold(&prefix);
        let naming: Vec<&Vec<String>> = alternatives
            .iter()
            .filter(|alts| !alts.iter().any(|a| dir_folded.contains(a.as_str())))
            .collect();
        let posting = |alts: &Vec<String>| -> Vec<u32> {
            let mut ids: Vec<u32> = alts.iter().flat_map(|a| m.with_word(a)).collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        let rarest: Option<Vec<u32>> = naming
            .iter()
            .map(|alts| posting(alts))
            .filter(|ids| !ids.is_empty())
            .min_by_key(Vec::len);
        let by_ext = || -> Vec<u32> {
            let mut ids: Vec<u32> = exts
                .into_iter()
                .flatten()
                .flat_map(|x| m.with_extension(&fold(x.rsplit('.').next().unwrap_or(x))))
                .collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        let ext_count: usize = exts
            .into_iter()
            .flatten()
            .map(|x| m.extension_count(&fold(x.rsplit('.').next().unwrap_or(x))))
            .sum();
        let candidates = match (&rarest, naming.is_empty()) {
            (Some(ids), _) => Some(ids.clone()),
            (None, true) if exts.is_some() && ext_count < m.child_count(dir_id) => Some(by_ext()),
            _ => None,
        };
        // In the folder itself: from the candidates or from its children, whichever is fewer.
        let near: Vec<Entry> = match &candidates {
            Some(ids) if ids.len() < m.child_count(dir_id) => ids
                .iter()
                .filter(|&&id| m.parent(id) == Some(dir_id))
                .filter_map(|&id| {
                    Some(Entry::new(
                        format!("{prefix}{}", m.name_str(id)?),
                        m.is_dir(id),
                    ))
                })
                .filter(|e| fits(e))
                .take(2)
                .collect(),
            // Nothing to narrow it down: the folder's first entries only, as a person glancing
            // at it would.
            _ => self
                .children(dir)
                .take(NEAR_AT_MOST)
                .filter(|e| fits(e))
                .take(2)
                .collect(),
        };
        match near.len() {
            1 => return near.into_iter().next(),
            0 => {}
            _ => return None,
        }
        let below = |e: &Entry| {
            (prefix.is_empty() || e.path.starts_with(&prefix)) && !e.path.starts_with("../")
        };
        // "show me the stylesheet": the one file of the kind anywhere below, or none.
        if words.is_empty() {
            if ext_count > SCAN_AT_MOST {
                return None;
            }
            let mut found: Option<Entry> = None;
            for id in by_ext().into_iter().take(SCAN_AT_MOST) {
                if let Some(e) = self.entry(id).filter(|e| below(e) && fits(e)) {
                    if found.is_some() {
                        return None;
                    }
                    found = Some(e);
                }
            }
            return found;
        }
        if let Some(ids) = rarest {
            let mut found: Option<Entry> = None;
            let mut seen = 0;
            let mut queue: std::collections::VecDeque<u32> = ids.into();
            while let Some(id) = queue.pop_front() {
                seen += 1;
                if seen > SCAN_AT_MOST {
                    break;
                }
                if let Some(e) = self.entry(id) {
                    if below(&e) && fits(&e) {
                        if found.as_ref().is_some_and(|f| f.path != e.path) {
                            return None;
                        }
                        found = Some(e);
                    }
                    // The word may name the folder, not the entry: "the video in vacaciones".
                    if m.is_dir(id) {
                        queue.extend(m.children(id));
                    }
                }
            }
            if found.is_some() {
                return found;
            }
        }
        // Words no name holds whole: look through what is near, breadth first, at most
        // `NEAR_AT_MOST` entries.
        let mut found: Option<Entry> = None;
        let mut queue = std::collections::VecDeque::from([dir_id]);
        let mut seen = 0;
        while let Some(folder) = queue.pop_front() {
            for c in m.children(folder) {
                seen += 1;
                if seen > NEAR_AT_MOST {
                    return found;
                }
                let Some(e) = self.entry(c) else {
                    continue;
                };
                if fits(&e) {
                    if found.is_some() {
                        return None;
                    }
                    found = Some(e);
                }
                if m.is_dir(c) {
                    queue.push_back(c);
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model_of(root: &Path) -> Model {
        let tree = crate::workspace::Tree::new(
            root.to_path_buf(),
            cap_std::fs::Dir::open_ambient_dir(root, cap_std::ambient_authority()).expect("dir"),
        );
        tree.load(false);
        std::mem::take(&mut *tree.write_for_tests())
    }

    fn view(m: Model, cwd: &str) -> Context<'static> {
        Context::over(Held::Owned(Box::new(m)), Path::new(cwd))
    }

    #[test]
    fn the_extreme_file_is_one_file_or_none() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("fotos/sub")).expect("mkdir");
        std::fs::write(root.join("fotos/a.jpg"), "12345").expect("write");
        std::fs::write(root.join("fotos/b.png"), "1").expect("write");
        std::fs::write(root.join("fotos/c.mp4"), "1234567890").expect("write");
        std::fs::write(root.join("fotos/.hidden"), "12345678901234").expect("write");
        let ctx = view(model_of(root), "");
        let path = |e: Option<Entry>| e.map(|e| e.path);
        assert_eq!(
            path(ctx.extreme("fotos", true, true, None)),
            Some("fotos/c.mp4".into())
        );
        assert_eq!(
            path(ctx.extreme("fotos", true, false, None)),
            Some("fotos/b.png".into())
        );
        let pictures = ["jpg".to_owned(), "png".to_owned()];
        assert_eq!(
            path(ctx.extreme("fotos", true, true, Some(&pictures))),
            Some("fotos/a.jpg".into()),
            "only files of the kind asked for; folders and hidden files never"
        );
        std::fs::write(root.join("fotos/d.mp4"), "abcdefghij").expect("write");
        let ctx = view(model_of(root), "");
        assert_eq!(
            path(ctx.extreme("fotos", true, true, None)),
            None,
            "a tie is not guessed"
        );
    }

    #[test]
    fn finds_below_and_beside() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("src/deep")).expect("mkdir");
        std::fs::create_dir_all(root.join("docs")).expect("mkdir");
        std::fs::create_dir_all(root.join("música")).expect("mkdir");
        std::fs::write(root.join("src/main.py"), "").expect("write");
        let ctx = view(model_of(root), "src");
        assert!(ctx.get("main.py").is_some_and(|e| !e.dir));
        assert!(ctx.get("../docs").is_some_and(|e| e.dir));
        assert_eq!(ctx.get("../docs").map(|e| e.path), Some("../docs".into()));
        assert!(ctx.has_name("docs"), "a folder beside is named");
        assert!(
            !ctx.has_name("src") || ctx.get("../src").is_some(),
            "the current folder is not its own neighbour"
        );
        let ctx = view(model_of(root), "");
        assert_eq!(ctx.get("musica").map(|e| e.path), Some("música".into()));
        assert!(ctx.get("../anything").is_none());
        assert_eq!(
            ctx.unique_named("main.py").map(|e| e.path),
            Some("src/main.py".into())
        );
    }

    #[test]
    fn depth_and_lazy_folders_bound_what_is_named_without_a_path() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/b/c/d/e")).expect("mkdir");
        std::fs::write(root.join("a/b/c/cuatro.txt"), "").expect("write");
        std::fs::write(root.join("a/b/c/d/cinco.txt"), "").expect("write");
        std::fs::create_dir_all(root.join("node_modules/pkg")).expect("mkdir");
        let ctx = view(model_of(root), "");
        assert!(ctx.unique_named("cuatro.txt").is_some());
        assert!(ctx.unique_named("cinco.txt").is_none(), "five levels down");
        assert!(
            ctx.get("a/b/c/d/cinco.txt").is_some(),
            "but its path finds it"
        );
        assert!(ctx.has_name("node_modules"));
        assert!(!ctx.has_name("pkg"), "never loaded, never named");
    }

    #[test]
    fn describes_by_words_and_kind() {
        let ctx = Context::from_entries([
            ("app.log", false),
            ("logs", true),
            ("logs/error.log", false),
            ("logs/2024-01-01.log", false),
            ("Informe año 2024.txt", false),
            ("vacaciones", true),
            ("vacaciones/playa.mp4", false),
            ("viejas", true),
            ("viejas/notasviejas.md", false),
        ]);
        let none = |_: &str| Vec::new();
        let syn = |w: &str| {
            if w == "aplicacion" {
                vec!["app".to_owned()]
            } else {
                Vec::new()
            }
        };
        let d = ctx.describe(&["aplicacion".into()], &syn, Some(&["log"]), "", None);
        assert_eq!(d.map(|e| e.path), Some("app.log".into()));
        let d = ctx.describe(&["error".into()], &none, Some(&["log"]), "logs", None);
        assert_eq!(d.map(|e| e.path), Some("logs/error.log".into()));
        let d = ctx.describe(&["informe".into(), "2024".into()], &none, None, "", None);
        assert_eq!(d.map(|e| e.path), Some("Informe año 2024.txt".into()));
        // A word that names the folder the entry is in.
        let d = ctx.describe(
            &["vacaciones".into()],
            &none,
            Some(&["mp4"]),
            "",
            Some(false),
        );
        assert_eq!(d.map(|e| e.path), Some("vacaciones/playa.mp4".into()));
        // A word inside a name, not a word of it: found by looking.
        let d = ctx.describe(&["notas".into()], &none, Some(&["md"]), "", None);
        assert_eq!(d.map(|e| e.path), Some("viejas/notasviejas.md".into()));
        assert!(
            ctx.describe(&[], &none, Some(&["log"]), "logs", None)
                .is_none()
        );
    }
}
