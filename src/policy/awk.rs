//! An awk program is code. What makes it more than a filter: `system()`, pipes to and from
//! commands (`print | "cmd"`, `"cmd" | getline`, `|&`), reading or writing files named inside
//! the program (`getline < f`, `print > f`, `>> f`), gawk's `@include`/`@load`/indirect calls,
//! and changing `ARGV`/`ARGC` (which files awk goes on to read). This reads the program as
//! awk's lexer does (strings, regular expressions where an operand may start, comments) and
//! refuses the first four outright; a file it reads or writes must be a quoted name, handed
//! back to be judged as a path. Everything else — patterns, fields, arithmetic, `length`,
//! `split`, `printf`, arrays — is a program over its input and stays allowed.

use super::reason::{AwkWhy, Reason};

/// A file the program reads (`getline < "f"`), replaces (`print > "f"`) or appends to
/// (`print >> "f"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Named {
    Read(String),
    Replace(String),
    Append(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Str(String),
    Regex,
    Number,
    Op(&'static str),
    Other(char),
    /// A newline or `;`: the end of a statement.
    End,
}

/// The files the program names, or why it is refused.
pub fn check(program: &str) -> Result<Vec<Named>, Reason> {
    let tokens = lex(program)?;
    let mut named = Vec::new();
    let mut depth = 0usize;
    // Inside a print or printf statement: a `>` at the statement's own depth redirects.
    let mut print_at: Option<usize> = None;
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Word(w) if w == "system" => return Err(refuse(AwkWhy::System)),
            Token::Word(w) if w == "ARGV" || w == "ARGC" => return Err(refuse(AwkWhy::Argv)),
            Token::Word(w) if w == "print" || w == "printf" => print_at = Some(depth),
            Token::Word(w) if w == "getline" => {
                // getline [var] [< "file"]
                let mut j = i + 1;
                if matches!(tokens.get(j), Some(Token::Word(_))) {
                    j += 1;
                }
                if tokens.get(j) == Some(&Token::Op("<")) {
                    named.push(Named::Read(literal(tokens.get(j + 1))?));
                    i = j + 2;
                    continue;
                }
            }
            Token::Op("|") | Token::Op("|&") => return Err(refuse(AwkWhy::Pipe)),
            Token::Op(op @ (">" | ">>")) if print_at == Some(depth) => {
                let file = literal(tokens.get(i + 1))?;
                named.push(if *op == ">" {
                    Named::Replace(file)
                } else {
                    Named::Append(file)
                });
                i += 2;
                continue;
            }
            Token::Other('@') => return Err(refuse(AwkWhy::Directive)),
            Token::Other('(' | '[') => depth += 1,
            Token::Other(')' | ']') => depth = depth.saturating_sub(1),
            Token::Other('{' | '}') | Token::End => print_at = None,
            _ => {}
        }
        i += 1;
    }
    Ok(named)
}

fn refuse(why: AwkWhy) -> Reason {
    Reason::Awk(why)
}

/// A file named in the program: only a quoted name can be judged before it runs.
fn literal(t: Option<&Token>) -> Result<String, Reason> {
    match t {
        Some(Token::Str(s)) => Ok(s.clone()),
        _ => Err(refuse(AwkWhy::NotLiteral)),
    }
}

