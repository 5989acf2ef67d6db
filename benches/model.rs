//! The workspace model: what an instruction's name lookups cost against a tree of 100,000
//! entries (target p50 under 20 µs, whatever the size), and what applying the watcher's events
//! costs per event.

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;

use atajo::assistant::{self, Context};
use atajo::workspace::tree::{Event, Watch};
use atajo::workspace::{Workspace, watch};
use criterion::{Criterion, criterion_group, criterion_main};

/// A root of `flat` files beside `folders` folders of `per` files each, plus a few named ones,
/// its model loaded (not watched).
fn workspace(flat: usize, folders: usize, per: usize) -> (tempfile::TempDir, Arc<Workspace>) {
    let (tmp, ws) = unloaded(flat, folders, per);
    ws.tree().load(false);
    (tmp, ws)
}

fn unloaded(flat: usize, folders: usize, per: usize) -> (tempfile::TempDir, Arc<Workspace>) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    for i in 0..flat {
        std::fs::write(root.join(format!("registro-{i:06}.csv")), "").expect("file");
    }
    for d in 0..folders {
        let dir = root.join(format!("carpeta-{d:04}"));
        std::fs::create_dir(&dir).expect("folder");
        for f in 0..per {
            std::fs::write(dir.join(format!("foto-{f:03}.jpg")), "").expect("file");
        }
    }
    std::fs::create_dir_all(root.join("docs/informes")).expect("docs");
    std::fs::write(root.join("docs/notas.txt"), "").expect("notes");
    std::fs::write(root.join("docs/informes/Informe año 2024.pdf"), "").expect("report");
    let ws = Arc::new(Workspace::open(root).expect("workspace"));
    (tmp, ws)
}

fn lookups(c: &mut Criterion) {
    let mut group = c.benchmark_group("model_lookup");
    group.sample_size(50);
    for (label, flat, folders, per) in [
        ("10", 5, 0, 0),
        ("100k_flat", 100_000, 0, 0),
        ("100k_in_1000_folders", 0, 1000, 100),
    ] {
        let (_tmp, ws) = workspace(flat, folders, per);
        let tree = ws.tree();
        group.bench_function(format!("get_path_{label}"), |b| {
            b.iter(|| {
                let ctx = Context::new(tree.read(), Path::new(""));
                black_box(ctx.get(black_box("docs/notas.txt")).is_some())
            })
        });
        group.bench_function(format!("unique_named_{label}"), |b| {
            b.iter(|| {
                let ctx = Context::new(tree.read(), Path::new(""));
                black_box(ctx.unique_named(black_box("NOTAS.txt")).is_some())
            })
        });
        group.bench_function(format!("describe_{label}"), |b| {
            let words = ["informe".to_owned(), "2024".to_owned()];
            let none = |_: &str| Vec::new();
            b.iter(|| {
                let ctx = Context::new(tree.read(), Path::new(""));
                black_box(
                    ctx.describe(black_box(&words), &none, Some(&["pdf"]), "", None)
                        .is_some(),
                )
            })
        });
        group.bench_function(format!("translate_mkdir_{label}"), |b| {
            b.iter(|| {
                let ctx = Context::new(tree.read(), Path::new(""));
                black_box(assistant::translate(
                    black_box("crea la carpeta PROYECTO"),
                    None,
                    &ctx,
                ))
            })
        });
        group.bench_function(format!("translate_biggest_images_{label}"), |b| {
            b.iter(|| {
                let ctx = Context::new(tree.read(), Path::new(""));
                black_box(assistant::translate(
                    black_box("show the 3 biggest jpg files"),
                    None,
                    &ctx,
                ))
            })
        });
        group.bench_function(format!("translate_move_described_{label}"), |b| {
            b.iter(|| {
                let ctx = Context::new(tree.read(), Path::new(""));
                black_box(assistant::translate(
                    black_box("mueve el informe del año 2024 a la carpeta docs"),
                    None,
                    &ctx,
                ))
            })
        });
    }
    group.finish();
}

/// One batch of 1000 inotify events (a file written in each of 1000 files): one `lstat` and
/// one update of the model each.
fn apply_events(c: &mut Criterion) {
    let (_tmp, ws) = unloaded(0, 1, 1000);
    let (_w, _rx) = watch(ws.clone()).expect("watch");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(ws.tree().fresh());
    let wd = {
        let m = ws.tree().read();
        match m.lookup(Path::new("carpeta-0000")).map(|id| m.watch(id)) {
            Some(Watch::Wd(wd)) => wd,
            _ => panic!("the folder is not watched"),
        }
    };
    let names: Vec<String> = (0..1000).map(|f| format!("foto-{f:03}.jpg")).collect();
    let events: Vec<Event<'_>> = names
        .iter()
        .map(|n| Event {
            wd,
            mask: libc::IN_MODIFY,
            cookie: 0,
            name: n.as_bytes(),
        })
        .collect();
    let mut group = c.benchmark_group("model_apply");
    group.sample_size(30);
    group.bench_function("1000_modify_events", |b| {
        b.iter(|| black_box(ws.tree().apply(black_box(&events)).0.len()))
    });
    group.finish();
}

criterion_group!(benches, lookups, apply_events);
criterion_main!(benches);
