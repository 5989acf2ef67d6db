//! Runs a command as the evaluation does — `bash -c` on a fresh copy of the fixture — but inside
//! atajo's own sandbox, and says how two runs differ.

use std::ffi::OsStr;
use std::sync::LazyLock;
use std::time::Duration;

use regex::Regex;

use super::EvalError;
use super::cases::{Case, Fixture, StdoutMode};
use super::fixture::materialize;
use super::snapshot::{Tree, diff, snapshot};
use crate::exec::{Limits, Sandbox, SandboxSettings, run_confined};

/// Time a command may take, as the evaluation allows.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(5);
/// Output compared at most.
const OUTPUT_CAP: usize = 1 << 20;
/// Largest file a command may write, in KiB.
const FILE_SIZE_KB: u32 = 64 * 1024;
const PROBE_MARK: &str = "@@atajo-eval-probe@@";
const STDERR_FILE: &str = "eval-stderr";

/// What one command did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub timed_out: bool,
    pub tree: Tree,
    pub stdout: Vec<String>,
    pub probe: Option<Vec<String>>,
    pub stderr: String,
}

impl Run {
    pub fn ok(&self) -> bool {
        self.code == 0 && !self.timed_out
    }
}

/// Runs `command` on a fresh copy of `fixture` in the case's folder, confined to that copy.
pub async fn run(
    fixture: &Fixture,
    case: &Case,
    command: &str,
    settings: &SandboxSettings,
) -> Result<Run, EvalError> {
    let (_scratch, root) = scratch_copy(fixture)?;
    let sandbox = Sandbox::new(&root, settings).map_err(|e| EvalError::Sandbox(e.to_string()))?;
    let workdir = root.join(&case.cwd);
    let mut script = format!(
        "ulimit -f {FILE_SIZE_KB} 2>/dev/null\nexport TZ=UTC LANG=C.UTF-8\nexec 2>\"$TMPDIR/{STDERR_FILE}\"\n{command}"
    );
    if let Some(probe) = case.probe() {
        script.push_str(&format!(
            "\n__rc=$?\nprintf '\\n%s\\n' '{PROBE_MARK}'\n{probe}\nexit $__rc"
        ));
    }
    let args = [OsStr::new("-c"), OsStr::new(&script)];
    let limits = Limits {
        timeout: RUN_TIMEOUT,
        output_limit: OUTPUT_CAP,
    };
    let done = run_confined(
        OsStr::new("/bin/bash"),
        &args,
        &workdir,
        &root,
        &sandbox,
        limits,
    )
    .await;
    let stderr = std::fs::read(sandbox.tmpdir().join(STDERR_FILE))
        .map(|b| String::from_utf8_lossy(&b[..b.len().min(4096)]).into_owned())
        .unwrap_or_default();
    let root_text = root.to_string_lossy().into_owned();
    let roots = [root_text.as_str()];
    let (mode, unordered) = case.stdout_spec();
    let mut body = done.output.as_str();
    let mut probe = None;
    if case.probe().is_some() {
        let sep = format!("\n{PROBE_MARK}\n");
        match body.rsplit_once(&sep) {
            Some((before, tail)) => {
                probe = Some(normalize(tail, &roots, StdoutMode::Lines, false));
                body = before;
            }
            None => probe = Some(vec!["<probe did not run>".into()]),
        }
    }
    let stdout = if mode == StdoutMode::Ignore {
        Vec::new()
    } else {
        normalize(body, &roots, mode, unordered)
    };
    Ok(Run {
        code: done.code,
        timed_out: done.timed_out,
        tree: snapshot(&root, case.perm()),
        stdout,
        probe,
        stderr,
    })
}

static LS_LONG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[-dlbcpsD][-rwxsStTlL]{9}[.+@]?\s+\d+\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s(.*)$")
        .unwrap_or_else(|e| unreachable!("a fixed pattern: {e}"))
});

/// Output lines as the evaluation compares them.
pub fn normalize(text: &str, roots: &[&str], mode: StdoutMode, unordered: bool) -> Vec<String> {
    let mut text = text.to_owned();
    for r in roots {
        text = text.replace(&format!("{r}/"), "").replace(r, ".");
    }
    let mut lines: Vec<String> = text
        .lines()
        .map(|l| {
            let l = l.trim_end();
            l.strip_prefix("./").unwrap_or(l).to_owned()
        })
        .collect();
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    match mode {
        StdoutMode::Names | StdoutMode::AllNames => {
            let mut names = Vec::new();
            for line in &lines {
                if line.is_empty() || is_total(line) {
                    continue;
                }
                let long = LS_LONG.captures(line);
                let mut name = long
                    .as_ref()
                    .and_then(|c| c.get(1))
                    .map_or(line.as_str(), |m| m.as_str());
                if long.is_some()
                    && line.starts_with('l')
                    && let Some((link, _)) = name.split_once(" -> ")
                {
                    name = link;
                }
                let trimmed = name.trim_end_matches('/');
                let last = trimmed.rsplit('/').next().unwrap_or(trimmed);
                let name = if last.is_empty() { name } else { last };
                if name == "."
                    || name == ".."
                    || (mode == StdoutMode::Names && name.starts_with('.'))
                {
                    continue;
                }
                names.push(name.to_owned());
            }
            lines = names;
        }
        StdoutMode::FirstField => {
            lines = lines
                .iter()
                .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
                .collect();
        }
        StdoutMode::Lines | StdoutMode::Ignore => {}
    }
    if unordered {
        lines.sort();
    }
    lines
}

