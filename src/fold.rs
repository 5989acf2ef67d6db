//! The folded form of a word or a name, for matching what a person says against what is on
//! disk: lowercase, accents stripped ("Música" and "musica" are one name to a person). Both the
//! assistant (instruction words) and the workspace model (names it indexes) fold the same way.

use unicode_normalization::UnicodeNormalization;

pub fn fold(s: &str) -> String {
    // Most words are plain ASCII: no accents to strip, no Unicode tables to consult.
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    s.nfd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_and_accents_go() {
        assert_eq!(fold("Música"), "musica");
        assert_eq!(fold("INFORME"), "informe");
        assert_eq!(fold("año"), "ano");
        assert_eq!(fold("ÀÉÎ"), "aei");
    }
}
