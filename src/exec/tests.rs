use super::*;
use crate::policy::{self, Context, Stage, Step};
use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, symlink};

fn limits() -> Limits {
    Limits {
        timeout: Duration::from_secs(5),
        output_limit: 64 * 1024,
    }
}

/// A small tree both runs start from.
fn seed(root: &Path) {
    std::fs::create_dir_all(root.join("d/sub")).unwrap();
    std::fs::write(root.join("f"), "x").unwrap();
    std::fs::write(root.join("d/g"), "y").unwrap();
    symlink("d", root.join("to-d")).unwrap();
}

/// Every path beneath `root` with its kind, to compare what two runs left behind.
fn snapshot(root: &Path) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let e = e.unwrap();
            let meta = e.path().symlink_metadata().unwrap();
            let rel = e
                .path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let kind = if meta.is_dir() {
                stack.push(e.path());
                format!("dir {:o}", meta.mode() & 0o7777)
            } else if meta.file_type().is_symlink() {
                "link".to_owned()
            } else {
                format!("file {:o} {}", meta.mode() & 0o7777, meta.len())
            };
            map.insert(rel, kind);
        }
    }
    map
}

async fn builtin_run(root: &Path, cwd: &str, program: &str, args: &[&str]) -> Outcome {
    let ws = Workspace::open(root).unwrap();
    let checked = Checked {
        steps: vec![Step {
            connector: Connector::Always,
            stages: vec![Stage {
                program: program.to_owned(),
                args: args.iter().map(|s| s.to_string()).collect(),
                redirects: Vec::new(),
                meaning: Default::default(),
            }],
        }],
        risk: crate::protocol::Risk::Write,
        affected: Vec::new(),
    };
    let mut sink = |_: &str| {};
    run(
        &checked,
        false,
        &ws,
        &Sandbox::disabled(ws.root()),
        Path::new(cwd),
        limits(),
        None,
        &mut sink,
        crate::lang::Lang::En,
    )
    .await
}

fn coreutils_run(root: &Path, cwd: &str, program: &str, args: &[&str]) -> (String, i32) {
    let out = std::process::Command::new(program)
        .args(args)
        .current_dir(root.join(cwd))
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("LC_ALL", "C.UTF-8")
        .output()
        .unwrap();
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (text, out.status.code().unwrap_or(-1))
}

#[tokio::test]
async fn builtins_behave_like_coreutils() {
    let cases: &[(&str, &str, &[&str])] = &[
        ("", "mkdir", &["PROYECTO"]),
        ("", "mkdir", &["f"]),
        ("", "mkdir", &["d"]),
        ("", "mkdir", &["missing/x"]),
        ("", "mkdir", &["-p", "a/b/c"]),
        ("", "mkdir", &["-pv", "a/b/c", "d/sub/new"]),
        ("", "mkdir", &["-p", "f/g"]),
        ("", "mkdir", &["-p", "f"]),
        ("", "mkdir", &["-p", "d"]),
        (
            "",
            "mkdir",
            &["-v", "con espacio", "it's", "a$b", "tab\tx", "ñandú"],
        ),
        ("", "mkdir", &["--parents", "--verbose", "x/./y/../z"]),
        ("", "mkdir", &["-v", "--", "-dash"]),
        ("", "mkdir", &["ok", "f", "ok2"]),
        ("", "mkdir", &[""]),
        ("", "mkdir", &["to-d/via-link"]),
        ("d", "mkdir", &["-p", "../up/one"]),
        ("", "touch", &["new.txt"]),
        ("", "touch", &["f", "d", "x y.txt"]),
        ("", "touch", &["missing/x", "it's/x", "ok"]),
        ("", "touch", &["-c", "nothing", "f"]),
        ("", "touch", &["f/under-file"]),
        ("d", "touch", &["../made-from-d"]),
    ];
    for (cwd, program, args) in cases {
        let ours = tempfile::tempdir().unwrap();
        let theirs = tempfile::tempdir().unwrap();
        seed(ours.path());
        seed(theirs.path());
        let got = builtin_run(ours.path(), cwd, program, args).await;
        let (want_out, want_code) = coreutils_run(theirs.path(), cwd, program, args);
        let case = format!("{} {args:?} in {cwd:?}", program);
        assert_eq!(got.output, want_out, "output of {case}");
        assert_eq!(got.exit_code, want_code, "exit code of {case}");
        assert_eq!(
            snapshot(ours.path()),
            snapshot(theirs.path()),
            "tree after {case}"
        );
    }
}

