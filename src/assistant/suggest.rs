//! "Did you mean": when an instruction is not understood, the one to three things atajo can
//! do that are closest to it, said as the language files' own phrasings. Only examples marked
//! `suggest` are offered, and like every example they are checked to translate as written.

use std::sync::OnceLock;

use super::lexicon::{self, Flag, Noun, Verb};
use super::words::{Token, tokenize};

/// What an instruction talks about, as far as the vocabulary knows.
#[derive(Debug, Default)]
struct Meanings {
    verbs: Vec<Verb>,
    nouns: Vec<Noun>,
    kinds: Vec<&'static str>,
    flags: Vec<Flag>,
}

impl Meanings {
    fn of<'t>(tokens: impl IntoIterator<Item = &'t Token>) -> Self {
        let mut m = Meanings::default();
        for t in tokens.into_iter().filter(|t| !t.quoted) {
            let k = t.key.as_str();
            // The first verb is the action; a later one is a text or a name ("replace cat
            // with dog").
            if let Some(v) = lexicon::verb(k).or_else(|| lexicon::verb_typo(k)) {
                if m.verbs.is_empty() {
                    m.verbs.push(v);
                }
            } else if let Some((n, _)) = lexicon::noun(k).or_else(|| lexicon::noun_typo(k)) {
                push(&mut m.nouns, n);
            } else if let Some(ext) = lexicon::kind(k).and_then(|e| e.first()) {
                push(&mut m.kinds, ext.as_str());
            } else if let Some(f) = lexicon::flag(k) {
                push(&mut m.flags, f);
            }
        }
        m
    }

    /// How much two instructions share: the action most, then what it acts on.
    fn shared(&self, other: &Meanings) -> usize {
        4 * count_eq(&self.verbs, &other.verbs)
            + 2 * count_eq(&self.nouns, &other.nouns)
            + count_eq(&self.kinds, &other.kinds)
            + count_eq(&self.flags, &other.flags)
    }
}

fn count_eq<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    a.iter().filter(|x| b.contains(x)).count()
}

fn push<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if !v.contains(&x) {
        v.push(x);
    }
}

struct Offer {
    lang: &'static str,
    say: &'static str,
    meanings: Meanings,
}

fn offers() -> &'static [Offer] {
    static OFFERS: OnceLock<Vec<Offer>> = OnceLock::new();
    OFFERS.get_or_init(|| {
        lexicon::examples()
            .iter()
            .filter(|(_, e)| e.suggest && e.want.is_some())
            .map(|(lang, e)| Offer {
                lang: lang.as_str(),
                say: e.say.as_str(),
                meanings: Meanings::of(&tokenize(&e.say)),
            })
            .collect()
    })
}

/// Up to three phrasings in the language `lang` closest to what `tokens` say, one per
/// action; none when nothing is shared (the general hint is then better than a guess).
pub fn closest(tokens: &[Token], lang: &str) -> Vec<&'static str> {
    let said = Meanings::of(tokens);
    let mut scored: Vec<(usize, &Offer)> = offers()
        .iter()
        .filter(|o| o.lang == lang)
        .map(|o| (said.shared(&o.meanings), o))
        .filter(|(score, _)| *score > 0)
        .collect();
    // Best first; among equals, the files' order (the plainest phrasings come first).
    scored.sort_by_key(|(score, _)| std::cmp::Reverse(*score));
    let mut out: Vec<&Offer> = Vec::new();
    for (_, o) in scored {
        if out.len() == 3 {
            break;
        }
        if !out.iter().any(|p| p.meanings.verbs == o.meanings.verbs) {
            out.push(o);
        }
    }
    out.into_iter().map(|o| o.say).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offers_follow_what_was_said_in_its_language() {
        let es = closest(&tokenize("pinta la carpeta src de azul"), "es");
        assert!(!es.is_empty() && es.len() <= 3, "{es:?}");
        assert!(es.iter().all(|s| s.contains("carpeta")), "{es:?}");
        let en = closest(&tokenize("paint the src folder blue"), "en");
        assert!(
            !en.is_empty() && en.iter().all(|s| s.contains("folder")),
            "{en:?}"
        );
        assert!(closest(&tokenize("zzz qqq"), "en").is_empty());
        // One per action: three ways to delete are one offer.
        let del = closest(&tokenize("borrar eliminar suprimir"), "es");
        assert_eq!(del.len(), 1, "{del:?}");
    }

    #[test]
    fn every_language_has_offers_for_the_everyday_actions() {
        for (lang, _) in lexicon::languages() {
            let verbs: Vec<Verb> = offers()
                .iter()
                .filter(|o| o.lang == lang.as_str())
                .flat_map(|o| o.meanings.verbs.iter().copied())
                .collect();
            for v in [
                Verb::Create,
                Verb::Delete,
                Verb::Move,
                Verb::Copy,
                Verb::Rename,
                Verb::Find,
                Verb::Count,
            ] {
                assert!(verbs.contains(&v), "lang/{lang}.toml offers no {v:?}");
            }
        }
    }
}
