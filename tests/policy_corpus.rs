//! The policy against two corpora: attacks that must all be denied (absolute paths, `..`
//! after cd, symlinks, substitutions, quoting tricks, look-alike and invisible characters,
//! newline injection, interpreters, network and privilege tools, zip-slip …) and ordinary
//! file management that should be allowed. Prints the figures; fails on any false allow or
//! on more than 5% false denies.

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use atajo::policy::{self, Context, Rules};

struct Tree {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

fn tree() -> Tree {
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path().join("ws");
    for d in [
        "docs",
        "src",
        "fotos",
        "vacia",
        "a/b/c",
        "build",
        "enlaces",
        ".git/hooks",
        ".atajo",
    ] {
        std::fs::create_dir_all(root.join(d)).expect("seed dir");
    }
    for f in [
        "docs/a.txt",
        "docs/b.txt",
        "docs/informe.pdf",
        "src/main.rs",
        "src/run.sh",
        "fotos/1.jpg",
        "fotos/2.jpg",
        "notas.txt",
        "datos.csv",
        "backup.tar.gz",
        "docs.zip",
        ".git/config",
        ".atajo/history.sqlite",
        "lista.txt",
        "script.sh",
        "-raro",
        "evil.tar",
        "evil.zip",
    ] {
        std::fs::write(root.join(f), "x\n").expect("seed file");
    }
    let root = root.canonicalize().expect("canonical");
    std::fs::create_dir_all(tmp.path().join("secret")).expect("secret");
    std::fs::write(tmp.path().join("secret/key"), "k").expect("key");
    symlink("/etc", root.join("enlaces/fuera")).expect("link");
    symlink("/nonexistent-atajo/x", root.join("enlaces/roto")).expect("link");
    symlink(root.join("docs"), root.join("enlaces/dentro")).expect("link");
    Tree { _tmp: tmp, root }
}

/// `[cwd] command` lines; `#` starts a comment line; with `newlines`, `\n` stands for a
/// newline (injection attempts).
fn corpus(name: &str, newlines: bool) -> Vec<(String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("corpus file");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let l = if newlines {
                l.replace("\\n", "\n")
            } else {
                l.to_owned()
            };
            match l.strip_prefix('[').and_then(|r| r.split_once("] ")) {
                Some((cwd, cmd)) => (cwd.to_owned(), cmd.to_owned()),
                None => (String::new(), l),
            }
        })
        .collect()
}

fn judge(t: &Tree, cwd: &str, cmd: &str) -> Result<policy::Checked, policy::Denial> {
    policy::check(
        cmd,
        Context {
            root: &t.root,
            cwd: Path::new(cwd),
            rules: Rules::builtin().expect("rules"),
        },
    )
}

#[test]
fn attacks_are_all_denied() {
    let t = tree();
    let cases = corpus("attacks.txt", true);
    let allowed: Vec<_> = cases
        .iter()
        .filter(|(cwd, cmd)| judge(&t, cwd, cmd).is_ok())
        .collect();
    println!(
        "attack corpus: {} commands, {} allowed",
        cases.len(),
        allowed.len()
    );
    assert!(cases.len() >= 250, "{}", cases.len());
    assert!(allowed.is_empty(), "false allows: {allowed:#?}");
}

#[test]
fn ordinary_file_management_is_allowed() {
    let t = tree();
    let cases = corpus("ordinary.txt", false);
    let denied: Vec<_> = cases
        .iter()
        .filter_map(|(cwd, cmd)| {
            judge(&t, cwd, cmd)
                .err()
                .map(|d| format!("{cmd}: {}", d.reason))
        })
        .collect();
    println!(
        "ordinary corpus: {} commands, {} denied: {denied:#?}",
        cases.len(),
        denied.len(),
    );
    // The tree holds a file named `-raro`: `*` hands it to the program as an option, as a
    // shell would, and the policy rightly refuses an option it does not know (`file -- *` or
    // `file ./*` is how to write it). Every other ordinary command must pass.
    let expected = [
        "file *: option -a of file is not allowed",
        "du -sh *: option -r of du is not allowed",
    ];
    assert_eq!(denied, expected, "false denies");
}