#[tokio::test]
async fn touch_updates_the_time_of_an_existing_file() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("old");
    std::fs::write(&f, "x").unwrap();
    let past = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
    std::fs::File::options()
        .write(true)
        .open(&f)
        .unwrap()
        .set_modified(past)
        .unwrap();
    let got = builtin_run(tmp.path(), "", "touch", &["old"]).await;
    assert_eq!(got.exit_code, 0);
    let mtime = std::fs::metadata(&f).unwrap().modified().unwrap();
    assert!(mtime > past + Duration::from_secs(1_000_000_000));
}

async fn run_command(root: &Path, cwd: &str, command: &str, limits: Limits) -> Outcome {
    let ws = Workspace::open(root).unwrap();
    let checked = policy::check(
        command,
        Context {
            root: ws.root(),
            cwd: Path::new(cwd),
            rules: policy::Rules::builtin().unwrap(),
        },
    )
    .unwrap_or_else(|d| panic!("{command}: {}", d.reason));
    let mut sink = |_: &str| {};
    let sandbox = super::sandbox::tests::sandbox_for(ws.root());
    run(
        &checked,
        false,
        &ws,
        &sandbox,
        Path::new(cwd),
        limits,
        None,
        &mut sink,
        crate::lang::Lang::En,
    )
    .await
}

#[tokio::test]
async fn lists_follow_shell_semantics() {
    let tmp = tempfile::tempdir().unwrap();
    seed(tmp.path());
    let o = run_command(
        tmp.path(),
        "",
        "mkdir f && touch never; touch always",
        limits(),
    )
    .await;
    assert_eq!(o.exit_code, 0);
    assert!(!tmp.path().join("never").exists());
    assert!(tmp.path().join("always").exists());
    let o = run_command(tmp.path(), "", "mkdir f || mkdir fallback", limits()).await;
    assert_eq!(o.exit_code, 0);
    assert!(tmp.path().join("fallback").is_dir());
    let o = run_command(tmp.path(), "", "cd d && ls && pwd", limits()).await;
    assert_eq!(o.cwd, PathBuf::from("d"));
    let root = tmp.path().canonicalize().unwrap();
    assert_eq!(o.output, format!("g\nsub\n{}\n", root.join("d").display()));
    let o = run_command(tmp.path(), "d", "cat g; cat nope", limits()).await;
    assert_eq!(o.exit_code, 1);
    assert_eq!(o.output, "ycat: nope: No such file or directory\n");
}

#[tokio::test]
async fn output_is_capped_and_the_process_killed() {
    let tmp = tempfile::tempdir().unwrap();
    let big = "0123456789".repeat(100_000);
    std::fs::write(tmp.path().join("big"), &big).unwrap();
    let small = Limits {
        timeout: Duration::from_secs(5),
        output_limit: 1000,
    };
    let o = run_command(tmp.path(), "", "cat big big big", small).await;
    assert!(o.truncated);
    assert!(o.output.ends_with(&truncation_marker(1000)));
    assert!(o.output.len() < 1100);
}

