//! `atajo translate` as scripts call it: the workspace's top is known only with `--root`, so
//! only then is a climb above it declined.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn translate(dir: &Path, root: Option<&Path>, text: &str) -> Value {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_atajo"));
    cmd.arg("translate").arg("--json");
    if let Some(r) = root {
        cmd.arg("--root").arg(r);
    }
    let out = cmd
        .arg(text)
        .current_dir(dir)
        .env("XDG_CONFIG_HOME", dir.join("no-config"))
        .env_remove("ATAJO_MODEL_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_climb_above_the_top_is_declined_only_where_the_top_is_known() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let deep = root.join("a/b");
    std::fs::create_dir_all(&deep).unwrap();
    let inner = root.join("a");

    // With --root: one level below the top, one level up is fine and two are not.
    assert_eq!(
        translate(&inner, Some(&root), "go up one level")["command"],
        "cd .."
    );
    let two = translate(&inner, Some(&root), "go up two levels");
    assert!(two["command"].is_null(), "{two}");
    assert!(
        two["explanation"]
            .as_str()
            .unwrap()
            .contains("top of the workspace"),
        "{two}"
    );
    // A path written out is left to the policy, which shows it and says why.
    assert_eq!(
        translate(&root, Some(&root), "create folder ../out")["command"],
        "mkdir -p ../out"
    );
    // Without --root the top is a guess (the folder above): nothing is declined for it.
    assert_eq!(
        translate(&deep, None, "go up two levels")["command"],
        "cd ../.."
    );
    assert_eq!(translate(&root, None, "sube un nivel")["command"], "cd ..");
}
