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
/// "a excepción de"); "but" only after "all"/"everything" ("everything but the logs").
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
    match key(i)? {
        // "everything but the logs", "delete everything in docs but guide.md": after an
        // all-word earlier in the clause, and before a name (not "but keep…", "but first…").
        "but"
            if t[..i].iter().any(|w| {
                !w.quoted
                    && matches!(
                        w.key.as_str(),
                        "all" | "everything" | "every" | "anything" | "todo" | "todos"
                    )
            }) && key(i + 1).is_none_or(|n| {
                lexicon::verb(n).is_none()
                    && !matches!(
                        n,
                        "first"
                            | "then"
                            | "also"
                            | "only"
                            | "keep"
                            | "leave"
                            | "dont"
                            | "don't"
                            | "do"
                    )
            }) =>
        {
            Some(1)
        }
        // "los archivos que no sean csv", "files that aren't logs": what is not meant.
        "que" if key(i + 1) == Some("no") => {
            if matches!(
                key(i + 2),
                Some("sea" | "sean" | "son" | "es" | "este" | "esten" | "tengan" | "tenga")
            ) {
                Some(3)
            } else {
                Some(2)
            }
        }
        "that" | "which" => match (key(i + 1), key(i + 2)) {
            (Some("aren't" | "arent" | "isn't" | "isnt"), _) => Some(2),
            (Some("are" | "is"), Some("not")) => Some(3),
            _ => None,
        },
        // "files in data not csv"; "…, not counting subfolders" says how far to look.
        "not"
            if i > 0
                && !t[i - 1].comma
                && !matches!(key(i + 1), Some("counting" | "including" | "recursively")) =>
        {
            Some(1)
        }
        _ => None,
    }
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
            let stop = (lexicon::prep(k).is_some() && !matches!(k, "de" | "of" | "del"))
                || (lexicon::verb(k).is_some()
                    && !lexicon::filler(k)
                    && lexicon::kind(k).is_none());
            if stop {
                break;
            }
            if lexicon::and(k)
                || lexicon::filler(k)
                || lexicon::noun(k).is_some()
                || matches!(k, "de" | "of" | "del" | "not")
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
