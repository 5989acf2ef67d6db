//! The root folder: confined paths, the live model of its tree (`tree`), listings and the
//! watcher that keeps the model current. Everything that opens a file beneath the root goes
//! through a capability handle (`cap_std::fs::Dir`), so a symlink or a `..` can never lead
//! outside, whatever string a client sent.

mod archive;
mod content;
mod list;
mod path;
pub mod rawname;
pub mod tree;
mod watch;

use std::io;
use std::path::{Path, PathBuf};

use cap_std::ambient_authority;
use cap_std::fs::Dir;

pub use archive::{Zipped, folder_name, zip_folder};
pub use content::{
    ContentError, PartFile, WriteRules, begin_write, leads_outside, make_folder, open_read,
    rel_from_bytes, rel_from_hex, stat,
};
pub use list::{Name, client_rel_path, entries, entry_at, list, names, order_key};
pub use path::{PathError, normalize_within, rel_to_string, resolve_existing, resolve_physical};
pub use tree::Tree;
pub use watch::{WatchMsg, Watcher, watch};

/// atajo's own state folder inside the root; the watcher ignores it and the policy
/// write-protects it.
pub const STATE_DIR: &str = ".atajo";

#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("cannot open the root folder {path}: {source}")]
    Root { path: PathBuf, source: io::Error },
    #[error("the root {0} is not a folder")]
    NotADir(PathBuf),
}

/// The served folder. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Workspace {
    root: PathBuf,
    dir: Dir,
    tree: Tree,
}

impl Workspace {
    pub fn open(root: &Path) -> Result<Self, WorkspaceError> {
        let root = root.canonicalize().map_err(|source| WorkspaceError::Root {
            path: root.to_path_buf(),
            source,
        })?;
        if !root.is_dir() {
            return Err(WorkspaceError::NotADir(root));
        }
        let dir = Dir::open_ambient_dir(&root, ambient_authority()).map_err(|source| {
            WorkspaceError::Root {
                path: root.clone(),
                source,
            }
        })?;
        let tree = Tree::new(
            root.clone(),
            dir.try_clone().map_err(|source| WorkspaceError::Root {
                path: root.clone(),
                source,
            })?,
        );
        Ok(Self { root, dir, tree })
    }

    /// The canonical absolute path of the root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The live model of the tree beneath the root.
    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    /// The capability handle on the root: every open beneath it is confined.
    pub fn dir(&self) -> &Dir {
        &self.dir
    }

    /// Opens a folder beneath the root, `rel` being root-relative (empty = the root).
    pub fn open_dir(&self, rel: &Path) -> io::Result<Dir> {
        if rel.as_os_str().is_empty() {
            self.dir.try_clone()
        } else {
            self.dir.open_dir(rel)
        }
    }

    pub fn name(&self) -> String {
        self.root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "/".to_owned())
    }
}
