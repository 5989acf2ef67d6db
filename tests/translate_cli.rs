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

/// A workspace with the folders `sub` beneath its top: (its guard, the top, `sub`).
fn workspace(sub: &str) -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let deep = root.join(sub);
    std::fs::create_dir_all(&deep).unwrap();
    (dir, root, deep)
}

/// No command, and the reason names the top of the workspace.
fn declined_for_the_top(t: &Value) {
    assert!(t["command"].is_null(), "{t}");
    assert!(
        t["explanation"]
            .as_str()
            .is_some_and(|e| e.contains("top of the workspace")),
        "{t}"
    );
}

#[test]
fn a_climb_above_the_top_is_declined_only_where_the_top_is_known() {
    let (_dir, root, deep) = workspace("a/b");
    let inner = root.join("a");

    // With --root: one level below the top, one level up is fine and two are not.
    assert_eq!(
        translate(&inner, Some(&root), "go up one level")["command"],
        "cd .."
    );
    declined_for_the_top(&translate(&inner, Some(&root), "go up two levels"));
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

#[test]
fn the_top_level_is_a_path_from_here_only_where_the_top_is_known() {
    let (_dir, root, deep) = workspace("music/rock");
    std::fs::write(deep.join("song.mp3"), b"x").unwrap();

    assert_eq!(
        translate(&deep, Some(&root), "move song.mp3 to the top level")["command"],
        "mv song.mp3 ../../"
    );
    assert_eq!(
        translate(&deep, Some(&root), "copia song.mp3 a la raíz")["command"],
        "cp song.mp3 ../../"
    );
    // Deleting the top from below it is deleting everything.
    let all = translate(&deep, Some(&root), "delete the root folder");
    assert!(all["command"].is_null(), "{all}");
    // Without --root nobody knows where the top is: asked, never guessed.
    declined_for_the_top(&translate(&deep, None, "move song.mp3 to the top level"));
}
