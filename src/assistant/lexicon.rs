//! The vocabulary of file management: what each word means, read from one data file per
//! language (`lang/es.toml`: Spanish of Spain and the Americas, tú, usted and vos;
//! `lang/en.toml`: English). Keys are folded (lowercase, no accents), so "múestrame" and
//! "muestrame" are one word. Verbs carry the action they name; ambiguous verbs ("muestra",
//! "abre", "cambia") are settled later by what they act on. What is grammar (a verb's
//! pronouns, the voseo imperative, plurals, slips) is code here; what is vocabulary is data.

use std::collections::HashMap;
use std::sync::OnceLock;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Deserialize;

use super::words::within_typo;

/// The language files, in the order their meanings are consulted.
pub const FILES_OF_LANGUAGES: &[(&str, &str)] = &[
    ("es", include_str!("lang/es.toml")),
    ("en", include_str!("lang/en.toml")),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Create,
    /// "haz", "make": creates, unless what follows says otherwise ("haz un zip").
    Make,
    Delete,
    Move,
    /// "pon", "put", "mete": move, or write text.
    Put,
    Copy,
    Rename,
    List,
    /// "muestra", "show", "ver": a listing for a folder, the contents for a file.
    Show,
    Read,
    /// "abre", "open": into a folder, or show a file.
    Open,
    Find,
    Count,
    Compress,
    Extract,
    /// "dale", "give", "concede": permissions.
    Give,
    /// "quita", "take away": permissions, or delete.
    Take,
    Write,
    /// "añade", "add", "append": append text, or create.
    Add,
    /// "cambia", "change": rename, replace, permissions, or a cd.
    Change,
    Replace,
    Cd,
    Up,
    Tree,
    Sort,
    Empty,
    /// "deshaz lo último", "undo the last change": put back what was deleted last.
    Undo,
}

const VERBS_IN_ORDER: &[(Verb, &str)] = &[
    (Verb::Create, "create"),
    (Verb::Make, "make"),
    (Verb::Delete, "delete"),
    (Verb::Move, "move"),
    (Verb::Put, "put"),
    (Verb::Copy, "copy"),
    (Verb::Rename, "rename"),
    (Verb::List, "list"),
    (Verb::Show, "show"),
    (Verb::Read, "read"),
    (Verb::Open, "open"),
    (Verb::Find, "find"),
    (Verb::Count, "count"),
    (Verb::Compress, "compress"),
    (Verb::Extract, "extract"),
    (Verb::Give, "give"),
    (Verb::Take, "take"),
    (Verb::Write, "write"),
    (Verb::Add, "add"),
    (Verb::Change, "change"),
    (Verb::Replace, "replace"),
    (Verb::Cd, "cd"),
    (Verb::Up, "up"),
    (Verb::Tree, "tree"),
    (Verb::Sort, "sort"),
    (Verb::Empty, "empty"),
    (Verb::Undo, "undo"),
];

/// The verb a folded word names, exactly.
pub fn verb(key: &str) -> Option<Verb> {
    plain_or_imperative(key)
        .map(|(v, _)| v)
        .or_else(|| enclitic(key))
}

/// A verb form as listed, or an imperative its language makes from the infinitive (the
/// "vos" of River Plate and Central America: "mostrá", "hacé", "descomprimí"; folded,
/// "mostra", "hace", "descompri"), with the form's language.
fn plain_or_imperative(key: &str) -> Option<(Verb, &'static str)> {
    let lex = lexicon();
    let lang = |w: &str| lex.verb_forms_lang.get(w).map_or("", String::as_str);
    if let Some(v) = lex.verbs.get(key) {
        return Some((*v, lang(key)));
    }
    lex.imperatives
        .get(key)
        .filter(|_| key.chars().count() >= 3)
        .map(|(v, infinitive)| (*v, lang(infinitive)))
}

/// Pronouns written onto a verb's end, in the languages that do so ("bórralo", "cópialos",
/// "muéstramelos", and with "vos", "mostrame"): the verb of the stem, when the stem is a
/// verb of that language ("readme" is no "read" + "me").
fn enclitic(key: &str) -> Option<Verb> {
    lexicon().grammar.iter().find_map(|(lang, g)| {
        g.enclitics.iter().find_map(|suffix| {
            let stem = key.strip_suffix(suffix.as_str())?;
            let (v, l) = plain_or_imperative(stem).filter(|_| stem.len() >= 2)?;
            (l == lang).then_some(v)
        })
    })
}

/// True when a pronoun written onto the verb points at the object ("bórralo" = delete it).
pub fn carries_object_pronoun(key: &str) -> bool {
    let lex = lexicon();
    verb(key).is_some()
        && !lex.verbs.contains_key(key)
        && lex
            .grammar
            .iter()
            .any(|(_, g)| g.object_enclitics.iter().any(|s| key.ends_with(s.as_str())))
}

/// A misspelt verb: one slip from a verb of at least five letters ("delte", "creat"), or two
/// letters swapped in a shorter one ("mkae").
pub fn verb_typo(key: &str) -> Option<Verb> {
    verb_slip(key).map(|(v, _)| v)
}

/// The verb a slip stands for and the form it was taken for.
fn verb_slip(key: &str) -> Option<(Verb, &'static str)> {
    if key.chars().count() < 4 || !key.chars().all(char::is_alphabetic) {
        return None;
    }
    // One slip changes the length by at most one letter (two bytes for an accented one),
    // and leaves one of the first two letters where it was or beside it.
    let k = key.as_bytes();
    let near = |w: &str| {
        let b = w.as_bytes();
        w.len().abs_diff(key.len()) <= 2
            && b.len() > 1
            && (k[0] == b[0] || k[1] == b[1] || k[0] == b[1] || k[1] == b[0])
    };
    lexicon().verb_lists.iter().find_map(|(v, words)| {
        words
            .iter()
            .find(|w| {
                near(w)
                    && ((w.len() >= 5 && within_typo(key, w, 1))
                        || (w.len() == 4 && short_slip(key, w)))
            })
            .map(|w| (*v, w.as_str()))
    })
}

