//! Tab completion for the guarded terminal: the word before the cursor, completed as a
//! program the policy knows (first word of a command), an option of the program being typed
//! (from its rule, with what it means), or a path beneath the root (from the workspace model,
//! never the disk), quoted as the shell needs: `'…'` for names with spaces or shell
//! characters, `$'…'` for names that are not UTF-8.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use crate::lang::Lang;
use crate::policy::rules::Rules;
/// One choice: what replaces the word (quoted for the shell; a folder ends in `/`), what a
/// list shows, what an option means — as the `completion` event sends it.
pub use crate::protocol::CandidateMsg as Candidate;

/// At most this many choices are sent; `more` says how many were left out.
pub const MAX_CANDIDATES: usize = 200;

#[derive(Debug, Clone, Default)]
pub struct Completion {
    /// The word being completed, as typed (the end of the text before the cursor).
    pub word: String,
    pub candidates: Vec<Candidate>,
    pub more: usize,
}

/// The word before the cursor, and where it stands.
#[derive(Debug, Default, PartialEq, Eq)]
struct Word {
    /// As typed, quotes included.
    raw: String,
    /// Its value once unquoted (what the shell would see), as bytes.
    value: Vec<u8>,
    /// It names the program to run (first word of a command).
    program_position: bool,
    /// The program of the command it is in, when it is not that word itself.
    program: Option<String>,
}

