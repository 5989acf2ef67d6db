//! The evaluation's formats: cases (JSON lines) and fixtures (a JSON tree description), read
//! with errors that name the file and line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::EvalError;

/// One instruction and what doing it should leave behind.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub id: String,
    pub lang: String,
    pub fixture: String,
    #[serde(default = "dot")]
    pub cwd: String,
    pub nl: String,
    /// Accepted commands; `None` when the request must be refused.
    pub expect: Option<Vec<String>>,
    #[serde(default)]
    pub intent: String,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub tier: Option<String>,
    #[serde(default)]
    pub stdout: Option<StdoutMode>,
    #[serde(default)]
    pub unordered: Option<bool>,
    #[serde(default)]
    pub perm: Option<Perm>,
    #[serde(default)]
    pub probe: Option<String>,
    #[serde(default)]
    pub requires: Vec<String>,
    #[serde(default)]
    pub noop_ok: bool,
}

fn dot() -> String {
    ".".into()
}

/// How a case's printed output is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StdoutMode {
    /// Not compared: the tree is what matters.
    Ignore,
    /// Lines after normalisation.
    Lines,
    /// Visible names a listing prints (`ls`, `ls -l`, `ls dir/*` agree).
    Names,
    /// Names, hidden ones included.
    AllNames,
    /// The first field of each line (`wc -l f` and `wc -l < f` agree).
    FirstField,
}

/// How much of a mode counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Perm {
    /// The owner-execute bit only.
    #[default]
    Exec,
    /// The whole mode.
    Full,
}

impl Case {
    /// The output mode and whether lines are sorted first: the case's own, else its intent's.
    pub fn stdout_spec(&self) -> (StdoutMode, bool) {
        let default = if self.intent.starts_with("find") {
            (StdoutMode::Lines, true)
        } else {
            by_intent(&self.intent)
        };
        let mode = self.stdout.unwrap_or(default.0);
        let unordered = self.unordered.unwrap_or(if mode == default.0 {
            default.1
        } else {
            matches!(mode, StdoutMode::Names | StdoutMode::AllNames)
        });
        (mode, unordered)
    }

    /// A command run after the answer in the same shell (`pwd` for `cd`).
    pub fn probe(&self) -> Option<&str> {
        match &self.probe {
            Some(p) => Some(p),
            None if self.intent == "cd" => Some("pwd"),
            None => None,
        }
    }

    pub fn perm(&self) -> Perm {
        self.perm.unwrap_or_default()
    }
}

/// The evaluation's defaults, so a case file reads the same here and in `run_eval.py`.
fn by_intent(intent: &str) -> (StdoutMode, bool) {
    use StdoutMode::*;
    match intent {
        "list" => (Names, true),
        "list_hidden" => (AllNames, true),
        "list_sorted" => (Names, false),
        "search_text" => (Lines, true),
        "file_type" => (Lines, true),
        "long_list" | "show_content" | "head" | "tail" | "sort" | "tree" | "newest" | "oldest"
        | "dedupe" | "pwd" => (Lines, false),
        "count_lines" | "count_words" | "count_files" | "count_matches" | "disk_usage" => {
            (FirstField, false)
        }
        _ => (Ignore, false),
    }
}

/// A tree to start from.
#[derive(Debug, Clone, Deserialize)]
pub struct Fixture {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub mtime: Option<String>,
    #[serde(default)]
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub path: String,
    #[serde(rename = "type", default = "file_kind")]
    pub kind: String,
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub base64: Option<String>,
    #[serde(default)]
    pub size: Option<usize>,
    #[serde(default)]
    pub exec: bool,
    #[serde(default)]
    pub mode: Option<String>,
    #[serde(default)]
    pub mtime: Option<String>,
    #[serde(default)]
    pub target: Option<String>,
}

fn file_kind() -> String {
    "file".into()
}

/// Reads a cases file: one JSON object per line; blank lines and `#` comments are skipped.
pub fn load_cases(path: &Path) -> Result<Vec<Case>, EvalError> {
    let text = std::fs::read_to_string(path).map_err(|source| EvalError::Read {
        path: path.to_owned(),
        source,
    })?;
    let mut cases = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let case: Case = serde_json::from_str(line).map_err(|e| EvalError::Format {
            path: path.to_owned(),
            line: n + 1,
            message: e.to_string(),
        })?;
        cases.push(case);
    }
    Ok(cases)
}

/// Every `*.json` fixture in `dir`, by name.
pub fn load_fixtures(dir: &Path) -> Result<BTreeMap<String, Fixture>, EvalError> {
    let read = |path: PathBuf, source| EvalError::Read { path, source };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| read(dir.to_owned(), e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    let mut out = BTreeMap::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).map_err(|e| read(path.clone(), e))?;
        let fixture: Fixture = serde_json::from_str(&text).map_err(|e| EvalError::Format {
            path: path.clone(),
            line: e.line(),
            message: e.to_string(),
        })?;
        out.insert(fixture.name.clone(), fixture);
    }
    Ok(out)
}

/// What is wrong with a case before anything runs.
pub fn problems(case: &Case, fixtures: &BTreeMap<String, Fixture>) -> Vec<String> {
    let mut out = Vec::new();
    if !fixtures.contains_key(&case.fixture) {
        out.push(format!("unknown fixture {:?}", case.fixture));
    }
    if case.nl.trim().is_empty() {
        out.push("empty instruction".into());
    }
    if Path::new(&case.cwd).components().any(|c| {
        !matches!(
            c,
            std::path::Component::Normal(_) | std::path::Component::CurDir
        )
    }) {
        out.push(format!("cwd {:?} must stay beneath the fixture", case.cwd));
    }
    if let Some(e) = &case.expect
        && e.is_empty()
    {
        out.push("expect is an empty list (use null for a refusal)".into());
    }
    out
}
