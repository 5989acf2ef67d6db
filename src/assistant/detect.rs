//! Which language an instruction is in, and whether it is already a shell command.

use super::lexicon;
use super::words::Token;
use crate::lang::Lang;

/// The language with the most words of the instruction that only it has ("a" and "no" are
/// Spanish and English both); on a tie, the one whose own letters are written ("¿", "ñ"),
/// else the last file's.
pub fn language(tokens: &[Token]) -> Lang {
    Lang::from_tag(code(tokens)).unwrap_or_default()
}

/// The code of the language file an instruction is in: `language`'s choice among every
/// file, including one whose language atajo's interface does not speak.
pub fn code(tokens: &[Token]) -> &'static str {
    let words: Vec<&Token> = tokens.iter().filter(|t| !t.quoted).collect();
    let mut said: Vec<&'static str> = Vec::with_capacity(words.len());
    for t in &words {
        if let [one] = lexicon::speakers(&t.key).as_slice() {
            said.push(one);
        }
    }
    let writes = |letters: &str| {
        !letters.is_empty()
            && words.iter().any(|t| {
                t.raw.to_lowercase() != t.key && t.raw.chars().any(|c| letters.contains(c))
            })
    };
    lexicon::languages()
        .iter()
        .max_by_key(|(code, letters)| {
            let n = said.iter().filter(|s| **s == code.as_str()).count();
            (n, writes(letters))
        })
        .map_or("en", |(code, _)| code.as_str())
}

/// Programs whose name, first, makes a text a command already.
const PROGRAMS: &[&str] = &[
    "mkdir",
    "touch",
    "ls",
    "cat",
    "pwd",
    "cd",
    "rm",
    "rmdir",
    "cp",
    "mv",
    "find",
    "grep",
    "sed",
    "tar",
    "zip",
    "unzip",
    "head",
    "tail",
    "wc",
    "sort",
    "du",
    "tree",
    "chmod",
    "echo",
    "printf",
    "undo",
    "gzip",
    "gunzip",
    "stat",
    "file",
    "diff",
    "uniq",
    "cut",
    "tr",
    "basename",
    "dirname",
    "realpath",
    "ln",
    "truncate",
    "md5sum",
    "sha256sum",
    "bzip2",
    "xz",
    "nl",
    "tac",
    "rev",
];

/// A text is a command when it starts with a program and reads as shell, not as a sentence
/// ("sort data.txt" is a command, "sort the numbers in data.txt" is a sentence).
pub fn is_command(text: &str, tokens: &[Token]) -> bool {
    let Some(first) = tokens.first() else {
        return false;
    };
    if first.quoted || !PROGRAMS.contains(&first.raw.as_str()) {
        return false;
    }
    // One word is a command when it is all that was written (a set phrase read as one word,
    // "undo the last change", is an instruction).
    if tokens.len() == 1 {
        return text.trim() == first.raw;
    }
    if text.contains(['|', '>', '<', '&', ';', '$', '`']) {
        return true;
    }
    let sentence = tokens[1..].iter().any(|t| {
        !t.quoted
            && !t.raw.starts_with('-')
            && (lexicon::filler(&t.key)
                || lexicon::prep(&t.key).is_some()
                || lexicon::noun(&t.key).is_some()
                || lexicon::all(&t.key)
                || lexicon::and(&t.key)
                || lexicon::naming(&t.key)
                || (lexicon::here(&t.key) && t.key.chars().all(char::is_alphabetic))
                || lexicon::flag(&t.key).is_some())
    });
    // "zip src except config.json": an exclusion is said, not typed.
    let excludes = (1..tokens.len()).any(|i| super::except::starts_at(tokens, i).is_some());
    !sentence && !excludes
}
