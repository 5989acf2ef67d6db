//! Parser + policy on arbitrary input: never panics, and whatever it allows names only
//! programs from the rules, never one of the never-allowed ones.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use atajo::policy::{self, Context, Rules};
use libfuzzer_sys::fuzz_target;

fn root() -> &'static PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("atajo-fuzz-{}", std::process::id()));
        let _ = std::fs::create_dir_all(dir.join("docs/sub"));
        let _ = std::fs::write(dir.join("docs/a.txt"), "a");
        let _ = std::os::unix::fs::symlink("/etc", dir.join("out"));
        dir.canonicalize().unwrap_or(dir)
    })
}

fuzz_target!(|data: &[u8]| {
    // libfuzzer-sys's panic hook aborts even on a panic the policy catches (it turns a
    // parser panic into a syntax error); print instead: a panic that escapes still aborts.
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| std::panic::set_hook(Box::new(|info| eprintln!("{info}"))));
    let Ok(command) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(rules) = Rules::builtin() else {
        return;
    };
    let ctx = Context {
        root: root(),
        cwd: Path::new(""),
        rules,
    };
    if let Ok(checked) = policy::check(command, ctx) {
        for step in &checked.steps {
            for stage in &step.stages {
                assert!(rules.get(&stage.program).is_some(), "{command:?}");
                assert!(policy::never_category(&stage.program).is_none(), "{command:?}");
                for r in &stage.redirects {
                    if let policy::Target::File(rel, _) = &r.target {
                        assert!(rel.is_relative() && !rel.starts_with(".atajo"), "{command:?}");
                    }
                }
            }
        }
    }
});