/// The slips a short word is recognised through: two neighbouring letters swapped ("mkae"
/// for "make") or one letter doubled ("movve").
fn short_slip(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len() == b.len() + 1 {
        return (1..a.len()).any(|i| a[i] == a[i - 1] && a[..i] == b[..i] && a[i + 1..] == b[i..]);
    }
    if a.len() != b.len() {
        return false;
    }
    let diff: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    diff.len() == 2
        && diff[1] == diff[0] + 1
        && a[diff[0]] == b[diff[1]]
        && a[diff[1]] == b[diff[0]]
}

/// The languages whose vocabulary has this word; for a verb's pronoun-laden or "vos" form
/// ("bórralo", "mostrá"), Spanish; for a slip ("renonbra"), the language of the verb meant.
pub fn speakers(key: &str) -> Vec<&'static str> {
    let lex = lexicon();
    if let Some(langs) = lex.speakers.get(key) {
        return langs.iter().map(String::as_str).collect();
    }
    if verb(key).is_some() {
        return vec!["es"];
    }
    verb_slip(key)
        .and_then(|(_, form)| lex.verb_forms_lang.get(form))
        .map(|l| vec![l.as_str()])
        .unwrap_or_default()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Noun {
    Folder,
    File,
}

/// "carpeta", "files", … and whether the word is plural.
pub fn noun(key: &str) -> Option<(Noun, bool)> {
    let plural = key.ends_with('s') && !matches!(key, "dirs" | "ls");
    let plural = plural || key == "dirs";
    lexicon().nouns.get(key).map(|n| (*n, plural))
}

pub fn noun_typo(key: &str) -> Option<(Noun, bool)> {
    if key.chars().count() < 5 || !key.chars().all(char::is_alphabetic) {
        return None;
    }
    let hit = |want: Noun| {
        lexicon()
            .noun_lists
            .iter()
            .filter(|(n, _)| *n == want)
            .flat_map(|(_, words)| words.iter())
            .find(|w| w.len() >= 5 && within_typo(key, w, 1))
    };
    hit(Noun::Folder)
        .or_else(|| hit(Noun::File))
        .and_then(|w| noun(w))
}

/// Words that name a kind of file, as the extensions they stand for.
pub fn kind(key: &str) -> Option<&'static [String]> {
    lexicon().kinds.get(key).map(Vec::as_slice)
}

/// Everyday words that hint at the extension behind a name ("the log of the application").
pub fn synonyms(key: &str) -> &'static [String] {
    lexicon().synonyms.get(key).map_or(&[], Vec::as_slice)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prep {
    /// a, al, hacia, to, into, onto
    To,
    /// en, dentro (de), in, inside, within, under
    In,
    /// de, del, desde, of, from, off
    From,
    /// como, as
    As,
    /// por, with (the new value in "cambia X por Y", "replace X with Y")
    By,
}

pub fn prep(key: &str) -> Option<Prep> {
    lexicon().preps.get(key).copied()
}

/// Words that carry no meaning for the command: articles, politeness, auxiliaries.
pub fn filler(key: &str) -> bool {
    in_class("filler", key)
}

/// Greetings and calls for attention, meaningful only as a name later in a sentence.
pub fn greeting(key: &str) -> bool {
    in_class("greeting", key)
}

/// The longest set phrase at the start of `keys`: how many words it takes and the word it
/// stands for ("echale un vistazo a notas.txt" → 4, "muestra").
pub fn idiom_at(keys: &[&str]) -> Option<(usize, &'static str)> {
    let first = keys.first()?;
    lexicon()
        .idioms
        .get(*first)?
        .iter()
        .find_map(|(words, verb)| {
            (keys.len() >= words.len() && words.iter().zip(keys).all(|(w, k)| w == k))
                .then_some((words.len(), verb.as_str()))
        })
}

/// Words that save what a command shows into a file ("guárdalo en", "save the result as").
pub fn save(key: &str) -> bool {
    in_class("save", key)
}

/// How many words at the start of `keys` say that what follows is left out ("menos",
/// "a excepción de", "other than"): the longest such phrase, if any.
pub fn except_at(keys: &[&str]) -> Option<usize> {
    phrase_at("except", keys, 4)
}

/// The longest phrase of the `[words]` class `class`, of at most `max` words, at the start of
/// `keys`: how many words it takes.
fn phrase_at(class: &str, keys: &[&str], max: usize) -> Option<usize> {
    let phrases = lexicon().word_phrases.get(class)?;
    (1..=keys.len().min(max))
        .rev()
        .find(|len| phrases.iter().any(|p| is_phrase(p, &keys[..*len])))
}

/// Whether `keys` are the phrase `p`, word for word (`a|b`: either word).
fn is_phrase(p: &Phrase, keys: &[&str]) -> bool {
    p.len() == keys.len()
        && p.iter()
            .zip(keys)
            .all(|(alts, k)| alts.iter().any(|a| a == k))
}

/// A phrase of a language file as matched: each word's alternatives, split once at load.
fn split_phrase(text: &str) -> Phrase {
    text.split_whitespace()
        .map(|word| word.split('|').map(str::to_owned).collect())
        .collect()
}

/// "but": an exclusion only after an all-word ("everything but the logs").
pub fn except_after_all(key: &str) -> bool {
    in_class("except_after_all", key)
}

/// "not": an exclusion only after a name ("the files in data not csv").
pub fn except_after_name(key: &str) -> bool {
    in_class("except_after_name", key)
}

/// How many words at the start of `keys` are a courtesy phrase ("por favor"), if any.
pub fn courtesy_at(keys: &[&str]) -> Option<usize> {
    phrase_at("courtesy", keys, 3)
}

