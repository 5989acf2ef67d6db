//! Per-program rules: which programs run, which options they take, and what every argument
//! means (a path read, written, deleted …, or plain text). The defaults live in
//! `default.toml`; users add or replace programs with files of the same shape. Every file
//! tests itself when it loads: each program's examples must be allowed / denied as written.

mod spec;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use serde::Deserialize;

pub use spec::{Kind, Layout, Repeat, Slot, Spec, Style, Why};

use super::never;

const DEFAULT_RULES: &str = include_str!("default.toml");

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("cannot read rules file {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("rules file {file}: {message}")]
    Parse { file: String, message: String },
    #[error("rules file {file}, program `{program}`: {message}")]
    Invalid {
        file: String,
        program: String,
        message: String,
    },
    #[error("cannot prepare the folder that rule examples are checked in: {0}")]
    Scratch(std::io::Error),
}

/// The programs atajo runs, by name.
#[derive(Debug, Default)]
pub struct Rules {
    programs: HashMap<String, Arc<Spec>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    programs: BTreeMap<String, spec::ProgramDef>,
}

impl Rules {
    /// The built-in rules, parsed and self-tested once per process.
    pub fn builtin() -> Result<&'static Rules, &'static RulesError> {
        static RULES: OnceLock<Result<Rules, RulesError>> = OnceLock::new();
        RULES.get_or_init(|| Rules::load(&[])).as_ref()
    }

    /// The built-in rules plus the users' files, in order (a later file replaces a program
    /// an earlier one defined). Every file's examples are checked.
    pub fn load(user_files: &[PathBuf]) -> Result<Rules, RulesError> {
        let mut rules = Rules::default();
        let mut added = Vec::new();
        rules.add_text("built-in rules", DEFAULT_RULES, &mut added)?;
        for path in user_files {
            let text =
                std::fs::read_to_string(path).map_err(|e| RulesError::Read(path.clone(), e))?;
            rules.add_text(&path.display().to_string(), &text, &mut added)?;
        }
        rules.self_test(&added)?;
        Ok(rules)
    }

    pub fn get(&self, name: &str) -> Option<&Spec> {
        self.programs.get(name).map(|s| &**s)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.programs.keys().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.programs.len()
    }

    /// The programs and what each does, a line each, in `lang`: what `? rules` shows in the
    /// web terminal (where `atajo rules` cannot run).
    pub fn listing(&self, lang: crate::lang::Lang) -> String {
        let mut names: Vec<&str> = self.names().collect();
        names.sort_unstable();
        let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
        let mut out = crate::tr!(lang, "rules_header", n = names.len());
        out.push('\n');
        for n in names {
            let about = self
                .get(n)
                .and_then(|s| s.about.as_ref())
                .map(|[es, en]| lang.pick(es, en))
                .unwrap_or_default();
            out.push_str(&format!("  {n:<width$}  {about}\n"));
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.programs.is_empty()
    }

    fn add_text(
        &mut self,
        file: &str,
        text: &str,
        added: &mut Vec<(String, String)>,
    ) -> Result<(), RulesError> {
        let parsed: RulesFile = toml::from_str(text).map_err(|e| RulesError::Parse {
            file: file.to_owned(),
            message: e.to_string(),
        })?;
        for (name, def) in parsed.programs {
            let invalid = |message: String| RulesError::Invalid {
                file: file.to_owned(),
                program: name.clone(),
                message,
            };
            if let Some(category) = never::category(&name) {
                return Err(invalid(format!(
                    "it can never be allowed ({}); rules may only name file-management tools",
                    category.describe(crate::lang::Lang::En)
                )));
            }
            if name.is_empty() || name.contains(['/', '=']) || name.chars().any(char::is_whitespace)
            {
                return Err(invalid("a program is named by a plain word".into()));
            }
            let spec = Spec::compile(&name, def).map_err(invalid)?;
            added.retain(|(_, n)| *n != name);
            added.push((file.to_owned(), name.clone()));
            self.programs.insert(name, Arc::new(spec));
        }
        Ok(())
    }

    /// Judges every example of the programs just added in an empty scratch workspace.
    fn self_test(&self, added: &[(String, String)]) -> Result<(), RulesError> {
        let scratch = Scratch::new().map_err(RulesError::Scratch)?;
        let ctx = super::Context {
            root: &scratch.root,
            cwd: Path::new(""),
            rules: self,
        };
        for (file, name) in added {
            let Some(spec) = self.get(name) else {
                continue;
            };
            let invalid = |message: String| RulesError::Invalid {
                file: file.clone(),
                program: name.clone(),
                message,
            };
            for example in &spec.examples.allow {
                if let Err(d) = super::check(example, ctx) {
                    return Err(invalid(format!(
                        "example `{example}` must be allowed but is denied: {}",
                        d.reason
                    )));
                }
            }
            for example in &spec.examples.deny {
                if super::check(example, ctx).is_ok() {
                    return Err(invalid(format!(
                        "example `{example}` must be denied but is allowed"
                    )));
                }
            }
        }
        Ok(())
    }
}

/// An empty canonical folder, removed on drop.
struct Scratch {
    root: PathBuf,
}

impl Scratch {
    fn new() -> std::io::Result<Self> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "atajo-rules-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir)?;
        Ok(Self {
            root: dir.canonicalize()?,
        })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

#[cfg(test)]
mod tests;
