//! What a command left behind: every path with its kind, a content fingerprint and its mode,
//! compared so that equal results count as equal however they were reached.

use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::workspace::STATE_DIR;

use super::cases::Perm;

/// One path of a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A folder and its mode (0 under `Perm::Exec`, where folders' modes do not count).
    Dir(u32),
    /// A file's fingerprint and mode (the owner-execute bit alone under `Perm::Exec`).
    File(String, u32),
    Link(String),
    Other,
}

/// Files up to this size keep their text, to tell "appended to" from "replaced".
const KEPT_BYTES: usize = 1 << 16;

#[derive(Debug, Default)]
pub struct Tree {
    pub nodes: BTreeMap<String, Node>,
    /// Small files' contents (one trailing newline dropped).
    pub data: BTreeMap<String, Vec<u8>>,
}

impl Tree {
    fn fingerprints(&self) -> HashSet<&str> {
        self.nodes
            .values()
            .filter_map(|n| match n {
                Node::File(fp, _) => Some(fp.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// The tree beneath `root`, atajo's own state folder left out.
pub fn snapshot(root: &Path, perm: Perm) -> Tree {
    let mut tree = Tree::default();
    walk(root, "", perm, &mut tree);
    tree
}

fn walk(dir: &Path, prefix: &str, perm: Perm, tree: &mut Tree) {
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    let mut names: Vec<_> = read.filter_map(|e| e.ok().map(|e| e.file_name())).collect();
    names.sort();
    for name in names {
        if prefix.is_empty() && name == STATE_DIR {
            continue;
        }
        let rel = format!("{prefix}{}", name.to_string_lossy());
        let full = dir.join(&name);
        let Ok(meta) = std::fs::symlink_metadata(&full) else {
            continue;
        };
        let mode = meta.permissions().mode() & 0o7777;
        let ft = meta.file_type();
        let node = if ft.is_symlink() {
            let target = std::fs::read_link(&full).unwrap_or_default();
            Node::Link(target.to_string_lossy().into_owned())
        } else if ft.is_dir() {
            walk(&full, &format!("{rel}/"), perm, tree);
            Node::Dir(if perm == Perm::Full { mode } else { 0 })
        } else if ft.is_file() {
            let shown = if perm == Perm::Full {
                mode
            } else {
                u32::from(mode & 0o100 != 0)
            };
            match std::fs::read(&full) {
                Ok(raw) => {
                    if raw.len() <= KEPT_BYTES {
                        tree.data.insert(rel.clone(), trimmed(&raw).to_vec());
                    }
                    Node::File(fingerprint(&raw), shown)
                }
                Err(e) => Node::File(
                    format!("unreadable:{}", e.raw_os_error().unwrap_or(0)),
                    shown,
                ),
            }
        } else {
            Node::Other
        };
        tree.nodes.insert(rel, node);
    }
}

/// "hola" and "hola\n" are the same answer to "write hola into f".
fn trimmed(data: &[u8]) -> &[u8] {
    data.strip_suffix(b"\n").unwrap_or(data)
}

fn sha(data: &[u8]) -> String {
    let digest = Sha256::digest(data);
    digest.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

/// A content hash that ignores what archivers store besides content: archives compare by
/// their members' names and contents, a lone compressed file by what it holds.
pub fn fingerprint(raw: &[u8]) -> String {
    if (raw.starts_with(b"PK\x03\x04") || raw.starts_with(b"PK\x05\x06"))
        && let Some(fp) = zip_members(raw)
    {
        return format!("zip:{fp}");
    }
    if raw.starts_with(b"\x1f\x8b") {
        let mut inner = Vec::new();
        if flate2::read::MultiGzDecoder::new(raw)
            .take(256 << 20)
            .read_to_end(&mut inner)
            .is_ok()
        {
            if is_tar(&inner)
                && let Some(fp) = tar_members(&inner)
            {
                return format!("tar+gz:{fp}");
            }
            return format!("gz:{}", sha(trimmed(&inner)));
        }
    }
    if is_tar(raw)
        && let Some(fp) = tar_members(raw)
    {
        return format!("tar:{fp}");
    }
    sha(trimmed(raw))
}

fn is_tar(raw: &[u8]) -> bool {
    raw.len() > 262 && &raw[257..262] == b"ustar"
}

fn member_name(name: &str) -> String {
    let mut n = name;
    while let Some(rest) = n.strip_prefix("./") {
        n = rest;
    }
    n.trim_matches('/').to_owned()
}

fn members_hash(mut members: Vec<(String, char, String)>) -> String {
    members.sort();
    let mut text = String::new();
    for (name, kind, what) in members {
        text.push_str(&format!("{name}\0{kind}\0{what}\n"));
    }
    sha(text.as_bytes())
}

fn tar_members(raw: &[u8]) -> Option<String> {
    let mut archive = tar::Archive::new(raw);
    let mut members = Vec::new();
    for entry in archive.entries().ok()? {
        let mut entry = entry.ok()?;
        let kind = entry.header().entry_type();
        let name = member_name(&String::from_utf8_lossy(&entry.path_bytes()));
        if kind.is_dir() {
            continue;
        }
        if kind.is_symlink() || kind.is_hard_link() {
            let target = entry
                .link_name_bytes()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            members.push((name, 'l', target));
        } else if kind.is_file() {
            let mut data = Vec::new();
            entry.read_to_end(&mut data).ok()?;
            members.push((name, 'f', sha(trimmed(&data))));
        }
    }
    Some(members_hash(members))
}

fn zip_members(raw: &[u8]) -> Option<String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(raw)).ok()?;
    let mut members = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).ok()?;
        if file.is_dir() {
            continue;
        }
        let name = member_name(&file.name().ok()?);
        let mut data = Vec::new();
        file.read_to_end(&mut data).ok()?;
        members.push((name, 'f', sha(trimmed(&data))));
    }
    Some(members_hash(members))
}

fn kind(n: &Node) -> &'static str {
    match n {
        Node::Dir(_) => "dir",
        Node::File(..) => "file",
        Node::Link(_) => "link",
        Node::Other => "other",
    }
}

/// How `got` differs from `want`, a few paths at most.
pub fn diff(want: &Tree, got: &Tree, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    let paths: std::collections::BTreeSet<&String> =
        want.nodes.keys().chain(got.nodes.keys()).collect();
    for path in paths {
        let (a, b) = (want.nodes.get(path), got.nodes.get(path));
        match (a, b) {
            (Some(a), Some(b)) if a == b => {}
            (None, Some(b)) => out.push(format!("+ {path} ({})", kind(b))),
            (Some(a), None) => out.push(format!("- {path} ({})", kind(a))),
            (Some(a), Some(b)) if kind(a) != kind(b) => {
                out.push(format!("~ {path} ({} -> {})", kind(a), kind(b)))
            }
            (Some(Node::File(x, _)), Some(Node::File(y, _))) if x != y => {
                out.push(format!("~ {path} (content)"))
            }
            _ => out.push(format!("~ {path} (mode)")),
        }
    }
    if out.len() > limit {
        let more = out.len() - limit;
        out.truncate(limit);
        out.push(format!("... {more} more"));
    }
    out
}

/// What the expected result kept of the original and `got` lost: a file is kept when its
/// content is still anywhere (moved, copied) or still starts its old path (appended to).
pub fn lost(original: &Tree, expected: &Tree, got: &Tree) -> Vec<String> {
    let mut lost = Vec::new();
    let got_fps = got.fingerprints();
    for (path, node) in &original.nodes {
        let Some(exp) = expected.nodes.get(path) else {
            continue;
        };
        if kind(exp) != kind(node) {
            continue;
        }
        match node {
            Node::Dir(_) if !matches!(got.nodes.get(path), Some(Node::Dir(_))) => {
                lost.push(format!("{path}/"));
            }
            Node::File(fp, _) => {
                let orig = original.data.get(path);
                let grew = |t: &Tree| {
                    orig.is_some_and(|o| t.data.get(path).is_some_and(|d| d.starts_with(o)))
                };
                let kept_by_expected = matches!(exp, Node::File(e, _) if e == fp) || grew(expected);
                if !kept_by_expected {
                    continue;
                }
                let kept_by_got = matches!(got.nodes.get(path), Some(Node::File(g, _)) if g == fp)
                    || grew(got)
                    || got_fps.contains(fp.as_str());
                if !kept_by_got {
                    lost.push(path.clone());
                }
            }
            _ => {}
        }
    }
    // A lost folder is said once, not each thing that was in it.
    let dirs: Vec<String> = lost.iter().filter(|p| p.ends_with('/')).cloned().collect();
    lost.retain(|p| !dirs.iter().any(|d| p.starts_with(d.as_str()) && p != d));
    lost
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn tar_of(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data) in members {
            let mut h = tar::Header::new_ustar();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_mtime(name.len() as u64 * 1000);
            h.set_cksum();
            b.append_data(&mut h, name, *data).unwrap();
        }
        b.into_inner().unwrap()
    }

