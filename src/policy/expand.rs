//! From the parser's words to the literal arguments a program receives, with the shell's
//! expansions that the text alone decides: quote removal, `~` (the workspace root is HOME),
//! brace expansion, and globs matched beneath the root only. Anything whose value is not
//! fixed by the text (parameters, substitutions, arithmetic) is refused, so what the policy
//! judges is exactly what runs.

use std::path::{Path, PathBuf};

use brush_parser::ast::Word;
use brush_parser::word::{WordPiece, WordPieceWithSource};
use brush_parser::{ParserOptions, word};

use super::reason::{Reason, Syntax};
use crate::workspace::{self, PathError, rawname};

/// Most words one word may expand to (braces and globs together).
pub const MAX_WORDS: usize = 4096;
/// Most arguments one program may be given after expansion.
pub const MAX_ARGS: usize = 4 * MAX_WORDS;
/// Most directory entries the globs of one command may look at before it is refused as
/// too broad.
const MAX_SCANNED: usize = 100_000;

/// One character of a word and whether quoting made it literal.
type Marked = Vec<(char, bool)>;

pub struct Expander<'a> {
    pub opts: &'a ParserOptions,
    pub root: &'a Path,
    pub cwd: &'a Path,
    /// Directory entries looked at by globs so far, shared by every word of the command.
    pub scanned: &'a std::cell::Cell<usize>,
}

