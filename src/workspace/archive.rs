//! A folder as a zip, written as it is read: nothing is staged on disk or held in memory, so a
//! folder of any size starts downloading at once. Walked through capability handles; symlinks
//! are stored as links (never followed), atajo's state folder is left out.

use std::io::{self, Write};
use std::path::Path;
use std::time::UNIX_EPOCH;

use cap_std::fs::{Dir, MetadataExt};
use zip::write::{SimpleFileOptions, StreamWriter};
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::{STATE_DIR, Workspace};

/// What went into an archive.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Zipped {
    pub files: u64,
    pub bytes: u64,
}

/// The name a folder's archive is called by (the root's own name for the root).
pub fn folder_name(ws: &Workspace, rel: &Path) -> String {
    match rel.file_name() {
        Some(n) => n.to_string_lossy().into_owned(),
        None => ws.name(),
    }
}

/// Writes the folder `rel` (its own name as the top folder of the archive) into `out`.
pub fn zip_folder(ws: &Workspace, rel: &Path, out: impl Write) -> io::Result<Zipped> {
    let dir = ws.open_dir(rel)?;
    let top = folder_name(ws, rel);
    let mut zip = ZipWriter::new_stream(out);
    let mut done = Zipped::default();
    let at_root = rel.as_os_str().is_empty();
    add_dir(&mut zip, &dir, &top, at_root, &mut done)?;
    zip.finish().map_err(io::Error::other)?;
    Ok(done)
}

fn add_dir<W: Write>(
    zip: &mut ZipWriter<StreamWriter<W>>,
    dir: &Dir,
    prefix: &str,
    at_root: bool,
    done: &mut Zipped,
) -> io::Result<()> {
    zip.add_directory(format!("{prefix}/"), SimpleFileOptions::default())
        .map_err(io::Error::other)?;
    let mut names: Vec<_> = dir.entries()?.filter_map(Result::ok).collect();
    names.sort_by_key(|e| e.file_name());
    for entry in names {
        let name = entry.file_name();
        if at_root && name == STATE_DIR {
            continue;
        }
        let path = format!("{prefix}/{}", name.to_string_lossy());
        // Gone since the folder was read: leave it out, as a later listing would.
        let Ok(meta) = dir.symlink_metadata(&name) else {
            continue;
        };
        let ft = meta.file_type();
        if ft.is_symlink() {
            let target = dir.read_link_contents(&name)?;
            zip.add_symlink(path, target.to_string_lossy(), SimpleFileOptions::default())
                .map_err(io::Error::other)?;
        } else if ft.is_dir() {
            let sub = dir.open_dir(&name)?;
            add_dir(zip, &sub, &path, false, done)?;
        } else if ft.is_file() {
            let mut file = match dir.open(&name) {
                Ok(f) => f,
                // Unreadable: an archive of the rest beats no archive.
                Err(e) if e.kind() == io::ErrorKind::PermissionDenied => continue,
                Err(e) => return Err(e),
            };
            let method = method_for(&path);
            let options = SimpleFileOptions::default()
                .compression_method(method)
                .compression_level((method == CompressionMethod::Deflated).then_some(1))
                .unix_permissions(meta.mode() & 0o7777)
                .large_file(meta.len() >= u64::from(u32::MAX))
                .last_modified_time(zip_time(&meta));
            zip.start_file(path, options).map_err(io::Error::other)?;
            done.bytes += io::copy(&mut file, zip)?;
            done.files += 1;
        }
    }
    Ok(())
}

/// Already-compressed formats are stored: deflating them again costs CPU and saves nothing.
fn method_for(path: &str) -> CompressionMethod {
    const PACKED: [&str; 16] = [
        "zip", "gz", "tgz", "bz2", "xz", "zst", "7z", "rar", "jpg", "jpeg", "png", "gif", "webp",
        "mp4", "mp3", "pdf",
    ];
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    if ext.is_some_and(|e| PACKED.contains(&e.as_str())) {
        CompressionMethod::Stored
    } else {
        CompressionMethod::Deflated
    }
}

/// The modification time in the archive's terms (UTC, 1980–2107; outside that, 1980).
fn zip_time(meta: &cap_std::fs::Metadata) -> DateTime {
    let secs = meta
        .modified()
        .ok()
        .and_then(|t| t.into_std().duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs() as libc::time_t);
    // SAFETY: gmtime_r only writes the struct it is given.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let ok = !unsafe { libc::gmtime_r(&secs, &mut tm) }.is_null();
    let civil = ok
        .then(|| {
            DateTime::from_date_and_time(
                u16::try_from(tm.tm_year + 1900).ok()?,
                u8::try_from(tm.tm_mon + 1).ok()?,
                u8::try_from(tm.tm_mday).ok()?,
                u8::try_from(tm.tm_hour).ok()?,
                u8::try_from(tm.tm_min).ok()?,
                u8::try_from(tm.tm_sec.min(59)).ok()?,
            )
            .ok()
        })
        .flatten();
    civil.unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_zips_with_its_tree_links_and_times() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("docs/sub/empty")).unwrap();
        std::fs::write(root.join("docs/a.txt"), "a".repeat(10_000)).unwrap();
        std::fs::write(root.join("docs/sub/b.png"), [0u8; 100]).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", root.join("docs/link")).unwrap();
        std::fs::create_dir_all(root.join(".atajo/trash")).unwrap();
        std::fs::write(root.join(".atajo/secret"), "x").unwrap();
        let ws = Workspace::open(root).unwrap();
        let mut out = Vec::new();
        let z = zip_folder(&ws, Path::new("docs"), &mut out).unwrap();
        assert_eq!(
            z,
            Zipped {
                files: 2,
                bytes: 10_100
            }
        );
        let mut archive = zip::ZipArchive::new(io::Cursor::new(out)).unwrap();
        let mut names: Vec<String> = archive
            .file_names()
            .map(|n| n.unwrap().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "docs/",
                "docs/a.txt",
                "docs/link",
                "docs/sub/",
                "docs/sub/b.png",
                "docs/sub/empty/"
            ]
        );
        let a = archive.by_name("docs/a.txt").unwrap();
        assert_eq!(a.compression(), CompressionMethod::Deflated);
        assert!(a.compressed_size() < 1000);
        assert!(a.last_modified().is_some_and(|t| t.year() >= 2025));
        drop(a);
        let link = archive.by_name("docs/link").unwrap();
        assert!(
            link.is_symlink(),
            "stored as a link, not its target's contents"
        );
        drop(link);
        assert_eq!(
            archive.by_name("docs/sub/b.png").unwrap().compression(),
            CompressionMethod::Stored
        );

        let mut whole = Vec::new();
        zip_folder(&ws, Path::new(""), &mut whole).unwrap();
        let archive = zip::ZipArchive::new(io::Cursor::new(whole)).unwrap();
        assert!(
            archive.file_names().all(|n| !n.unwrap().contains(".atajo")),
            "atajo's state stays out"
        );
    }
}
