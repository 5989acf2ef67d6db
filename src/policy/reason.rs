//! Why a command was refused, in words a person understands, in Spanish or English.

use super::never::Category;
use super::rules::Why;
use crate::lang::Lang;

/// Said in a person's language with [`Reason::message`] (from the catalog in `text`);
/// `Display` says it in English, for logs and errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    Empty,
    TooLong(usize, usize),
    Syntax(Syntax),
    Background,
    Compound(&'static str),
    /// `if`, `for`, `while`, `( )`, `{ }`.
    CompoundCommand,
    /// `name() { … }`.
    Function,
    NotInPipeline(String),
    Redirection(String),
    Ambiguous(String),
    HereDocExpansion,
    Assignment(String),
    DangerousAssignment(String),
    Substitution,
    Expansion(&'static str),
    TooManyWords(String, usize),
    TooComplex(String),
    TooNested(usize),
    TooManyArgs(String, usize),
    ControlChars(String),
    Invisible(String),
    ProgramPath(String),
    Never(String, Category),
    Program(String),
    Option {
        program: String,
        option: String,
    },
    OptionWhy {
        program: String,
        option: String,
        why: Why,
    },
    MissingValue {
        program: String,
        option: String,
    },
    MissingOperand(String),
    TooManyOperands(String, usize),
    SedCommand(String),
    SedSyntax(String),
    /// A mode that sets the setuid or setgid bit.
    SpecialBits(String),
    /// An awk program that reaches beyond its input.
    Awk(AwkWhy),
    Outside(String),
    /// Inside the workspace, outside the person's own folders.
    NotYours(String),
    Symlink(String),
    Dangling(String),
    Protected(String),
    RemoveRoot(String),
    Io(String, String),
}

/// What in an awk program reaches beyond its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwkWhy {
    /// `system()`.
    System,
    /// A pipe to or from a command (`|`, `|&`).
    Pipe,
    /// A file read or written whose name is computed, not quoted.
    NotLiteral,
    /// gawk's `@include`, `@load`, `@namespace` or an indirect call.
    Directive,
    /// `ARGV` or `ARGC`: which files awk goes on to read.
    Argv,
    /// A string or regular expression left open.
    Unclosed,
}

/// What the shell parser could not read, in words of the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Syntax {
    /// Near a place (1-based line and column), or at the end.
    Near(Option<(usize, usize)>),
    /// A quote, substitution or here-document opened and never closed: what was opened.
    Unclosed(&'static str),
    /// A file descriptor number before `<` or `>` too large to be one.
    HugeFd,
    /// The parser gave up (it panicked on this input).
    Unreadable,
    /// `find PATH… EXPRESSION`: a path after the expression began.
    FindOrder(String),
    /// A word where none can be.
    UnexpectedWord,
    /// Anything else the parser says, in its own (English) words.
    Other(String),
}

impl Syntax {
    /// The parser's error, sorted into what a person is told.
    pub fn from_parser(e: &brush_parser::ParseError) -> Self {
        use brush_parser::ParseError as P;
        use brush_parser::TokenizerError as T;
        match e {
            P::ParsingNear(p) => Syntax::Near(Some((p.line, p.column))),
            P::ParsingAtEndOfInput => Syntax::Near(None),
            P::Tokenizing { inner, .. } => match inner {
                T::UnterminatedSingleQuote(_) => Syntax::Unclosed("'"),
                T::UnterminatedDoubleQuote(_) => Syntax::Unclosed("\""),
                T::UnterminatedAnsiCQuote(_) => Syntax::Unclosed("$'"),
                T::UnterminatedBackquote(_) => Syntax::Unclosed("`"),
                T::UnterminatedCommandSubstitution => Syntax::Unclosed("$("),
                T::UnterminatedVariable | T::UnterminatedExpansion => Syntax::Unclosed("${"),
                T::UnterminatedExtendedGlob(_) => Syntax::Unclosed("@("),
                T::UnterminatedHereDocuments(..)
                | T::MissingHereTag(_)
                | T::MissingHereTagForDocumentBody => Syntax::Unclosed("<<"),
                T::UnterminatedEscapeSequence => Syntax::Unclosed("\\"),
                other => Syntax::Other(other.to_string()),
            },
        }
    }

    fn message(&self, lang: Lang) -> String {
        use crate::tr;
        match self {
            Syntax::Near(Some((line, col))) => tr!(lang, "syntax_near", line = line, col = col),
            Syntax::Near(None) => tr!(lang, "syntax_at_end"),
            Syntax::Unclosed(what) => tr!(lang, "syntax_unclosed", what = what),
            Syntax::HugeFd => tr!(lang, "syntax_huge_fd"),
            Syntax::Unreadable => tr!(lang, "syntax_unreadable"),
            Syntax::FindOrder(word) => tr!(lang, "syntax_find_order", word = word),
            Syntax::UnexpectedWord => tr!(lang, "syntax_unexpected_word"),
            Syntax::Other(why) => why.clone(),
        }
    }
}