/// How many of the last tokens are courtesy that ends a request ("please", "por favor",
/// "thank you"): never part of a name.
pub fn courtesy_tail(keys: &[&str]) -> usize {
    let Some(phrases) = lexicon().word_phrases.get("courtesy") else {
        return 0;
    };
    let mut n = 0;
    loop {
        let rest = &keys[..keys.len() - n];
        let hit = (1..=3).rev().find(|len| {
            rest.len() > *len
                && phrases
                    .iter()
                    .any(|p| is_phrase(p, &rest[rest.len() - len..]))
        });
        match hit {
            Some(len) => n += len,
            None => return n,
        }
    }
}

/// A word of a courtesy phrase ("por" of "por favor").
pub fn courtesy_word(key: &str) -> bool {
    lexicon().word_phrases.get("courtesy").is_some_and(|ps| {
        ps.iter()
            .any(|p| p.iter().any(|alts| alts.iter().any(|a| a == key)))
    })
}

/// Words that say "the names that follow are the new names": "llamada", "called", "que se llame".
pub fn naming(key: &str) -> bool {
    in_class("naming", key)
}

/// A slip in a naming word of at least five letters ("calld", "llamda").
pub fn naming_typo(key: &str) -> bool {
    key.chars().count() >= 4
        && key.chars().all(char::is_alphabetic)
        && lexicon()
            .words
            .get("naming")
            .is_some_and(|w| w.iter().any(|n| n.len() >= 5 && within_typo(key, n, 1)))
}

pub fn and(key: &str) -> bool {
    in_class("and", key)
}

/// Words that point back at the folder just named or the current one.
pub fn pronoun(key: &str) -> bool {
    in_class("pronoun", key)
}

/// The current folder: "aquí", "here", "esta carpeta".
pub fn here(key: &str) -> bool {
    in_class("here", key)
}

/// Whether `key` is one of the words of the cue group `group` in any language ("header":
/// "cabecera", "header", …).
pub fn says(group: &str, key: &str) -> bool {
    debug_assert!(CUE_GROUPS.contains(&group), "unknown cue group {group}");
    lexicon().cues.get(group).is_some_and(|w| w.contains(key))
}

/// Where the phrases of the `[cues]` group `group` end in `keys`, every match: a phrase is
/// its words in order, and `a|b` stands for either word ("where am|are i|we").
pub fn phrase_ends(group: &str, keys: &[&str]) -> Vec<usize> {
    phrase_matches(group, keys).collect()
}

/// Whether `keys` hold a phrase of the `[cues]` group `group` (see `phrase_ends`).
pub fn says_phrase(group: &str, keys: &[&str]) -> bool {
    phrase_matches(group, keys).next().is_some()
}

fn phrase_matches<'k>(group: &str, keys: &'k [&str]) -> impl Iterator<Item = usize> + 'k {
    debug_assert!(CUE_GROUPS.contains(&group), "unknown cue group {group}");
    let phrases: &'static [Phrase] = lexicon().cue_phrases.get(group).map_or(&[], Vec::as_slice);
    phrase_ends_in(phrases, keys)
}

/// Where any of `phrases` ends in `keys`, every match.
fn phrase_ends_in<'k>(
    phrases: &'static [Phrase],
    keys: &'k [&str],
) -> impl Iterator<Item = usize> + 'k {
    (0..keys.len()).flat_map(move |at| {
        phrases.iter().filter_map(move |p| {
            let end = at + p.len();
            is_phrase(p, keys.get(at..end)?).then_some(end)
        })
    })
}

/// A `[cues]` phrase as matched: each word's alternatives.
type Phrase = Vec<Vec<String>>;

/// The word of the `[cues]` group `want` in the language whose group `group` has `key`:
/// "con" → "y", "with" → "and".
pub fn same_language_cue(group: &str, key: &str, want: &str) -> Option<&'static str> {
    lexicon().cues_by_language.values().find_map(|groups| {
        groups
            .get(group)
            .is_some_and(|w| w.contains(key))
            .then(|| groups.get(want)?.iter().next().map(String::as_str))
            .flatten()
    })
}

/// Whether `key` is a word of the `[words]` class `class` in any language.
fn in_class(class: &str, key: &str) -> bool {
    lexicon().words.get(class).is_some_and(|w| w.contains(key))
}

/// Whether `key` is one of the words of the refusal group `group` in any language.
pub fn refuses(group: &str, key: &str) -> bool {
    debug_assert!(
        REFUSAL_GROUPS.contains(&group),
        "unknown refusal group {group}"
    );
    lexicon()
        .refusals
        .get(group)
        .is_some_and(|w| w.contains(key))
}

/// Whether the words of one of the phrases of the refusal group `group` ("turn off", "a la
/// nube") follow each other somewhere in `keys`.
pub fn refuses_phrase(group: &str, keys: &[&str]) -> bool {
    debug_assert!(
        REFUSAL_GROUPS.contains(&group),
        "unknown refusal group {group}"
    );
    let phrases: &'static [Phrase] = lexicon()
        .refusal_phrases
        .get(group)
        .map_or(&[], Vec::as_slice);
    phrase_ends_in(phrases, keys).next().is_some()
}

/// Whether `key` is one of the words of the cue group `group` in the language `code`.
pub fn says_in(code: &str, group: &str, key: &str) -> bool {
    debug_assert!(CUE_GROUPS.contains(&group), "unknown cue group {group}");
    lexicon()
        .cues_by_language
        .get(code)
        .and_then(|g| g.get(group))
        .is_some_and(|w| w.contains(key))
}

/// "the top level", "la raíz": the top of the workspace.
pub fn root(key: &str) -> bool {
    in_class("root", key)
}

pub fn all(key: &str) -> bool {
    in_class("all", key)
}

