use std::fs;

use super::*;
use crate::policy::{self, Context, Rules};
use crate::protocol::Risk;

struct Fixture {
    _tmp: tempfile::TempDir,
    ws: Workspace,
    rules: &'static Rules,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    fs::create_dir_all(root.join("docs/sub")).unwrap();
    fs::create_dir_all(root.join("src")).unwrap();
    fs::write(root.join("notes.txt"), "hi").unwrap();
    fs::write(root.join("it's here.md"), "x").unwrap();
    fs::write(root.join("docs/notes.txt"), "other").unwrap();
    fs::write(root.join("docs/notes (copy).txt"), "taken").unwrap();
    fs::write(root.join("-dash"), "").unwrap();
    Fixture {
        ws: Workspace::open(root).unwrap(),
        _tmp: tmp,
        rules: Rules::builtin().unwrap(),
    }
}

fn item(path: &str) -> ItemRef {
    ItemRef {
        path: path.into(),
        tag: None,
        raw: None,
    }
}

impl Fixture {
    fn build(&self, cwd: &str, action: Action) -> Result<Built, Refused> {
        build(&self.ws, Path::new(cwd), &action, Lang::En)
    }

    /// The command, which the policy must allow with the given risk.
    fn command(&self, cwd: &str, action: Action, risk: Risk) -> String {
        let built = self.build(cwd, action).unwrap();
        let checked = policy::check(
            &built.command,
            Context {
                root: self.ws.root(),
                cwd: Path::new(cwd),
                rules: self.rules,
            },
        )
        .unwrap_or_else(|e| panic!("{} was refused: {e:?}", built.command));
        assert_eq!(checked.risk, risk, "{}", built.command);
        built.command
    }

    fn refusal(&self, cwd: &str, action: Action) -> RefusalKind {
        match self.build(cwd, action) {
            Ok(b) => panic!("{} was not refused", b.command),
            Err(r) => r.kind,
        }
    }
}

#[test]
fn creation_quotes_names_and_refuses_taken_ones() {
    let f = fixture();
    let new_folder = |dir: &str, name: &str| Action::NewFolder {
        dir: dir.into(),
        name: name.into(),
    };
    assert_eq!(
        f.command("", new_folder("", "nueva carpeta"), Risk::Write),
        "mkdir 'nueva carpeta'"
    );
    assert_eq!(
        f.command("docs", new_folder("docs", "a'b $(x)"), Risk::Write),
        r"mkdir 'a'\''b $(x)'"
    );
    assert_eq!(
        f.command("docs/sub", new_folder("src", "x"), Risk::Write),
        "mkdir ../../src/x"
    );
    let new_file = Action::NewFile {
        dir: "".into(),
        name: "-n".into(),
    };
    assert_eq!(f.command("", new_file, Risk::Write), "touch -- -n");
    for (name, kind) in [
        ("notes.txt", RefusalKind::Exists),
        ("", RefusalKind::Invalid),
        ("..", RefusalKind::Invalid),
        ("a/b", RefusalKind::Invalid),
        (&"x".repeat(256), RefusalKind::Invalid),
    ] {
        let a = Action::NewFile {
            dir: "".into(),
            name: name.into(),
        };
        assert_eq!(f.refusal("", a), kind, "{name}");
    }
    assert_eq!(
        f.refusal("", new_folder("../outside", "x")),
        RefusalKind::Invalid
    );
    assert_eq!(f.refusal("", new_folder("gone", "x")), RefusalKind::Missing);
    assert_eq!(
        f.refusal("", new_folder("notes.txt", "x")),
        RefusalKind::Missing
    );
}

#[test]
fn rename_checks_the_tag_the_client_saw() {
    let f = fixture();
    let seen = entry_at(f.ws.dir(), Path::new("notes.txt"))
        .unwrap()
        .unwrap()
        .tag;
    let rename = |tag: Option<String>, name: &str| Action::Rename {
        item: ItemRef {
            path: "notes.txt".into(),
            tag,
            raw: None,
        },
        name: name.into(),
    };
    assert_eq!(
        f.command("", rename(Some(seen.clone()), "notas.txt"), Risk::Write),
        "mv -T notes.txt notas.txt"
    );
    assert_eq!(
        f.command("docs", rename(None, "notas.txt"), Risk::Write),
        "mv -T ../notes.txt ../notas.txt"
    );
    fs::write(f.ws.root().join("notes.txt"), "changed meanwhile").unwrap();
    assert_eq!(
        f.refusal("", rename(Some(seen), "notas.txt")),
        RefusalKind::Conflict
    );
    assert_eq!(
        f.refusal("", rename(None, "it's here.md")),
        RefusalKind::Exists
    );
    assert_eq!(
        f.refusal("", rename(None, "notes.txt")),
        RefusalKind::Invalid
    );
    let gone = Action::Rename {
        item: item("nothing"),
        name: "x".into(),
    };
    assert_eq!(f.refusal("", gone), RefusalKind::Missing);
    let root = Action::Rename {
        item: item(""),
        name: "x".into(),
    };
    assert_eq!(f.refusal("", root), RefusalKind::Invalid);
}

