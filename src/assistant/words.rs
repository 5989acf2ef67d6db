//! Tokens of an instruction: each keeps the text as written (names keep their case and
//! accents) and a folded form for matching keywords (lowercase, no accents).

use unicode_normalization::UnicodeNormalization;

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub raw: String,
    pub key: String,
    /// Written in quotes: always a name, never a keyword.
    pub quoted: bool,
    /// Followed by a comma: part of a list ("a, b y c"), so never a filler word.
    pub comma: bool,
}

pub fn fold(s: &str) -> String {
    s.nfd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .flat_map(char::to_lowercase)
        .collect()
}

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
            });
        }
    }
    out
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
}
