//! One folder's names for the assistant's context: read up to a limit, and kept while the folder
//! stays unchanged. Every instruction scans the folders around it; a root holding folders of
//! 100k files (found by the storm benchmark), or hundreds of small ones (the e2e one), made each
//! instruction read again what it had read a moment before. Checking that a folder is
//! unchanged costs one stat, reading it an open, two reads and a close.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use moka::sync::Cache;

/// Names read, sorted: `(name, is a folder)`. Names that are not UTF-8 are left out (the
/// assistant's words are text).
pub type Names = Arc<[(String, bool)]>;

/// How many names are kept at most, over all folders (about 100 bytes each).
const KEEP_AT_MOST: u64 = 200_000;
/// A folder changed this recently may change again within the same timestamp tick (file
/// times come from a clock that ticks every few milliseconds), so what was read from it is not
/// kept: the "racy" rule git uses for its index. File systems that keep whole seconds only
/// (FAT keeps two) get `RACY_COARSE`; every instruction that makes a folder changes its
/// parent, so a long window for all would mean reading the busiest folders every time.
const RACY: Duration = Duration::from_millis(50);
const RACY_COARSE: Duration = Duration::from_secs(3);

/// What says a folder is unchanged: any entry made, removed or renamed in it moves its mtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    dev: u64,
    ino: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
    size: u64,
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Self {
        Self {
            dev: meta.dev(),
            ino: meta.ino(),
            mtime: (meta.mtime(), meta.mtime_nsec()),
            ctime: (meta.ctime(), meta.ctime_nsec()),
            size: meta.size(),
        }
    }

    /// Whether the folder changed within `window` of `now`, too recently for its stamp to be
    /// trusted.
    fn racy(&self, now: SystemTime, window: Duration) -> bool {
        let newest = self.mtime.max(self.ctime);
        let window = if self.mtime.1 == 0 && self.ctime.1 == 0 {
            window.max(RACY_COARSE)
        } else {
            window
        };
        let Ok(now) = now.duration_since(UNIX_EPOCH) else {
            return true;
        };
        let changed = Duration::new(
            u64::try_from(newest.0).unwrap_or(0),
            u32::try_from(newest.1).unwrap_or(0),
        );
        now.saturating_sub(changed) < window
    }
}

#[derive(Clone)]
struct Kept {
    stamp: Stamp,
    limit: usize,
    names: Names,
}

/// Shared by every instruction of a server (cheap to clone).
#[derive(Clone)]
pub struct Folders {
    kept: Cache<PathBuf, Kept>,
    racy: Duration,
}

impl Default for Folders {
    fn default() -> Self {
        Self {
            kept: Cache::builder()
                .max_capacity(KEEP_AT_MOST)
                .weigher(|_, k: &Kept| u32::try_from(k.names.len()).unwrap_or(u32::MAX).max(1))
                .build(),
            racy: RACY,
        }
    }
}

impl Folders {
    /// Up to `limit` names of `dir` (which ones, when there are more, is the file system's
    /// order), sorted; empty when it cannot be read.
    pub fn read(&self, dir: &Path, limit: usize) -> Names {
        let Ok(meta) = std::fs::metadata(dir) else {
            return Names::from([]);
        };
        let stamp = Stamp::of(&meta);
        if let Some(k) = self.kept.get(dir)
            && k.stamp == stamp
            && k.limit == limit
        {
            return k.names;
        }
        let Ok(read) = std::fs::read_dir(dir) else {
            return Names::from([]);
        };
        let mut names: Vec<(String, bool)> = read
            .filter_map(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let is_dir = e.file_type().ok()?.is_dir();
                Some((name, is_dir))
            })
            .take(limit)
            .collect();
        names.sort();
        let names = Names::from(names);
        if !stamp.racy(SystemTime::now(), self.racy) {
            self.kept.insert(
                dir.to_path_buf(),
                Kept {
                    stamp,
                    limit,
                    names: names.clone(),
                },
            );
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Trusts any stamp: these tests change folders faster than any clock ticks.
    fn trusting() -> Folders {
        Folders {
            racy: Duration::ZERO,
            ..Folders::default()
        }
    }

    #[test]
    fn reads_sorted_and_bounded() {
        let dir = tempfile::tempdir().expect("tempdir");
        for name in ["b", "a", "c"] {
            std::fs::write(dir.path().join(name), "").expect("write");
        }
        std::fs::create_dir(dir.path().join("d")).expect("mkdir");
        let folders = Folders::default();
        let all = folders.read(dir.path(), 10);
        let got: Vec<_> = all.iter().map(|(n, d)| (n.as_str(), *d)).collect();
        assert_eq!(got, [("a", false), ("b", false), ("c", false), ("d", true)]);
        assert_eq!(folders.read(dir.path(), 2).len(), 2);
        assert!(folders.read(&dir.path().join("missing"), 10).is_empty());
    }

    #[test]
    fn keeps_a_settled_folder_until_it_changes() {
        let dir = tempfile::tempdir().expect("tempdir");
        for i in 0..300 {
            std::fs::write(dir.path().join(format!("f{i:04}")), "").expect("write");
        }
        // Changed within the racy window (an hour here, so that a slow machine cannot
        // outlast it): read again every time.
        let wary = Folders {
            racy: Duration::from_secs(3600),
            ..Folders::default()
        };
        let first = wary.read(dir.path(), 1000);
        assert_eq!(first.len(), 300);
        assert!(!Arc::ptr_eq(&first, &wary.read(dir.path(), 1000)));
        let folders = trusting();
        let kept = folders.read(dir.path(), 1000);
        assert!(Arc::ptr_eq(&kept, &folders.read(dir.path(), 1000)));
        // A new name changes the folder's stamp (past the clock's next tick): read again, and
        // the new name is there.
        std::thread::sleep(Duration::from_millis(50));
        std::fs::write(dir.path().join("new"), "").expect("write");
        let after = folders.read(dir.path(), 1000);
        assert!(after.iter().any(|(n, _)| n == "new"));
        // Another limit is another read.
        assert_eq!(folders.read(dir.path(), 10).len(), 10);
    }
}