#[test]
fn move_copy_and_delete() {
    let f = fixture();
    let mv = Action::Move {
        items: vec![item("notes.txt"), item("it's here.md"), item("-dash")],
        to: "docs/sub".into(),
    };
    assert_eq!(
        f.command("", mv, Risk::Write),
        r"mv -- notes.txt 'it'\''s here.md' -dash docs/sub/"
    );
    let up = Action::Move {
        items: vec![item("docs/notes.txt")],
        to: "".into(),
    };
    // Onto an existing file: the policy asks before replacing it.
    assert_eq!(f.command("docs", up, Risk::Destructive), "mv notes.txt ..");
    let into_itself = Action::Move {
        items: vec![item("docs")],
        to: "docs/sub".into(),
    };
    assert_eq!(f.refusal("", into_itself), RefusalKind::Invalid);
    let nowhere = Action::Move {
        items: vec![item("docs/notes.txt")],
        to: "docs".into(),
    };
    assert_eq!(f.refusal("", nowhere), RefusalKind::Invalid);

    let cp = Action::Copy {
        items: vec![item("notes.txt"), item("src")],
        to: "docs".into(),
    };
    assert_eq!(
        f.command("", cp, Risk::Write),
        "cp -r src docs/ && cp -r -T notes.txt 'docs/notes (copy 2).txt'"
    );
    let here = Action::Copy {
        items: vec![item("docs")],
        to: "".into(),
    };
    assert_eq!(
        f.command("", here, Risk::Write),
        "cp -r -T docs 'docs (copy)'"
    );

    let rm = Action::Delete {
        items: vec![item("notes.txt"), item("docs/sub")],
    };
    assert_eq!(
        f.command("docs", rm, Risk::Destructive),
        "rm -r ../notes.txt sub"
    );
    let none = Action::Delete { items: vec![] };
    assert_eq!(f.refusal("", none), RefusalKind::Invalid);
}

#[test]
fn open_and_undo() {
    let f = fixture();
    let open = |p: &str| Action::Open { path: p.into() };
    let built = f.build("docs/sub", open("src")).unwrap();
    assert!(built.moves_cwd);
    assert_eq!(built.command, "cd ../../src");
    assert_eq!(f.command("docs", open(""), Risk::Read), "cd ..");
    assert_eq!(f.refusal("", open("notes.txt")), RefusalKind::Missing);
    let undo = |t: Option<&str>| Action::Undo {
        trash: t.map(str::to_owned),
    };
    assert_eq!(f.command("", undo(None), Risk::Write), "undo");
    assert_eq!(
        f.command("", undo(Some("1764700000000-3")), Risk::Write),
        "undo 1764700000000-3"
    );
    assert_eq!(
        f.refusal("", undo(Some("x; rm -r ."))),
        RefusalKind::Invalid
    );
}

#[test]
fn relative_paths_and_words() {
    let r = |a: &str, b: &str| relative(Path::new(a), Path::new(b));
    assert_eq!(r("", ""), ".");
    assert_eq!(r("", "a/b"), "a/b");
    assert_eq!(r("a/b", "a"), "..");
    assert_eq!(r("a/b", "c"), "../../c");
    assert_eq!(r("a/b", "a/c/d"), "../c/d");
    assert_eq!(word("plain-name_1.txt"), "plain-name_1.txt");
    assert_eq!(word("~x"), "'~x'");
    assert_eq!(word("*"), "'*'");
    assert_eq!(word(""), "''");
}

#[test]
fn a_name_that_is_not_utf8_is_named_by_its_bytes() {
    use std::os::unix::ffi::OsStrExt;
    let f = fixture();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9 'x'.txt");
    fs::write(f.ws.root().join("docs").join(name), "x").unwrap();
    let lossy = format!("docs/{}", name.to_string_lossy());
    let raw = |hex: &str| ItemRef {
        path: lossy.clone(),
        tag: None,
        raw: Some(hex.into()),
    };
    let hex: String = b"docs/caf\xe9 'x'.txt"
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let rename = Action::Rename {
        item: raw(&hex),
        name: "cafe.txt".into(),
    };
    assert_eq!(
        f.command("docs", rename, Risk::Write),
        r"mv -T $'caf\xe9 \'x\'.txt' cafe.txt"
    );
    let delete = Action::Delete {
        items: vec![raw(&hex)],
    };
    assert_eq!(
        f.command("", delete, Risk::Destructive),
        r"rm $'docs/caf\xe9 \'x\'.txt'"
    );
    // Without its bytes the shown name cannot be acted on; bad bytes are refused.
    let shown = Action::Delete {
        items: vec![item(&lossy)],
    };
    assert_eq!(f.refusal("", shown), RefusalKind::Invalid);
    let bad = Action::Delete {
        items: vec![raw("2e2e2f6574632f706173737764")],
    };
    assert_eq!(f.refusal("", bad), RefusalKind::Invalid);
}
