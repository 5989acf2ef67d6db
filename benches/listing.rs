//! Listing a folder of 100k entries: all of it (names, order, one lstat per entry), and what
//! the first page a client sees costs (names and order, 200 lstats).

use std::hint::black_box;

use atajo::workspace::{self, Workspace};
use criterion::{Criterion, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let big = tmp.path().join("big");
    std::fs::create_dir(&big).expect("mkdir");
    for i in 0..100_000 {
        std::fs::write(big.join(format!("file{i}.txt")), b"").expect("write");
    }
    for i in 0..100 {
        std::fs::create_dir(big.join(format!("Dir {i}"))).expect("mkdir");
    }
    let ws = Workspace::open(tmp.path()).expect("workspace");
    let mut g = c.benchmark_group("listing");
    g.sample_size(10);
    g.bench_function("list 100k entries (read, lstat, sort)", |b| {
        b.iter(|| {
            let dir = ws.open_dir(std::path::Path::new("big")).expect("open");
            black_box(workspace::list(&dir).expect("list"))
        })
    });
    let dir = ws.open_dir(std::path::Path::new("big")).expect("open");
    g.bench_function(
        "first page: names read and ordered, 200 entries looked at",
        |b| {
            b.iter(|| {
                let names = workspace::names(&dir).expect("names");
                black_box(workspace::entries(&dir, &names[..200]))
            })
        },
    );
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
