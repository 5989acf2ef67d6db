//! From the parser's AST to the literal words a program would receive. Anything whose value is
//! not fixed by the text alone (substitutions, parameters, globs, tildes) is refused here, so
//! what the policy judges is exactly what runs.

use brush_parser::ast::Word;
use brush_parser::word::{WordPiece, WordPieceWithSource};
use brush_parser::{ParserOptions, word};

use super::reason::Reason;

/// The literal value of one word after quote removal.
pub fn literal(w: &Word, opts: &ParserOptions) -> Result<String, Reason> {
    let pieces = word::parse(&w.value, opts).map_err(|e| Reason::Syntax(e.to_string()))?;
    let mut out = String::new();
    push_pieces(&pieces, false, &mut out)?;
    if out.chars().any(|c| c.is_control() && c != '\t') {
        return Err(Reason::ControlChars(out));
    }
    Ok(out)
}

fn push_pieces(
    pieces: &[WordPieceWithSource],
    quoted: bool,
    out: &mut String,
) -> Result<(), Reason> {
    for p in pieces {
        match &p.piece {
            WordPiece::Text(s) => {
                if !quoted && is_pattern(s) {
                    return Err(Reason::Pattern(s.clone()));
                }
                out.push_str(s);
            }
            WordPiece::SingleQuotedText(s) => out.push_str(s),
            WordPiece::EscapeSequence(s) => push_escape(s, quoted, out),
            WordPiece::DoubleQuotedSequence(inner) => push_pieces(inner, true, out)?,
            WordPiece::GettextDoubleQuotedSequence(_) => return Err(Reason::Expansion("$\"…\"")),
            WordPiece::AnsiCQuotedText(_) => return Err(Reason::Expansion("$'…'")),
            WordPiece::TildeExpansion(_) => return Err(Reason::Expansion("~")),
            WordPiece::ParameterExpansion(_) => return Err(Reason::Expansion("$VARIABLE")),
            WordPiece::ArithmeticExpression(_) => return Err(Reason::Expansion("$((…))")),
            WordPiece::CommandSubstitution(_) | WordPiece::BackquotedCommandSubstitution(_) => {
                return Err(Reason::Substitution);
            }
        }
    }
    Ok(())
}

/// Inside double quotes a backslash only escapes `$ \` " \ newline`; elsewhere it escapes
/// any character.
fn push_escape(seq: &str, quoted: bool, out: &mut String) {
    let escaped = seq.strip_prefix('\\').unwrap_or(seq);
    match escaped {
        "\n" => {}
        "$" | "`" | "\"" | "\\" => out.push_str(escaped),
        _ if !quoted => out.push_str(escaped),
        _ => out.push_str(seq),
    }
}

/// Unquoted glob characters or brace expansion make a word stand for other words.
fn is_pattern(s: &str) -> bool {
    s.contains(['*', '?', '['])
        || (s.contains('{') && s.contains('}') && (s.contains(',') || s.contains("..")))
}