/// Reads the shell text before the cursor up to the word being typed. Separators are
/// blanks and `| ; & < > ( )` outside quotes; an open quote leaves the word open.
fn last_word(before: &str) -> Word {
    #[derive(PartialEq)]
    enum Quote {
        None,
        Single,
        Double,
    }
    let mut quote = Quote::None;
    let mut escaped = false;
    let mut raw = String::new();
    let mut value: Vec<u8> = Vec::new();
    let mut program_position = true;
    let mut program: Option<String> = None;
    let mut words_in_command = 0;
    let end_word =
        |raw: &mut String, value: &mut Vec<u8>, program: &mut Option<String>, n: &mut usize| {
            if raw.is_empty() {
                return;
            }
            if *n == 0 {
                *program = Some(String::from_utf8_lossy(value).into_owned());
            }
            *n += 1;
            raw.clear();
            value.clear();
        };
    let mut buf = [0u8; 4];
    for c in before.chars() {
        if escaped {
            escaped = false;
            raw.push(c);
            value.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        match quote {
            Quote::Single => {
                raw.push(c);
                if c == '\'' {
                    quote = Quote::None;
                } else {
                    value.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                continue;
            }
            Quote::Double => {
                raw.push(c);
                match c {
                    '"' => quote = Quote::None,
                    '\\' => escaped = true,
                    _ => value.extend_from_slice(c.encode_utf8(&mut buf).as_bytes()),
                }
                continue;
            }
            Quote::None => {}
        }
        match c {
            ' ' | '\t' => end_word(&mut raw, &mut value, &mut program, &mut words_in_command),
            '|' | ';' | '&' | '(' | ')' => {
                end_word(&mut raw, &mut value, &mut program, &mut words_in_command);
                words_in_command = 0;
                program = None;
            }
            '<' | '>' => end_word(&mut raw, &mut value, &mut program, &mut words_in_command),
            '\'' => {
                raw.push(c);
                quote = Quote::Single;
            }
            '"' => {
                raw.push(c);
                quote = Quote::Double;
            }
            '\\' => {
                raw.push(c);
                escaped = true;
            }
            _ => {
                raw.push(c);
                value.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    // A redirection's target is a path, never a program ("ls > notas" completes notas).
    let after_redirect = before
        .trim_end_matches(|c: char| c != ' ' && c != '<' && c != '>')
        .trim_end()
        .ends_with(['<', '>']);
    if words_in_command > 0 || after_redirect {
        program_position = false;
    }
    Word {
        raw,
        value,
        program_position,
        program: if program_position { None } else { program },
    }
}

/// A name as one shell word: as is when nothing in it is special, in single quotes when
/// something is, `$'…'` with `\xNN` when it is not UTF-8.
pub fn shell_quote(name: &[u8]) -> String {
    match std::str::from_utf8(name) {
        Ok(s)
            if !s.is_empty()
                && s.chars()
                    .all(|c| c.is_alphanumeric() || "-_./,:+@%=".contains(c)) =>
        {
            s.to_owned()
        }
        Ok(s) => format!("'{}'", s.replace('\'', "'\\''")),
        Err(_) => {
            let mut out = String::from("$'");
            for chunk in name.utf8_chunks() {
                for c in chunk.valid().chars() {
                    match c {
                        '\'' => out.push_str("\\'"),
                        '\\' => out.push_str("\\\\"),
                        c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
                        c => out.push(c),
                    }
                }
                for b in chunk.invalid() {
                    out.push_str(&format!("\\x{b:02x}"));
                }
            }
            out.push('\'');
            out
        }
    }
}

/// `cwd` joined with `dir`, beneath the root: `None` when it would leave it (`..` above the
/// top, an absolute path, `~`).
fn beneath(cwd: &Path, dir: &Path) -> Option<PathBuf> {
    if dir.is_absolute() || dir.as_os_str().as_bytes().starts_with(b"~") {
        return None;
    }
    let mut out = PathBuf::new();
    for c in cwd.components().chain(dir.components()) {
        match c {
            Component::Normal(p) => out.push(p),
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// A folder's entries (name, is a folder) in the explorer's order, by its root-relative path;
/// `None` when it is no folder.
pub type Lister<'a> = &'a dyn Fn(&Path) -> Option<Vec<(Vec<u8>, bool)>>;

/// What the completion reads: the policy's rules and a folder's entries.
pub struct Sources<'a> {
    pub rules: &'a Rules,
    pub list: Lister<'a>,
    pub cwd: &'a Path,
    pub lang: Lang,
}

/// The choices for the word before the cursor in `before`.
pub fn complete(before: &str, src: &Sources<'_>) -> Completion {
    let w = last_word(before);
    let mut out = Completion {
        word: w.raw.clone(),
        ..Completion::default()
    };
    let mut found: Vec<Candidate> = if w.program_position && !w.value.contains(&b'/') {
        programs(&w, src)
    } else if w.value.starts_with(b"-") {
        options(&w, src)
    } else {
        paths(&w, src)
    };
    out.more = found.len().saturating_sub(MAX_CANDIDATES);
    found.truncate(MAX_CANDIDATES);
    out.candidates = found;
    out
}

fn programs(w: &Word, src: &Sources<'_>) -> Vec<Candidate> {
    let mut names: Vec<&str> = src
        .rules
        .names()
        .filter(|n| n.as_bytes().starts_with(&w.value))
        .collect();
    names.sort_unstable();
    names
        .into_iter()
        .map(|n| Candidate {
            text: n.to_owned(),
            label: n.to_owned(),
            note: src.rules.get(n).and_then(|s| s.about.as_ref()).map(|a| {
                let [es, en] = a;
                src.lang.pick(es, en)
            }),
            dir: false,
        })
        .collect()
}

fn options(w: &Word, src: &Sources<'_>) -> Vec<Candidate> {
    let Some(spec) = w.program.as_deref().and_then(|p| src.rules.get(p)) else {
        return Vec::new();
    };
    let mut names: Vec<String> = spec
        .short_flags
        .iter()
        .map(|c| format!("-{c}"))
        .chain(spec.long_flags.iter().cloned())
        .chain(spec.values.keys().cloned())
        .chain(spec.optional.keys().cloned())
        .filter(|o| o.as_bytes().starts_with(&w.value) && !spec.denied.contains_key(o))
        .collect();
    names.sort_unstable_by(|a, b| (a.starts_with("--"), a).cmp(&(b.starts_with("--"), b)));
    names.dedup();
    names
        .into_iter()
        .map(|o| Candidate {
            note: spec.say.get(&o).map(|[es, en]| src.lang.pick(es, en)),
            text: o.clone(),
            label: o,
            dir: false,
        })
        .collect()
}

fn paths(w: &Word, src: &Sources<'_>) -> Vec<Candidate> {
    let (dir, prefix): (&[u8], &[u8]) = match w.value.iter().rposition(|&b| b == b'/') {
        Some(i) => (&w.value[..=i], &w.value[i + 1..]),
        None => (b"", &w.value),
    };
    let Some(base) = beneath(src.cwd, Path::new(OsStr::from_bytes(dir))) else {
        return Vec::new();
    };
    let Some(entries) = (src.list)(&base) else {
        return Vec::new();
    };
    entries
        .into_iter()
        // Dot files only when the name typed starts with a dot, as shells do.
        .filter(|(name, _)| {
            name.starts_with(prefix) && (prefix.starts_with(b".") || !name.starts_with(b"."))
        })
        .map(|(name, is_dir)| {
            let mut full = dir.to_vec();
            full.extend_from_slice(&name);
            let mut text = shell_quote(&full);
            let mut label = String::from_utf8_lossy(&name).into_owned();
            if is_dir {
                text.push('/');
                label.push('/');
            }
            Candidate {
                text,
                label,
                note: None,
                dir: is_dir,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> &'static Rules {
        Rules::builtin().expect("the built-in rules load")
    }

    fn with<'a>(list: Lister<'a>, cwd: &'a Path) -> Sources<'a> {
        Sources {
            rules: rules(),
            list,
            cwd,
            lang: Lang::Es,
        }
    }

    fn tree(dir: &Path) -> Option<Vec<(Vec<u8>, bool)>> {
        let entries: &[(&[u8], bool)] = match dir.to_str()? {
            "" => &[
                (b"docs", true),
                (b"notas.txt", false),
                (b"nuevo informe.txt", false),
                (b"r\xe9sum\xe9.txt", false),
                (b".env", false),
            ],
            "docs" => &[(b"guia.md", false), (b"img", true)],
            _ => return None,
        };
        Some(entries.iter().map(|(n, d)| (n.to_vec(), *d)).collect())
    }

    fn texts(c: &Completion) -> Vec<&str> {
        c.candidates.iter().map(|c| c.text.as_str()).collect()
    }

    #[test]
    fn the_first_word_is_a_program_the_policy_knows() {
        let cwd = PathBuf::new();
        let c = complete("mkd", &with(&tree, &cwd));
        assert_eq!(texts(&c), ["mkdir"]);
        assert_eq!(c.word, "mkd");
        assert!(
            c.candidates[0]
                .note
                .as_deref()
                .is_some_and(|n| !n.is_empty())
        );
        // After a pipe, a program again; python is no program atajo runs.
        assert_eq!(texts(&complete("ls | so", &with(&tree, &cwd))), ["sort"]);
        assert!(complete("pyth", &with(&tree, &cwd)).candidates.is_empty());
    }

    #[test]
    fn options_come_from_the_programs_rule_with_their_meaning() {
        let cwd = PathBuf::new();
        let c = complete("ls -", &with(&tree, &cwd));
        assert!(
            texts(&c).contains(&"-l") && texts(&c).contains(&"--all"),
            "{c:?}"
        );
        let l = c.candidates.iter().find(|c| c.text == "-l").expect("-l");
        assert!(
            l.note.as_deref().is_some_and(|n| n.contains("detalles")),
            "{l:?}"
        );
        // Short options first.
        assert!(
            c.candidates
                .first()
                .is_some_and(|c| !c.text.starts_with("--"))
        );
        assert_eq!(
            texts(&complete("ls --almo", &with(&tree, &cwd))),
            ["--almost-all"]
        );
    }

    #[test]
    fn paths_beneath_the_root_quoted_as_the_shell_needs() {
        let cwd = PathBuf::new();
        let src = with(&tree, &cwd);
        assert_eq!(texts(&complete("cat no", &src)), ["notas.txt"]);
        assert_eq!(texts(&complete("cat nu", &src)), ["'nuevo informe.txt'"]);
        assert_eq!(texts(&complete("cat r", &src)), ["$'r\\xe9sum\\xe9.txt'"]);
        assert_eq!(texts(&complete("ls d", &src)), ["docs/"]);
        assert_eq!(
            texts(&complete("ls docs/", &src)),
            ["docs/guia.md", "docs/img/"]
        );
        // Hidden only when a dot is typed; an open quote still completes.
        assert!(!texts(&complete("cat ", &src)).contains(&".env"));
        assert_eq!(texts(&complete("cat .e", &src)), [".env"]);
        assert_eq!(
            texts(&complete("cat 'nuevo i", &src)),
            ["'nuevo informe.txt'"]
        );
        // A redirection's target is a path.
        assert_eq!(texts(&complete("ls > no", &src)), ["notas.txt"]);
        // Nothing outside the root, however it is written.
        assert!(complete("cat ../", &src).candidates.is_empty());
        assert!(complete("cat /etc/pa", &src).candidates.is_empty());
        assert!(complete("cat ~/", &src).candidates.is_empty());
        // From a folder below, "../" is the root.
        let docs = PathBuf::from("docs");
        assert_eq!(
            texts(&complete("cat ../no", &with(&tree, &docs))),
            ["../notas.txt"]
        );
    }

    #[test]
    fn quoting_is_one_literal_word() {
        assert_eq!(shell_quote(b"a.txt"), "a.txt");
        assert_eq!(shell_quote(b"it's"), "'it'\\''s'");
        assert_eq!(shell_quote(b"$(x)"), "'$(x)'");
        assert_eq!(shell_quote(b"a\xffb'"), "$'a\\xffb\\''");
    }
}
