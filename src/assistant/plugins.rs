//! User-defined instructions: phrases with typed slots, in Spanish and English, that become a
//! command template. Read from `~/.config/atajo/plugins/*.toml` and the workspace's
//! `.atajo/plugins/*.toml`, validated when loaded (errors name the file, line and field).
//! A plugin only writes a command: the policy judges it like any other, so a plugin cannot
//! do anything a typed command could not.
//!
//! ```toml
//! [[command]]
//! name = "backup"
//! phrases.es = ["haz una copia de seguridad de {file}", "respalda {file}"]
//! phrases.en = ["back up {file}", "make a backup of {file}"]
//! slots.file = "path"
//! template = "cp -- {file} {file}.bak"
//! explanation.es = "Copia {file} a {file}.bak"
//! explanation.en = "Copies {file} to {file}.bak"
//! [[command.example]]
//! say = "respalda notas.txt"
//! want = "cp -- notas.txt notas.txt.bak"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::build::q;
use super::say::Say;
use super::words::{Token, fold, tokenize};
use crate::lang::Lang;

/// What a slot accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SlotKind {
    /// A file or folder name, possibly several words ("mis notas.txt").
    Path,
    /// Free text (a message, a pattern), possibly several words.
    Text,
    /// One word.
    Word,
    /// Digits only.
    Number,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PluginFile {
    #[serde(default)]
    command: Vec<CommandDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CommandDef {
    name: Spanned<String>,
    #[serde(default)]
    phrases: Bilingual<Vec<Spanned<String>>>,
    #[serde(default)]
    slots: BTreeMap<String, SlotKind>,
    template: Spanned<String>,
    #[serde(default)]
    explanation: Bilingual<Option<String>>,
    /// Instructions and the command each must give, as in the language files: checked when
    /// the file loads. Without `want`, the instruction must not match this command.
    #[serde(default)]
    example: Vec<Spanned<ExampleDef>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExampleDef {
    say: String,
    #[serde(default)]
    want: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Bilingual<T> {
    #[serde(default)]
    es: T,
    #[serde(default)]
    en: T,
}

/// One piece of a phrase.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    /// A folded word that must be said.
    Word(String),
    Slot(String),
}

#[derive(Debug, Clone)]
struct Phrase {
    lang: Lang,
    pieces: Vec<Piece>,
}

#[derive(Debug, Clone)]
pub struct Plugin {
    pub name: String,
    /// The file it came from, for messages.
    pub file: PathBuf,
    phrases: Vec<Phrase>,
    slots: BTreeMap<String, SlotKind>,
    template: String,
    explanation: [Option<String>; 2],
    /// How many examples it carries, all checked when it loaded.
    pub examples: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    #[error("{file}: {message}")]
    Syntax { file: String, message: String },
    #[error("{file}, line {line}, {field}: {message}")]
    Invalid {
        file: String,
        line: usize,
        field: String,
        message: String,
    },
    #[error("{file}: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
}

/// A plugin's answer to an instruction.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginMatch {
    pub name: String,
    pub command: String,
    pub explanation: String,
}

/// Every plugin loaded, and the errors of the files that could not be.
#[derive(Debug, Default)]
pub struct Plugins {
    plugins: Vec<Plugin>,
}

impl Plugins {
    /// The folders plugins are read from: the user's, then the workspace's.
    pub fn dirs(root: Option<&Path>) -> Vec<PathBuf> {
        let mut dirs = Vec::new();
        let config = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")));
        if let Some(c) = config {
            dirs.push(c.join("atajo").join("plugins"));
        }
        if let Some(r) = root {
            dirs.push(r.join(crate::workspace::STATE_DIR).join("plugins"));
        }
        dirs
    }

    /// Loads every `*.toml` in `dirs` (missing folders are fine), in name order. A file
    /// with an error is left out and its error returned; the others still load.
    pub fn load(dirs: &[PathBuf]) -> (Self, Vec<PluginError>) {
        let mut plugins = Vec::new();
        let mut errors = Vec::new();
        for dir in dirs {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            let mut files: Vec<PathBuf> = entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect();
            files.sort();
            for file in files {
                let text = match std::fs::read_to_string(&file) {
                    Ok(t) => t,
                    Err(source) => {
                        errors.push(PluginError::Io {
                            file: file.display().to_string(),
                            source,
                        });
                        continue;
                    }
                };
                match parse_file(&file, &text) {
                    Ok(p) => plugins.extend(p),
                    Err(e) => errors.push(e),
                }
            }
        }
        (Self { plugins }, errors)
    }

    pub fn from_text(file: &Path, text: &str) -> Result<Self, PluginError> {
        Ok(Self {
            plugins: parse_file(file, text)?,
        })
    }

    pub fn len(&self) -> usize {
        self.plugins.len()
    }

    pub fn is_empty(&self) -> bool {
        self.plugins.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Plugin> {
        self.plugins.iter()
    }

    /// The first plugin whose phrase the instruction says, whole.
    pub fn find(&self, text: &str, lang: Option<Lang>) -> Option<(PluginMatch, Lang)> {
        let tokens = tokenize(text);
        if tokens.is_empty() {
            return None;
        }
        for plugin in &self.plugins {
            for phrase in &plugin.phrases {
                if lang.is_some_and(|l| l != phrase.lang) {
                    continue;
                }
                if let Some(values) = matches(&phrase.pieces, &tokens, &plugin.slots) {
                    return Some((plugin.fill(&values, phrase.lang), phrase.lang));
                }
            }
        }
        None
    }
}

impl Plugin {
    /// This command's answer to `text`, in whichever language one of its phrases says it.
    fn answer(&self, text: &str) -> Option<PluginMatch> {
        let tokens = tokenize(text);
        self.phrases.iter().find_map(|phrase| {
            matches(&phrase.pieces, &tokens, &self.slots).map(|v| self.fill(&v, phrase.lang))
        })
    }

    fn fill(&self, values: &BTreeMap<String, String>, lang: Lang) -> PluginMatch {
        let command = substitute(&self.template, |slot| {
            let v = values.get(slot).map(String::as_str).unwrap_or_default();
            match self.slots.get(slot) {
                // A name that starts with a dash must not read as an option.
                Some(SlotKind::Path) if v.starts_with('-') => q(&format!("./{v}")).into_owned(),
                _ => q(v).into_owned(),
            }
        });
        let idx = usize::from(lang == Lang::En);
        let explanation = match &self.explanation[idx] {
            Some(e) => substitute(e, |slot| {
                format!("«{}»", values.get(slot).map(String::as_str).unwrap_or(""))
            }),
            None => Say::new("plugin_command")
                .name("name", &self.name)
                .plain("command", &command)
                .render(lang.code()),
        };
        PluginMatch {
            name: self.name.clone(),
            command,
            explanation,
        }
    }
}

/// `{name}` placeholders replaced; `{{` and `}}` stand for braces.
fn substitute(template: &str, mut value: impl FnMut(&str) -> String) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        if after.starts_with("{{") || after.starts_with("}}") {
            out.push_str(&after[..1]);
            rest = &after[2..];
        } else if let Some(end) = after.strip_prefix('{').and_then(|a| a.find('}')) {
            out.push_str(&value(&after[1..=end]));
            rest = &after[end + 2..];
        } else {
            out.push_str(&after[..1]);
            rest = &after[1..];
        }
    }
    out.push_str(rest);
    out
}

