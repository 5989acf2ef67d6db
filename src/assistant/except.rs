//! Exclusions: "todos los .log menos error.log", "everything in src except main.py", "todo
//! salvo los .tmp". They are taken out of the clause before it is parsed (so the excluded
//! names are never read as what to act on) and honoured exactly by the commands that take
//! them, or the instruction is declined: an exclusion is never dropped.

use super::lexicon;
use super::words::Token;
use crate::fold::fold;

/// What an instruction said to leave out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Except {
    /// Names as written ("error.log", "main.py").
    pub names: Vec<String>,
    /// Extensions ("tmp" for "menos los .tmp").
    pub kinds: Vec<String>,
}

impl Except {
    pub fn is_empty(&self) -> bool {
        self.names.is_empty() && self.kinds.is_empty()
    }

    /// Whether the entry at `path` (relative, `/`-separated) is left out: by its name, its
    /// path, or its name without the extension ("except the manual" leaves `manual.md`).
    pub fn excludes(&self, path: &str) -> bool {
        let name = path.rsplit('/').next().unwrap_or(path);
        let folded = fold(name);
        let stem = folded
            .rsplit_once('.')
            .filter(|(s, _)| !s.is_empty())
            .map_or(folded.as_str(), |(s, _)| s);
        self.names.iter().any(|n| {
            let n = fold(n);
            n == folded || n == fold(path) || n == stem
        }) || self.kinds.iter().any(|k| {
            name.rsplit_once('.')
                .is_some_and(|(stem, ext)| !stem.is_empty() && ext.eq_ignore_ascii_case(k))
        })
    }
}

/// Where an exclusion starts, and how many words say so ("menos", "but not", "other than",
/// "a excepción de", "que no sean"). The weak markers need more: "but" an all-word earlier
/// in the clause ("everything but the logs"), "not" a name before it ("files in data not
/// csv"), and neither a word after it that shows the sentence going on ("but first…", "not
/// counting subfolders").
pub fn starts_at(t: &[Token], i: usize) -> Option<usize> {
    let key = |j: usize| t.get(j).filter(|w| !w.quoted).map(|w| w.key.as_str());
    let keys: Vec<&str> = t[i..]
        .iter()
        .take(4)
        .map_while(|w| (!w.quoted).then_some(w.key.as_str()))
        .collect();
    if let Some(len) = lexicon::except_at(&keys) {
        return Some(len);
    }
    let here = key(i)?;
    let goes_on = key(i + 1).is_some_and(|n| lexicon::says("goes_on", n));
    if lexicon::except_after_all(here) {
        let after_all = t[..i].iter().any(|w| !w.quoted && lexicon::all(&w.key));
        let verb_next = key(i + 1).is_some_and(|n| lexicon::verb(n).is_some());
        return (after_all && !verb_next && !goes_on).then_some(1);
    }
    if lexicon::except_after_name(here) {
        return (i > 0 && !t[i - 1].comma && !goes_on).then_some(1);
    }
    None
}

/// The clause without its exclusion, and the exclusion. What is excluded runs from the marker
/// to the next preposition that is not "de"/"of" ("menos error.log a backup": backup is where
/// things go), a verb, or the end; names and kinds joined by "y"/"and"/commas.
pub fn split(clause: &[Token]) -> (Vec<Token>, Except) {
    let mut except = Except::default();
    let Some((at, len)) = (0..clause.len()).find_map(|i| starts_at(clause, i).map(|l| (i, l)))
    else {
        return (clause.to_vec(), except);
    };
    let mut end = at + len;
    while let Some(w) = clause.get(end) {
        if !w.quoted {
            let k = w.key.as_str();
            let of = lexicon::says("of", k);
            let stop = (lexicon::prep(k).is_some() && !of)
                || (lexicon::verb(k).is_some()
                    && !lexicon::filler(k)
                    && lexicon::kind(k).is_none());
            if stop {
                break;
            }
            if lexicon::and(k)
                || lexicon::filler(k)
                || lexicon::noun(k).is_some()
                || of
                || lexicon::except_after_name(k)
            {
                end += 1;
                continue;
            }
            if let Some(ext) = k
                .strip_prefix('.')
                .filter(|e| !e.is_empty() && !e.contains('.'))
            {
                except.kinds.push(ext.to_owned());
                end += 1;
                continue;
            }
            if let Some(exts) = lexicon::kind(k)
                && !w.raw.contains('.')
            {
                except.kinds.extend(exts.iter().map(|e| (*e).to_owned()));
                end += 1;
                continue;
            }
        }
        except.names.push(w.raw.clone());
        end += 1;
    }
    // "pero sin borrar la carpeta": a marker before a verb leaves nothing out.
    if except.is_empty() {
        return (clause.to_vec(), except);
    }
    let mut rest = clause[..at].to_vec();
    rest.extend_from_slice(&clause[end..]);
    (rest, except)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assistant::words::tokenize;

    fn sp(text: &str) -> (String, Except) {
        let (rest, ex) = split(&tokenize(text));
        let rest: Vec<String> = rest.into_iter().map(|t| t.raw).collect();
        (rest.join(" "), ex)
    }

    #[test]
    fn exclusions_come_out_of_the_clause() {
        let (rest, ex) = sp("eliminá todos los .log de la carpeta logs menos error.log");
        assert_eq!(rest, "eliminá todos los .log de la carpeta logs");
        assert_eq!(ex.names, ["error.log"]);
        let (rest, ex) = sp("delete everything in src except main.py and run.sh");
        assert_eq!(rest, "delete everything in src");
        assert_eq!(ex.names, ["main.py", "run.sh"]);
        let (rest, ex) = sp("copia todo salvo los .tmp a backup");
        assert_eq!(rest, "copia todo a backup");
        assert_eq!(ex.kinds, ["tmp"]);
        let (_, ex) = sp("move everything but the logs into old");
        assert!(!ex.kinds.is_empty(), "{ex:?}");
        let (rest, ex) = sp("borra las fotos a excepción de playa.jpg");
        assert_eq!(rest, "borra las fotos");
        assert_eq!(ex.names, ["playa.jpg"]);
        let (rest, ex) = sp("borra notas.txt");
        assert_eq!(rest, "borra notas.txt");
        assert!(ex.is_empty());
        assert!(ex.is_empty() && !Except::default().excludes("x"));
    }

    #[test]
    fn what_is_excluded() {
        let ex = Except {
            names: vec!["Error.log".into()],
            kinds: vec!["tmp".into()],
        };
        assert!(ex.excludes("logs/error.log"));
        assert!(ex.excludes("a.TMP"));
        assert!(!ex.excludes("logs/app.log"));
        let manual = Except {
            names: vec!["manual".into()],
            kinds: Vec::new(),
        };
        assert!(manual.excludes("docs/manual.md"));
        assert!(!manual.excludes("docs/manuales.md"));
        assert!(!ex.excludes(".tmp"));
    }
}
