//! The words of a name, as a person would say them: "Informe_2024-final.PDF" holds "informe",
//! "2024", "final" and "pdf", "mainWindow.py" holds "main", "window" and "py". The model indexes
//! them so that "el informe final" finds the file without looking at every name.

use crate::fold::fold;

/// The folded words of `name`: each run of letters and digits whole, and, where it mixes
/// them, its runs of letters and of digits and its parts split where a lowercase letter meets
/// an uppercase one ("mainWindow" → "mainwindow", "main", "window").
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for run in name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|r| !r.is_empty())
    {
        let whole = fold(run);
        let mut start = 0;
        let mut prev: Option<char> = None;
        let mut parts = Vec::new();
        for (i, c) in run.char_indices() {
            if let Some(p) = prev
                && (p.is_numeric() != c.is_numeric() || (p.is_lowercase() && c.is_uppercase()))
            {
                parts.push(fold(&run[start..i]));
                start = i;
            }
            prev = Some(c);
        }
        if start > 0 {
            parts.push(fold(&run[start..]));
            out.push(whole);
            out.extend(parts);
        } else {
            out.push(whole);
        }
    }
    out
}

/// The extension of a name ("pdf" of "a.PDF"), folded; none for ".bashrc" or "Makefile".
pub fn extension(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty()).then(|| fold(ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_words() {
        let w = |n: &str| words(n);
        assert_eq!(
            w("Informe_2024-final.PDF"),
            ["informe", "2024", "final", "pdf"]
        );
        assert_eq!(w("mainWindow.py"), ["mainwindow", "main", "window", "py"]);
        assert_eq!(
            w("Música año 2024.mp3"),
            ["musica", "ano", "2024", "mp3", "mp", "3"]
        );
        assert_eq!(w("IMG20240101"), ["img20240101", "img", "20240101"]);
        assert_eq!(w("..."), Vec::<String>::new());
        assert_eq!(extension("a.PDF").as_deref(), Some("pdf"));
        assert_eq!(extension(".bashrc"), None);
        assert_eq!(extension("Makefile"), None);
    }
}