/// Makes `dir/fifo`, a FIFO nobody writes to: `cat fifo` blocks on open forever.
fn blocking_fifo(dir: &Path) {
    let c = std::ffi::CString::new(dir.join("fifo").to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_command_that_never_ends_is_stopped() {
    let tmp = tempfile::tempdir().unwrap();
    blocking_fifo(tmp.path());
    let quick = Limits {
        timeout: Duration::from_millis(300),
        output_limit: 1000,
    };
    let o = run_command(tmp.path(), "", "cat fifo", quick).await;
    assert!(o.timed_out);
    assert_eq!(o.exit_code, TIMEOUT_EXIT);
    assert!(o.duration < Duration::from_secs(3));
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_cancelled_command_stops_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    blocking_fifo(tmp.path());
    let ws = Workspace::open(tmp.path()).unwrap();
    let checked = policy::check(
        "cat fifo; mkdir after",
        Context {
            root: ws.root(),
            cwd: Path::new(""),
            rules: policy::Rules::builtin().unwrap(),
        },
    )
    .unwrap();
    let sandbox = super::sandbox::tests::sandbox_for(ws.root());
    let cancel = std::sync::Arc::new(tokio::sync::Notify::new());
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        trigger.notify_one();
    });
    let mut sink = |_: &str| {};
    let o = run(
        &checked,
        false,
        &ws,
        &sandbox,
        Path::new(""),
        limits(),
        Some(&cancel),
        &mut sink,
        crate::lang::Lang::En,
    )
    .await;
    assert!(o.cancelled);
    assert!(!o.timed_out);
    assert_eq!(o.exit_code, CANCELLED_EXIT);
    assert!(o.output.ends_with("[atajo: cancelled]\n"), "{}", o.output);
    assert!(o.duration < Duration::from_secs(3));
    assert!(
        !tmp.path().join("after").exists(),
        "steps after a cancel must not run"
    );
}

mod confinement {
    //! Property: for generated commands over a tree with symlinks in and out, whatever the
    //! policy allows, run for real in the sandbox, changes nothing outside the root and
    //! shows nothing of what lies there.
    use super::*;
    use proptest::prelude::*;

    const SECRET: &str = "SECRETO-9f3a";

