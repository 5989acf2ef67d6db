//! A person's folders: where they may go beneath the served root. Paths are root-relative and
//! `/`-separated, as the protocol writes them; the root itself is "".

use std::path::Path;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Scope {
    /// The whole root.
    #[default]
    All,
    /// Only beneath these folders (never empty, none beneath another).
    Roots(Arc<[String]>),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error("{0:?} is not a folder beneath the served root: give a relative path without `..`")]
    NotBeneath(String),
}

/// A folder as given on the command line (`docs/`, `./a//b`), made canonical (`docs`,
/// `a/b`); "" is the root itself.
pub fn normalize(given: &str) -> Result<String, ScopeError> {
    let bad = || ScopeError::NotBeneath(given.to_owned());
    if given.starts_with('/') || given.contains('\0') {
        return Err(bad());
    }
    let mut parts = Vec::new();
    for part in given.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(bad()),
            p => parts.push(p),
        }
    }
    Ok(parts.join("/"))
}

/// Whether `rel` is `base` or beneath it.
fn beneath(rel: &str, base: &str) -> bool {
    base.is_empty()
        || rel == base
        || (rel.len() > base.len() && rel.starts_with(base) && rel.as_bytes()[base.len()] == b'/')
}

impl Scope {
    /// The scope of these folders; none (or the root among them) is the whole root.
    pub fn of(roots: &[String]) -> Result<Self, ScopeError> {
        let mut kept: Vec<String> = Vec::new();
        let mut all: Vec<String> = roots
            .iter()
            .map(|r| normalize(r))
            .collect::<Result<_, _>>()?;
        // Shorter first, so a folder beneath another one given is dropped.
        all.sort_by_key(String::len);
        for r in all {
            if r.is_empty() {
                return Ok(Scope::All);
            }
            if !kept.iter().any(|k| beneath(&r, k)) {
                kept.push(r);
            }
        }
        if kept.is_empty() {
            return Ok(Scope::All);
        }
        kept.sort();
        Ok(Scope::Roots(kept.into()))
    }

    pub fn is_all(&self) -> bool {
        matches!(self, Scope::All)
    }

    /// The folders, "" for the whole root.
    pub fn roots(&self) -> Vec<String> {
        match self {
            Scope::All => vec![String::new()],
            Scope::Roots(r) => r.to_vec(),
        }
    }

    /// May read and change `rel` and everything beneath it.
    pub fn allows(&self, rel: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Roots(roots) => roots.iter().any(|r| beneath(rel, r)),
        }
    }

    pub fn allows_path(&self, rel: &Path) -> bool {
        match self {
            Scope::All => true,
            // A name that is not UTF-8 cannot be beneath a root given as text unless the root
            // is above it, which `to_string_lossy` keeps intact.
            Scope::Roots(_) => self.allows(&rel.to_string_lossy()),
        }
    }

    /// May see `rel` on the way to a folder: it is allowed, or one of the folders lies
    /// beneath it (its listing then shows only the way there).
    pub fn passes(&self, rel: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Roots(roots) => roots.iter().any(|r| beneath(rel, r) || beneath(r, rel)),
        }
    }

    /// Where a new session starts: the first folder.
    pub fn home(&self) -> String {
        match self {
            Scope::All => String::new(),
            Scope::Roots(r) => r.first().cloned().unwrap_or_default(),
        }
    }

    /// Everything `other` may reach, this scope may reach too.
    pub fn covers(&self, other: &Scope) -> bool {
        match other {
            Scope::All => self.is_all(),
            Scope::Roots(theirs) => theirs.iter().all(|r| self.allows(r)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roots(r: &[&str]) -> Scope {
        Scope::of(&r.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn folders_and_what_they_allow() {
        assert_eq!(normalize("./a//b/").unwrap(), "a/b");
        for bad in ["/etc", "a/../b", "..", "a\0"] {
            assert!(normalize(bad).is_err(), "{bad}");
        }
        assert_eq!(roots(&[]), Scope::All);
        assert_eq!(roots(&["a", "."]), Scope::All);
        let s = roots(&["proj/a", "b", "proj/a/deep"]);
        assert_eq!(s.roots(), vec!["b".to_owned(), "proj/a".to_owned()]);
        assert!(s.allows("b") && s.allows("b/x") && s.allows("proj/a/y"));
        assert!(!s.allows("") && !s.allows("proj") && !s.allows("bb") && !s.allows("proj/ab"));
        assert!(s.passes("") && s.passes("proj") && s.passes("proj/a/z"));
        assert!(!s.passes("c") && !s.passes("proj/b") && !s.passes("bb"));
        assert_eq!(s.home(), "b");
        assert!(Scope::All.covers(&s) && !s.covers(&Scope::All));
        assert!(s.covers(&roots(&["proj/a/x"])) && !s.covers(&roots(&["proj"])));
    }
}