    #[test]
    fn archives_compare_by_members_not_bytes() {
        let a = tar_of(&[("d/a.txt", b"uno\n"), ("d/b.txt", b"dos")]);
        let b = tar_of(&[("./d/b.txt", b"dos\n"), ("d/a.txt", b"uno")]);
        assert_ne!(a, b);
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert!(fingerprint(&a).starts_with("tar:"));
        assert_eq!(fingerprint(&gz(&a)), fingerprint(&gz(&b)));
        assert!(fingerprint(&gz(&a)).starts_with("tar+gz:"));
        let c = tar_of(&[("d/a.txt", b"uno"), ("d/b.txt", b"tres")]);
        assert_ne!(fingerprint(&a), fingerprint(&c));
        assert_eq!(fingerprint(&gz(b"hola\n")), fingerprint(&gz(b"hola")));
        assert_ne!(fingerprint(&gz(b"hola")), fingerprint(b"hola"));
        assert_eq!(fingerprint(b"hola\n"), fingerprint(b"hola"));
    }

    #[test]
    fn a_moved_file_is_not_lost_and_a_deleted_one_is() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("docs")).unwrap();
        std::fs::write(root.join("a.txt"), "alpha").unwrap();
        std::fs::write(root.join("docs/b.txt"), "beta").unwrap();
        let original = snapshot(root, Perm::Exec);
        std::fs::rename(root.join("a.txt"), root.join("docs/a.txt")).unwrap();
        let moved = snapshot(root, Perm::Exec);
        assert!(lost(&original, &original, &moved).is_empty());
        assert_eq!(
            diff(&original, &moved, 6),
            ["- a.txt (file)", "+ docs/a.txt (file)"]
        );
        std::fs::remove_dir_all(root.join("docs")).unwrap();
        let gone = snapshot(root, Perm::Exec);
        assert_eq!(lost(&original, &original, &gone), ["a.txt", "docs/"]);
    }
}