fn why_text(why: Why, lang: Lang) -> String {
    match why {
        Why::RunsProgram => crate::tr!(lang, "why_runs_program"),
        Why::FollowsLinks => crate::tr!(lang, "why_follows_links"),
        Why::AbsoluteNames => crate::tr!(lang, "why_absolute_names"),
        Why::Interactive => crate::tr!(lang, "why_interactive"),
        Why::WritesElsewhere => crate::tr!(lang, "why_writes_elsewhere"),
        Why::Remote => crate::tr!(lang, "why_remote"),
        Why::NeverEnds => crate::tr!(lang, "why_never_ends"),
        Why::HardLinks => crate::tr!(lang, "why_hard_links"),
        Why::SymbolicLinks => crate::tr!(lang, "why_symbolic_links"),
        Why::NeverAllowed => crate::tr!(lang, "why_never_allowed"),
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for Reason {}

impl Reason {
    pub fn option_why(program: &str, option: &str, why: Why) -> Reason {
        Reason::OptionWhy {
            program: program.into(),
            option: option.into(),
            why,
        }
    }

    pub fn never(name: &str, category: Category) -> Reason {
        Reason::Never(name.into(), category)
    }

    pub fn message(&self, lang: Lang) -> String {
        use crate::tr;
        match self {
            Reason::Empty => tr!(lang, "reason_empty"),
            Reason::TooLong(n, max) => tr!(lang, "reason_too_long", n = n, max = max),
            Reason::Syntax(e) => {
                let why = e.message(lang);
                tr!(lang, "reason_syntax", why = why)
            }
            Reason::Background => tr!(lang, "reason_background"),
            Reason::Compound(what) => tr!(lang, "reason_compound", what = what),
            Reason::CompoundCommand => tr!(lang, "reason_compound_command"),
            Reason::Function => tr!(lang, "reason_function"),
            Reason::NotInPipeline(p) => tr!(lang, "reason_not_in_pipeline", program = p),
            Reason::Redirection(r) => tr!(lang, "reason_redirection", what = r),
            Reason::Ambiguous(w) => tr!(lang, "reason_ambiguous", word = w),
            Reason::HereDocExpansion => tr!(lang, "reason_here_doc"),
            Reason::Assignment(name) => tr!(lang, "reason_assignment", name = name),
            Reason::DangerousAssignment(name) => {
                tr!(lang, "reason_dangerous_assignment", name = name)
            }
            Reason::Substitution => tr!(lang, "reason_substitution"),
            Reason::Expansion(what) => tr!(lang, "reason_expansion", what = what),
            Reason::TooManyWords(w, n) => tr!(lang, "reason_too_many_words", word = w, n = n),
            Reason::TooNested(n) => tr!(lang, "reason_too_nested", n = n),
            Reason::TooManyArgs(p, n) => tr!(lang, "reason_too_many_args", program = p, n = n),
            Reason::TooComplex(w) => tr!(lang, "reason_too_complex", word = w),
            Reason::ControlChars(w) => {
                let word = format!("{w:?}");
                tr!(lang, "reason_control_chars", word = word)
            }
            Reason::Invisible(w) => tr!(lang, "reason_invisible", what = w),
            Reason::ProgramPath(p) => tr!(lang, "reason_program_path", program = p),
            Reason::Never(p, c) => {
                let why = c.describe(lang);
                tr!(lang, "reason_never", program = p, why = why)
            }
            Reason::Program(p) => tr!(lang, "reason_program", program = p),
            Reason::Option { program, option } => {
                tr!(lang, "reason_option", option = option, program = program)
            }
            Reason::OptionWhy {
                program,
                option,
                why,
            } => {
                let why = why_text(*why, lang);
                tr!(
                    lang,
                    "reason_option_why",
                    option = option,
                    program = program,
                    why = why
                )
            }
            Reason::MissingValue { program, option } => {
                tr!(
                    lang,
                    "reason_missing_value",
                    option = option,
                    program = program
                )
            }
            Reason::MissingOperand(p) => tr!(lang, "reason_missing_operand", program = p),
            Reason::TooManyOperands(p, n) => {
                tr!(lang, "reason_too_many_operands", program = p, n = n)
            }
            Reason::SedCommand(c) => tr!(lang, "reason_sed_command", what = c),
            Reason::SedSyntax(e) => tr!(lang, "reason_sed_syntax", why = e),
            Reason::SpecialBits(m) => tr!(lang, "reason_special_bits", mode = m),
            Reason::Awk(why) => {
                let why = match why {
                    AwkWhy::System => tr!(lang, "awk_system"),
                    AwkWhy::Pipe => tr!(lang, "awk_pipe"),
                    AwkWhy::NotLiteral => tr!(lang, "awk_not_literal"),
                    AwkWhy::Directive => tr!(lang, "awk_directive"),
                    AwkWhy::Argv => tr!(lang, "awk_argv"),
                    AwkWhy::Unclosed => tr!(lang, "awk_unclosed"),
                };
                tr!(lang, "reason_awk", why = why)
            }
            Reason::Outside(p) => tr!(lang, "reason_outside", path = p),
            Reason::NotYours(p) => tr!(lang, "reason_not_yours", path = p),
            Reason::Symlink(p) => tr!(lang, "reason_symlink", path = p),
            Reason::Dangling(p) => tr!(lang, "reason_dangling", path = p),
            Reason::Protected(p) => tr!(lang, "reason_protected", path = p),
            Reason::RemoveRoot(p) => tr!(lang, "reason_remove_root", path = p),
            Reason::Io(p, e) => tr!(lang, "reason_io", path = p, why = e),
        }
    }
}
