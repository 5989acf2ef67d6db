//! The judge's runs are confined and bounded, and compare what matters.

use super::cases::{Case, Fixture};
use super::judge::{compare, run};
use crate::exec::{ResourceLimits, SandboxSettings};

fn fixture() -> Fixture {
    serde_json::from_str(
        r#"{"name": "f", "entries": [
            {"path": "docs/a.txt", "content": "uno\n"},
            {"path": "b.txt", "content": "dos\n"}
        ]}"#,
    )
    .unwrap()
}

fn case(json: &str) -> Case {
    serde_json::from_str(json).unwrap()
}

fn settings() -> SandboxSettings {
    SandboxSettings {
        enabled: true,
        run_as: None,
        limits: ResourceLimits {
            processes: 64,
            ..ResourceLimits::default()
        },
    }
}

#[tokio::test]
async fn answers_run_confined_bounded_and_judged_by_their_effect() {
    let f = fixture();
    let s = settings();
    let mv = case(
        r#"{"id": "1", "lang": "en", "fixture": "f", "nl": "x", "expect": ["mv b.txt docs/"], "intent": "move"}"#,
    );
    let want = run(&f, &mv, "mv b.txt docs/", &s).await.unwrap();
    assert!(want.ok(), "{want:?}");
    let same = run(&f, &mv, "mv -- b.txt docs", &s).await.unwrap();
    assert!(compare(&want, &same, &mv).is_empty());
    let other = run(&f, &mv, "cp b.txt docs/", &s).await.unwrap();
    let why = compare(&want, &other, &mv);
    assert!(why.iter().any(|w| w.contains("+ b.txt (file)")), "{why:?}");

    // Outside the copy nothing can be written: the command fails, nothing leaks.
    let marker = std::env::temp_dir().join(format!("atajo-eval-escape-{}", std::process::id()));
    let escape = format!("echo x > {}", marker.display());
    let r = run(&f, &mv, &escape, &s).await.unwrap();
    assert!(!r.ok() && !marker.exists(), "{r:?}");
    assert!(!r.stderr.is_empty());

    // A command that never ends is stopped and said to be.
    let r = run(&f, &mv, "sleep 60", &s).await.unwrap();
    assert!(r.timed_out);
    assert!(compare(&want, &r, &mv)[0].starts_with("timed out"));

    // cd is judged by where the shell ends up.
    let cd = case(
        r#"{"id": "2", "lang": "es", "fixture": "f", "nl": "x", "expect": ["cd docs"], "intent": "cd"}"#,
    );
    let a = run(&f, &cd, "cd docs", &s).await.unwrap();
    let b = run(&f, &cd, "cd ./docs/", &s).await.unwrap();
    let c = run(&f, &cd, "true", &s).await.unwrap();
    assert_eq!(a.probe.as_deref(), Some(&["docs".to_owned()][..]));
    assert!(compare(&a, &b, &cd).is_empty());
    assert!(!compare(&a, &c, &cd).is_empty());
}
