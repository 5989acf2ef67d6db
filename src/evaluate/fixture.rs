//! Writes a fixture's tree into a fresh folder, with the modes and times it describes.

use std::fs::{File, FileTimes};
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, SystemTime};

use base64::Engine as _;

use super::EvalError;
use super::cases::{Entry, Fixture};

const DEFAULT_MTIME: &str = "2024-03-01T12:00:00Z";

/// Creates `root` (which must not exist) holding the fixture.
pub fn materialize(fixture: &Fixture, root: &Path) -> Result<(), EvalError> {
    let bad = |message: String| EvalError::Fixture {
        name: fixture.name.clone(),
        message,
    };
    let io = |path: &Path, e: std::io::Error| bad(format!("{}: {e}", path.display()));
    std::fs::create_dir(root).map_err(|e| io(root, e))?;
    set_mode(root, 0o755).map_err(|e| io(root, e))?;
    let default = mtime(fixture.mtime.as_deref().unwrap_or(DEFAULT_MTIME)).map_err(&bad)?;
    let mut dirs: Vec<(PathBuf, SystemTime)> = vec![(root.to_owned(), default)];
    let mut files: Vec<(PathBuf, SystemTime)> = Vec::new();
    for entry in &fixture.entries {
        let rel = Path::new(entry.path.trim_matches('/'));
        if rel.as_os_str().is_empty()
            || rel.components().any(|c| !matches!(c, Component::Normal(_)))
        {
            return Err(bad(format!("bad entry path {:?}", entry.path)));
        }
        let path = root.join(rel);
        let mut parent = root.to_owned();
        if let Some(up) = rel.parent() {
            for c in up.components() {
                parent.push(c);
                if !parent.exists() {
                    std::fs::create_dir(&parent).map_err(|e| io(&parent, e))?;
                    set_mode(&parent, 0o755).map_err(|e| io(&parent, e))?;
                    dirs.push((parent.clone(), default));
                }
            }
        }
        let when = match &entry.mtime {
            Some(m) => mtime(m).map_err(&bad)?,
            None => default,
        };
        match entry.kind.as_str() {
            "dir" => {
                if !path.is_dir() {
                    std::fs::create_dir(&path).map_err(|e| io(&path, e))?;
                }
                set_mode(&path, octal(entry.mode.as_deref(), 0o755).map_err(&bad)?)
                    .map_err(|e| io(&path, e))?;
                dirs.push((path, when));
            }
            "file" => {
                std::fs::write(&path, bytes(entry).map_err(&bad)?).map_err(|e| io(&path, e))?;
                let fallback = if entry.exec { 0o755 } else { 0o644 };
                set_mode(&path, octal(entry.mode.as_deref(), fallback).map_err(&bad)?)
                    .map_err(|e| io(&path, e))?;
                files.push((path, when));
            }
            "symlink" => {
                let target = entry
                    .target
                    .as_deref()
                    .ok_or_else(|| bad(format!("symlink {:?} has no target", entry.path)))?;
                std::os::unix::fs::symlink(target, &path).map_err(|e| io(&path, e))?;
            }
            other => return Err(bad(format!("unknown entry type {other:?}"))),
        }
    }
    for (path, when) in &files {
        touch(path, *when).map_err(|e| io(path, e))?;
    }
    // Deepest first: touching a folder's children changes its own time.
    dirs.sort_by_key(|(p, _)| std::cmp::Reverse(p.components().count()));
    for (path, when) in &dirs {
        touch(path, *when).map_err(|e| io(path, e))?;
    }
    Ok(())
}

/// A file's bytes: its text, its base64, or `size` filler bytes made of its own path.
fn bytes(entry: &Entry) -> Result<Vec<u8>, String> {
    if let Some(text) = &entry.content {
        return Ok(text.as_bytes().to_vec());
    }
    if let Some(b) = &entry.base64 {
        return base64::engine::general_purpose::STANDARD
            .decode(b.trim())
            .map_err(|e| format!("{}: bad base64: {e}", entry.path));
    }
    if let Some(size) = entry.size {
        let seed = format!("{}\n", entry.path).into_bytes();
        return Ok(seed.iter().copied().cycle().take(size).collect());
    }
    Ok(Vec::new())
}