/// Modifiers that change a command but name nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    Hidden,
    Details,
    Recursive,
    First,
    Last,
    Lines,
    Words,
    Chars,
    BySize,
    ByDate,
    ByName,
    Numeric,
    Reverse,
    Unique,
    Newest,
    Oldest,
    Biggest,
    Smallest,
    More,
    Less,
    Execute,
    ReadPerm,
    WritePerm,
    ReadOnly,
    Permission,
    Extension,
    Content,
    Contains,
    IgnoreCase,
    Levels,
    End,
    Word,
    Today,
    Days,
    Weeks,
    Ago,
    Empty,
    /// "conservando el .gz", "keep the compressed file": the original stays.
    Keep,
    /// "en la misma carpeta", "next to it": beside the source, not into a folder.
    Beside,
}

pub fn flag(key: &str) -> Option<Flag> {
    lexicon().flags.get(key).copied()
}

/// The number a number word says ("tres", "a dozen").
pub fn number_word(key: &str) -> Option<u32> {
    lexicon().numbers.get(key).copied()
}

/// Size units as `find -size` suffixes.
pub fn size_unit(key: &str) -> Option<&'static str> {
    lexicon().size_units.get(key).map(String::as_str)
}

/// Every word the grammar knows, so a word that is none of these may be a name.
pub fn known(key: &str) -> bool {
    verb(key).is_some()
        || noun(key).is_some()
        || prep(key).is_some()
        || filler(key)
        || naming(key)
        || and(key)
        || pronoun(key)
        || here(key)
        || root(key)
        || all(key)
        || flag(key).is_some()
        || cue(key)
}

/// Words the builders read for what they ask ("ocupa", "space", "alfabeticamente"): known,
/// though no list of meanings holds them.
pub fn cue(key: &str) -> bool {
    in_class("cue", key)
}

const PREPS_IN_ORDER: &[(Prep, &str)] = &[
    (Prep::To, "to"),
    (Prep::In, "in"),
    (Prep::From, "from"),
    (Prep::As, "as"),
    (Prep::By, "by"),
];

const NOUNS_IN_ORDER: &[(Noun, &str)] = &[(Noun::Folder, "folder"), (Noun::File, "file")];

const FLAGS_IN_ORDER: &[(Flag, &str)] = &[
    (Flag::Hidden, "hidden"),
    (Flag::Details, "details"),
    (Flag::Recursive, "recursive"),
    (Flag::First, "first"),
    (Flag::Last, "last"),
    (Flag::Lines, "lines"),
    (Flag::Words, "words"),
    (Flag::Chars, "chars"),
    (Flag::BySize, "by_size"),
    (Flag::ByDate, "by_date"),
    (Flag::ByName, "by_name"),
    (Flag::Numeric, "numeric"),
    (Flag::Reverse, "reverse"),
    (Flag::Unique, "unique"),
    (Flag::Newest, "newest"),
    (Flag::Oldest, "oldest"),
    (Flag::Biggest, "biggest"),
    (Flag::Smallest, "smallest"),
    (Flag::More, "more"),
    (Flag::Less, "less"),
    (Flag::Execute, "execute"),
    (Flag::ReadPerm, "read_perm"),
    (Flag::WritePerm, "write_perm"),
    (Flag::ReadOnly, "read_only"),
    (Flag::Permission, "permission"),
    (Flag::Extension, "extension"),
    (Flag::Content, "content"),
    (Flag::Contains, "contains"),
    (Flag::IgnoreCase, "ignore_case"),
    (Flag::Levels, "levels"),
    (Flag::Word, "word"),
    (Flag::Today, "today"),
    (Flag::Days, "days"),
    (Flag::Weeks, "weeks"),
    (Flag::Ago, "ago"),
    (Flag::Empty, "empty"),
    (Flag::Keep, "keep"),
    (Flag::Beside, "beside"),
];

/// The groups of `[cues]` the builders read (`says("header", key)`).
pub const CUE_GROUPS: &[&str] = &[
    "header",
    "changed",
    "not_executable",
    "leave",
    "usage",
    "how",
    "big",
    "how_much",
    "size",
    "each_file",
    "count_question",
    "many",
    "times",
    "times_short",
    "they_say",
    "extreme",
    "archive",
    "folder_word",
    "archive_name",
    "copy_word",
    "line_or_end",
    "text_word",
    "name_word",
    "tree_word",
    "which",
    "says",
    "where",
    "am",
    "which_files",
    "what_content",
    "there_is",
    "back",
    "only",
    "folders",
    "without",
    "files",
    "for",
    "where_locate",
    "file_words",
    "number",
    "relative",
    "text_follows",
    "of",
    "goes_on",
    "perm_verb",
    "lead_in",
    "inside_here",
    "demonstrative",
    "a",
    "another",
    "new",
    "copy_aside",
    "the",
    "infinitive",
    "with",
    "the_one",
    "content_word",
    "particle",
    "inside_it",
    "name_is",
    "current_after",
    "current_before",
    "this",
    "up_place",
    "parent_after",
    "parent_before",
    "existential",
    "to_be",
    "one_or_a",
    "than",
    "this_period",
    "at_most",
    "at_least",
    "archive_made",
    "archive_word",
    "article",
    "away",
    "each",
    "everyone",
    "gzip_word",
    "highest",
    "line",
    "line_place",
    "lowest",
    "me",
    "most",
    "or",
    "please",
    "purpose",
    "same",
    "take_away",
    "text_opening",
    "text_said",
    "up_word",
    "upward",
    "weighs",
    "what",
    "zip_word",
    "but",
    "keeping_it",
    "the_result",
    "please_before",
    "size_of",
    "take_word",
    "text_article",
    "high_to",
    "low_to",
    "word_count",
    "read_only",
    "only_me",
    "read_words",
    "write_words",
    "run_words",
    "where_am_i",
    "in_the_current",
    "asks_contents",
    "and_inside",
    "inside_after",
    "swap_for",
    "swap_with",
];

