//! What the assistant may know about the workspace: the names beneath the current folder (and
//! beside it, up to the root), so "la carpeta musica" finds `música`, "el informe del año
//! 2024" finds `Informe año 2024.txt` and "copia main.py a docs" from `src/` finds `../docs`.
//! Only names and kinds are read, never contents, and the walk is bounded.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};

use memchr::memmem;

use super::folders::Folders;
use super::words::fold;

/// How deep and how wide the walk goes: enough for "the jazz folder inside música", never a
/// crawl of a huge tree on every instruction.
const MAX_DEPTH: usize = 4;
const MAX_ENTRIES: usize = 4000;
/// The most names taken from any one folder other than the current one.
const PER_FOLDER: usize = 500;
/// The most folders looked into below the current one: a root holding thousands of small
/// folders (the e2e benchmark makes 1500) cost each instruction ~5 ms of reading them all.
const MAX_FOLDERS: usize = 100;
/// Folders whose insides are never worth naming.
const SKIP: &[&str] = &[
    ".git",
    ".atajo",
    "node_modules",
    "target",
    "__pycache__",
    ".venv",
];

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Relative to the current folder, `/`-separated; `../x` for names beside it.
    pub path: String,
    pub name: String,
    pub folded: String,
    /// The whole path folded: names are looked up many times per instruction.
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

#[derive(Debug, Clone, Default)]
pub struct Context {
    entries: Vec<Entry>,
    /// Entry indexes by parent folder, folded name and folded path: every word of an
    /// instruction is looked up, so lookups must not walk all the entries.
    by_parent: HashMap<String, Vec<usize>>,
    by_name: HashMap<String, Vec<usize>>,
    by_path: HashMap<String, Vec<usize>>,
}

impl Context {
    pub fn empty() -> Self {
        Self::default()
    }