impl Expander<'_> {
    /// Every argument `w` stands for.
    pub fn words(&self, w: &Word) -> Result<Vec<String>, Reason> {
        let marked = self.marked(w)?;
        let mut out = Vec::new();
        for one in braces(&marked)? {
            if has_pattern(&one) {
                out.extend(self.glob(&one)?);
            } else {
                out.push(one.iter().map(|(c, _)| c).collect());
            }
            if out.len() > MAX_WORDS {
                return Err(Reason::TooManyWords(w.value.clone(), MAX_WORDS));
            }
        }
        for s in &out {
            check_chars(s)?;
        }
        Ok(out)
    }

    /// A word that must stay one literal word (a program name, a here-string).
    pub fn single(&self, w: &Word) -> Result<String, Reason> {
        let mut all = self.words(w)?;
        match all.len() {
            1 => Ok(all.remove(0)),
            _ => Err(Reason::Ambiguous(w.value.clone())),
        }
    }

    fn marked(&self, w: &Word) -> Result<Marked, Reason> {
        // `~N`, `~+N`, `~-N` (the directory stack) are refused anyway, and brush-parser
        // unwraps their number and panics when it overflows (found by fuzzing).
        if dir_stack_tilde(&w.value) {
            return Err(Reason::Expansion("~N"));
        }
        // Any other parser panic is an answer too, never a dead handler.
        let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            word::parse(&w.value, self.opts)
        }))
        .map_err(|_| Reason::Syntax(Syntax::Unreadable))?;
        let pieces = parsed.map_err(|e| Reason::Syntax(Syntax::Other(e.to_string())))?;
        let mut out = Vec::new();
        self.push_pieces(&pieces, false, &mut out)?;
        Ok(out)
    }

    fn push_pieces(
        &self,
        pieces: &[WordPieceWithSource],
        quoted: bool,
        out: &mut Marked,
    ) -> Result<(), Reason> {
        for p in pieces {
            match &p.piece {
                WordPiece::Text(s) => out.extend(s.chars().map(|c| (c, quoted))),
                WordPiece::SingleQuotedText(s) => out.extend(s.chars().map(|c| (c, true))),
                WordPiece::EscapeSequence(s) => push_escape(s, quoted, out),
                WordPiece::DoubleQuotedSequence(inner) => self.push_pieces(inner, true, out)?,
                WordPiece::GettextDoubleQuotedSequence(_) => {
                    return Err(Reason::Expansion("$\"…\""));
                }
                // `$'…'` is how a name that is not UTF-8 is written (what atajo itself
                // writes for one): its bytes travel as text (see `rawname`).
                WordPiece::AnsiCQuotedText(body) => {
                    let text = rawname::text_of_bytes(&rawname::ansi_c_bytes(body));
                    out.extend(text.chars().map(|c| (c, true)));
                }
                WordPiece::TildeExpansion(tilde) => {
                    // HOME is the workspace root for every command atajo runs.
                    let dir = match tilde {
                        word::TildeExpr::Home if out.is_empty() => self.root.to_path_buf(),
                        word::TildeExpr::WorkingDir if out.is_empty() => self.root.join(self.cwd),
                        _ => return Err(Reason::Expansion("~user")),
                    };
                    out.extend(dir.to_string_lossy().chars().map(|c| (c, true)));
                }
                WordPiece::ParameterExpansion(_) => return Err(Reason::Expansion("$VARIABLE")),
                WordPiece::ArithmeticExpression(_) => return Err(Reason::Expansion("$((…))")),
                WordPiece::CommandSubstitution(_) | WordPiece::BackquotedCommandSubstitution(_) => {
                    return Err(Reason::Substitution);
                }
            }
        }
        Ok(())
    }

    /// Matches `pattern` against the tree beneath the root, component by component, never
    /// listing a folder outside it. No match leaves the word as it is, as bash does.
    fn glob(&self, pattern: &[(char, bool)]) -> Result<Vec<String>, Reason> {
        let literal: String = pattern.iter().map(|(c, _)| c).collect();
        let comps: Vec<&[(char, bool)]> = pattern.split(|&(c, _)| c == '/').collect();
        let Some(first_meta) = comps.iter().position(|c| has_pattern(c)) else {
            return Ok(vec![literal]);
        };
        // The literal folder the pattern starts from must lie beneath the root: nothing
        // outside is ever listed.
        let mut prefix: String = comps[..first_meta]
            .iter()
            .map(|c| c.iter().map(|(ch, _)| ch).collect::<String>())
            .collect::<Vec<_>>()
            .join("/");
        if prefix.is_empty() && first_meta > 0 {
            prefix.push('/');
        }
        let start = if prefix.is_empty() {
            self.cwd.to_path_buf()
        } else {
            workspace::normalize_within(self.root, self.cwd, &rawname::path(&prefix))
                .map_err(|_| Reason::Outside(literal.clone()))?
        };
        // Nor outside the person's folders: a pattern lists what it starts from.
        super::scope::allowed(&start, &literal).map_err(|d| d.reason)?;
        // (what the program will be given, root-relative path)
        let mut found: Vec<(String, PathBuf)> = vec![(prefix, start)];
        let join = |shown: &str, part: &str| {
            if shown.is_empty() {
                part.to_owned()
            } else if shown.ends_with('/') {
                format!("{shown}{part}")
            } else {
                format!("{shown}/{part}")
            }
        };
        let opts = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: true,
        };
        let last = comps.len() - 1;
        for (i, comp) in comps.iter().enumerate().skip(first_meta) {
            if comp.is_empty() {
                // A doubled or trailing slash.
                for (shown, _) in &mut found {
                    shown.push('/');
                }
                continue;
            }
            let text: String = comp.iter().map(|(c, _)| c).collect();
            if !has_pattern(comp) {
                let mut next = Vec::with_capacity(found.len());
                for (shown, rel) in found {
                    let rel = workspace::normalize_within(self.root, &rel, &rawname::path(&text))
                        .map_err(|_| Reason::Outside(literal.clone()))?;
                    super::scope::allowed(&rel, &literal).map_err(|d| d.reason)?;
                    next.push((join(&shown, &text), rel));
                }
                found = next;
                continue;
            }
            let Ok(matcher) = glob::Pattern::new(&glob_pattern(comp)) else {
                // Not a valid pattern (an unmatched `[`): bash keeps the word.
                return Ok(vec![literal]);
            };
            let mut next = Vec::new();
            for (shown, rel) in &found {
                let real = workspace::resolve_existing(self.root, rel, &literal)
                    .map_err(|e| glob_error(e, &literal))?;
                let Ok(entries) = std::fs::read_dir(&real) else {
                    continue;
                };
                let mut names = Vec::new();
                for entry in entries.flatten() {
                    self.scanned.set(self.scanned.get() + 1);
                    if self.scanned.get() > MAX_SCANNED {
                        return Err(Reason::TooComplex(literal));
                    }
                    let name = entry.file_name();
                    let name = rawname::text(&name);
                    if !matcher.matches_with(&name, opts) {
                        continue;
                    }
                    // Only folders can hold the rest of the pattern.
                    if i < last && !std::fs::metadata(entry.path()).is_ok_and(|m| m.is_dir()) {
                        continue;
                    }
                    names.push(name.into_owned());
                }
                names.sort();
                for name in names {
                    next.push((join(shown, &name), rel.join(&*rawname::path(&name))));
                }
                if next.len() > MAX_WORDS {
                    return Err(Reason::TooManyWords(literal, MAX_WORDS));
                }
            }
            found = next;
            if found.is_empty() {
                return Ok(vec![literal]);
            }
        }
        // Literal components after the last pattern must exist for the word to match.
        let matches: Vec<String> = found
            .into_iter()
            .filter(|(_, rel)| self.root.join(rel).symlink_metadata().is_ok())
            .map(|(shown, _)| shown)
            .collect();
        if matches.is_empty() {
            Ok(vec![literal])
        } else {
            Ok(matches)
        }
    }
}