/// The groups of `[refusals]` the refusal check reads (`refuses("system", key)`).
pub const REFUSAL_GROUPS: &[&str] = &[
    "net_word",
    "net_place",
    "mail",
    "mail_verb",
    "by_means",
    "send",
    "net_sure",
    "server",
    "key_folder",
    "to_the_net",
    "system",
    "power",
    "system_sure",
    "power_off",
    "private",
    "mine",
    "machine",
    "whole",
    "file_noun",
    "machine_part",
];

/// The kinds of function word a language file lists under `[words]`.
const WORD_CLASSES: &[&str] = &[
    "filler",
    "greeting",
    "naming",
    "and",
    "pronoun",
    "here",
    "all",
    "cue",
    "courtesy",
    "save",
    "except",
    "except_after_all",
    "except_after_name",
    "root",
    "common",
];

/// One language file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageFile {
    pub language: String,
    /// Letters only this language writes ("ñ", "¿"): they tell it when its words and
    /// another's are as many.
    #[serde(default)]
    letters: String,
    #[serde(default)]
    verbs: HashMap<String, Vec<String>>,
    #[serde(default)]
    nouns: HashMap<String, Vec<String>>,
    #[serde(default)]
    preps: HashMap<String, Vec<String>>,
    #[serde(default)]
    words: HashMap<String, Vec<String>>,
    #[serde(default)]
    flags: HashMap<String, Vec<String>>,
    #[serde(default)]
    size_units: HashMap<String, Vec<String>>,
    #[serde(default)]
    kinds: HashMap<String, Vec<String>>,
    #[serde(default)]
    synonyms: HashMap<String, Vec<String>>,
    /// How verbs take pronouns and make imperatives.
    #[serde(default)]
    grammar: Grammar,
    /// Number words by the number they say ("1" = ["un", "una", "a"]).
    #[serde(default)]
    numbers: HashMap<String, Vec<String>>,
    /// Set phrases that stand for one word ("take a look at" → "show", "read only" →
    /// "readonly"), by that word: a verb form or a modifier.
    #[serde(default)]
    idioms: HashMap<String, Vec<String>>,
    /// Words the builders choose a command by, in the named groups of `CUE_GROUPS`.
    #[serde(default)]
    cues: HashMap<String, Vec<String>>,
    /// Words that make a request one atajo declines, in the groups of `REFUSAL_GROUPS`.
    #[serde(default)]
    refusals: HashMap<String, Vec<String>>,
    /// How the explanations are written: every key of `say::SAY_KEYS`, no other.
    #[serde(default)]
    say: HashMap<String, String>,
    /// Instructions and what they must become: checked by `assistant::self_test`.
    #[serde(default)]
    pub example: Vec<Example>,
}

/// What a language does to its verbs: pronouns written onto their end and imperatives made
/// from the infinitive.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Grammar {
    /// Pronouns written onto a verb's end, longest first ("melos", …, "lo", "me").
    #[serde(default)]
    enclitics: Vec<String>,
    /// Those of them that point at what the verb acts on ("bórralo" = delete it).
    #[serde(default)]
    object_enclitics: Vec<String>,
    /// The ending an infinitive drops to make an imperative ("r": "mostrar" → "mostrá").
    #[serde(default)]
    imperative_drops: String,
}

/// An instruction of a language file and the command it must translate to (`None`: it must
/// be declined), said in a folder holding `here` (`/` ends a folder's name).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub say: String,
    pub want: Option<String>,
    #[serde(default)]
    pub here: Vec<String>,
    /// Said at the top of the workspace (nothing above it to reach); otherwise in a folder
    /// somewhere inside one.
    #[serde(default)]
    pub top: bool,
    /// Offered as "did you mean" when an instruction close to it is not understood.
    #[serde(default)]
    pub suggest: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    #[error("lang/{file}.toml: {message}")]
    Invalid { file: String, message: String },
}

/// Every language's vocabulary, merged: a word means what the first language listing it says
/// (files in `FILES_OF_LANGUAGES` order, meanings in their declared order).
#[derive(Default)]
pub struct Lexicon {
    verbs: FxHashMap<String, Verb>,
    /// Verbs' forms in order, for slips ("delte").
    verb_lists: Vec<(Verb, Vec<String>)>,
    nouns: FxHashMap<String, Noun>,
    noun_lists: Vec<(Noun, Vec<String>)>,
    preps: FxHashMap<String, Prep>,
    words: FxHashMap<&'static str, FxHashSet<String>>,
    flags: FxHashMap<String, Flag>,
    size_units: FxHashMap<String, String>,
    kinds: FxHashMap<String, Vec<String>>,
    synonyms: FxHashMap<String, Vec<String>>,
    /// The languages (by `language` code) whose file lists a word, for telling which one an
    /// instruction is in.
    speakers: FxHashMap<String, Vec<String>>,
    /// Each verb form's language, for slips ("renonbra" is Spanish).
    verb_forms_lang: FxHashMap<String, String>,
    /// The files' examples, by language code.
    examples: Vec<(String, Example)>,
    /// Each file's language code and its own letters, in file order.
    languages: Vec<(String, String)>,
    /// `[cues]`: each group's words, every language's together.
    cues: FxHashMap<String, FxHashSet<String>>,
    /// `[cues]` by language code, for words whose role depends on the language said ("a"
    /// is an English article and a Spanish preposition).
    cues_by_language: FxHashMap<String, FxHashMap<String, FxHashSet<String>>>,
    /// Number words and their value.
    numbers: FxHashMap<String, u32>,
    /// Each language's verb grammar, by language code, in file order.
    grammar: Vec<(String, Grammar)>,
    /// Imperatives made from an infinitive ("mostra" from "mostrar"), with their verb and
    /// that infinitive.
    imperatives: FxHashMap<String, (Verb, String)>,
    /// `[refusals]`: each group's words and phrases, every language's together.
    refusals: FxHashMap<String, FxHashSet<String>>,
    /// Set phrases (their words) and the word each stands for, by their first word, longest
    /// first.
    idioms: FxHashMap<String, Vec<(Vec<String>, String)>>,
    /// `[say]`: each language's messages, by language code.
    say: FxHashMap<String, FxHashMap<String, String>>,
    /// The entries of `[cues]`, `[refusals]` and `[words]` as phrases (each word's `a|b`
    /// alternatives), by group or class: split once, matched without allocating.
    cue_phrases: FxHashMap<String, Vec<Phrase>>,
    refusal_phrases: FxHashMap<String, Vec<Phrase>>,
    word_phrases: FxHashMap<String, Vec<Phrase>>,
}

