use super::*;
use std::collections::BTreeSet;
use std::path::Path;

fn parsed() -> Vec<(Lang, Catalog)> {
    SOURCES
        .iter()
        .map(|(lang, src)| {
            let c = parse(src).unwrap_or_else(|e| panic!("{lang:?} catalog: {e}"));
            (*lang, c)
        })
        .collect()
}

#[test]
fn every_language_has_the_same_messages_and_slots() {
    let all = parsed();
    let (first_lang, first) = &all[0];
    for (lang, c) in &all[1..] {
        let a: BTreeSet<_> = first.keys().collect();
        let b: BTreeSet<_> = c.keys().collect();
        assert_eq!(
            a.symmetric_difference(&b).collect::<Vec<_>>(),
            Vec::<&&String>::new(),
            "{first_lang:?} and {lang:?} name different messages"
        );
        for (key, text) in first {
            assert_eq!(
                slots(text),
                slots(&c[key]),
                "slots of {key} differ in {lang:?}"
            );
        }
    }
    for (lang, c) in &all {
        for (key, text) in c {
            assert!(!text.trim().is_empty(), "{lang:?} {key} is empty");
        }
    }
}

/// The arguments of each `tr!(…)` in a source file: (key, slot names).
fn uses(src: &str) -> Vec<(String, Vec<String>)> {
    let mut found = Vec::new();
    let mut rest = src;
    while let Some(i) = rest.find("tr!(") {
        let body = &rest[i + 4..];
        let mut depth = 1usize;
        let mut in_str = false;
        let mut escaped = false;
        let mut parts = vec![String::new()];
        let mut end = body.len();
        for (j, c) in body.char_indices() {
            if in_str {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    in_str = false;
                }
            } else {
                match c {
                    '"' => in_str = true,
                    '(' | '[' | '{' => depth += 1,
                    ')' | ']' | '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = j;
                            break;
                        }
                    }
                    ',' if depth == 1 => {
                        parts.push(String::new());
                        continue;
                    }
                    _ => {}
                }
            }
            if let Some(p) = parts.last_mut() {
                p.push(c);
            }
        }
        rest = &body[end..];
        let parts: Vec<_> = parts
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .collect();
        let Some(key) = parts
            .get(1)
            .and_then(|k| k.strip_prefix('"')?.strip_suffix('"'))
        else {
            continue; // the macro's own definition
        };
        let mut names: Vec<String> = parts[2..]
            .iter()
            .filter_map(|p| p.split_once('=').map(|(n, _)| n.trim().to_owned()))
            .collect();
        names.sort();
        found.push((key.to_owned(), names));
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn every_message_the_code_says_exists_with_its_slots() {
    let all = parsed();
    let catalog = &all[0].1;
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut used = BTreeSet::new();
    for file in files {
        let src = std::fs::read_to_string(&file).unwrap_or_default();
        for (key, names) in uses(&src) {
            let Some(text) = catalog.get(&key) else {
                panic!("{}: no message {key:?} in the catalogs", file.display());
            };
            let want: Vec<String> = slots(text).into_iter().map(str::to_owned).collect();
            assert_eq!(names, want, "{}: {key} fills other slots", file.display());
            used.insert(key);
        }
    }
    let unused: Vec<_> = catalog.keys().filter(|k| !used.contains(*k)).collect();
    assert!(unused.is_empty(), "messages nothing says: {unused:?}");
}

#[test]
fn slots_are_filled_and_braces_kept() {
    assert_eq!(slots("a {n} b {at} {{x}}"), vec!["at", "n"]);
    let out = render(Lang::En, "no_such_message", &[]);
    assert_eq!(out, "no_such_message");
    let n = 3;
    let text = crate::tr!(Lang::Es, "trash_moved", n = n, at = ".atajo/trash/1");
    assert!(text.contains("3 elemento(s)"), "{text}");
    assert!(text.contains(".atajo/trash/1"), "{text}");
}

/// Words that mark a sentence as English or Spanish (none is a program name or an option).
pub const ENGLISH_WORDS: &[&str] = &[
    "the",
    "is",
    "are",
    "not",
    "cannot",
    "allowed",
    "outside",
    "workspace",
    "folder",
    "file",
    "nothing",
    "deleted",
    "moved",
    "restored",
    "never",
    "option",
    "would",
    "with",
    "there",
    "which",
    "runs",
    "it",
    "its",
    "too",
    "must",
    "program",
];
pub const SPANISH_WORDS: &[&str] = &[
    "el",
    "la",
    "los",
    "las",
    "está",
    "carpeta",
    "archivo",
    "permitido",
    "permitida",
    "papelera",
    "nada",
    "espacio",
    "trabajo",
    "nunca",
    "opción",
    "se",
    "del",
    "una",
    "ejecuta",
    "demasiado",
    "programa",
    "puede",
];

/// The words of `text` (letters only, lowercased), leaving out what is quoted as code and
/// the names of slots.
pub fn words_of(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_code = false;
    let mut in_slot = false;
    let mut word = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        match c {
            '`' => in_code = !in_code,
            '{' => in_slot = true,
            '}' => in_slot = false,
            _ => {}
        }
        if c.is_alphabetic() && !in_code && !in_slot {
            word.extend(c.to_lowercase());
        } else if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
    }
    out
}

#[test]
fn no_message_speaks_the_other_language() {
    for (lang, c) in parsed() {
        let foreign = match lang {
            Lang::Es => ENGLISH_WORDS,
            Lang::En => SPANISH_WORDS,
        };
        for (key, text) in &c {
            let hits: Vec<_> = words_of(text)
                .into_iter()
                .filter(|w| foreign.contains(&w.as_str()))
                .collect();
            assert!(hits.is_empty(), "{lang:?} {key} has {hits:?}: {text}");
        }
    }
}