    fn outside_state(dir: &Path) -> BTreeMap<String, String> {
        let mut map = BTreeMap::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in entries.flatten() {
                let meta = e.path().symlink_metadata().unwrap();
                if meta.is_dir() {
                    stack.push(e.path());
                }
                let content = std::fs::read(e.path()).unwrap_or_default();
                map.insert(
                    e.path().display().to_string(),
                    format!(
                        "{:o} {} {:?} {}",
                        meta.mode(),
                        meta.len(),
                        meta.modified().ok(),
                        String::from_utf8_lossy(&content)
                    ),
                );
            }
        }
        map
    }

    const PROGRAMS: &[&str] = &[
        "cat",
        "ls -la",
        "cp",
        "cp -r",
        "mv",
        "rm -rf",
        "touch",
        "mkdir -p",
        "head -n 1",
        "grep -r S",
        "find",
        "sort",
        "wc -l",
        "tar -cf out.tar",
        "chmod 600",
        "sed -i s/S/X/",
        "du -s",
        "tail -n 1",
        "echo hi >",
        "cat >>",
        "tar -xf in.tar -C",
        "rmdir",
    ];
    const PATHS: &[&str] = &[
        "docs/a.txt",
        "docs",
        "sub",
        "nuevo",
        "link-in",
        "link-in/a.txt",
        "link-out",
        "link-out/secret.txt",
        "link-out/..",
        "link-out/../outside/secret.txt",
        "../outside",
        "../outside/secret.txt",
        "sub/../../outside/secret.txt",
        "/tmp/atajo-prop-x",
        "*",
        "docs/*",
        "~/docs",
        "~/../outside",
        "link-in/../docs/a.txt",
        "./link-out/",
        "in.tar",
        "{docs,link-out}",
    ];

    fn command() -> impl Strategy<Value = String> {
        (
            prop::sample::select(PROGRAMS),
            prop::collection::vec(prop::sample::select(PATHS), 1..3),
            prop::option::weighted(0.3, prop::sample::select(PATHS)),
        )
            .prop_map(|(p, args, redirect)| {
                let mut c = format!("{p} {}", args.join(" "));
                if let Some(r) = redirect {
                    c.push_str(&format!(" > {r}"));
                }
                c
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
        #[test]
        fn allowed_commands_stay_inside(cmd in command()) {
            let tmp = tempfile::tempdir().unwrap();
            let outside = tmp.path().join("outside");
            std::fs::create_dir_all(outside.join("deep")).unwrap();
            std::fs::write(outside.join("secret.txt"), SECRET).unwrap();
            let root = tmp.path().join("root");
            std::fs::create_dir_all(root.join("docs")).unwrap();
            std::fs::create_dir_all(root.join("sub")).unwrap();
            std::fs::write(root.join("docs/a.txt"), "S inside\n").unwrap();
            symlink(&outside, root.join("link-out")).unwrap();
            symlink(root.join("docs"), root.join("link-in")).unwrap();
            // An archive whose member climbs out (zip-slip) and one absolute member.
            let status = std::process::Command::new("tar")
                .args(["-cf", "in.tar", "-P", "docs/a.txt", "--transform=s|docs/a.txt|../outside/slip.txt|"])
                .current_dir(&root)
                .status()
                .unwrap();
            prop_assume!(status.success());
            let before = outside_state(&outside);
            let ws = Workspace::open(&root).unwrap();
            let checked = policy::check(
                &cmd,
                Context {
                    root: ws.root(),
                    cwd: Path::new(""),
                    rules: policy::Rules::builtin().unwrap(),
                },
            );
            let Ok(checked) = checked else {
                return Ok(());
            };
            let sandbox = super::super::sandbox::tests::sandbox_for(ws.root());
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let mut sink = |_: &str| {};
            let out = rt.block_on(run(
                &checked,
                false,
                &ws,
                &sandbox,
                Path::new(""),
                limits(),
                None,
                &mut sink,
                crate::lang::Lang::En,
            ));
            prop_assert_eq!(outside_state(&outside), before, "{} changed the outside", cmd);
            prop_assert!(!out.output.contains(SECRET), "{} showed the secret: {}", cmd, out.output);
            prop_assert!(!Path::new("/tmp/atajo-prop-x").exists(), "{} wrote /tmp", cmd);
        }
    }
}

#[tokio::test]
async fn undo_refuses_unknown_ids_an_empty_trash_and_tampered_manifests() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let got = builtin_run(root, "", "undo", &[]).await;
    assert_eq!(got.exit_code, 1);
    assert!(got.output.contains("the trash is empty"), "{}", got.output);

    std::fs::write(root.join("keep.txt"), "k").unwrap();
    std::fs::write(root.join("gone.txt"), "g").unwrap();
    let got = builtin_run(root, "", "rm", &["gone.txt"]).await;
    assert_eq!(got.exit_code, 0, "{}", got.output);
    assert!(!root.join("gone.txt").exists());
    let got = builtin_run(root, "", "undo", &["../../etc"]).await;
    assert_eq!(got.exit_code, 1);
    assert!(got.output.contains("no trash entry"), "{}", got.output);

    // A manifest rewritten to move another file (or out of its folder) is ignored.
    let trash = root.join(".atajo/trash");
    let entry = std::fs::read_dir(&trash)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let manifest = entry.join("manifest.json");
    let good = std::fs::read_to_string(&manifest).unwrap();
    for bad in [
        good.replace("\"stored\": \"0\"", "\"stored\": \"../../keep.txt\""),
        good.replace("\"from\": \"gone.txt\"", "\"from\": \"../outside.txt\""),
        good.replace("\"from\": \"gone.txt\"", "\"from\": \".atajo/x\""),
        good.replace("\"id\": \"", "\"id\": \"other-"),
    ] {
        assert_ne!(bad, good);
        std::fs::write(&manifest, &bad).unwrap();
        let got = builtin_run(root, "", "undo", &[]).await;
        assert_eq!(got.exit_code, 1, "{bad}: {}", got.output);
        assert!(root.join("keep.txt").exists() && !root.join("gone.txt").exists());
    }
    std::fs::write(&manifest, &good).unwrap();
    let got = builtin_run(root, "", "undo", &[]).await;
    assert_eq!(got.exit_code, 0, "{}", got.output);
    assert_eq!(std::fs::read_to_string(root.join("gone.txt")).unwrap(), "g");
    assert!(!entry.exists());
}