/// Parses the language files and checks that every meaning they name exists.
pub fn parse_languages(
    files: &[(&str, &str)],
) -> Result<(Lexicon, Vec<LanguageFile>), LexiconError> {
    let mut parsed = Vec::new();
    for (name, text) in files {
        let invalid = |message: String| LexiconError::Invalid {
            file: (*name).to_owned(),
            message,
        };
        let file: LanguageFile = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let unknown = |section: &str, map: &HashMap<String, Vec<String>>, known: &[&str]| {
            map.keys()
                .find(|k| !known.contains(&k.as_str()))
                .map(|k| invalid(format!("[{section}] has no meaning called {k:?}")))
        };
        let verbs: Vec<&str> = VERBS_IN_ORDER.iter().map(|(_, n)| *n).collect();
        let nouns: Vec<&str> = NOUNS_IN_ORDER.iter().map(|(_, n)| *n).collect();
        let preps: Vec<&str> = PREPS_IN_ORDER.iter().map(|(_, n)| *n).collect();
        let flags: Vec<&str> = FLAGS_IN_ORDER.iter().map(|(_, n)| *n).collect();
        let checks = [
            unknown("verbs", &file.verbs, &verbs),
            unknown("nouns", &file.nouns, &nouns),
            unknown("preps", &file.preps, &preps),
            unknown("flags", &file.flags, &flags),
            unknown("words", &file.words, WORD_CLASSES),
            unknown("size_units", &file.size_units, &["k", "M", "G", "c"]),
        ];
        if let Some(e) = checks.into_iter().flatten().next() {
            return Err(e);
        }
        // An empty word would match nothing sensibly, and an empty phrase has no words to
        // look for.
        let sections = [
            ("verbs", &file.verbs),
            ("nouns", &file.nouns),
            ("preps", &file.preps),
            ("words", &file.words),
            ("flags", &file.flags),
            ("size_units", &file.size_units),
            ("kinds", &file.kinds),
            ("synonyms", &file.synonyms),
            ("idioms", &file.idioms),
            ("cues", &file.cues),
            ("refusals", &file.refusals),
            ("numbers", &file.numbers),
        ];
        for (section, map) in sections {
            if let Some((key, _)) = map
                .iter()
                .find(|(_, words)| words.iter().any(|w| w.trim().is_empty()))
            {
                return Err(invalid(format!("[{section}] {key} lists an empty word")));
            }
        }
        if let Some(key) = file
            .say
            .keys()
            .find(|k| !super::say::SAY_KEYS.contains(&k.as_str()))
        {
            return Err(invalid(format!(
                "[say] {key:?} is no message the code says"
            )));
        }
        if let Some(key) = super::say::SAY_KEYS
            .iter()
            .find(|k| file.say.get(**k).is_none_or(String::is_empty))
        {
            return Err(invalid(format!("[say] does not write {key:?}")));
        }
        // Every language fills the same slots of a message: one it does not know would be
        // said as "{slot}".
        if let Some(first) = parsed.first() {
            let first: &LanguageFile = first;
            fn slots(t: &str) -> Vec<&str> {
                let mut v = super::say::slots_of(t);
                v.sort_unstable();
                v.dedup();
                v
            }
            if let Some((key, _)) = file
                .say
                .iter()
                .find(|(k, t)| first.say.get(*k).is_some_and(|f| slots(f) != slots(t)))
            {
                return Err(invalid(format!(
                    "[say] {key:?} fills other {{slots}} than lang/{}.toml's",
                    first.language
                )));
            }
        }
        parsed.push(file);
    }
    let mut lex = Lexicon::default();
    for f in &parsed {
        lex.say.insert(
            f.language.clone(),
            f.say.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        );
        lex.languages.push((f.language.clone(), f.letters.clone()));
        lex.grammar.push((f.language.clone(), f.grammar.clone()));
        let mut add = |w: &String| {
            let langs = lex.speakers.entry(w.clone()).or_default();
            if !langs.contains(&f.language) {
                langs.push(f.language.clone());
            }
        };
        let lists = [
            &f.verbs,
            &f.nouns,
            &f.preps,
            &f.flags,
            &f.words,
            &f.size_units,
        ];
        lists
            .into_iter()
            .flat_map(|m| m.values().flatten())
            .chain(f.kinds.keys())
            .for_each(&mut add);
    }
    for (verb, name) in VERBS_IN_ORDER {
        for f in &parsed {
            let forms = f.verbs.get(*name).cloned().unwrap_or_default();
            for w in &forms {
                lex.verbs.entry(w.clone()).or_insert(*verb);
                lex.verb_forms_lang
                    .entry(w.clone())
                    .or_insert_with(|| f.language.clone());
            }
            lex.verb_lists.push((*verb, forms));
        }
    }
    // Imperatives made from the infinitive ("mostra" from "mostrar"), from the forms in
    // their declared order, so a stem two forms share always gets the same verb.
    for (_, forms) in &lex.verb_lists {
        for w in forms {
            let Some(lang) = lex.verb_forms_lang.get(w) else {
                continue;
            };
            let drops = parsed
                .iter()
                .find(|f| &f.language == lang)
                .map_or("", |f| f.grammar.imperative_drops.as_str());
            if let Some(stem) = w.strip_suffix(drops).filter(|_| !drops.is_empty())
                && let Some(v) = lex.verbs.get(w)
            {
                lex.imperatives
                    .entry(stem.to_owned())
                    .or_insert_with(|| (*v, w.clone()));
            }
        }
    }
    for (noun, name) in NOUNS_IN_ORDER {
        for f in &parsed {
            let forms = f.nouns.get(*name).cloned().unwrap_or_default();
            for w in &forms {
                lex.nouns.entry(w.clone()).or_insert(*noun);
            }
            lex.noun_lists.push((*noun, forms));
        }
    }
    for (prep, name) in PREPS_IN_ORDER {
        for f in &parsed {
            for w in f.preps.get(*name).into_iter().flatten() {
                lex.preps.entry(w.clone()).or_insert(*prep);
            }
        }
    }
    for (flag, name) in FLAGS_IN_ORDER {
        for f in &parsed {
            for w in f.flags.get(*name).into_iter().flatten() {
                lex.flags.entry(w.clone()).or_insert(*flag);
            }
        }
    }
    for class in WORD_CLASSES {
        let set = lex.words.entry(class).or_default();
        let phrases = lex.word_phrases.entry((*class).to_owned()).or_default();
        for f in &parsed {
            let words = f.words.get(*class).into_iter().flatten();
            set.extend(words.clone().cloned());
            phrases.extend(words.map(|w| split_phrase(w)));
        }
    }
    for f in &parsed {
        for (verb, phrases) in &f.idioms {
            let class_word = ["filler", "here", "root"]
                .iter()
                .any(|c| lex.words.get(c).is_some_and(|w| w.contains(verb)));
            if !lex.verbs.contains_key(verb) && !lex.flags.contains_key(verb) && !class_word {
                return Err(LexiconError::Invalid {
                    file: f.language.clone(),
                    message: format!(
                        "[idioms] {verb:?} is no verb form, modifier, filler, here- or root-word of any language file"
                    ),
                });
            }
            for p in phrases {
                let words: Vec<String> = p.split_whitespace().map(str::to_owned).collect();
                if words.len() < 2 {
                    return Err(LexiconError::Invalid {
                        file: f.language.clone(),
                        message: format!("[idioms] {p:?} is one word: list it as a verb form"),
                    });
                }
                for w in &words {
                    let langs = lex.speakers.entry(w.clone()).or_default();
                    if !langs.contains(&f.language) {
                        langs.push(f.language.clone());
                    }
                }
                lex.idioms
                    .entry(words[0].clone())
                    .or_default()
                    .push((words, verb.clone()));
            }
        }
    }
    for phrases in lex.idioms.values_mut() {
        phrases.sort_by_key(|(words, _)| std::cmp::Reverse(words.len()));
    }
    for f in &parsed {
        for (unit, words) in &f.size_units {
            for w in words {
                lex.size_units
                    .entry(w.clone())
                    .or_insert_with(|| unit.clone());
            }
        }
        for (value, words) in &f.numbers {
            let n: u32 = value.parse().map_err(|_| LexiconError::Invalid {
                file: f.language.clone(),
                message: format!("[numbers] {value:?} is no number"),
            })?;
            for w in words {
                lex.numbers.entry(w.clone()).or_insert(n);
            }
        }
        for (w, exts) in &f.kinds {
            lex.kinds.entry(w.clone()).or_insert_with(|| exts.clone());
        }
        for (w, alts) in &f.synonyms {
            lex.synonyms
                .entry(w.clone())
                .or_insert_with(|| alts.clone());
        }
        let own = lex.cues_by_language.entry(f.language.clone()).or_default();
        for (group, words) in &f.cues {
            own.entry(group.clone())
                .or_default()
                .extend(words.iter().cloned());
        }
        let grouped = [
            (
                "cues",
                &f.cues,
                CUE_GROUPS,
                &mut lex.cues,
                &mut lex.cue_phrases,
            ),
            (
                "refusals",
                &f.refusals,
                REFUSAL_GROUPS,
                &mut lex.refusals,
                &mut lex.refusal_phrases,
            ),
        ];
        for (section, groups, known, into, phrases) in grouped {
            for (group, words) in groups {
                if !known.contains(&group.as_str()) {
                    return Err(LexiconError::Invalid {
                        file: f.language.clone(),
                        message: format!("[{section}] {group:?} is no group the code reads"),
                    });
                }
                into.entry(group.clone())
                    .or_default()
                    .extend(words.iter().cloned());
                phrases
                    .entry(group.clone())
                    .or_default()
                    .extend(words.iter().map(|w| split_phrase(w)));
            }
        }
    }
    Ok((lex, parsed))
}