fn is_total(line: &str) -> bool {
    line.strip_prefix("total ")
        .is_some_and(|rest| !rest.is_empty() && !rest.contains(char::is_whitespace))
}

/// Why `got` differs from `want`; empty when they agree.
pub fn compare(want: &Run, got: &Run, case: &Case) -> Vec<String> {
    let mut reasons = Vec::new();
    if got.timed_out {
        reasons.push(format!("timed out after {} s", RUN_TIMEOUT.as_secs()));
    } else if got.code != 0 {
        let last = got.stderr.trim().lines().last().unwrap_or("");
        let last: String = last.chars().take(160).collect();
        reasons.push(if last.is_empty() {
            format!("exit status {}", got.code)
        } else {
            format!("exit status {}: {last}", got.code)
        });
    }
    if want.tree.nodes != got.tree.nodes {
        reasons.push(format!(
            "tree differs: {}",
            diff(&want.tree, &got.tree, 6).join("; ")
        ));
    }
    if case.stdout_spec().0 != StdoutMode::Ignore && want.stdout != got.stdout {
        reasons.push(format!(
            "output differs: expected {}, got {}",
            preview(&want.stdout),
            preview(&got.stdout)
        ));
    }
    if want.probe != got.probe {
        reasons.push(format!(
            "after the command, `{}` printed {}, expected {}",
            case.probe().unwrap_or(""),
            preview(got.probe.as_deref().unwrap_or(&[])),
            preview(want.probe.as_deref().unwrap_or(&[]))
        ));
    }
    reasons
}

fn preview(lines: &[String]) -> String {
    let shown = &lines[..lines.len().min(4)];
    let json = serde_json::to_string(shown).unwrap_or_default();
    if lines.len() > 4 {
        format!("{json} (+{} lines)", lines.len() - 4)
    } else {
        json
    }
}

/// Whether `root` can hold a sandbox here, said before any case runs.
pub fn sandbox_works(settings: &SandboxSettings) -> Result<(), EvalError> {
    let dir = tempfile::tempdir().map_err(|e| EvalError::Scratch(e.to_string()))?;
    let root = dir
        .path()
        .canonicalize()
        .map_err(|e| EvalError::Scratch(e.to_string()))?;
    Sandbox::new(&root, settings)
        .map(drop)
        .map_err(|e| EvalError::Sandbox(e.to_string()))
}

/// A fresh copy of the fixture in a folder removed when the guard drops: the guard and the
/// copy's canonical root.
pub fn scratch_copy(
    fixture: &Fixture,
) -> Result<(tempfile::TempDir, std::path::PathBuf), EvalError> {
    let scratch = tempfile::Builder::new()
        .prefix("atajo-eval-")
        .tempdir()
        .map_err(|e| EvalError::Scratch(e.to_string()))?;
    let root = scratch.path().join("ws");
    materialize(fixture, &root)?;
    let root = root
        .canonicalize()
        .map_err(|e| EvalError::Scratch(e.to_string()))?;
    Ok((scratch, root))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn listings_compare_on_the_names_they_show() {
        let long = "total 8\ndrwxr-xr-x 2 root root 4096 Mar  1 12:00 docs\n-rw-r--r-- 1 root root 5 Mar  1 12:00 .hidden\nlrwxrwxrwx 1 root root 5 Mar  1 12:00 l -> docs\n";
        assert_eq!(
            normalize(long, &[], StdoutMode::Names, true),
            s(&["docs", "l"])
        );
        assert_eq!(
            normalize(long, &[], StdoutMode::AllNames, true),
            s(&[".hidden", "docs", "l"])
        );
        assert_eq!(
            normalize("logs/a.log\nlogs/b.log\n", &[], StdoutMode::Names, true),
            s(&["a.log", "b.log"])
        );
        assert_eq!(
            normalize("  12 notas.txt\n", &[], StdoutMode::FirstField, false),
            s(&["12"])
        );
        assert_eq!(
            normalize(
                "/tmp/x/ws/a\n/tmp/x/ws\n./b  \n\n",
                &["/tmp/x/ws"],
                StdoutMode::Lines,
                false
            ),
            s(&["a", ".", "b"])
        );
    }
}
