//! The model against the disk: whatever happens on disk, once the watcher has caught up
//! (`fresh`), the model holds what a fresh walk finds.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;

use super::*;
use crate::workspace::{WatchMsg, Workspace, watch};

fn open() -> (tempfile::TempDir, Arc<Workspace>) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ws = Arc::new(Workspace::open(tmp.path()).expect("workspace"));
    (tmp, ws)
}

/// Paths, kinds and file sizes, as the model has them.
fn model_view(tree: &Tree) -> Vec<(String, bool, u64)> {
    let m = tree.read();
    let mut out: Vec<_> = walk_model(&m)
        .into_iter()
        .map(|(p, d)| {
            let size = if d {
                0
            } else {
                m.lookup(Path::new(&p))
                    .map_or(u64::MAX, |id| m.meta(id).size)
            };
            (p, d, size)
        })
        .collect();
    out.sort();
    out
}

/// The same, from a fresh walk of the disk.
fn disk_view(root: &Path) -> Vec<(String, bool, u64)> {
    let mut out: Vec<_> = walk_disk(root)
        .into_iter()
        .map(|(p, d)| {
            let size = if d {
                0
            } else {
                std::fs::symlink_metadata(root.join(&p)).map_or(u64::MAX, |m| m.len())
            };
            (p, d, size)
        })
        .collect();
    out.sort();
    out
}

fn assert_same(ws: &Workspace) {
    ws.tree().fresh_blocking();
    assert_same_now(ws);
}

fn assert_same_now(ws: &Workspace) {
    let model = model_view(ws.tree());
    let disk = disk_view(ws.root());
    if model != disk {
        let only_model: Vec<_> = model.iter().filter(|e| !disk.contains(e)).take(5).collect();
        let only_disk: Vec<_> = disk.iter().filter(|e| !model.contains(e)).take(5).collect();
        panic!(
            "model ({}) and disk ({}) differ: only in the model {only_model:?}, only on disk {only_disk:?}",
            model.len(),
            disk.len()
        );
    }
}

#[derive(Debug, Clone)]
enum Op {
    File(usize, usize, usize),
    Dir(usize, usize),
    Write(usize, usize, usize),
    Move(usize, usize, usize, usize),
    Remove(usize, usize),
}

const NAMES: &[&str] = &["a", "b", "Música", "c.txt", "d"];

fn op() -> impl Strategy<Value = Op> {
    let n = NAMES.len();
    prop_oneof![
        (0..4usize, 0..n, 0..3usize).prop_map(|(d, f, s)| Op::File(d, f, s)),
        (0..4usize, 0..n).prop_map(|(d, f)| Op::Dir(d, f)),
        (0..4usize, 0..n, 0..3usize).prop_map(|(d, f, s)| Op::Write(d, f, s)),
        (0..4usize, 0..n, 0..4usize, 0..n).prop_map(|(a, b, c, d)| Op::Move(a, b, c, d)),
        (0..4usize, 0..n).prop_map(|(d, f)| Op::Remove(d, f)),
    ]
}

/// Folders the operations happen in: the root, one below it, one deeper, and one that each
/// run may make, move or remove.
fn folder(root: &Path, i: usize) -> std::path::PathBuf {
    match i {
        0 => root.to_path_buf(),
        1 => root.join("uno"),
        2 => root.join("uno/dos"),
        _ => root.join("a"),
    }
}

fn run(root: &Path, op: &Op) {
    // Operations that make no sense at this point (a missing folder…) fail, as they would for
    // a person: what counts is that the model follows whatever did happen.
    let _ = match *op {
        Op::File(d, f, s) => std::fs::write(folder(root, d).join(NAMES[f]), "x".repeat(s)),
        Op::Dir(d, f) => std::fs::create_dir(folder(root, d).join(NAMES[f])),
        Op::Write(d, f, s) => std::fs::write(folder(root, d).join(NAMES[f]), "yy".repeat(s + 1)),
        Op::Move(a, b, c, d) => std::fs::rename(
            folder(root, a).join(NAMES[b]),
            folder(root, c).join(NAMES[d]),
        ),
        Op::Remove(d, f) => {
            let p = folder(root, d).join(NAMES[f]);
            if p.is_dir() {
                std::fs::remove_dir_all(p)
            } else {
                std::fs::remove_file(p)
            }
        }
    };
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn the_model_follows_any_sequence_of_changes(ops in proptest::collection::vec(op(), 1..40)) {
        let (_tmp, ws) = open();
        std::fs::create_dir_all(ws.root().join("uno/dos")).expect("mkdir");
        let (_w, _rx) = watch(ws.clone()).expect("watch");
        for op in &ops {
            run(ws.root(), op);
        }
        assert_same(&ws);
    }
}