#[tokio::test]
async fn names_that_are_not_utf8_are_operable_by_their_bytes() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let raw = |b: &[u8]| root.join(std::ffi::OsStr::from_bytes(b));
    std::fs::write(raw(b"caf\xe9.txt"), "x").unwrap();
    std::fs::write(raw(b"\xff.bin"), "y").unwrap();
    // A program gets the real bytes as its argument, and so does a builtin.
    let out = run_command(root, "", r"cat $'caf\xe9.txt'", limits()).await;
    assert_eq!((out.exit_code, out.output.as_str()), (0, "x"));
    let out = run_command(root, "", r"mv -T $'caf\351.txt' cafe.txt", limits()).await;
    assert_eq!(out.exit_code, 0, "{}", out.output);
    assert!(root.join("cafe.txt").exists() && !raw(b"caf\xe9.txt").exists());
    // A glob matches it; rm puts it in the trash and undo brings back the same bytes.
    let out = run_command(root, "", "rm -v *.bin", limits()).await;
    assert_eq!(out.exit_code, 0, "{}", out.output);
    assert!(out.output.contains(r"$'\377'"), "{}", out.output);
    assert!(!raw(b"\xff.bin").exists());
    let out = run_command(root, "", "undo", limits()).await;
    assert_eq!(out.exit_code, 0, "{}", out.output);
    assert_eq!(std::fs::read(raw(b"\xff.bin")).unwrap(), b"y");
}

#[tokio::test]
async fn no_command_leaves_a_setuid_or_setgid_file() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    // A setuid program put there from outside (an unpacked archive, another user).
    std::fs::write(root.join("suid"), "#!/bin/sh\n").unwrap();
    std::fs::set_permissions(root.join("suid"), std::fs::Permissions::from_mode(0o6755)).unwrap();
    std::fs::write(root.join("plain"), "x").unwrap();
    std::fs::create_dir(root.join("out")).unwrap();
    let special = |name: &str| {
        std::fs::metadata(root.join(name))
            .map(|m| m.permissions().mode() & 0o6000)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    for command in [
        "cp -p suid copy",
        "cp -a suid copy-a",
        "tar -cpf a.tar suid",
        "tar -xpf a.tar -C out",
        "chmod --reference=suid plain",
    ] {
        run_command(root, "", command, limits()).await;
    }
    for made in ["copy", "copy-a", "out/suid", "plain"] {
        assert_eq!(special(made), 0, "{made} carries a special bit");
    }
    assert_eq!(special("suid"), 0o6000, "the original is left as it was");
    // An ordinary mode still changes.
    let o = run_command(root, "", "chmod 600 plain", limits()).await;
    assert_eq!(o.exit_code, 0, "{}", o.output);
    assert_eq!(
        std::fs::metadata(root.join("plain"))
            .unwrap()
            .permissions()
            .mode()
            & 0o7777,
        0o600
    );
}

#[tokio::test]
async fn a_link_that_leads_outside_is_removed_renamed_and_listed_itself() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret"), "keep me").unwrap();
    std::fs::create_dir(outside.path().join("dir")).unwrap();
    std::fs::write(outside.path().join("dir/inner"), "keep me too").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    symlink(outside.path().join("dir"), root.join("to-dir")).unwrap();
    symlink(outside.path().join("secret"), root.join("to-file")).unwrap();
    symlink("/nonexistent-atajo/x", root.join("broken")).unwrap();
    let untouched = || {
        assert_eq!(
            std::fs::read_to_string(outside.path().join("secret")).unwrap(),
            "keep me"
        );
        assert_eq!(
            std::fs::read_to_string(outside.path().join("dir/inner")).unwrap(),
            "keep me too"
        );
    };

    let o = run_command(root, "", "ls -l to-file to-dir", limits()).await;
    assert_eq!(o.exit_code, 0, "{}", o.output);
    assert!(o.output.contains("to-dir -> "), "{}", o.output);
    assert!(
        !o.output.contains("inner"),
        "ls -l does not list through the link"
    );

    let o = run_command(root, "", "mv to-file renamed", limits()).await;
    assert_eq!(o.exit_code, 0, "{}", o.output);
    assert!(
        root.join("renamed")
            .symlink_metadata()
            .unwrap()
            .file_type()
            .is_symlink()
    );
    untouched();

    // rm -r on a link to a folder removes the link, not what is inside the folder.
    let o = run_command(root, "", "rm -r to-dir renamed broken", limits()).await;
    assert_eq!(o.exit_code, 0, "{}", o.output);
    for gone in ["to-dir", "renamed", "broken"] {
        assert!(
            root.join(gone).symlink_metadata().is_err(),
            "{gone} is still there"
        );
    }
    untouched();
    // And undo puts the links back, as links.
    let o = run_command(root, "", "undo", limits()).await;
    assert_eq!(o.exit_code, 0, "{}", o.output);
    assert_eq!(
        std::fs::read_link(root.join("to-dir")).unwrap(),
        outside.path().join("dir")
    );
    untouched();
}

