use super::*;
use std::os::unix::fs::symlink;

struct Tree {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

fn tree() -> Tree {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    std::fs::create_dir_all(root.join("docs/sub")).unwrap();
    std::fs::create_dir_all(root.join(".git/objects")).unwrap();
    std::fs::write(root.join("docs/a.txt"), "a").unwrap();
    let root = root.canonicalize().unwrap();
    std::fs::create_dir(tmp.path().join("secret")).unwrap();
    symlink(tmp.path().join("secret"), root.join("escape")).unwrap();
    symlink(root.join("docs"), root.join("docs-link")).unwrap();
    symlink("/nonexistent-target", root.join("dangling")).unwrap();
    Tree { _tmp: tmp, root }
}

fn judge(t: &Tree, cwd: &str, cmd: &str) -> Result<Checked, Denial> {
    check(
        cmd,
        Context {
            root: &t.root,
            cwd: Path::new(cwd),
        },
    )
}

#[test]
fn allows_ordinary_file_management() {
    let t = tree();
    for (cmd, risk) in [
        ("mkdir PROYECTO", Risk::Write),
        ("mkdir -p a/b/c", Risk::Write),
        ("mkdir -pv 'con espacio' \"otra más\"", Risk::Write),
        ("touch notas.txt", Risk::Write),
        ("mkdir X && touch X/notas.txt", Risk::Write),
        ("ls", Risk::Read),
        ("ls -la docs", Risk::Read),
        ("cat docs/a.txt", Risk::Read),
        ("pwd", Risk::Read),
        ("cd docs; ls", Risk::Read),
        ("ls docs-link", Risk::Read),
        ("touch -- -rare", Risk::Write),
        ("mkdir a\\;b", Risk::Write),
        ("mkdir '$(x)' '*'", Risk::Write),
        ("mkdir .git", Risk::Write),
    ] {
        match judge(&t, "", cmd) {
            Ok(c) => assert_eq!(c.risk, risk, "{cmd}"),
            Err(d) => panic!("{cmd} denied: {}", d.reason),
        }
    }
}

#[test]
fn literal_words_reach_exec() {
    let t = tree();
    let c = judge(&t, "", "mkdir a\\;b '$(x)' \"q\\\"uote\" 'it'\\''s'").unwrap();
    assert_eq!(c.steps[0].args, ["a;b", "$(x)", "q\"uote", "it's"]);
    let c = judge(&t, "", "mkdir X && touch X/n || ls\npwd").unwrap();
    let connectors: Vec<_> = c.steps.iter().map(|s| s.connector).collect();
    assert_eq!(
        connectors,
        [
            Connector::Always,
            Connector::IfOk,
            Connector::IfFailed,
            Connector::Always
        ]
    );
}

#[test]
fn denies_with_the_reason() {
    let t = tree();
    type Case = (&'static str, &'static str, fn(&Reason) -> bool);
    let cases: &[Case] = &[
        ("", "", |r| matches!(r, Reason::Empty)),
        (
            "",
            "rm -rf /",
            |r| matches!(r, Reason::Program(p) if p == "rm"),
        ),
        ("", "mkdir /etc/x", |r| matches!(r, Reason::Outside(_))),
        ("", "mkdir ../x", |r| matches!(r, Reason::Outside(_))),
        ("docs", "touch ../../x", |r| matches!(r, Reason::Outside(_))),
        ("", "cd docs && touch ../../x", |r| {
            matches!(r, Reason::Outside(_))
        }),
        ("", "cat escape/key", |r| matches!(r, Reason::Symlink(_))),
        ("", "touch dangling", |r| matches!(r, Reason::Dangling(_))),
        ("", "mkdir $(whoami)", |r| matches!(r, Reason::Substitution)),
        ("", "mkdir `id`", |r| matches!(r, Reason::Substitution)),
        ("", "mkdir \"$(id)\"", |r| matches!(r, Reason::Substitution)),
        ("", "mkdir $HOME", |r| matches!(r, Reason::Expansion(_))),
        ("", "mkdir ~/x", |r| matches!(r, Reason::Expansion(_))),
        ("", "cat *.txt", |r| matches!(r, Reason::Pattern(_))),
        ("", "mkdir {a,b}", |r| matches!(r, Reason::Pattern(_))),
        ("", "ls | sh", |r| matches!(r, Reason::Pipeline)),
        ("", "ls > x", |r| matches!(r, Reason::Redirection)),
        ("", "PATH=/tmp ls", |r| matches!(r, Reason::Assignment(_))),
        ("", "ls &", |r| matches!(r, Reason::Background)),
        ("", "(ls)", |r| matches!(r, Reason::Compound(_))),
        ("", "f() { ls; }", |r| matches!(r, Reason::Compound(_))),
        ("", "mkdir -m 777 x", |r| matches!(r, Reason::Option { .. })),
        ("", "ls --color=always", |r| {
            matches!(r, Reason::Option { .. })
        }),
        ("", "mkdir", |r| matches!(r, Reason::MissingOperand(_))),
        ("", "touch .atajo/x", |r| matches!(r, Reason::Protected(_))),
        ("", "touch .git/objects/x", |r| {
            matches!(r, Reason::Protected(_))
        }),
        ("", "ls; rm x", |r| matches!(r, Reason::Program(_))),
        ("", "mkdir 'a\nb'", |r| matches!(r, Reason::ControlChars(_))),
        ("", "mkdir 'unterminated", |r| {
            matches!(r, Reason::Syntax(_))
        }),
        ("", "\\rm x", |r| matches!(r, Reason::Program(_))),
        ("", "'mkdir' x; /bin/rm y", |r| {
            matches!(r, Reason::Program(_))
        }),
    ];
    for (cwd, cmd, want) in cases {
        match judge(&t, cwd, cmd) {
            Ok(c) => panic!("{cmd:?} allowed: {c:?}"),
            Err(d) => assert!(want(&d.reason), "{cmd:?}: unexpected reason {:?}", d.reason),
        }
    }
}

#[test]
fn huge_commands_are_refused_before_parsing() {
    let t = tree();
    let cmd = format!("mkdir {}", "a".repeat(MAX_COMMAND_BYTES));
    assert!(matches!(
        judge(&t, "", &cmd).unwrap_err().reason,
        Reason::TooLong(..)
    ));
}

#[test]
fn reasons_speak_spanish() {
    let r = Reason::Program("rm".into());
    assert!(r.message(Lang::Es).contains("no está permitido"));
    assert!(r.message(Lang::En).contains("is not allowed"));
}
