//! "… y guárdalo en ordenados.txt", "… and save the result as sorted.txt": a clause that only
//! says where the output of the step before goes becomes a redirection of that step.

use super::build::{Step, q};
use super::lexicon;
use super::say::Say;
use super::words::Token;

/// Programs whose output is what "the result" means.
const SHOWS: &[&str] = &[
    "sort", "grep", "head", "tail", "cat", "ls", "find", "wc", "uniq", "du", "tree", "cut",
];

/// The file a clause saves into, when that is all it says: a save word, then only "it", "the
/// result", prepositions and fillers, and one name.
pub fn target(clause: &[Token]) -> Option<String> {
    let mut words = clause.iter();
    let first = words.find(|t| t.quoted || !lexicon::filler(&t.key))?;
    if first.quoted || !lexicon::save(&first.key) {
        return None;
    }
    let mut name = None;
    for t in words {
        let k = t.key.as_str();
        let skip = !t.quoted
            && (lexicon::filler(k)
                || lexicon::pronoun(k)
                || lexicon::prep(k).is_some()
                || lexicon::says("the_result", k));
        if skip {
            continue;
        }
        if name.is_some() {
            return None;
        }
        name = Some(t.raw.clone());
    }
    name
}

/// `step` with its output sent to `file`, when it is a step that shows something and does not
/// already send it elsewhere.
pub fn into(step: &mut Step, file: &str) -> bool {
    let program = step.cmd.split_whitespace().next().unwrap_or_default();
    if !SHOWS.contains(&program) || step.cmd.contains(['>', '|', ';', '&']) {
        return false;
    }
    step.cmd = format!("{} > {}", step.cmd, q(file));
    step.say.then(Say::new("saves_into").name("name", file));
    true
}
