//! The assistant: the rule engine on instructions people type (target p50 under 20 µs) and
//! its start-up with plugins (target under 5 ms).

use std::hint::black_box;

use atajo::assistant::{self, Assistant, AssistantSettings, Context, Plugins, Source};
use criterion::{Criterion, criterion_group, criterion_main};

const PLUGIN: &str = r#"
[[command]]
name = "backup"
phrases.es = ["haz una copia de seguridad de {file}", "respalda {file}"]
phrases.en = ["back up {file}", "make a backup of {file}"]
slots.file = "path"
template = "cp -- {file} {file}.bak"
explanation.es = "Copia {file} a {file}.bak"
explanation.en = "Copies {file} to {file}.bak"

[[command]]
name = "last"
phrases.es = ["últimas {n} líneas de {file}"]
phrases.en = ["last {n} lines of {file}"]
slots = { n = "number", file = "path" }
template = "tail -n {n} -- {file}"
"#;

fn workspace() -> Context<'static> {
    let mut entries = vec![
        ("docs", true),
        ("docs/informe.pdf", false),
        ("docs/notas.txt", false),
        ("fotos", true),
        ("fotos/playa.jpg", false),
        ("fotos/vacaciones", true),
        ("fotos/vacaciones/video.mp4", false),
        ("src", true),
        ("src/main.rs", false),
        ("app.log", false),
        ("README.md", false),
    ];
    // A folder of realistic size around them.
    let names: Vec<String> = (0..300)
        .map(|i| format!("datos/registro-{i:03}.csv"))
        .collect();
    entries.push(("datos", true));
    entries.extend(names.iter().map(|n| (n.as_str(), false)));
    Context::from_entries(entries)
}

fn rules(c: &mut Criterion) {
    let ctx = workspace();
    let cases = [
        ("mkdir_es", "crea la carpeta PROYECTO"),
        (
            "mkdir_and_file_es",
            "crea la carpeta notas y dentro un archivo hoy.txt",
        ),
        ("mkdir_en", "create a folder called reports"),
        ("move_es", "mueve notas.txt a la carpeta fotos"),
        (
            "list_sorted_en",
            "list the files sorted by size, biggest first",
        ),
        ("tail_es", "muestra las últimas 5 líneas de app.log"),
        ("find_ext_en", "find all the pdf files"),
        ("grep_es", "busca la palabra TODO en src"),
        ("compress_es", "comprime la carpeta docs en un zip"),
        ("delete_described_es", "borra el vídeo"),
        ("refusal_en", "delete /etc/passwd"),
        ("not_understood", "frobnicate the wibble"),
    ];
    let mut group = c.benchmark_group("translate_rules");
    for (name, text) in cases {
        group.bench_function(name, |b| {
            b.iter(|| black_box(assistant::translate(black_box(text), None, &ctx)))
        });
    }
    group.finish();
}

/// What `serve` and `translate` pay once: plugins read and validated, cache and sources set up.
fn start_up(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    for i in 0..3 {
        std::fs::write(dir.path().join(format!("p{i}.toml")), PLUGIN).expect("plugin");
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    // What every start adds for the language files: parse them again and translate each
    // of their examples (the vocabulary itself is parsed once, before).
    c.bench_function("language_files_self_test", |b| {
        b.iter(|| {
            let failures = assistant::self_test();
            assert!(failures.is_empty(), "{failures:?}");
            black_box(failures.len())
        })
    });
    c.bench_function("assistant_start_up_3_plugin_files", |b| {
        b.iter(|| {
            let settings = AssistantSettings {
                order: vec![Source::Plugins, Source::Rules],
                plugin_dirs: vec![dir.path().to_path_buf()],
                ..AssistantSettings::default()
            };
            let (a, errors) = runtime
                .block_on(Assistant::new(settings))
                .expect("assistant");
            assert!(errors.is_empty());
            black_box(a.plugins().len())
        })
    });
    c.bench_function("plugins_parse_one_file", |b| {
        b.iter(|| {
            black_box(
                Plugins::from_text(std::path::Path::new("p.toml"), black_box(PLUGIN))
                    .map(|p| p.len()),
            )
        })
    });
}

criterion_group!(benches, rules, start_up);
criterion_main!(benches);
