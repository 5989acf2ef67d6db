//! The history at scale: how fast the writer takes records, and how long a search takes over a
//! million rows (p50/p99 per kind of query). A plain harness: criterion gives means, the issue
//! asks for percentiles.
//!
//!   cargo bench --bench history_search                 # 1,000,000 rows
//!   ATAJO_BENCH_ROWS=100000 cargo bench --bench history_search

use std::time::{Duration, Instant};

use atajo::history::search::{self, HistoryQuery};
use atajo::history::{Ended, History, Record, Retention, Verdict};
use rusqlite::{Connection, params};

/// A small deterministic generator: the same database every run.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[(self.next() as usize) % v.len()]
    }
}

const VERBS: &[&str] = &[
    "crea", "borra", "mueve", "copia", "lista", "busca", "comprime", "renombra", "create",
    "delete", "move", "copy", "list", "find", "compress", "rename", "muestra", "show", "cuenta",
    "count",
];
const THINGS: &[&str] = &[
    "la carpeta",
    "el archivo",
    "los informes",
    "las fotos",
    "the folder",
    "the file",
    "the reports",
    "the photos",
    "todo lo de",
    "everything in",
    "los logs",
    "the logs",
];
const NAMES: &[&str] = &[
    "proyecto", "informes", "fotos", "viajes", "facturas", "notas", "src", "docs", "backup",
    "datos", "clientes", "ventas", "music", "videos", "tmp", "build", "release", "drafts",
    "archive", "config",
];
const COMMANDS: &[&str] = &[
    "mkdir -p",
    "rm -r",
    "mv",
    "cp -r",
    "ls -la",
    "find . -name",
    "tar czf",
    "wc -l",
    "grep -rn",
    "du -sh",
];
const USERS: &[&str] = &[
    "ana", "bo", "carla", "dani", "eva", "owner", "admin", "fede",
];

fn fill(path: &std::path::Path, rows: u64) -> Duration {
    // Through the real schema (and its FTS triggers), in big transactions.
    drop(
        History::open(
            path,
            Retention {
                max_rows: u64::MAX / 2,
                max_days: 100_000,
            },
        )
        .expect("open"),
    );
    let mut conn = Connection::open(path).expect("conn");
    let mut rng = Lcg(42);
    let started = Instant::now();
    let now = 1_796_000_000.0;
    let mut done = 0;
    while done < rows {
        let tx = conn.transaction().expect("tx");
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO history (at, client, kind, input, command, allowed, user, cwd, verdict, status, exit_code, duration_ms, source)
                     VALUES (?1, 'c', 'instruction', ?2, ?3, 1, ?4, '', ?5, 'done', 0, 1.0, 'rules')",
                )
                .expect("stmt");
            for _ in 0..50_000.min(rows - done) {
                let name = format!("{}{}", rng.pick(NAMES), rng.next() % 5000);
                let input = format!("{} {} {}", rng.pick(VERBS), rng.pick(THINGS), name);
                let command = format!("{} {}", rng.pick(COMMANDS), name);
                let verdict = if rng.next().is_multiple_of(20) {
                    "denied"
                } else {
                    "allowed"
                };
                stmt.execute(params![
                    now + done as f64,
                    input,
                    command,
                    rng.pick(USERS),
                    verdict
                ])
                .expect("insert");
                done += 1;
            }
        }
        tx.commit().expect("commit");
    }
    started.elapsed()
}

fn writer_throughput(path: &std::path::Path, n: usize) -> f64 {
    let h = History::open(path, Retention::default()).expect("open");
    let started = Instant::now();
    for i in 0..n {
        let run = h.started(Record {
            client: "c".into(),
            user: "ana".into(),
            session: Some(1),
            kind: "instruction",
            source: Some("rules".into()),
            cwd: String::new(),
            input: format!("crea la carpeta bench{i}"),
            command: Some(format!("mkdir bench{i}")),
            verdict: Verdict::Allowed,
            reason: None,
            approval: None,
        });
        h.finished(
            run,
            Ended {
                exit_code: 0,
                duration_ms: 0.3,
                output: String::new(),
                status: "done",
            },
        );
    }
    // Dropping waits for the writer to commit everything queued.
    drop(h);
    n as f64 / started.elapsed().as_secs_f64()
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted[((p / 100.0) * (sorted.len() - 1) as f64).round() as usize]
}

fn main() {
    let rows: u64 = std::env::var("ATAJO_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = tmp.path().join("atajo.sqlite");
    let filled = fill(&db, rows);
    let size = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
    println!(
        "history: {rows} rows filled in {:.1} s ({:.0} rows/s, bulk), {:.0} MiB on disk",
        filled.as_secs_f64(),
        rows as f64 / filled.as_secs_f64(),
        size as f64 / 1048576.0
    );
    let per_s = writer_throughput(&db, 100_000);
    println!("writer: {per_s:.0} requests/s (started + finished each, 100,000 through History)");

    let conn = search::reader(&db).expect("reader");
    let q = |search: Option<&str>, user: Option<&str>, verdict: Option<&str>| HistoryQuery {
        search: search.map(str::to_owned),
        user: user.map(str::to_owned),
        verdict: verdict.map(str::to_owned),
        limit: Some(50),
        ..Default::default()
    };
    let cases: Vec<(&str, HistoryQuery)> = vec![
        ("newest page, no filter", q(None, None, None)),
        ("one person's newest page", q(None, Some("carla"), None)),
        ("denied, one person", q(None, Some("carla"), Some("denied"))),
        ("search a common word (mkdir)", q(Some("mkdir"), None, None)),
        (
            "search two words (fotos carpeta)",
            q(Some("fotos carpeta"), None, None),
        ),
        ("search a prefix (factur)", q(Some("factur"), None, None)),
        (
            "search a rare name (viajes4321)",
            q(Some("viajes4321"), None, None),
        ),
        (
            "search + person (informes, ana)",
            q(Some("informes"), Some("ana"), None),
        ),
        ("search with no match (zzzz)", q(Some("zzzz"), None, None)),
    ];
    println!(
        "\n{:<36} {:>9} {:>9} {:>6}",
        "query (50 rows at most)", "p50 ms", "p99 ms", "rows"
    );
    let mut all = Vec::new();
    for (name, query) in &cases {
        let mut times = Vec::new();
        let mut found = 0;
        for _ in 0..200 {
            let t = Instant::now();
            found = search::search(&conn, query).expect("search").len();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        all.extend(times.iter().copied());
        println!(
            "{name:<36} {:>9.3} {:>9.3} {found:>6}",
            pct(&times, 50.0),
            pct(&times, 99.0)
        );
    }
    all.sort_by(f64::total_cmp);
    println!(
        "{:<36} {:>9.3} {:>9.3}",
        "all queries",
        pct(&all, 50.0),
        pct(&all, 99.0)
    );
}