/// A `~` that starts the word or follows `:` or `=`, then an optional sign and a digit.
fn dir_stack_tilde(word: &str) -> bool {
    // Only an unquoted, unescaped `~` at a word start or after `:`/`=` is a tilde prefix.
    let b = word.as_bytes();
    let (mut single, mut double, mut escaped) = (false, false, false);
    for (i, &c) in b.iter().enumerate() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            b'\\' if !single => escaped = true,
            b'\'' if !double => single = !single,
            b'"' if !single => double = !double,
            b'~' if !single
                && !double
                && (i == 0 || matches!(b[i - 1], b':' | b'='))
                && match b.get(i + 1) {
                    Some(b'+' | b'-') => b.get(i + 2).is_some_and(u8::is_ascii_digit),
                    Some(d) => d.is_ascii_digit(),
                    None => false,
                } =>
            {
                return true;
            }
            _ => {}
        }
    }
    false
}

/// Unquoted `*`, `?` or `[`: the word is a pattern.
fn has_pattern(word: &[(char, bool)]) -> bool {
    word.iter()
        .any(|&(c, q)| !q && matches!(c, '*' | '?' | '['))
}

fn glob_error(e: PathError, literal: &str) -> Reason {
    match e {
        PathError::Outside(_) => Reason::Outside(literal.to_owned()),
        PathError::Symlink(_) => Reason::Symlink(literal.to_owned()),
        PathError::Dangling(_) => Reason::Dangling(literal.to_owned()),
        PathError::Io(p, e) => Reason::Io(p, e),
    }
}

/// The `glob` crate's pattern for one component: quoted characters match themselves.
fn glob_pattern(comp: &[(char, bool)]) -> String {
    let mut s = String::new();
    for &(c, quoted) in comp {
        if quoted && matches!(c, '*' | '?' | '[' | ']') {
            s.push('[');
            s.push(c);
            s.push(']');
        } else {
            s.push(c);
        }
    }
    s
}

/// Inside double quotes a backslash only escapes `$ \` " \ newline`; elsewhere it escapes
/// any character.
fn push_escape(seq: &str, quoted: bool, out: &mut Marked) {
    let escaped = seq.strip_prefix('\\').unwrap_or(seq);
    match escaped {
        "\n" => {}
        "$" | "`" | "\"" | "\\" => out.extend(escaped.chars().map(|c| (c, true))),
        _ if !quoted => out.extend(escaped.chars().map(|c| (c, true))),
        _ => out.extend(seq.chars().map(|c| (c, true))),
    }
}

/// Control characters, and invisible ones that make a name look like another (bidi
/// overrides, zero-width spaces), are refused.
fn check_chars(s: &str) -> Result<(), Reason> {
    if s.chars().any(|c| c.is_control() && c != '\t') {
        return Err(Reason::ControlChars(s.to_owned()));
    }
    if s.chars().any(is_invisible) {
        return Err(Reason::Invisible(s.escape_unicode().to_string()));
    }
    Ok(())
}

fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}')
}

/// Bash's brace expansion over a marked word: `a{b,c}d`, nested, `{1..10}`, `{a..e}`,
/// `{01..10..2}`. Quoted braces and commas are literal.
pub fn braces(word: &[(char, bool)]) -> Result<Vec<Marked>, Reason> {
    let mut out = Vec::new();
    // Few outputs can still cost a lot of work (many fan-outs over a long word full of
    // unmatched braces): every character copied or scanned is paid from this budget.
    let mut budget = BRACE_BUDGET;
    expand_braces(word.to_vec(), 0, &mut out, &mut budget).map_err(|limit| {
        let s: String = word.iter().map(|(c, _)| c).collect();
        let shown = match s.char_indices().nth(80) {
            Some((at, _)) => format!("{}…", &s[..at]),
            None => s,
        };
        match limit {
            BraceLimit::Words => Reason::TooManyWords(shown, MAX_WORDS),
            BraceLimit::Work => Reason::TooComplex(shown),
        }
    })?;
    Ok(out)
}

enum BraceLimit {
    Words,
    Work,
}

/// Characters brace expansion may copy or scan for one word: far above any real use
/// (4096 words of 1,000 characters), far below a visible stall.
const BRACE_BUDGET: usize = 1 << 23;

fn expand_braces(
    word: Marked,
    from: usize,
    out: &mut Vec<Marked>,
    budget: &mut usize,
) -> Result<(), BraceLimit> {
    let mut start = from;
    while let Some(open) = (start..word.len()).find(|&i| word[i] == ('{', false)) {
        let spend = word.len() - open;
        if *budget < spend {
            return Err(BraceLimit::Work);
        }
        *budget -= spend;
        let Some((close, commas)) = matching_brace(&word, open) else {
            start = open + 1;
            continue;
        };
        let prefix = &word[..open];
        let suffix = &word[close + 1..];
        let alternatives: Vec<Marked> = if commas.is_empty() {
            match sequence(&word[open + 1..close]) {
                Some(items) => items,
                None => {
                    start = open + 1;
                    continue;
                }
            }
        } else {
            let mut parts = Vec::new();
            let mut from = open + 1;
            for &c in commas.iter().chain(std::iter::once(&close)) {
                parts.push(word[from..c].to_vec());
                from = c + 1;
            }
            parts
        };
        if alternatives.len() > MAX_WORDS {
            return Err(BraceLimit::Words);
        }
        for alt in alternatives {
            let len = prefix.len() + alt.len() + suffix.len();
            if *budget < len {
                return Err(BraceLimit::Work);
            }
            *budget -= len;
            let mut w = prefix.to_vec();
            w.extend(alt);
            w.extend_from_slice(suffix);
            // Everything before `open` is already expanded (or unmatched) text.
            expand_braces(w, open, out, budget)?;
            if out.len() > MAX_WORDS {
                return Err(BraceLimit::Words);
            }
        }
        return Ok(());
    }
    out.push(word);
    Ok(())
}

/// The `}` closing the `{` at `open`, and the top-level commas between them.
fn matching_brace(word: &[(char, bool)], open: usize) -> Option<(usize, Vec<usize>)> {
    let mut depth = 0;
    let mut commas = Vec::new();
    for (i, &(c, q)) in word.iter().enumerate().skip(open) {
        if q {
            continue;
        }
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some((i, commas));
                }
            }
            ',' if depth == 1 => commas.push(i),
            _ => {}
        }
    }
    None
}