#[test]
fn a_first_walk_loads_everything_but_the_lazy_folders() {
    let (_tmp, ws) = open();
    let root = ws.root();
    std::fs::create_dir_all(root.join("src/deep/er")).unwrap();
    std::fs::write(root.join("src/deep/er/f.rs"), "x").unwrap();
    std::fs::create_dir_all(root.join("node_modules/pkg/lib")).unwrap();
    std::fs::create_dir_all(root.join(".atajo/trash")).unwrap();
    let (_w, _rx) = watch(ws.clone()).unwrap();
    assert_same(&ws);
    let m = ws.tree().read();
    let nm = m.lookup(Path::new("node_modules")).unwrap();
    assert!(
        !m.is_loaded(nm),
        "node_modules is loaded when someone looks"
    );
    assert!(m.lookup(Path::new("src/deep/er/f.rs")).is_some());
    drop(m);
    // Someone looks: loaded (and watched) from then on.
    ws.tree()
        .ensure_loaded(Path::new("node_modules/pkg"))
        .unwrap();
    std::fs::write(root.join("node_modules/pkg/index.js"), "x").unwrap();
    ws.tree().fresh_blocking();
    assert!(
        ws.tree()
            .entry_at(Path::new("node_modules/pkg/index.js"))
            .is_some()
    );
    assert!(
        ws.tree()
            .ensure_loaded(Path::new("src/deep/er/f.rs"))
            .is_err()
    );
    assert!(ws.tree().ensure_loaded(Path::new("nowhere")).is_err());
}

#[test]
fn a_renamed_folder_of_ten_thousand_entries_moves_without_being_read_again() {
    let (_tmp, ws) = open();
    let root = ws.root();
    std::fs::create_dir_all(root.join("big/inner")).unwrap();
    for i in 0..10_000 {
        std::fs::write(root.join(format!("big/f{i}")), "").unwrap();
    }
    std::fs::write(root.join("big/inner/deep.txt"), "hola").unwrap();
    let (_w, _rx) = watch(ws.clone()).unwrap();
    ws.tree().fresh_blocking();
    let before = ws
        .tree()
        .read()
        .lookup(Path::new("big/inner/deep.txt"))
        .unwrap();
    std::fs::create_dir(root.join("moved")).unwrap();
    // (A folder made this very moment is not watched yet: a move into it is seen as a
    // removal and a new folder, read whole.)
    ws.tree().fresh_blocking();
    std::fs::rename(root.join("big"), root.join("moved/grande")).unwrap();
    assert_same(&ws);
    let m = ws.tree().read();
    assert_eq!(
        m.lookup(Path::new("moved/grande/inner/deep.txt")),
        Some(before)
    );
    drop(m);
    // Its watches moved with it: a change inside is still seen.
    std::fs::write(root.join("moved/grande/inner/new.txt"), "x").unwrap();
    assert_same(&ws);
}

#[test]
fn lost_events_are_found_by_reading_the_tree_again() {
    let (_tmp, ws) = open();
    let root = ws.root();
    std::fs::create_dir_all(root.join("docs")).unwrap();
    // A model loaded without a watcher: whatever happens next is "lost".
    ws.tree().load(false);
    std::fs::write(root.join("docs/new.txt"), "x").unwrap();
    std::fs::create_dir_all(root.join("fresh/sub")).unwrap();
    std::fs::remove_dir(root.join("docs")).ok();
    std::fs::remove_file(root.join("docs/new.txt")).unwrap();
    std::fs::remove_dir(root.join("docs")).unwrap();
    let changes = ws.tree().resync(false);
    let m = ws.tree().read();
    assert_eq!(walk_model(&m), walk_disk(root));
    assert!(
        changes.contains(&FsChange::new("docs", ChangeKind::Removed)),
        "{changes:?}"
    );
    assert!(
        changes.contains(&FsChange::new("fresh/sub", ChangeKind::Created)),
        "{changes:?}"
    );
}