/// The built-in vocabulary, read once.
fn lexicon() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(|| match parse_languages(FILES_OF_LANGUAGES) {
        // The examples are kept from this one parse, for the self-test every start runs.
        Ok((mut lex, files)) => {
            lex.examples = files
                .into_iter()
                .flat_map(|f| {
                    let lang = f.language;
                    f.example.into_iter().map(move |e| (lang.clone(), e))
                })
                .collect();
            lex
        }
        Err(e) => {
            // The files are compiled in and checked by `cargo test`: this cannot happen in a
            // released build. An empty vocabulary still works (everything is declined).
            tracing::error!(error = %e, "the built-in vocabulary does not load");
            Lexicon::default()
        }
    })
}

/// The languages of the built-in files (their codes and own letters), in file order.
pub fn languages() -> &'static [(String, String)] {
    &lexicon().languages
}

/// How the language `lang` writes the message `key` (its `[say]` entry).
pub fn template(lang: &str, key: &str) -> Option<&'static str> {
    lexicon()
        .say
        .get(lang)
        .and_then(|m| m.get(key))
        .map(String::as_str)
}

/// The examples of the built-in language files.
pub fn examples() -> &'static [(String, Example)] {
    &lexicon().examples
}

#[cfg(test)]
mod data_tests {
    use super::*;