    /// `(path, is_dir)` pairs, for tests and benchmarks.
    pub fn from_entries<'a>(entries: impl IntoIterator<Item = (&'a str, bool)>) -> Self {
        Self::indexed(
            entries
                .into_iter()
                .map(|(p, d)| Entry::new(p.to_owned(), d))
                .collect(),
        )
    }

    fn indexed(entries: Vec<Entry>) -> Self {
        let mut by_parent: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_path: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            by_parent.entry(e.parent().to_owned()).or_default().push(i);
            by_name.entry(e.folded.clone()).or_default().push(i);
            by_path.entry(e.folded_path.clone()).or_default().push(i);
        }
        Self {
            entries,
            by_parent,
            by_name,
            by_path,
        }
    }

    /// Walks `cwd` breadth-first, then lists what sits beside it in each folder up to `root`
    /// (one level when no root is known).
    pub fn scan(cwd: &Path, root: Option<&Path>, folders: &Folders) -> Self {
        let mut entries = Vec::new();
        let mut queue: VecDeque<(PathBuf, String, usize)> = VecDeque::new();
        queue.push_back((cwd.to_path_buf(), String::new(), 0));
        let mut queued = 0;
        while let Some((dir, rel, depth)) = queue.pop_front() {
            // The current folder may fill the whole budget; a folder below it only its share,
            // so that one huge folder neither costs every instruction a long read nor hides
            // the names beside it.
            let limit = if depth == 0 { MAX_ENTRIES } else { PER_FOLDER };
            for (name, is_dir) in folders.read(&dir, limit).iter() {
                if entries.len() >= MAX_ENTRIES {
                    return Self::indexed(entries);
                }
                let path = if rel.is_empty() {
                    name.clone()
                } else {
                    format!("{rel}/{name}")
                };
                if *is_dir
                    && depth + 1 < MAX_DEPTH
                    && queued < MAX_FOLDERS
                    && !SKIP.contains(&name.as_str())
                {
                    queued += 1;
                    queue.push_back((dir.join(name), path.clone(), depth + 1));
                }
                entries.push(Entry::new(path, *is_dir));
            }
        }
        let mut up = String::new();
        let mut here = cwd.to_path_buf();
        let limit = root.map_or(1, |r| {
            here.strip_prefix(r).map_or(0, |p| p.components().count())
        });
        for _ in 0..limit {
            let Some(parent) = here.parent().map(Path::to_path_buf) else {
                break;
            };
            up.push_str("../");
            for (name, is_dir) in folders.read(&parent, PER_FOLDER).iter() {
                if parent.join(name) != here {
                    entries.push(Entry::new(format!("{up}{name}"), *is_dir));
                }
            }
            here = parent;
        }
        Self::indexed(entries)
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry at `path` (relative to the current folder), spelt exactly or differing only
    /// in case and accents; an exact spelling wins.
    pub fn get(&self, path: &str) -> Option<&Entry> {
        let path = path.trim_end_matches('/');
        let path = path.strip_prefix("./").unwrap_or(path);
        let hits = self.by_path.get(&fold(path))?;
        if let Some(&i) = hits.iter().find(|&&i| self.entries[i].path == path) {
            return Some(&self.entries[i]);
        }
        match hits.as_slice() {
            [i] => Some(&self.entries[*i]),
            _ => None,
        }
    }

    /// Whether `dir` (relative, "" for here) is a folder we know of.
    pub fn is_dir(&self, dir: &str) -> bool {
        dir.is_empty() || dir == "." || self.get(dir).is_some_and(|e| e.dir)
    }

    pub fn children(&self, dir: &str) -> impl Iterator<Item = &Entry> + '_ {
        let dir = dir.trim_end_matches('/');
        let dir = if dir == "." { "" } else { dir };
        self.by_parent
            .get(dir)
            .into_iter()
            .flatten()
            .map(|&i| &self.entries[i])
    }

    /// Whether anything at or below here is called `name` (case and accents aside).
    pub fn has_name(&self, name: &str) -> bool {
        let folded = fold(name);
        self.by_name.contains_key(&folded) || self.by_path.contains_key(&folded)
    }

    /// The one entry anywhere below called `name` (case and accents aside).
    pub fn unique_named(&self, name: &str) -> Option<&Entry> {
        let mut hits = self
            .by_name
            .get(&fold(name))?
            .iter()
            .map(|&i| &self.entries[i])
            .filter(|e| !e.path.starts_with("../"));
        let first = hits.next()?;
        hits.next().is_none().then_some(first)
    }

    /// The one entry in `dir` (or, failing that, anywhere below) whose name holds every word
    /// (or a synonym of it) and has one of `exts`: "el log de la aplicación" → `app.log`.
    pub fn describe(
        &self,
        words: &[String],
        synonyms: &dyn Fn(&str) -> Vec<String>,
        exts: Option<&[&str]>,
        dir: &str,
        want_dir: Option<bool>,
    ) -> Option<&Entry> {
        // Each word with its synonyms, and their searchers, built once rather than once per
        // entry (building a substring searcher costs more than running it on a short path).
        let alternatives: Vec<Vec<memmem::Finder<'static>>> = words
            .iter()
            .map(|w| {
                std::iter::once(w.clone())
                    .chain(synonyms(w))
                    .map(|s| memmem::Finder::new(s.as_bytes()).into_owned())
                    .collect()
            })
            .collect();
        let fits = |e: &&Entry| {
            want_dir.is_none_or(|d| d == e.dir)
                && exts.is_none_or(|x| {
                    e.ext()
                        .is_some_and(|ext| x.iter().any(|w| w.eq_ignore_ascii_case(ext)))
                })
                && alternatives.iter().all(|finders| {
                    finders
                        .iter()
                        .any(|f| f.find(e.folded_path.as_bytes()).is_some())
                })
        };
        if words.is_empty() && exts.is_none() {
            return None;
        }
        let near: Vec<&Entry> = self.children(dir).filter(fits).collect();
        match near.len() {
            1 => return near.first().copied(),
            0 => {}
            _ => return None,
        }
        if words.is_empty() {
            return None;
        }
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{}/", dir.trim_end_matches('/'))
        };
        let mut far = self
            .entries
            .iter()
            // (An empty prefix is skipped rather than compared: that call to memcmp, next to
            // the vector code of the searchers, cost more than the search itself.)
            .filter(|e| {
                (prefix.is_empty() || e.path.starts_with(&prefix)) && !e.path.starts_with("../")
            })
            .filter(fits);
        let first = far.next()?;
        far.next().is_none().then_some(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_below_and_beside() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("src/deep")).expect("mkdir");
        std::fs::create_dir_all(root.join("docs")).expect("mkdir");
        std::fs::create_dir_all(root.join("música")).expect("mkdir");
        std::fs::write(root.join("src/main.py"), "").expect("write");
        let ctx = Context::scan(&root.join("src"), Some(root), &Folders::default());
        assert!(ctx.get("main.py").is_some_and(|e| !e.dir));
        assert!(ctx.get("../docs").is_some_and(|e| e.dir));
        assert!(
            ctx.get("../src").is_none(),
            "the current folder is not its own neighbour"
        );
        let ctx = Context::scan(root, Some(root), &Folders::default());
        assert_eq!(ctx.get("musica").map(|e| e.path.as_str()), Some("música"));
        assert!(ctx.get("../anything").is_none());
    }

    #[test]
    fn a_huge_folder_takes_its_share_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("big")).expect("mkdir");
        for i in 0..MAX_ENTRIES + 10 {
            std::fs::write(root.join(format!("big/f{i:05}")), "").expect("write");
        }
        std::fs::create_dir_all(root.join("zeta/deep")).expect("mkdir");
        std::fs::write(root.join("zeta/deep/notas.txt"), "").expect("write");
        let ctx = Context::scan(root, Some(root), &Folders::default());
        assert!(ctx.get("zeta/deep/notas.txt").is_some());
        let from_big = ctx.entries().iter().filter(|e| e.path.starts_with("big/"));
        assert_eq!(from_big.count(), PER_FOLDER);
        // Inside the huge folder, it is the current one: it may fill the budget.
        let ctx = Context::scan(&root.join("big"), Some(root), &Folders::default());
        let below = ctx.entries().iter().filter(|e| !e.path.starts_with("../"));
        assert_eq!(below.count(), MAX_ENTRIES);
        assert!(ctx.get("../zeta").is_some());
    }

    #[test]
    fn thousands_of_folders_are_not_all_looked_into() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        for i in 0..MAX_FOLDERS + 50 {
            std::fs::create_dir_all(root.join(format!("d{i:04}/inner"))).expect("mkdir");
        }
        let ctx = Context::scan(root, Some(root), &Folders::default());
        // Every folder of the current one is named; only the first ones are looked into.
        assert!(ctx.get(&format!("d{:04}", MAX_FOLDERS + 49)).is_some());
        assert!(ctx.get("d0000/inner").is_some());
        let inside = ctx.entries().iter().filter(|e| e.path.ends_with("/inner"));
        assert_eq!(inside.count(), MAX_FOLDERS);
    }

    #[test]
    fn describes_by_words_and_kind() {
        let ctx = Context::from_entries([
            ("app.log", false),
            ("logs", true),
            ("logs/error.log", false),
            ("logs/2024-01-01.log", false),
            ("Informe año 2024.txt", false),
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
        assert_eq!(d.map(|e| e.path.as_str()), Some("app.log"));
        let d = ctx.describe(&["error".into()], &none, Some(&["log"]), "logs", None);
        assert_eq!(d.map(|e| e.path.as_str()), Some("logs/error.log"));
        let d = ctx.describe(&["informe".into(), "2024".into()], &none, None, "", None);
        assert_eq!(d.map(|e| e.path.as_str()), Some("Informe año 2024.txt"));
        assert!(
            ctx.describe(&[], &none, Some(&["log"]), "logs", None)
                .is_none()
        );
    }
}