#[test]
fn a_real_overflow_of_the_event_queue_is_caught_up() {
    let (_tmp, ws) = open();
    let root = ws.root().to_path_buf();
    std::fs::create_dir(root.join("storm")).unwrap();
    let (_w, mut rx) = watch(ws.clone()).unwrap();
    ws.tree().fresh_blocking();
    let queue: usize = std::fs::read_to_string("/proc/sys/fs/inotify/max_queued_events")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(16_384);
    // The watcher is held up (it waits for the model) while more events than the kernel
    // queues are made: some are lost for real.
    {
        let _held = ws.tree().write_for_tests();
        for i in 0..queue + 2000 {
            std::fs::write(root.join(format!("storm/f{i}")), "").unwrap();
        }
        std::fs::remove_file(root.join("storm/f0")).unwrap();
    }
    assert_same(&ws);
    let mut rescanned = false;
    while let Ok(msg) = rx.try_recv() {
        rescanned |= matches!(msg, WatchMsg::Rescan(_));
    }
    assert!(rescanned, "the overflow was told");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_made_a_moment_ago_is_in_the_model_when_asked() {
    let (_tmp, ws) = open();
    let root = ws.root().to_path_buf();
    std::fs::create_dir_all(root.join("sub")).unwrap();
    let (_w, _rx) = watch(ws.clone()).unwrap();
    ws.tree().fresh().await;
    std::fs::create_dir_all(root.join("ruido")).unwrap();
    for i in 0..10 {
        // Thousands of events queued ahead of the one that matters.
        for j in 0..2000 {
            std::fs::write(root.join(format!("ruido/r{i}_{j}")), "").unwrap();
        }
        let name = format!("sub/recien{i}.txt");
        std::fs::write(root.join(&name), "x").unwrap();
        ws.tree().fresh().await;
        assert!(
            ws.tree().entry_at(Path::new(&name)).is_some(),
            "{name} made before the question, not in the model"
        );
        std::fs::remove_file(root.join(&name)).unwrap();
        ws.tree().fresh().await;
        assert!(ws.tree().entry_at(Path::new(&name)).is_none());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_process_changing_the_tree_while_the_model_is_read() {
    let (_tmp, ws) = open();
    let root = ws.root().to_path_buf();
    let (_w, _rx) = watch(ws.clone()).unwrap();
    ws.tree().fresh().await;
    let writer = std::thread::spawn({
        let root = root.clone();
        move || {
            for i in 0..2000 {
                let d = root.join(format!("d{}", i % 7));
                let _ = std::fs::create_dir(&d);
                let _ = std::fs::write(d.join(format!("f{i}")), "x");
                if i % 3 == 0 {
                    let _ = std::fs::remove_file(d.join(format!("f{}", i / 2)));
                }
                if i % 500 == 499 {
                    let _ = std::fs::rename(&d, root.join(format!("r{i}")));
                }
            }
        }
    });
    // Readers meanwhile: listings and lookups never see a half-applied change.
    while !writer.is_finished() {
        let children: Vec<u32> = ws.tree().read().children(ROOT).collect();
        for c in children {
            let _ = ws.tree().read().path_text(c);
        }
        let _ = ws.tree().listing(Path::new(""));
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    writer.join().unwrap();
    ws.tree().fresh().await;
    assert_same_now(&ws);
}

#[test]
fn announcements_go_into_the_model_once() {
    let (_tmp, ws) = open();
    let root = ws.root().to_path_buf();
    let (_w, _rx) = watch(ws.clone()).unwrap();
    ws.tree().fresh_blocking();
    std::fs::create_dir(root.join("hecho")).unwrap();
    std::fs::write(root.join("hecho/nota.txt"), "").unwrap();
    let said = ws
        .tree()
        .announce(&[PathBuf::from("hecho"), PathBuf::from("hecho/nota.txt")]);
    // The watcher may have been first: either way, nothing is new twice.
    let again = ws.tree().announce(&[PathBuf::from("hecho")]);
    assert!(again.is_empty());
    assert!(said.len() <= 2);
    assert_same(&ws);
}

#[test]
fn the_model_costs_a_bounded_number_of_bytes_per_entry() {
    let mut m = Model::new();
    let mut wds = 0;
    for d in 0..100 {
        let dir = m
            .upsert(
                ROOT,
                format!("carpeta-{d}").as_bytes(),
                Meta {
                    kind: crate::protocol::EntryKind::Dir,
                    mode: 0o40755,
                    size: 4096,
                    mtime_ns: 1,
                    ino: 1_000_000 + d,
                },
            )
            .id();
        for f in 0..1000 {
            m.upsert(
                dir,
                format!("informe_{f:04}.txt").as_bytes(),
                Meta {
                    kind: crate::protocol::EntryKind::File,
                    mode: 0o100644,
                    size: 10,
                    mtime_ns: 1,
                    ino: d * 10_000 + f,
                },
            );
        }
        wds += 1;
    }
    assert_eq!(m.len(), 100_000 + wds - 100 + 100);
    let per = m.heap_bytes() / m.len();
    assert!(per < 400, "{per} bytes per entry");
}

/// The watcher may get to a file's events only after its folder was renamed: the file is
/// looked for where the folder went.
#[test]
fn a_file_written_just_before_its_folder_is_renamed() {
    let (_tmp, ws) = open();
    let root = ws.root().to_path_buf();
    let (_w, _rx) = watch(ws.clone()).unwrap();
    ws.tree().fresh_blocking();
    for i in 0..50 {
        let d = root.join(format!("d{i}"));
        std::fs::create_dir(&d).unwrap();
        std::fs::write(d.join("a"), "x").unwrap();
        ws.tree().fresh_blocking();
        std::fs::write(d.join("f"), "x").unwrap();
        std::fs::rename(&d, root.join(format!("r{i}"))).unwrap();
        assert_same(&ws);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_watcher_keeps_nobody_waiting() {
    let (_tmp, ws) = open();
    let (w, _rx) = watch(ws.clone()).unwrap();
    ws.tree().fresh().await;
    drop(w);
    tokio::time::sleep(Duration::from_millis(100)).await;
    for i in 0..100 {
        std::fs::write(ws.root().join(format!("f{i}")), "").unwrap();
    }
    let t0 = std::time::Instant::now();
    ws.tree().fresh().await;
    assert!(
        t0.elapsed() < Duration::from_millis(500),
        "{:?}",
        t0.elapsed()
    );
}

#[test]
fn beyond_the_cap_folders_wait_until_someone_opens_them() {
    let (_tmp, ws) = open();
    let root = ws.root();
    for d in 0..20 {
        std::fs::create_dir(root.join(format!("d{d:02}"))).unwrap();
        for f in 0..10 {
            std::fs::write(root.join(format!("d{d:02}/f{f}")), "").unwrap();
        }
    }
    ws.tree().set_max_entries(50);
    let (_w, _rx) = watch(ws.clone()).unwrap();
    ws.tree().fresh_blocking();
    let (loaded, total) = {
        let m = ws.tree().read();
        let dirs: Vec<u32> = m.children(ROOT).filter(|&c| m.is_dir(c)).collect();
        (dirs.iter().filter(|&&d| m.is_loaded(d)).count(), dirs.len())
    };
    assert_eq!(total, 20, "every folder of the root is known");
    assert!(
        loaded < 20,
        "the walk stopped near the cap: {loaded} loaded"
    );
    assert!(ws.tree().read().len() <= 50 + 10 + 20);
    // Opened: loaded and kept current like any other.
    let later = (0..20).map(|d| format!("d{d:02}")).find(|d| {
        let m = ws.tree().read();
        m.lookup(Path::new(d)).is_some_and(|id| !m.is_loaded(id))
    });
    let later = later.expect("an unloaded folder");
    let listed = ws.tree().listing(Path::new(&later)).unwrap();
    assert_eq!(listed.len(), 10);
    std::fs::write(root.join(&later).join("new"), "").unwrap();
    ws.tree().fresh_blocking();
    assert!(ws.tree().entry_at(&Path::new(&later).join("new")).is_some());
}

#[test]
fn a_folder_nobody_opened_is_listed_with_its_time_as_on_disk() {
    let (_tmp, ws) = open();
    let root = ws.root();
    std::fs::create_dir_all(root.join("node_modules/pkg")).unwrap();
    let (_w, _rx) = watch(ws.clone()).unwrap();
    ws.tree().fresh_blocking();
    let before = ws.tree().entry_at(Path::new("node_modules")).unwrap().tag;
    // Its contents change; no watch sees it (the folder is not loaded).
    std::thread::sleep(Duration::from_millis(20));
    std::fs::create_dir(root.join("node_modules/other")).unwrap();
    let listed = ws.tree().listing(Path::new("")).unwrap();
    let (_, meta) = listed
        .iter()
        .find(|(n, _)| &**n == b"node_modules")
        .unwrap();
    let disk = crate::workspace::entry_at(ws.dir(), Path::new("node_modules"))
        .unwrap()
        .unwrap();
    assert_eq!(
        meta.tag(),
        disk.tag,
        "the tag a rename will be checked against"
    );
    assert_ne!(meta.tag(), before);
}
