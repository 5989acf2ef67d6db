use super::*;

fn user_file(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rules.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

#[test]
fn builtin_rules_load_and_test_themselves() {
    let rules = Rules::builtin().unwrap();
    assert!(rules.len() > 50, "{}", rules.len());
    for name in [
        "cp", "mv", "rm", "find", "grep", "sed", "tar", "zip", "unzip", "tree",
    ] {
        assert!(rules.get(name).is_some(), "{name}");
    }
}

#[test]
fn a_user_rule_adds_a_program_after_its_examples_pass() {
    let (_d, path) = user_file(
        r#"
[programs.nproc]
examples.allow = ["nproc"]
examples.deny = ["nproc --all-the-things"]
"#,
    );
    let rules = Rules::load(&[path]).unwrap();
    assert!(rules.get("nproc").is_some());
}

#[test]
fn awk_is_allowed_only_with_its_program_checked() {
    for body in [
        "operands = [\"text*\"]",
        "operands = [\"awk-program\", \"read*\"]",
    ] {
        let (_d, path) = user_file(&format!("[programs.awk]\n{body}\n"));
        let err = Rules::load(&[path]).unwrap_err().to_string();
        assert!(
            err.contains("awk is allowed only with its program checked"),
            "{body}: {err}"
        );
    }
}

#[test]
fn a_rule_can_never_allow_shells_interpreters_or_privilege_tools() {
    for name in [
        "bash", "sh", "python3", "perl", "node", "gawk", "sudo", "env", "xargs", "curl",
    ] {
        let (_d, path) = user_file(&format!("[programs.{name}]\noperands = [\"text*\"]\n"));
        let err = Rules::load(&[path]).unwrap_err().to_string();
        assert!(err.contains("can never be allowed"), "{name}: {err}");
    }
}

#[test]
fn a_failing_example_stops_the_load_with_its_place() {
    let (_d, path) = user_file(
        r#"
[programs.cat]
flags = "n"
operands = ["read*"]
examples.allow = ["cat -A x"]
"#,
    );
    let err = Rules::load(std::slice::from_ref(&path))
        .unwrap_err()
        .to_string();
    assert!(err.contains(&path.display().to_string()), "{err}");
    assert!(err.contains("`cat -A x` must be allowed"), "{err}");

    let (_d, path) = user_file(
        r#"
[programs.cat]
operands = ["text*"]
examples.deny = ["cat /etc/passwd"]
"#,
    );
    let err = Rules::load(&[path]).unwrap_err().to_string();
    assert!(err.contains("must be denied but is allowed"), "{err}");
}

#[test]
fn malformed_files_say_where() {
    let (_d, path) = user_file("[programs.x]\noperands = [\"reed*\"]\n");
    let err = Rules::load(&[path]).unwrap_err().to_string();
    assert!(err.contains("line 2"), "{err}");
    let (_d, path) = user_file("[programs.x]\nflagz = \"a\"\n");
    let err = Rules::load(&[path]).unwrap_err().to_string();
    assert!(err.contains("flagz"), "{err}");
    let (_d, path) =
        user_file("[programs.x]\nflags = \"a\"\ndenied = { \"-a\" = \"runs-program\" }\n");
    let err = Rules::load(&[path]).unwrap_err().to_string();
    assert!(err.contains("both allowed and denied"), "{err}");
    let (_d, path) = user_file("[programs.\"/bin/x\"]\n");
    assert!(Rules::load(&[path]).is_err());
}
