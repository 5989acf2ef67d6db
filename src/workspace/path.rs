//! Lexical confinement and symlink resolution of root-relative paths.

use std::io;
use std::path::{Component, Path, PathBuf};

use super::rawname;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("{0} is outside the workspace")]
    Outside(String),
    #[error("{0} leads outside the workspace through a symbolic link")]
    Symlink(String),
    #[error("{0} is a symbolic link whose target does not exist")]
    Dangling(String),
    #[error("cannot inspect {0}: {1}")]
    Io(String, String),
}

/// Joins `arg` onto the root-relative `cwd` and removes `.` and `..` without touching the
/// disk. Absolute paths are accepted only beneath `root`. Returns the root-relative result
/// (empty for the root itself), or `Outside` when `..` climbs above the root.
pub fn normalize_within(root: &Path, cwd: &Path, arg: &Path) -> Result<PathBuf, PathError> {
    let outside = || PathError::Outside(arg.display().to_string());
    let joined = if arg.is_absolute() {
        arg.strip_prefix(root).map_err(|_| outside())?.to_path_buf()
    } else {
        cwd.join(arg)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return Err(outside());
                }
            }
            Component::RootDir | Component::Prefix(_) => return Err(outside()),
        }
    }
    Ok(out)
}

/// Follows every symlink in the existing part of the root-relative `rel` and checks that the
/// real location stays beneath `root` (which must be canonical). The missing tail cannot hold
/// symlinks, so it is safe as it is. A dangling symlink is refused: writing through it would
/// create its target, wherever that is.
pub fn resolve_existing(root: &Path, rel: &Path, shown: &str) -> Result<PathBuf, PathError> {
    let mut real = root.to_path_buf();
    let mut parts = rel.components();
    while let Some(part) = parts.next() {
        match step_into(real.join(part), shown)? {
            Some(next) => real = next,
            // Missing (or ENOTDIR and friends: the command itself will fail; nothing escapes).
            None => {
                real.push(part);
                real.extend(parts);
                break;
            }
        }
        if !real.starts_with(root) {
            return Err(PathError::Symlink(shown.to_owned()));
        }
    }
    Ok(real)
}

/// Where `arg`, given in the root-relative `cwd`, really is, resolved the way the kernel does:
/// each symlink of the existing part followed, and `..` taken from the real folder reached so
/// far (so `link/..` is the parent of the link's target, not of the link). Refused as soon as
/// the real location leaves `root`.
pub fn resolve_physical(
    root: &Path,
    cwd: &Path,
    arg: &Path,
    shown: &str,
) -> Result<PathBuf, PathError> {
    let outside = || PathError::Outside(shown.to_owned());
    let (mut real, rest) = if arg.is_absolute() {
        (
            root.to_path_buf(),
            arg.strip_prefix(root).map_err(|_| outside())?,
        )
    } else {
        (resolve_existing(root, cwd, shown)?, arg)
    };
    let mut parts = rest.components();
    while let Some(part) = parts.next() {
        match part {
            Component::CurDir => continue,
            Component::ParentDir => {
                real.pop();
            }
            Component::RootDir | Component::Prefix(_) => return Err(outside()),
            Component::Normal(name) => {
                match step_into(real.join(name), shown)? {
                    Some(next) => real = next,
                    // The missing tail holds no symlinks: only `..` can still move it.
                    None => {
                        real.push(name);
                        for c in parts.by_ref() {
                            match c {
                                Component::ParentDir => {
                                    real.pop();
                                }
                                Component::Normal(n) => real.push(n),
                                _ => {}
                            }
                        }
                    }
                }
            }
        }
        if !real.starts_with(root) {
            return Err(if matches!(part, Component::ParentDir) {
                outside()
            } else {
                PathError::Symlink(shown.to_owned())
            });
        }
    }
    if !real.starts_with(root) {
        return Err(outside());
    }
    Ok(real)
}

/// Where `candidate` really is: a symlink's canonical target, or itself; `None` when it
/// cannot be inspected (missing). A symlink to nothing is refused.
fn step_into(candidate: PathBuf, shown: &str) -> Result<Option<PathBuf>, PathError> {
    match candidate.symlink_metadata() {
        Ok(meta) if meta.file_type().is_symlink() => match candidate.canonicalize() {
            Ok(target) => Ok(Some(target)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                Err(PathError::Dangling(shown.to_owned()))
            }
            Err(e) => Err(PathError::Io(shown.to_owned(), e.to_string())),
        },
        Ok(_) => Ok(Some(candidate)),
        Err(_) => Ok(None),
    }
}

/// A root-relative path as the protocol carries it: `/`-separated, bytes that are not UTF-8 as
/// their stand-ins (see `rawname`), so that the path sent back names the same file.
pub fn rel_to_string(rel: &Path) -> String {
    let mut s = String::new();
    for c in rel.components() {
        if let Component::Normal(p) = c {
            if !s.is_empty() {
                s.push('/');
            }
            s.push_str(&rawname::text(p));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn lexical_confinement() {
        let root = Path::new("/srv/w");
        let n = |cwd: &str, a: &str| normalize_within(root, Path::new(cwd), Path::new(a));
        assert_eq!(n("", "a/b").unwrap(), PathBuf::from("a/b"));
        assert_eq!(n("docs", "../x").unwrap(), PathBuf::from("x"));
        assert_eq!(n("docs", "./.././x/./y").unwrap(), PathBuf::from("x/y"));
        assert_eq!(n("", "/srv/w/a").unwrap(), PathBuf::from("a"));
        assert_eq!(n("", ".").unwrap(), PathBuf::new());
        assert!(n("", "..").is_err());
        assert!(n("docs", "../../x").is_err());
        assert!(n("", "/etc/passwd").is_err());
        assert!(
            n("", "/srv/wx").is_err(),
            "a sibling sharing a prefix is outside"
        );
        assert!(n("a", "b/../../../w/x").is_err());
    }

    #[test]
    fn symlinks_are_followed_to_their_real_place() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("root");
        std::fs::create_dir_all(root.join("inside")).unwrap();
        let root = root.canonicalize().unwrap();
        let outside = tmp.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        symlink(&outside, root.join("out")).unwrap();
        symlink(root.join("inside"), root.join("in")).unwrap();
        symlink(tmp.path().join("nowhere"), root.join("dangling")).unwrap();

        let r = |p: &str| resolve_existing(&root, Path::new(p), p);
        assert!(r("inside/new/deeper").is_ok());
        assert_eq!(r("in/x").unwrap(), root.join("inside/x"));
        assert_eq!(r("out"), Err(PathError::Symlink("out".into())));
        assert_eq!(r("out/x"), Err(PathError::Symlink("out/x".into())));
        assert_eq!(r("dangling"), Err(PathError::Dangling("dangling".into())));
    }
}