    /// A one-file vocabulary `xx` of `text`, with English's `[say]` (every file must write
    /// every message).
    fn parse_xx(text: &str) -> Result<(Lexicon, Vec<LanguageFile>), LexiconError> {
        parse_languages(&[("xx", &format!("{text}\n{}\n", en_say()))])
    }

    /// English's `[say]` section.
    fn en_say() -> &'static str {
        let en = FILES_OF_LANGUAGES[1].1;
        let say = &en[en.find("\n[say]\n").unwrap_or(0)..];
        &say[..say[1..].find("\n[").map_or(say.len(), |e| e + 1)]
    }

    #[test]
    fn a_language_file_writes_every_message_and_only_those() {
        let none = parse_languages(&[("xx", "language = \"xx\"\n")]);
        assert!(none.is_err_and(|e| e.to_string().contains("does not write")));
        let extra = parse_languages(&[(
            "xx",
            &format!("language = \"xx\"\n{}\nhello = \"hi\"\n", en_say()),
        )]);
        assert!(extra.is_err_and(|e| e.to_string().contains("hello")));
        // The same message with a value English does not give: it would be said as "{where}".
        let other = en_say().replace(
            "pwd = \"Shows which folder you are in\"",
            "pwd = \"Shows {where}\"",
        );
        assert_ne!(other, en_say());
        let two = parse_languages(&[
            ("en", FILES_OF_LANGUAGES[1].1),
            ("xx", &format!("language = \"xx\"\n{other}\n")),
        ]);
        assert!(two.is_err_and(|e| e.to_string().contains("pwd")));
        assert!(parse_xx("language = \"xx\"").is_ok());
    }

    #[test]
    fn every_cue_and_refusal_group_the_code_reads_has_words() {
        let (lex, _) = parse_languages(FILES_OF_LANGUAGES).expect("the built-in files load");
        for group in CUE_GROUPS {
            assert!(
                lex.cues.get(*group).is_some_and(|w| !w.is_empty()),
                "[cues] {group} has no words in any language file"
            );
        }
        for group in REFUSAL_GROUPS {
            assert!(
                lex.refusals.get(*group).is_some_and(|w| !w.is_empty()),
                "[refusals] {group} has no words in any language file"
            );
        }
        for section in ["cues", "refusals"] {
            let bad = parse_xx(&format!("language = \"xx\"\n[{section}]\nnope = [\"x\"]\n"));
            assert!(bad.is_err_and(|e| e.to_string().contains("nope")));
        }
    }

    #[test]
    fn the_language_files_load_and_name_only_real_meanings() {
        let (lex, files) = parse_languages(FILES_OF_LANGUAGES).expect("the built-in files load");
        assert_eq!(files.len(), 2);
        assert!(lex.verbs.len() > 300, "{} verb forms", lex.verbs.len());
        let bad = parse_xx("language = \"xx\"\n[verbs]\nfly = [\"vuela\"]\n");
        assert!(bad.is_err_and(|e| e.to_string().contains("fly")));
        let bad = parse_xx("language = \"xx\"\n[oops]\n");
        assert!(bad.is_err());
        let grammar = |g: &str| parse_xx(&format!("language = \"xx\"\n[grammar]\n{g}\n"));
        assert!(grammar("imperative_drops = \"r\"").is_ok());
        for (section, group) in [
            ("refusals", "power_off"),
            ("cues", "the"),
            ("words", "filler"),
        ] {
            let empty = parse_xx(&format!(
                "language = \"xx\"\n[{section}]\n{group} = [\"turn off\", \" \"]\n"
            ));
            assert!(
                empty.is_err_and(|e| e.to_string().contains("empty word")),
                "{section}"
            );
        }
        assert!(grammar("tenses = 3").is_err());
        let numbers = |n: &str| parse_xx(&format!("language = \"xx\"\n[numbers]\n{n}\n"));
        assert!(numbers("3 = [\"tri\"]").is_ok_and(|(l, _)| l.numbers.get("tri") == Some(&3)));
        assert!(numbers("many = [\"lots\"]").is_err_and(|e| e.to_string().contains("many")));
        // A set phrase must stand for a word the files give a meaning, and be a phrase.
        let idiom = |k: &str, p: &str| {
            parse_xx(&format!(
                "language = \"xx\"\n[verbs]\nshow = [\"show\"]\n[idioms]\n{k} = [\"{p}\"]\n"
            ))
        };
        assert!(idiom("show", "take a look at").is_ok());
        assert!(idiom("fly", "take a look at").is_err_and(|e| e.to_string().contains("fly")));
        assert!(idiom("show", "look").is_err_and(|e| e.to_string().contains("one word")));
    }

    #[test]
    fn meanings_are_as_before_the_move() {
        assert_eq!(verb("borra"), Some(Verb::Delete));
        assert_eq!(verb("delete"), Some(Verb::Delete));
        assert_eq!(verb("muestramelos"), Some(Verb::Show));
        assert_eq!(verb("mostrame"), Some(Verb::Show));
        assert_eq!(noun("carpetas"), Some((Noun::Folder, true)));
        assert_eq!(noun("file"), Some((Noun::File, false)));
        assert_eq!(prep("a"), Some(Prep::To));
        assert_eq!(prep("into"), Some(Prep::To));
        assert!(filler("the") && filler("el"));
        assert!(!filler("a"));
        assert_eq!(flag("ocultos"), Some(Flag::Hidden));
        assert_eq!(size_unit("megas"), Some("M"));
        assert_eq!(kind("fotos").map(|k| k.len()), Some(6));
        assert!(synonyms("aplicacion").iter().any(|s| s == "app"));
        assert_eq!(verb_typo("delte"), Some(Verb::Delete));
        assert_eq!(noun_typo("carpteta"), Some((Noun::Folder, false)));
    }
}