fn octal(mode: Option<&str>, fallback: u32) -> Result<u32, String> {
    match mode {
        Some(m) => u32::from_str_radix(m, 8).map_err(|_| format!("bad mode {m:?}")),
        None => Ok(fallback),
    }
}

fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

fn touch(path: &Path, when: SystemTime) -> std::io::Result<()> {
    let times = FileTimes::new().set_accessed(when).set_modified(when);
    File::open(path)?.set_times(times)
}

/// `YYYY-MM-DDTHH:MM:SSZ` → a time (UTC).
pub fn mtime(text: &str) -> Result<SystemTime, String> {
    let bad = || format!("bad time {text:?} (want YYYY-MM-DDTHH:MM:SSZ)");
    let t = text.strip_suffix('Z').ok_or_else(bad)?;
    let (date, clock) = t.split_once('T').ok_or_else(bad)?;
    let num = |s: &str| s.parse::<i64>().map_err(|_| bad());
    let d: Vec<&str> = date.split('-').collect();
    let c: Vec<&str> = clock.split(':').collect();
    let ([y, m, day], [hh, mm, ss]) = (d.as_slice(), c.as_slice()) else {
        return Err(bad());
    };
    let (y, m, day) = (num(y)?, num(m)?, num(day)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return Err(bad());
    }
    let secs = crate::clock::days_from_civil(y, m, day) * 86_400
        + num(hh)? * 3600
        + num(mm)? * 60
        + num(ss)?;
    let secs = u64::try_from(secs).map_err(|_| bad())?;
    Ok(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_read_as_utc() {
        let secs = |t: &str| {
            mtime(t)
                .unwrap()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .as_secs()
        };
        assert_eq!(secs("1970-01-01T00:00:00Z"), 0);
        assert_eq!(secs("2024-03-01T12:00:00Z"), 1_709_294_400);
        assert_eq!(secs("2000-02-29T23:59:59Z"), 951_868_799);
        assert!(mtime("2024-13-01T00:00:00Z").is_err());
        assert!(mtime("2024-03-01 12:00:00").is_err());
    }

    #[test]
    fn a_fixture_is_written_with_its_modes_and_times_and_never_outside() {
        let dir = tempfile::tempdir().unwrap();
        let fixture: Fixture = serde_json::from_str(
            r#"{"name": "t", "entries": [
                {"path": "a/b/run.sh", "content": "echo hi\n", "exec": true},
                {"path": "big.bin", "size": 10},
                {"path": "x.b64", "base64": "aG9sYQ=="},
                {"path": "empty", "type": "dir", "mtime": "2020-01-01T00:00:00Z"},
                {"path": "l", "type": "symlink", "target": "a/b/run.sh"}
            ]}"#,
        )
        .unwrap();
        let root = dir.path().join("ws");
        materialize(&fixture, &root).unwrap();
        let meta = std::fs::metadata(root.join("a/b/run.sh")).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o755);
        assert_eq!(std::fs::read(root.join("big.bin")).unwrap(), b"big.bin\nbi");
        assert_eq!(std::fs::read(root.join("x.b64")).unwrap(), b"hola");
        let empty = std::fs::metadata(root.join("empty")).unwrap();
        assert_eq!(
            empty.modified().unwrap(),
            mtime("2020-01-01T00:00:00Z").unwrap()
        );
        let a = std::fs::metadata(root.join("a")).unwrap();
        assert_eq!(a.modified().unwrap(), mtime(DEFAULT_MTIME).unwrap());
        assert!(
            std::fs::symlink_metadata(root.join("l"))
                .unwrap()
                .is_symlink()
        );

        let escape: Fixture = serde_json::from_str(
            r#"{"name": "bad", "entries": [{"path": "../out", "content": "x"}]}"#,
        )
        .unwrap();
        let err = materialize(&escape, &dir.path().join("ws2")).unwrap_err();
        assert!(err.to_string().contains("bad entry path"), "{err}");
        assert!(!dir.path().join("out").exists());
    }
}
