//! `policy::check` on the commands people type most: the target is p50 under 20 µs.

use std::hint::black_box;
use std::path::Path;

use atajo::policy::{self, Context};
use criterion::{Criterion, criterion_group, criterion_main};

fn commands(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path().canonicalize().expect("canonical root");
    std::fs::create_dir_all(root.join("docs/informes")).expect("seed");
    std::fs::write(root.join("docs/notas.txt"), "hola").expect("seed");
    let cases = [
        ("mkdir", "mkdir PROYECTO"),
        ("mkdir_p_quoted", "mkdir -p 'mis fotos/2024' docs/nuevos"),
        ("touch_in_folder", "touch docs/informes/hoy.txt"),
        ("ls_la", "ls -la docs"),
        ("cat", "cat docs/notas.txt"),
        ("list_of_three", "mkdir a && cd a && touch b.txt"),
        ("pipeline", "grep -rn TODO docs | sort | head -5"),
        ("glob_redirect", "cat docs/*.txt > todo.txt"),
        ("find", "find . -name '*.txt' -mtime -7"),
        ("rm_destructive", "rm -r docs/informes"),
        ("denied_outside", "cat /etc/passwd"),
        ("denied_substitution", "ls $(whoami)"),
    ];
    let rules = policy::Rules::builtin().expect("built-in rules");
    let mut group = c.benchmark_group("policy_check");
    for (name, command) in cases {
        group.bench_function(name, |b| {
            b.iter(|| {
                let r = policy::check(
                    black_box(command),
                    Context {
                        root: &root,
                        cwd: Path::new(""),
                        rules,
                    },
                );
                black_box(r.is_ok())
            })
        });
    }
    group.finish();
}

/// Loading the built-in rules, self-test of every example included: paid once at start-up.
fn load(c: &mut Criterion) {
    c.bench_function("rules_load_and_self_test", |b| {
        b.iter(|| black_box(policy::Rules::load(&[]).map(|r| r.len()).unwrap_or(0)))
    });
}

criterion_group!(benches, commands, load);
criterion_main!(benches);