fn lex(src: &str) -> Result<Vec<Token>, Reason> {
    let chars: Vec<char> = src.chars().collect();
    let mut out: Vec<Token> = Vec::new();
    let mut i = 0;
    // Whether a `/` here starts a regular expression (where an operand may start) or divides.
    let regex_may_start = |out: &[Token]| match out.last() {
        None => true,
        Some(Token::Word(w)) => matches!(w.as_str(), "print" | "printf" | "return" | "in"),
        Some(Token::Str(_) | Token::Regex | Token::Number) => false,
        Some(Token::Other(')' | ']' | '$')) => false,
        Some(Token::Op("++" | "--")) => false,
        _ => true,
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\n' | ';' => {
                out.push(Token::End);
                i += 1;
            }
            '\\' if chars.get(i + 1) == Some(&'\n') => i += 2,
            c if c.is_whitespace() => i += 1,
            '#' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '"' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None | Some('\n') => return Err(refuse(AwkWhy::Unclosed)),
                        Some('"') => break,
                        Some('\\') => {
                            if let Some(&n) = chars.get(i + 1) {
                                s.push(match n {
                                    'n' => '\n',
                                    't' => '\t',
                                    other => other,
                                });
                            }
                            i += 2;
                        }
                        Some(&c) => {
                            s.push(c);
                            i += 1;
                        }
                    }
                }
                i += 1;
                out.push(Token::Str(s));
            }
            '/' if regex_may_start(&out) => {
                i += 1;
                let mut in_class = false;
                loop {
                    match chars.get(i) {
                        None | Some('\n') => return Err(refuse(AwkWhy::Unclosed)),
                        Some('\\') => i += 2,
                        Some('[') => {
                            in_class = true;
                            i += 1;
                        }
                        Some(']') => {
                            in_class = false;
                            i += 1;
                        }
                        Some('/') if !in_class => break,
                        Some(_) => i += 1,
                    }
                }
                i += 1;
                out.push(Token::Regex);
            }
            c if c.is_ascii_digit()
                || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) =>
            {
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                    i += 1;
                }
                out.push(Token::Number);
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                out.push(Token::Word(chars[start..i].iter().collect()));
            }
            _ => {
                const OPS: [&str; 18] = [
                    "|&", "||", ">>", ">=", "<=", "==", "!=", "&&", "++", "--", "+=", "-=", "*=",
                    "/=", "%=", "^=", "**", "!~",
                ];
                let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
                if let Some(op) = OPS.iter().find(|o| **o == two) {
                    out.push(Token::Op(op));
                    i += 2;
                } else {
                    out.push(match c {
                        '|' => Token::Op("|"),
                        '>' => Token::Op(">"),
                        '<' => Token::Op("<"),
                        other => Token::Other(other),
                    });
                    i += 1;
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everyday_one_liners_pass() {
        for p in [
            "{print $1}",
            "{ print $1, $3 }",
            "NR==1",
            "NR>1",
            "NR > 1 { print }",
            "{s += $2} END {print s}",
            "{ print length($0) }",
            "length > 72",
            "$3 > 100 && $1 != \"x\" { n++ } END { print n+0 }",
            "BEGIN { FS = \",\" } { print $2 }",
            "/error/ { c++ } END { printf \"%d errores\\n\", c }",
            "{ a[$1] += $2 } END { for (k in a) print k, a[k] }",
            "{ print $1 / 2 }",
            "{ x = $1 / $2; print x }",
            "{ print ($1 > 2) }",
            "{ if (split($0, p, \":\") > 1) print p[1] }",
            "!seen[$0]++",
            "{ gsub(/a/, \"b\"); print }",
            "{ print > \"/dev/stderr\" }",
            "{ printf(\"%s\\n\", $1) }",
            "BEGIN { while ((getline line) > 0) n++; print n }",
        ] {
            if let Err(e) = check(p) {
                panic!("{p}: {e}");
            }
        }
    }

    #[test]
    fn files_named_inside_come_back_to_be_judged() {
        assert_eq!(
            check("{ print $1 > \"uno.txt\"; print $2 >> \"dos.txt\" }").unwrap(),
            vec![
                Named::Replace("uno.txt".into()),
                Named::Append("dos.txt".into())
            ]
        );
        assert_eq!(
            check("BEGIN { while ((getline l < \"lista.txt\") > 0) print l }").unwrap(),
            vec![Named::Read("lista.txt".into())]
        );
        // A comparison is not a redirection.
        assert_eq!(check("$1 > 5 { print }").unwrap(), vec![]);
        assert_eq!(check("{ if ($1 > 5) print }").unwrap(), vec![]);
    }

    #[test]
    fn what_reaches_outside_the_input_is_refused() {
        for (p, why) in [
            ("BEGIN { system(\"id\") }", AwkWhy::System),
            ("{ print | \"sh\" }", AwkWhy::Pipe),
            ("BEGIN { \"date\" | getline d; print d }", AwkWhy::Pipe),
            ("BEGIN { print |& \"cat\" }", AwkWhy::Pipe),
            ("{ print > $1 }", AwkWhy::NotLiteral),
            ("{ f = \"x\"; print > f }", AwkWhy::NotLiteral),
            ("BEGIN { getline l < FILENAME }", AwkWhy::NotLiteral),
            ("@include \"x.awk\"", AwkWhy::Directive),
            ("BEGIN { f = \"system\"; @f(\"id\") }", AwkWhy::Directive),
            (
                "BEGIN { ARGV[1] = \"/etc/shadow\"; ARGC = 2 }",
                AwkWhy::Argv,
            ),
            ("{ print \"abc }", AwkWhy::Unclosed),
            ("/abc { print }", AwkWhy::Unclosed),
        ] {
            assert_eq!(check(p), Err(Reason::Awk(why)), "{p}");
        }
    }
}
