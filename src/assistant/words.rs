//! Tokens of an instruction: each keeps the text as written (names keep their case and
//! accents) and a folded form for matching keywords (lowercase, no accents).

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub raw: String,
    pub key: String,
    /// Written in quotes: always a name, never a keyword.
    pub quoted: bool,
    /// Followed by a comma: part of a list ("a, b y c"), so never a filler word.
    pub comma: bool,
    /// Ends a sentence ("…?", "…!", "… notas."): what comes before it is another sentence.
    pub end: bool,
}

pub use crate::fold::fold;

/// Splits on whitespace, keeping "quoted parts" (straight or curly quotes) whole, and
/// detaches a trailing comma or period from unquoted words ("a, b y c.").
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let close = match c {
            '"' => Some('"'),
            '\'' => Some('\''),
            '«' => Some('»'),
            '“' => Some('”'),
            '‘' => Some('’'),
            _ => None,
        };
        if let Some(close) = close {
            chars.next();
            let raw: String = chars.by_ref().take_while(|&x| x != close).collect();
            out.push(Token {
                key: fold(&raw),
                raw,
                quoted: true,
                comma: false,
                end: false,
            });
            continue;
        }
        let mut raw = String::new();
        while let Some(&x) = chars.peek() {
            if x.is_whitespace() {
                break;
            }
            raw.push(x);
            chars.next();
        }
        let comma = raw.ends_with(',');
        let end = raw.ends_with(['?', '!'])
            || (raw.ends_with('.') && !raw.trim_end_matches('.').is_empty());
        let trimmed = raw.trim_end_matches([',', ';', ':', '!', '?']);
        // A final period ends the sentence ("… notas.txt."), unless the word is all dots.
        let trimmed = match trimmed.strip_suffix('.') {
            Some(t) if !t.trim_matches('.').is_empty() => t,
            _ => trimmed,
        };
        let trimmed = trimmed.trim_start_matches(['¿', '¡']);
        if !trimmed.is_empty() {
            out.push(Token {
                key: fold(trimmed),
                raw: trimmed.to_owned(),
                quoted: false,
                comma,
                end,
            });
        }
    }
    out
}

/// A count written in digits or in words ("3", "tres", "three"), up to twenty.
pub fn number(key: &str) -> Option<u32> {
    if let Ok(n) = key.parse::<u32>() {
        return Some(n);
    }
    super::lexicon::number_word(key)
}

/// Optimal string alignment distance, stopping early once it exceeds `max`: typos are one
/// slip (a letter missing, extra, wrong or two swapped), so callers only ask for 1.
pub fn within_typo(a: &str, b: &str, max: usize) -> bool {
    if max == 1 {
        within_one(a, b)
    } else {
        osa_within(a, b, max)
    }
}

fn osa_within(a: &str, b: &str, max: usize) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        d[i * w] = i;
        let mut row_min = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return false;
        }
    }
    d[a.len() * w + b.len()] <= max
}

/// Distance at most one (a change, an insertion, a deletion or two neighbours swapped)
/// without allocating: the lexicon asks this of every word against every form it knows.
fn within_one(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    if a.len().abs_diff(b.len()) > 4 {
        // More than one character apart in length (a char is at most 4 bytes).
        return false;
    }
    let (mut ia, mut ib) = (a.char_indices(), b.char_indices());
    loop {
        match (ia.next(), ib.next()) {
            (Some((_, ca)), Some((_, cb))) if ca == cb => continue,
            (Some((i, ca)), Some((j, cb))) => {
                let (ra, rb) = (&a[i + ca.len_utf8()..], &b[j + cb.len_utf8()..]);
                // Changed, inserted in b, deleted from b.
                if ra == rb || &a[i..] == rb || ra == &b[j..] {
                    return true;
                }
                // Two neighbours swapped.
                let (mut na, mut nb) = (ra.chars(), rb.chars());
                return na.next() == Some(cb)
                    && nb.next() == Some(ca)
                    && na.as_str() == nb.as_str();
            }
            // One is the other plus one final character.
            (Some((_, c)), None) => return a.len() - c.len_utf8() == b.len(),
            (None, Some((_, c))) => return b.len() - c.len_utf8() == a.len(),
            (None, None) => return true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_names_and_quotes() {
        let t = tokenize("Crea la carpeta «Mis Fotos», y \"a b\" notas.txt.");
        let raws: Vec<_> = t.iter().map(|t| t.raw.as_str()).collect();
        assert_eq!(
            raws,
            [
                "Crea",
                "la",
                "carpeta",
                "Mis Fotos",
                "y",
                "a b",
                "notas.txt"
            ]
        );
        assert!(t[3].quoted && !t[2].quoted);
        assert_eq!(fold("Árbol ÑANDÚ"), "arbol nandu");
    }

    #[test]
    fn typos_and_numbers() {
        assert!(within_typo("carpteta", "carpeta", 1));
        assert!(within_typo("arhcivo", "archivo", 1));
        assert!(within_typo("delte", "delete", 1));
        assert!(!within_typo("borrar", "mover", 1));
        // The one-edit fast path agrees with the full distance on every kind of edit.
        for (a, b) in [
            ("carpeta", "carpeta"),
            ("carpeta", "carpetas"),
            ("carpetas", "carpeta"),
            ("carpeta", "capreta"),
            ("carpeta", "crapeta"),
            ("carpeta", "carpeat"),
            ("carpeta", "xarpeta"),
            ("carpeta", "carpetx"),
            ("carpeta", "arpeta"),
            ("canción", "cancion"),
            ("canción", "canciónes"),
            ("ab", "ba"),
            ("a", ""),
            ("", "ab"),
            ("abc", "cab"),
            ("niño", "nino"),
            ("ñu", "uñ"),
            ("abcd", "abdc"),
            ("abcd", "acbd"),
            ("abcd", "bacd"),
            ("abcd", "badc"),
        ] {
            assert_eq!(within_one(a, b), osa_within(a, b, 1), "{a} / {b}");
        }
        assert_eq!(number("tres"), Some(3));
        assert_eq!(number("two"), Some(2));
        assert_eq!(number("42"), Some(42));
        assert_eq!(number("muchas"), None);
    }
}