/// `1..5`, `05..1..2`, `a..e`: the items, or None when it is not a sequence.
fn sequence(inner: &[(char, bool)]) -> Option<Vec<Marked>> {
    if inner.iter().any(|&(_, q)| q) {
        return None;
    }
    let text: String = inner.iter().map(|(c, _)| c).collect();
    let parts: Vec<&str> = text.split("..").collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let step: i64 = match parts.get(2) {
        Some(s) => s.parse().ok()?,
        None => 1,
    };
    let step = step.unsigned_abs().max(1) as usize;
    let mark = |s: String| s.chars().map(|c| (c, false)).collect::<Marked>();
    if let (Ok(a), Ok(b)) = (parts[0].parse::<i64>(), parts[1].parse::<i64>()) {
        let count = a.abs_diff(b) as usize / step + 1;
        if count > MAX_WORDS {
            return Some(vec![Vec::new(); MAX_WORDS + 1]);
        }
        let pad = |s: &str| {
            s.trim_start_matches('-').starts_with('0') && s.trim_start_matches('-').len() > 1
        };
        let width = if pad(parts[0]) || pad(parts[1]) {
            parts[0].len().max(parts[1].len())
        } else {
            0
        };
        let items = (0..count)
            .map(|k| {
                let v = if a <= b {
                    a + (k * step) as i64
                } else {
                    a - (k * step) as i64
                };
                mark(if width > 0 {
                    format!("{v:0width$}")
                } else {
                    v.to_string()
                })
            })
            .collect();
        return Some(items);
    }
    let (a, b) = (single_char(parts[0])?, single_char(parts[1])?);
    if !(a.is_ascii_alphabetic() && b.is_ascii_alphabetic()) {
        return None;
    }
    let (lo, hi) = (a.min(b) as u8, a.max(b) as u8);
    let mut items: Vec<Marked> = (lo..=hi)
        .step_by(step)
        .map(|c| vec![(c as char, false)])
        .collect();
    if a > b {
        items.reverse();
    }
    Some(items)
}

fn single_char(s: &str) -> Option<char> {
    let mut it = s.chars();
    let c = it.next()?;
    it.next().is_none().then_some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(s: &str) -> Marked {
        s.chars().map(|c| (c, false)).collect()
    }

    fn strings(v: Vec<Marked>) -> Vec<String> {
        v.into_iter()
            .map(|w| w.into_iter().map(|(c, _)| c).collect())
            .collect()
    }

    #[test]
    fn braces_expand_like_bash() {
        for (input, want) in [
            ("a{b,c}d", vec!["abd", "acd"]),
            ("{a,b}{1,2}", vec!["a1", "a2", "b1", "b2"]),
            ("x{a,{b,c}}", vec!["xa", "xb", "xc"]),
            ("{1..3}", vec!["1", "2", "3"]),
            ("{3..1}", vec!["3", "2", "1"]),
            ("{01..03}", vec!["01", "02", "03"]),
            ("{1..7..3}", vec!["1", "4", "7"]),
            ("{a..c}", vec!["a", "b", "c"]),
            ("{a}", vec!["{a}"]),
            ("{}", vec!["{}"]),
            ("a{b", vec!["a{b"]),
            ("{a,b", vec!["{a,b"]),
            ("{x..}", vec!["{x..}"]),
        ] {
            assert_eq!(strings(braces(&plain(input)).unwrap()), want, "{input}");
        }
    }

    #[test]
    fn quoted_braces_are_literal() {
        let mut w = plain("a");
        w.extend("{b,c}".chars().map(|c| (c, true)));
        assert_eq!(strings(braces(&w).unwrap()), vec!["a{b,c}"]);
    }

    #[test]
    fn huge_sequences_are_refused() {
        assert!(braces(&plain("{1..100000}")).is_err());
        assert!(braces(&plain("{1..20}{1..20}{1..20}")).is_err());
    }

    /// Found by fuzzing: few outputs, each through hundreds of one-item braces or past
    /// thousands of unmatched ones, took 12–14 s; now a bounded refusal.
    #[test]
    fn costly_words_are_refused_not_slow() {
        for word in [
            format!("{}{}", "{,}".repeat(12), "{1..1}".repeat(600)),
            format!("{}{}", "{,}".repeat(12), "{".repeat(1000)),
        ] {
            assert!(
                matches!(braces(&plain(&word)), Err(Reason::TooComplex(_))),
                "{word}"
            );
        }
        let wide = braces(&plain(&format!("{}/{{1..4000}}.txt", "a".repeat(200)))).unwrap();
        assert_eq!(wide.len(), 4000);
        let deep = braces(&plain(&"{a,b}".repeat(12))).unwrap();
        assert_eq!(deep.len(), 4096);
    }
}
