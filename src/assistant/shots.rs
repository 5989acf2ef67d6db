//! The few examples a model is shown with an instruction: taken from the language files (the
//! same ones `cargo test` checks), those whose verbs the instruction shares first, so the model
//! sees how this kind of request is answered here — quoting, `--`, declining.

use std::sync::OnceLock;

use super::lexicon::{self, Verb};
use super::words::tokenize;
use crate::lang::Lang;

/// An example as the prompt shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shot {
    pub say: String,
    /// `None`: declined.
    pub want: Option<String>,
}

struct Known {
    lang: Lang,
    verbs: Vec<Verb>,
    shot: Shot,
}

fn verbs_of(text: &str) -> Vec<Verb> {
    let mut out = Vec::new();
    for t in tokenize(text) {
        // Exact forms only: a slip reading ("archivo" for "archiva") would pick examples of
        // another action.
        if let Some(v) = lexicon::verb(&t.key)
            && !out.contains(&v)
        {
            out.push(v);
        }
    }
    out
}

fn known() -> &'static [Known] {
    static KNOWN: OnceLock<Vec<Known>> = OnceLock::new();
    KNOWN.get_or_init(|| {
        lexicon::examples()
            .iter()
            .filter_map(|(lang, e)| {
                Some(Known {
                    lang: Lang::from_tag(lang)?,
                    verbs: verbs_of(&e.say),
                    shot: Shot {
                        say: e.say.clone(),
                        want: e.want.clone(),
                    },
                })
            })
            .collect()
    })
}

/// Up to `n` examples in `lang`: those sharing most verbs with `text` first, then one declined
/// example (so the model sees that declining is an answer), then the rest in file order.
pub fn for_instruction(text: &str, lang: Lang, n: usize) -> Vec<Shot> {
    let verbs = verbs_of(text);
    // Most shared verbs first; among those, the examples doing least besides.
    let mut scored: Vec<(usize, usize, &Known)> = known()
        .iter()
        .filter(|k| k.lang == lang)
        .map(|k| {
            let shared = k.verbs.iter().filter(|v| verbs.contains(v)).count();
            (shared, k.verbs.len() - shared, k)
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut out: Vec<Shot> = scored
        .iter()
        .filter(|(score, _, _)| *score > 0)
        .take(n.saturating_sub(1))
        .map(|(_, _, k)| k.shot.clone())
        .collect();
    if let Some((_, _, k)) = scored.iter().find(|(_, _, k)| k.shot.want.is_none()) {
        out.push(k.shot.clone());
    }
    for (_, _, k) in &scored {
        if out.len() >= n {
            break;
        }
        if !out.contains(&k.shot) {
            out.push(k.shot.clone());
        }
    }
    out.truncate(n);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_follow_the_instructions_verb_and_language_and_include_a_refusal() {
        let shots = for_instruction("elimina el archivo viejo.txt", Lang::Es, 4);
        assert_eq!(shots.len(), 4);
        let deletes = shots
            .iter()
            .filter(|s| s.want.as_deref().is_some_and(|w| w.starts_with("rm ")))
            .count();
        assert!(deletes >= 2, "{shots:?}");
        assert!(shots.iter().any(|s| s.want.is_none()), "{shots:?}");
        let en = for_instruction("please wipe the logs folder", Lang::En, 4);
        assert!(
            en.iter()
                .any(|s| s.want.as_deref().is_some_and(|w| w.starts_with("rm "))),
            "{en:?}"
        );
        // Nothing recognisable still gets a spread of examples in the right language.
        let none = for_instruction("zzz qqq", Lang::En, 3);
        assert_eq!(none.len(), 3);
        assert!(none.iter().all(|s| !s.say.contains("carpeta")), "{none:?}");
    }
}