#[tokio::test]
async fn test_tee_and_expand_run_as_people_use_them() {
    let tmp = tempfile::tempdir().unwrap();
    seed(tmp.path());
    let root = tmp.path();
    for (command, out) in [
        ("test -f f && echo archivo", "archivo\n"),
        ("[ -d d ] && echo carpeta", "carpeta\n"),
        ("[ ! -e nada ] || echo nunca; echo fin", "fin\n"),
        ("test 3 -gt 2 && test a != b && echo cierto", "cierto\n"),
        ("test f -nt nada && echo nuevo", "nuevo\n"),
        ("echo hola | tee copia.txt", "hola\n"),
        (
            "echo adios | tee -a copia.txt > /dev/null; cat copia.txt",
            "hola\nadios\n",
        ),
        ("printf 'a\\tb\\n' | expand -t 4", "a   b\n"),
        ("printf '        x\\n' | unexpand", "\tx\n"),
    ] {
        let o = run_command(root, "", command, limits()).await;
        assert_eq!(o.output, out, "{command}");
    }
    let o = run_command(root, "", "test -f nada", limits()).await;
    assert_eq!(
        o.exit_code, 1,
        "a test that fails is an exit code, not an error"
    );
}

#[tokio::test]
async fn links_are_made_beneath_the_root() {
    let tmp = tempfile::tempdir().unwrap();
    seed(tmp.path());
    let root = tmp.path();
    for (command, out) in [
        ("ln -s f enlace && cat enlace", "x"),
        ("ln -s ../f d/arriba && cat d/arriba", "x"),
        ("ln f duro && cat duro", "x"),
        ("ln -s -t d ../f && cat d/f", "x"),
        ("ln -sr d/g desde-raiz && cat desde-raiz", "y"),
    ] {
        let o = run_command(root, "", command, limits()).await;
        assert_eq!((o.output.as_str(), o.exit_code), (out, 0), "{command}");
    }
    assert_eq!(
        std::fs::read_link(root.join("d/arriba")).unwrap(),
        Path::new("../f")
    );
    assert_eq!(std::fs::metadata(root.join("duro")).unwrap().nlink(), 2);
}

#[tokio::test]
async fn awk_one_liners_run_and_write_only_where_they_say() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::write(root.join("datos.txt"), "ana 3\nluis 4\neva 5\n").unwrap();
    std::fs::write(root.join("datos.csv"), "a,1\nb,2\n").unwrap();
    for (command, out) in [
        ("awk '{print $1}' datos.txt", "ana\nluis\neva\n"),
        ("awk -F, '{print $2}' datos.csv", "1\n2\n"),
        ("awk 'NR==1' datos.txt", "ana 3\n"),
        ("awk 'NR>1 {n++} END {print n}' datos.txt", "2\n"),
        ("awk '{s += $2} END {print s}' datos.txt", "12\n"),
        ("awk 'length($1) > 3' datos.txt", "luis 4\n"),
        (
            "awk '{print $1 > \"nombres.txt\"}' datos.txt && cat nombres.txt",
            "ana\nluis\neva\n",
        ),
    ] {
        let o = run_command(root, "", command, limits()).await;
        assert_eq!((o.output.as_str(), o.exit_code), (out, 0), "{command}");
    }
}