/// The `{name}` placeholders of a template, in order.
fn placeholders(template: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        let after = &rest[i..];
        if after.starts_with("{{") || after.starts_with("}}") {
            rest = &after[2..];
            continue;
        }
        if after.starts_with('}') {
            return Err("a lone `}` (write `}}` for a brace)".into());
        }
        let Some(end) = after[1..].find('}') else {
            return Err("a `{` without its `}` (write `{{` for a brace)".into());
        };
        let name = &after[1..=end];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!(
                "`{{{name}}}` is not a slot name (letters, digits, _)"
            ));
        }
        out.push(name.to_owned());
        rest = &after[end + 2..];
    }
    Ok(out)
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn parse_file(file: &Path, text: &str) -> Result<Vec<Plugin>, PluginError> {
    let shown = file.display().to_string();
    let def: PluginFile = toml::from_str(text).map_err(|e| {
        let message = match e.span() {
            Some(span) => format!("line {}: {}", line_of(text, span.start), e.message()),
            None => e.message().to_owned(),
        };
        PluginError::Syntax {
            file: shown.clone(),
            message,
        }
    })?;
    let invalid =
        |span: std::ops::Range<usize>, field: &str, message: String| PluginError::Invalid {
            file: shown.clone(),
            line: line_of(text, span.start),
            field: field.to_owned(),
            message,
        };
    let mut out = Vec::new();
    for cmd in def.command {
        let name = cmd.name.get_ref().trim().to_owned();
        if name.is_empty() {
            return Err(invalid(cmd.name.span(), "name", "is empty".into()));
        }
        let field = |f: &str| format!("command \"{name}\".{f}");
        let used = placeholders(cmd.template.get_ref())
            .map_err(|m| invalid(cmd.template.span(), &field("template"), m))?;
        if cmd.template.get_ref().trim().is_empty() {
            return Err(invalid(
                cmd.template.span(),
                &field("template"),
                "is empty".into(),
            ));
        }
        for slot in &used {
            if !cmd.slots.contains_key(slot) {
                return Err(invalid(
                    cmd.template.span(),
                    &field("template"),
                    format!("uses {{{slot}}}, which is not declared in slots"),
                ));
            }
        }
        let mut phrases = Vec::new();
        for (lang, list, key) in [
            (Lang::Es, &cmd.phrases.es, "phrases.es"),
            (Lang::En, &cmd.phrases.en, "phrases.en"),
        ] {
            for p in list {
                let pieces = phrase_pieces(p.get_ref(), &cmd.slots)
                    .map_err(|m| invalid(p.span(), &field(key), m))?;
                for slot in &used {
                    if !pieces.contains(&Piece::Slot(slot.clone())) {
                        return Err(invalid(
                            p.span(),
                            &field(key),
                            format!(
                                "\"{}\" does not say {{{slot}}}, which the template needs",
                                p.get_ref()
                            ),
                        ));
                    }
                }
                phrases.push(Phrase { lang, pieces });
            }
        }
        if phrases.is_empty() {
            return Err(invalid(
                cmd.name.span(),
                &field("phrases"),
                "needs at least one phrase in phrases.es or phrases.en".into(),
            ));
        }
        for e in [&cmd.explanation.es, &cmd.explanation.en]
            .into_iter()
            .flatten()
        {
            placeholders(e).map_err(|m| invalid(cmd.name.span(), &field("explanation"), m))?;
        }
        let plugin = Plugin {
            name: name.clone(),
            file: file.to_path_buf(),
            phrases,
            slots: cmd.slots,
            template: cmd.template.into_inner(),
            explanation: [cmd.explanation.es, cmd.explanation.en],
            examples: cmd.example.len(),
        };
        for e in &cmd.example {
            let ExampleDef { say, want } = e.get_ref();
            let message = match (want, plugin.answer(say).map(|m| m.command)) {
                (Some(w), Some(g)) if *w != g => format!("\"{say}\" gives `{g}`, not `{w}`"),
                (Some(w), None) => format!("\"{say}\" does not match (wanted `{w}`)"),
                (None, Some(g)) => format!("\"{say}\" must not match, and gives `{g}`"),
                _ => continue,
            };
            return Err(invalid(e.span(), &field("example"), message));
        }
        out.push(plugin);
    }
    Ok(out)
}

fn phrase_pieces(phrase: &str, slots: &BTreeMap<String, SlotKind>) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    for word in phrase.split_whitespace() {
        if let Some(name) = word.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
            if !slots.contains_key(name) {
                return Err(format!("{{{name}}} is not declared in slots"));
            }
            if matches!(pieces.last(), Some(Piece::Slot(_))) {
                return Err(
                    "two slots in a row cannot be told apart: put a word between them".into(),
                );
            }
            pieces.push(Piece::Slot(name.to_owned()));
        } else if word.contains(['{', '}']) {
            return Err(format!(
                "`{word}`: a slot must be a whole word, like {{file}}"
            ));
        } else {
            let folded = fold(word.trim_matches(|c: char| !c.is_alphanumeric()));
            if !folded.is_empty() {
                pieces.push(Piece::Word(folded));
            }
        }
    }
    if !pieces.iter().any(|p| matches!(p, Piece::Word(_))) {
        return Err("a phrase needs at least one word besides its slots".into());
    }
    Ok(pieces)
}

/// The slot values when `tokens` say exactly the phrase. A slot takes one token or more
/// (one for `word` and `number`), as few as let the rest of the phrase match.
fn matches(
    pieces: &[Piece],
    tokens: &[Token],
    kinds: &BTreeMap<String, SlotKind>,
) -> Option<BTreeMap<String, String>> {
    fn go(
        pieces: &[Piece],
        tokens: &[Token],
        kinds: &BTreeMap<String, SlotKind>,
        values: &mut BTreeMap<String, String>,
    ) -> bool {
        let Some((first, rest)) = pieces.split_first() else {
            return tokens.is_empty();
        };
        match first {
            Piece::Word(w) => {
                tokens
                    .first()
                    .is_some_and(|t| !t.quoted && fold(&t.key) == *w)
                    && go(rest, &tokens[1..], kinds, values)
            }
            Piece::Slot(name) => {
                let kind = kinds.get(name).copied().unwrap_or(SlotKind::Text);
                let longest = match kind {
                    SlotKind::Word | SlotKind::Number => 1.min(tokens.len()),
                    SlotKind::Path | SlotKind::Text => tokens.len(),
                };
                for n in 1..=longest {
                    let taken = &tokens[..n];
                    // A quoted name is one value; it is never glued to other words.
                    if n > 1 && taken.iter().any(|t| t.quoted) {
                        break;
                    }
                    let value = taken
                        .iter()
                        .map(|t| t.raw.as_str())
                        .collect::<Vec<_>>()
                        .join(" ");
                    if kind == SlotKind::Number && !value.chars().all(|c| c.is_ascii_digit()) {
                        return false;
                    }
                    values.insert(name.clone(), value);
                    if go(rest, &tokens[n..], kinds, values) {
                        return true;
                    }
                }
                values.remove(name);
                false
            }
        }
    }
    let mut values = BTreeMap::new();
    go(pieces, tokens, kinds, &mut values).then_some(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BACKUP: &str = r#"
[[command]]
name = "backup"
phrases.es = ["haz una copia de seguridad de {file}", "respalda {file}"]
phrases.en = ["back up {file}"]
slots.file = "path"
template = "cp -- {file} {file}.bak"
explanation.es = "Copia {file} a {file}.bak"
explanation.en = "Copies {file} to {file}.bak"
[[command.example]]
say = "respalda informe.pdf"
want = "cp -- informe.pdf informe.pdf.bak"
[[command.example]]
say = "back it up"

[[command]]
name = "last"
phrases.en = ["last {n} lines of {file}"]
slots = { n = "number", file = "path" }
template = "tail -n {n} -- {file}"
"#;

    fn plugins() -> Plugins {
        let p = Plugins::from_text(Path::new("backup.toml"), BACKUP).unwrap();
        assert_eq!(p.iter().map(|p| p.examples).collect::<Vec<_>>(), [2, 0]);
        p
    }

    #[test]
    fn phrases_fill_slots_with_quoted_names() {
        let p = plugins();
        let (m, lang) = p
            .find("Haz una copia de seguridad de mis notas.txt", None)
            .unwrap();
        assert_eq!(lang, Lang::Es);
        assert_eq!(m.command, "cp -- 'mis notas.txt' 'mis notas.txt'.bak");
        assert_eq!(m.explanation, "Copia «mis notas.txt» a «mis notas.txt».bak");
        let (m, _) = p.find("back up \"$(reboot)\"", None).unwrap();
        assert_eq!(m.command, "cp -- '$(reboot)' '$(reboot)'.bak");
        let (m, _) = p.find("respalda -rf", None).unwrap();
        assert_eq!(m.command, "cp -- ./-rf ./-rf.bak");
        let (m, _) = p.find("last 20 lines of app.log", None).unwrap();
        assert_eq!(m.command, "tail -n 20 -- app.log");
        assert!(p.find("last many lines of app.log", None).is_none());
        assert!(p.find("back up", None).is_none());
        assert!(p.find("respalda notas.txt", Some(Lang::En)).is_none());
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let cases = [
            (
                "[[command]]\nname = \"x\"\nphrases.en = [\"do {a}\"]\ntemplate = \"ls {b}\"\nslots.a = \"path\"\n",
                "line 4, command \"x\".template: uses {b}",
            ),
            (
                "[[command]]\nname = \"x\"\nslots.a = \"path\"\ntemplate = \"ls {a}\"\nphrases.en = [\"do it\"]\n",
                "line 5, command \"x\".phrases.en: \"do it\" does not say {a}",
            ),
            (
                "[[command]]\nname = \"x\"\nslots.a = \"colour\"\n",
                "line 3",
            ),
            (
                "[[command]]\nname = \"x\"\ntemplate = \"ls\"\n",
                "command \"x\".phrases: needs at least one phrase",
            ),
            (
                "[[command]]\nname = \"x\"\ntemplate = \"ls {\"\nphrases.en = [\"list\"]\n",
                "line 3, command \"x\".template: a `{` without",
            ),
            (
                "[[command]]\nname = \"x\"\nslots.a = \"text\"\nslots.b = \"text\"\ntemplate = \"echo {a} {b}\"\nphrases.en = [\"say {a} {b}\"]\n",
                "two slots in a row",
            ),
            (
                "[[command]]\nname = \"x\"\ntemplate = \"ls\"\nphrases.en = [\"list\"]\nextra = 1\n",
                "line 5",
            ),
            ("[[command]\n", "line 1"),
            (
                "[[command]]\nname = \"x\"\ntemplate = \"ls -- {d}\"\nslots.d = \"path\"\nphrases.en = [\"list {d}\"]\n[[command.example]]\nsay = \"list docs\"\nwant = \"ls docs\"\n",
                "line 6, command \"x\".example: \"list docs\" gives `ls -- docs`, not `ls docs`",
            ),
            (
                "[[command]]\nname = \"x\"\ntemplate = \"ls\"\nphrases.en = [\"list all\"]\n[[command.example]]\nsay = \"list all\"\n",
                "\"list all\" must not match, and gives `ls`",
            ),
            (
                "[[command]]\nname = \"x\"\ntemplate = \"ls\"\nphrases.en = [\"list all\"]\n[[command.example]]\nsay = \"list\"\nwant = \"ls\"\n",
                "\"list\" does not match (wanted `ls`)",
            ),
        ];
        for (text, want) in cases {
            let e = Plugins::from_text(Path::new("p.toml"), text)
                .unwrap_err()
                .to_string();
            assert!(
                e.starts_with("p.toml") && e.contains(want),
                "{e}\nwanted {want}"
            );
        }
    }

    #[test]
    fn a_bad_file_does_not_stop_the_others() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.toml"), BACKUP).unwrap();
        std::fs::write(dir.path().join("b.toml"), "[[command]]\nname = 1\n").unwrap();
        std::fs::write(dir.path().join("c.txt"), "not a plugin").unwrap();
        let (p, errors) = Plugins::load(&[dir.path().to_path_buf(), dir.path().join("none")]);
        assert_eq!(p.len(), 2);
        assert_eq!(errors.len(), 1);
        assert!(errors[0].to_string().contains("b.toml"), "{}", errors[0]);
    }
}
