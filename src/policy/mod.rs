//! Decides whether a command may run. The command is parsed by a real shell parser
//! (brush-parser) and judged whole: every simple command of every list, every word after quote
//! removal, every path resolved against the session's cwd and through symlinks. Nothing here
//! executes anything.

mod args;
mod awk;
mod expand;
mod explain;
mod mode;
mod never;
mod reason;
pub mod rules;
pub mod scope;
mod sed;

use std::path::{Path, PathBuf};

use brush_parser::ast::{
    AndOr, Command, CommandPrefixOrSuffixItem, CompoundList, IoFileRedirectKind,
    IoFileRedirectTarget, IoRedirect, Pipeline, SeparatorOperator, SimpleCommand,
};
use brush_parser::{Parser, ParserOptions};

pub use explain::explain;
pub use never::{Category, category as never_category};
pub use reason::{Reason, Syntax};
pub use rules::{Rules, RulesError};

use crate::lang::Lang;
use crate::protocol::{Risk, VerdictMsg};
use crate::workspace::{self, PathError, STATE_DIR, rawname};
use args::Parsed;
use expand::Expander;
use rules::{Kind, Repeat, Slot, Spec, Style};

/// Longer input is refused before parsing: nobody types a 64 KiB file-management command.
pub const MAX_COMMAND_BYTES: usize = 64 * 1024;

/// Programs atajo runs itself; they cannot read a pipe or have their output redirected.
const IN_PROCESS_ONLY: [&str; 3] = ["cd", "rm", "undo"];

/// Where a command would run, and under which rules.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Canonical absolute root.
    pub root: &'a Path,
    /// Root-relative working directory.
    pub cwd: &'a Path,
    pub rules: &'a Rules,
}

/// How a step follows the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connector {
    /// The first step, or after `;` / a newline: runs regardless.
    Always,
    /// After `&&`: runs if the previous step succeeded.
    IfOk,
    /// After `||`: runs if the previous step failed.
    IfFailed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    Read,
    Truncate,
    Append,
}

/// Where one of a program's standard streams goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A root-relative file, opened by atajo through the confined workspace.
    File(PathBuf, OpenMode),
    /// `/dev/null`.
    Null,
    /// The stream that fd (0, 1 or 2) has at that point.
    Fd(u8),
    /// A here-document or here-string, fed to stdin.
    Text(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// 0, 1 or 2.
    pub fd: u8,
    pub target: Target,
}

/// One program of a pipeline with its literal arguments (after expansion, without the name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub program: String,
    pub args: Vec<String>,
    /// Applied in order, as the shell does.
    pub redirects: Vec<Redirect>,
    /// How the rule read the arguments: what `explain` puts into words.
    pub meaning: Meaning,
}

/// A program's arguments as its rule reads them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meaning {
    pub options: Vec<args::Opt>,
    /// Each operand with what it is to the program (read, written, removed, text…).
    pub operands: Vec<(String, Kind)>,
}

/// A pipeline (often of one program) and how it follows the step before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub connector: Connector,
    pub stages: Vec<Stage>,
}

impl Step {
    /// The step's program when it is a single program without redirections.
    pub fn alone(&self) -> Option<&Stage> {
        match self.stages.as_slice() {
            [s] if s.redirects.is_empty() => Some(s),
            _ => None,
        }
    }
}

/// An allowed command, ready for `exec`.
#[derive(Debug, Clone)]
pub struct Checked {
    pub steps: Vec<Step>,
    pub risk: Risk,
    /// Root-relative paths a destructive command removes or replaces: what a confirmation
    /// names.
    pub affected: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    pub risk: Risk,
    pub reason: Reason,
}

impl Denial {
    fn new(reason: Reason) -> Self {
        // Something refused for its form cannot be trusted to be harmless.
        Self {
            risk: Risk::Destructive,
            reason,
        }
    }
}

impl From<Reason> for Denial {
    fn from(reason: Reason) -> Self {
        Denial::new(reason)
    }
}

/// The verdict in the shape of the `check` contract and the protocol.
pub fn verdict(result: &Result<Checked, Denial>, lang: Lang) -> VerdictMsg {
    match result {
        Ok(c) => VerdictMsg {
            allowed: true,
            risk: c.risk,
            reason: None,
            affected: c.affected.clone(),
        },
        Err(d) => VerdictMsg {
            allowed: false,
            risk: d.risk,
            reason: Some(d.reason.message(lang)),
            affected: Vec::new(),
        },
    }
}

fn parser_options() -> ParserOptions {
    ParserOptions {
        // `@(...)` and friends are patterns; keep them out of the grammar so they fail as text.
        enable_extended_globbing: false,
        ..ParserOptions::default()
    }
}

pub fn check(command: &str, ctx: Context<'_>) -> Result<Checked, Denial> {
    if command.len() > MAX_COMMAND_BYTES {
        return Err(Reason::TooLong(command.len(), MAX_COMMAND_BYTES).into());
    }
    if command.trim().is_empty() {
        return Err(Reason::Empty.into());
    }
    let opts = parser_options();
    let program = parse(command, &opts)?;

    let mut acc = Acc {
        risk: Risk::Read,
        affected: Vec::new(),
        scanned: 0,
    };
    let mut steps = Vec::new();
    // The cwd a later step sees depends on an earlier `cd`; judge paths against it.
    let mut cwd = ctx.cwd.to_path_buf();
    for list in &program.complete_commands {
        collect_list(list, &opts, ctx, &mut cwd, &mut steps, &mut acc)?;
    }
    if steps.is_empty() {
        return Err(Reason::Empty.into());
    }
    acc.affected.dedup();
    Ok(Checked {
        steps,
        risk: acc.risk,
        affected: acc.affected,
    })
}

/// Deepest nesting of unquoted parentheses let through to the parser. brush-parser's
/// grammar backtracks exponentially on runs of `(` (found by fuzzing: 36 of them took
/// minutes); no command the policy allows has even one, so a few levels are plenty for a
/// precise reason and anything deeper is refused before parsing.
const MAX_PAREN_DEPTH: usize = 8;

/// What the parser must not be given: the deepest nesting of `(` outside quotes and
/// escapes, whether a redirection's fd number has more digits than an i32 holds
/// (brush-parser unwraps that parse and panics), and whether there is a `${`.
fn pre_parse(command: &str) -> (usize, bool, bool) {
    let (mut depth, mut deepest) = (0usize, 0usize);
    // `${…}` outside single quotes: refused anyway, and brush-parser's word parser takes
    // seconds on some of them (`${H[T[…` nested; found by fuzzing).
    let mut braced_parameter = false;
    let mut after_dollar = false;
    let (mut digits, mut huge_fd) = (0usize, false);
    let mut at_word_start = true;
    let mut chars = command.chars();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        if quote.is_none() && matches!(c, '<' | '>') && digits > 9 {
            huge_fd = true;
        }
        if after_dollar && c == '{' && quote != Some('\'') {
            braced_parameter = true;
        }
        after_dollar = c == '$' && quote != Some('\'');
        // Only digits that start a word are an fd number ("a123>x" is a word and `>x`).
        digits = match (quote, c) {
            (None, '0'..='9') if digits > 0 || at_word_start => digits + 1,
            _ => 0,
        };
        at_word_start =
            quote.is_none() && (c.is_whitespace() || matches!(c, ';' | '|' | '&' | '(' | ')'));
        match (quote, c) {
            (Some('\''), '\'') => quote = None,
            (Some('\''), _) => {}
            (_, '\\') => {
                chars.next();
            }
            (Some('"'), '"') => quote = None,
            // Inside double quotes even `$((((` is read by the word parser, which is linear.
            (Some('"'), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (_, '(') => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            (_, ')') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    (deepest, huge_fd, braced_parameter)
}

fn parse(command: &str, opts: &ParserOptions) -> Result<brush_parser::ast::Program, Reason> {
    let (depth, huge_fd, braced_parameter) = pre_parse(command);
    if braced_parameter {
        return Err(Reason::Expansion("${…}"));
    }
    if depth > MAX_PAREN_DEPTH {
        return Err(Reason::TooNested(depth));
    }
    if huge_fd {
        return Err(Reason::Syntax(Syntax::HugeFd));
    }
    // brush-parser 0.4 panics on some inputs (an fd number that overflows, found by fuzzing):
    // a client's text must get an answer, never a dead handler.
    let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        Parser::new(command.as_bytes(), opts).parse_program()
    }))
    .map_err(|_| Reason::Syntax(Syntax::Unreadable))?;
    parsed.map_err(|e| Reason::Syntax(Syntax::from_parser(&e)))
}

/// What the parts judged so far add up to: the strictest risk wins.
struct Acc {
    risk: Risk,
    affected: Vec<String>,
    /// Directory entries globs have looked at so far, over the whole command.
    scanned: usize,
}

impl Acc {
    fn raise(&mut self, risk: Risk) {
        self.risk = self.risk.max(risk);
    }

    fn destroys(&mut self, rel: &Path) {
        self.raise(Risk::Destructive);
        let shown = workspace::rel_to_string(rel);
        let shown = if shown.is_empty() { ".".into() } else { shown };
        if !self.affected.contains(&shown) {
            self.affected.push(shown);
        }
    }
}

fn collect_list(
    list: &CompoundList,
    opts: &ParserOptions,
    ctx: Context<'_>,
    cwd: &mut PathBuf,
    steps: &mut Vec<Step>,
    acc: &mut Acc,
) -> Result<(), Denial> {
    for item in &list.0 {
        if matches!(item.1, SeparatorOperator::Async) {
            return Err(Reason::Background.into());
        }
        let and_or = &item.0;
        let mut push = |connector, pipeline: &Pipeline, cwd: &mut PathBuf| -> Result<(), Denial> {
            let stages = judge_pipeline(pipeline, opts, ctx, cwd, acc)?;
            let step = Step { connector, stages };
            if let Some(stage) = step.alone().filter(|s| s.program == "cd") {
                *cwd = cd_target(stage, ctx.root, cwd)?;
            }
            steps.push(step);
            Ok(())
        };
        push(Connector::Always, &and_or.first, cwd)?;
        for next in &and_or.additional {
            match next {
                AndOr::And(p) => push(Connector::IfOk, p, cwd)?,
                AndOr::Or(p) => push(Connector::IfFailed, p, cwd)?,
            }
        }
    }
    Ok(())
}

fn judge_pipeline(
    pipeline: &Pipeline,
    opts: &ParserOptions,
    ctx: Context<'_>,
    cwd: &Path,
    acc: &mut Acc,
) -> Result<Vec<Stage>, Denial> {
    if pipeline.timed.is_some() {
        return Err(Reason::Compound("time").into());
    }
    if pipeline.bang {
        return Err(Reason::Compound("!").into());
    }
    let mut stages = Vec::with_capacity(pipeline.seq.len());
    for command in &pipeline.seq {
        let stage = match command {
            Command::Simple(simple) => judge_simple(simple, opts, ctx, cwd, acc)?,
            Command::Compound(..) => {
                return Err(Reason::CompoundCommand.into());
            }
            Command::Function(_) => return Err(Reason::Function.into()),
            Command::ExtendedTest(..) => return Err(Reason::Compound("[[ … ]]").into()),
        };
        stages.push(stage);
    }
    let joined = stages.len() > 1 || stages.iter().any(|s| !s.redirects.is_empty());
    if let Some(s) = stages
        .iter()
        .find(|s| joined && IN_PROCESS_ONLY.contains(&s.program.as_str()))
    {
        return Err(Reason::NotInPipeline(s.program.clone()).into());
    }
    Ok(stages)
}

fn judge_simple(
    cmd: &SimpleCommand,
    opts: &ParserOptions,
    ctx: Context<'_>,
    cwd: &Path,
    acc: &mut Acc,
) -> Result<Stage, Denial> {
    // Globs of every word of every program share one budget of directory entries: a
    // thousand words with a `[` each must not list the folder a thousand times over.
    let scanned = std::cell::Cell::new(acc.scanned);
    let ex = Expander {
        opts,
        root: ctx.root,
        cwd,
        scanned: &scanned,
    };
    let mut redirects = Vec::new();
    let mut words = Vec::new();
    let items = cmd.prefix.iter().flat_map(|p| &p.0);
    for item in items {
        match item {
            CommandPrefixOrSuffixItem::IoRedirect(r) => {
                redirects.extend(judge_redirect(r, &ex, ctx.root, cwd, acc)?);
            }
            CommandPrefixOrSuffixItem::AssignmentWord(a, _) => {
                return Err(assignment_denial(&a.name.to_string()).into());
            }
            CommandPrefixOrSuffixItem::ProcessSubstitution(..) => {
                return Err(Reason::Substitution.into());
            }
            CommandPrefixOrSuffixItem::Word(_) => {
                return Err(Reason::Syntax(Syntax::UnexpectedWord).into());
            }
        }
    }
    let Some(name_word) = &cmd.word_or_name else {
        // `> file` alone truncates a file without naming a program: say what to write.
        return Err(Reason::Empty.into());
    };
    let name = ex.single(name_word)?;
    if name.contains('/') {
        return Err(Reason::ProgramPath(name).into());
    }
    if let Some(category) = never::category(&name) {
        return Err(Reason::never(&name, category).into());
    }
    let spec = ctx
        .rules
        .get(&name)
        .ok_or_else(|| Reason::Program(name.clone()))?;
    for item in cmd.suffix.iter().flat_map(|s| &s.0) {
        match item {
            CommandPrefixOrSuffixItem::Word(w)
            | CommandPrefixOrSuffixItem::AssignmentWord(_, w) => {
                words.extend(ex.words(w)?);
                // The kernel refuses much less than this anyway (ARG_MAX); stopping here
                // keeps a thousand `*` from costing seconds.
                if words.len() > expand::MAX_ARGS {
                    return Err(Reason::TooManyArgs(name, expand::MAX_ARGS).into());
                }
            }
            CommandPrefixOrSuffixItem::IoRedirect(r) => {
                redirects.extend(judge_redirect(r, &ex, ctx.root, cwd, acc)?);
            }
            CommandPrefixOrSuffixItem::ProcessSubstitution(..) => {
                return Err(Reason::Substitution.into());
            }
        }
    }
    acc.scanned = scanned.get();
    let parsed = args::parse(spec, &words)?;
    let operands = judge_arguments(spec, &parsed, ctx.root, cwd, acc)?;
    Ok(Stage {
        program: name,
        args: words,
        redirects,
        meaning: Meaning {
            options: parsed.options,
            operands,
        },
    })
}

fn assignment_denial(name: &str) -> Reason {
    const DANGEROUS: [&str; 10] = [
        "PATH",
        "IFS",
        "ENV",
        "BASH_ENV",
        "SHELLOPTS",
        "BASHOPTS",
        "PS4",
        "PROMPT_COMMAND",
        "GCONV_PATH",
        "HOME",
    ];
    if DANGEROUS.contains(&name) || name.starts_with("LD_") || name.starts_with("DYLD_") {
        Reason::DangerousAssignment(name.to_owned())
    } else {
        Reason::Assignment(name.to_owned())
    }
}

/// Judges every option value and operand of one program against its rule.
fn judge_arguments(
    spec: &Spec,
    parsed: &Parsed,
    root: &Path,
    cwd: &Path,
    acc: &mut Acc,
) -> Result<Vec<(String, Kind)>, Denial> {
    let layout = spec.layouts.iter().find(|l| {
        l.when
            .iter()
            .all(|alternatives| alternatives.iter().any(|o| parsed.has(o)))
    });
    let any_read = [Slot {
        kind: Kind::Read,
        repeat: Repeat::Many,
    }];
    let any_text = [Slot {
        kind: Kind::Text,
        repeat: Repeat::Many,
    }];
    let slots: &[Slot] = match spec.style {
        Style::Find => &any_read,
        Style::Echo | Style::Test => &any_text,
        Style::Getopt => layout
            .and_then(|l| l.operands.as_deref())
            .unwrap_or(&spec.operands),
    };
    acc.raise(layout.and_then(|l| l.risk).unwrap_or(spec.risk));
    for o in &parsed.options {
        if let Some(r) = spec.risky.get(&o.name) {
            acc.raise(*r);
        }
    }
    let assigned = assign(spec, slots, &parsed.operands)?;
    let no_clobber = spec.no_clobber.iter().any(|o| parsed.has(o));
    // What a target receives: the operands that are paths and not the target itself.
    let sources: Vec<&str> = assigned
        .iter()
        .filter(|(_, k)| matches!(k, Kind::Read | Kind::Write | Kind::Modify))
        .map(|(a, _)| *a)
        .collect();
    // Operands that name a symbolic link mean the link itself (rm, mv, ls -l): acted on
    // where it lies, never followed — but only operands, and never a target to move into.
    let itself = spec.links_itself.as_ref().is_some_and(|when| {
        (when.is_empty() || when.iter().any(|o| parsed.has(o)))
            && !spec.links_follow.iter().any(|o| parsed.has(o))
    });
    let judge = |value: &str, kind: Kind, acc: &mut Acc| {
        judge_value(value, kind, root, cwd, &sources, no_clobber, false, acc)
    };
    for o in &parsed.options {
        let Some(value) = &o.value else {
            continue;
        };
        let kind = layout
            .and_then(|l| l.values.get(&o.name))
            .or_else(|| spec.values.get(&o.name))
            .or_else(|| spec.optional.get(&o.name))
            .or_else(|| spec.predicates.get(&o.name))
            .copied()
            .unwrap_or(Kind::Text);
        judge(value, kind, acc)?;
    }
    for (operand, kind) in &assigned {
        judge_value(operand, *kind, root, cwd, &sources, no_clobber, itself, acc)?;
    }
    if assigned.iter().any(|(_, k)| *k == Kind::LinkTarget) {
        judge_link_targets(parsed, &assigned, root, cwd)?;
    }
    if spec.style == Style::Find && parsed.has("-delete") {
        // What -delete removes lies beneath the starting points.
        if parsed.operands.is_empty() {
            acc.destroys(cwd);
        }
        for start in &parsed.operands {
            let rel = workspace::normalize_within(root, cwd, &rawname::path(start))
                .map_err(path_reason)?;
            scope::allowed(&rel, start)?;
            acc.destroys(&rel);
        }
    }
    Ok(assigned
        .into_iter()
        .map(|(a, k)| (a.to_owned(), k))
        .collect())
}

/// Pairs operands with slots: fixed slots take one each, optional ones one while there are
/// spare operands, the repeating slot all the rest.
fn assign<'a>(
    spec: &Spec,
    slots: &[Slot],
    operands: &'a [String],
) -> Result<Vec<(&'a str, Kind)>, Denial> {
    let min: usize = slots
        .iter()
        .filter(|s| matches!(s.repeat, Repeat::One | Repeat::OneOrMore))
        .count();
    let unbounded = slots
        .iter()
        .any(|s| matches!(s.repeat, Repeat::Many | Repeat::OneOrMore));
    let max = slots
        .iter()
        .filter(|s| matches!(s.repeat, Repeat::One | Repeat::Optional))
        .count();
    if operands.len() < min {
        return Err(Reason::MissingOperand(spec.name.clone()).into());
    }
    if !unbounded && operands.len() > max {
        return Err(Reason::TooManyOperands(spec.name.clone(), max).into());
    }
    let mut spare = operands.len() - min;
    let mut out = Vec::with_capacity(operands.len());
    let mut it = operands.iter();
    let optional_after = |i: usize| {
        slots[i + 1..]
            .iter()
            .filter(|s| s.repeat == Repeat::Optional)
            .count()
    };
    for (i, slot) in slots.iter().enumerate() {
        let take = match slot.repeat {
            Repeat::One => 1,
            Repeat::Optional => {
                let t = usize::from(spare > 0);
                spare -= t;
                t
            }
            Repeat::Many | Repeat::OneOrMore => {
                // Leave one each for the optional slots after this one.
                let keep = optional_after(i).min(spare);
                let t = spare - keep + usize::from(slot.repeat == Repeat::OneOrMore);
                spare = keep;
                t
            }
        };
        for _ in 0..take {
            if let Some(op) = it.next() {
                out.push((op.as_str(), slot.kind));
            }
        }
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)] // one operand and everything its judgement needs
fn judge_value(
    value: &str,
    kind: Kind,
    root: &Path,
    cwd: &Path,
    sources: &[&str],
    no_clobber: bool,
    link_itself: bool,
    acc: &mut Acc,
) -> Result<(), Denial> {
    let confine = |value: &str, access: Access| {
        if link_itself {
            confine_link(value, access, root, cwd)
        } else {
            confine(value, access, root, cwd)
        }
    };
    match kind {
        Kind::Text | Kind::None => {}
        Kind::SedScript => sed::check(value)?,
        Kind::Mode => mode::check(value)?,
        Kind::AwkProgram => {
            for named in awk::check(value)? {
                let (file, append) = match &named {
                    awk::Named::Read(f) => {
                        confine(f, Access::Read)?;
                        continue;
                    }
                    awk::Named::Replace(f) => (f, false),
                    awk::Named::Append(f) => (f, true),
                };
                // awk's own names for its output streams.
                if matches!(file.as_str(), "/dev/stdout" | "/dev/stderr" | "-") {
                    continue;
                }
                let (rel, real) = confine(file, Access::Write)?;
                acc.raise(Risk::Write);
                if !append && real.metadata().is_ok_and(|m| m.len() > 0) {
                    acc.destroys(&rel);
                }
            }
        }
        // Judged once every operand is known (judge_link_targets).
        Kind::LinkTarget => {}
        Kind::Read => {
            confine(value, Access::Read)?;
        }
        Kind::Write => {
            confine(value, Access::Write)?;
            acc.raise(Risk::Write);
        }
        // A file changed in place is changed through a link: always followed.
        Kind::Modify => {
            self::confine(value, Access::Write, root, cwd)?;
            acc.raise(Risk::Write);
        }
        Kind::Delete => {
            let (rel, _) = confine(value, Access::Write)?;
            if rel.as_os_str().is_empty() {
                return Err(Reason::RemoveRoot(value.to_owned()).into());
            }
            acc.destroys(&rel);
        }
        Kind::Target => {
            // Moving into a link to a folder moves into where it leads: followed.
            let (rel, real) = self::confine(value, Access::Write, root, cwd)?;
            acc.raise(Risk::Write);
            if no_clobber {
                return Ok(());
            }
            match std::fs::metadata(&real) {
                Ok(m) if m.is_dir() => {
                    for source in sources {
                        let source = rawname::path(source);
                        let Some(base) = source.file_name() else {
                            continue;
                        };
                        if real.join(base).symlink_metadata().is_ok() {
                            acc.destroys(&rel.join(base));
                        }
                    }
                }
                Ok(_) => acc.destroys(&rel),
                Err(_) => {}
            }
        }
    }
    Ok(())
}

fn redirect_fd(fd: Option<i32>, default: u8, shown: &dyn std::fmt::Display) -> Result<u8, Denial> {
    match fd {
        None => Ok(default),
        Some(n @ 0..=2) => Ok(n as u8),
        Some(_) => Err(Reason::Redirection(shown.to_string()).into()),
    }
}

/// One redirection: its target confined like any path; `>` onto a file with data in it is
/// destructive.
fn judge_redirect(
    r: &IoRedirect,
    ex: &Expander<'_>,
    root: &Path,
    cwd: &Path,
    acc: &mut Acc,
) -> Result<Vec<Redirect>, Denial> {
    let file =
        |w: &brush_parser::ast::Word, mode: OpenMode, acc: &mut Acc| -> Result<Target, Denial> {
            let path = ex.single(w)?;
            if path == "/dev/null" {
                return Ok(Target::Null);
            }
            if mode == OpenMode::Read {
                let (rel, _) = confine(&path, Access::Read, root, cwd)?;
                return Ok(Target::File(rel, mode));
            }
            let (rel, real) = confine(&path, Access::Write, root, cwd)?;
            acc.raise(Risk::Write);
            if mode == OpenMode::Truncate
                && std::fs::metadata(&real).is_ok_and(|m| m.is_file() && m.len() > 0)
            {
                acc.destroys(&rel);
            }
            Ok(Target::File(rel, mode))
        };
    match r {
        IoRedirect::File(fd, kind, target) => {
            let input = matches!(
                kind,
                IoFileRedirectKind::Read | IoFileRedirectKind::DuplicateInput
            );
            let fd = redirect_fd(*fd, if input { 0 } else { 1 }, r)?;
            let target = match (kind, target) {
                (_, IoFileRedirectTarget::ProcessSubstitution(..)) => {
                    return Err(Reason::Substitution.into());
                }
                (IoFileRedirectKind::Read, IoFileRedirectTarget::Filename(w)) => {
                    file(w, OpenMode::Read, acc)?
                }
                (
                    IoFileRedirectKind::Write | IoFileRedirectKind::Clobber,
                    IoFileRedirectTarget::Filename(w),
                ) => file(w, OpenMode::Truncate, acc)?,
                (IoFileRedirectKind::Append, IoFileRedirectTarget::Filename(w)) => {
                    file(w, OpenMode::Append, acc)?
                }
                (
                    IoFileRedirectKind::DuplicateOutput | IoFileRedirectKind::DuplicateInput,
                    IoFileRedirectTarget::Fd(n),
                ) => Target::Fd(redirect_fd(Some(*n), 0, r)?),
                (
                    IoFileRedirectKind::DuplicateOutput | IoFileRedirectKind::DuplicateInput,
                    IoFileRedirectTarget::Duplicate(w),
                ) => match ex.single(w)?.as_str() {
                    "0" => Target::Fd(0),
                    "1" => Target::Fd(1),
                    "2" => Target::Fd(2),
                    _ => return Err(Reason::Redirection(r.to_string()).into()),
                },
                _ => return Err(Reason::Redirection(r.to_string()).into()),
            };
            Ok(vec![Redirect { fd, target }])
        }
        IoRedirect::OutputAndError(w, append) => {
            let mode = if *append {
                OpenMode::Append
            } else {
                OpenMode::Truncate
            };
            Ok(vec![
                Redirect {
                    fd: 1,
                    target: file(w, mode, acc)?,
                },
                Redirect {
                    fd: 2,
                    target: Target::Fd(1),
                },
            ])
        }
        IoRedirect::HereDocument(fd, doc) => {
            let fd = redirect_fd(*fd, 0, r)?;
            let body = &doc.doc.value;
            if doc.requires_expansion && body.contains(['$', '`', '\\']) {
                return Err(Reason::HereDocExpansion.into());
            }
            let text = if doc.remove_tabs {
                body.lines()
                    .map(|l| format!("{}\n", l.trim_start_matches('\t')))
                    .collect()
            } else {
                body.clone()
            };
            Ok(vec![Redirect {
                fd,
                target: Target::Text(text),
            }])
        }
        IoRedirect::HereString(fd, w) => {
            let fd = redirect_fd(*fd, 0, r)?;
            let mut text = ex.single(w)?;
            text.push('\n');
            Ok(vec![Redirect {
                fd,
                target: Target::Text(text),
            }])
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    Read,
    Write,
}

/// Confines one path: lexically beneath the root, and really there once every symlink of
/// the existing part is followed the way the kernel does; writes into `.atajo/` or `.git/`
/// internals are refused. Returns the root-relative path and the real one.
fn confine(
    operand: &str,
    access: Access,
    root: &Path,
    cwd: &Path,
) -> Result<(PathBuf, PathBuf), Denial> {
    let rel =
        workspace::normalize_within(root, cwd, &rawname::path(operand)).map_err(path_reason)?;
    scope::allowed(&rel, operand)?;
    if access == Access::Write && is_protected(&rel) {
        return Err(Reason::Protected(operand.into()).into());
    }
    let real = match workspace::resolve_physical(root, cwd, &rawname::path(operand), operand) {
        Ok(real) => real,
        // Reading through a link to nothing reads nothing (ls shows the link itself).
        Err(PathError::Dangling(_)) if access == Access::Read => root.join(&rel),
        Err(e) => return Err(path_reason(e)),
    };
    // A link inside one's folders may lead to someone else's.
    scope::allowed(real.strip_prefix(root).unwrap_or(&real), operand)?;
    if access == Access::Write {
        let real_rel = real.strip_prefix(root).unwrap_or(&real);
        if is_protected(real_rel) {
            return Err(Reason::Protected(operand.into()).into());
        }
    }
    Ok((rel, real))
}

/// ln's targets. A symbolic link's text is read from the folder the link lies in, so a target
/// is judged from there (`ln -s ../a docs/b` leads to `a`): it must lead beneath the root, or
/// to nothing yet beneath it. A hard link's target, and any with -r (ln makes it relative
/// from the current folder), is a path from the current folder, read like any other.
fn judge_link_targets(
    parsed: &args::Parsed,
    assigned: &[(&str, Kind)],
    root: &Path,
    cwd: &Path,
) -> Result<(), Denial> {
    let symbolic = parsed.has("-s") || parsed.has("--symbolic");
    let relative = parsed.has("-r") || parsed.has("--relative");
    let no_dir = parsed.has("-T") || parsed.has("--no-target-directory");
    let within = |p: &str, base: &Path| {
        let rel =
            workspace::normalize_within(root, base, &rawname::path(p)).map_err(path_reason)?;
        scope::allowed(&rel, p)?;
        Ok::<_, Denial>(rel)
    };
    let into = parsed
        .options
        .iter()
        .find(|o| o.name == "-t" || o.name == "--target-directory")
        .and_then(|o| o.value.as_deref());
    let named = assigned
        .iter()
        .find(|(_, k)| *k != Kind::LinkTarget)
        .map(|(a, _)| *a);
    // The folder the links will lie in, root-relative.
    let link_dir = match (into, named) {
        (Some(dir), _) => within(dir, cwd)?,
        (None, Some(name)) => {
            let rel = within(name, cwd)?;
            if !no_dir && root.join(&rel).is_dir() {
                rel
            } else {
                rel.parent().map(Path::to_path_buf).unwrap_or_default()
            }
        }
        (None, None) => cwd.to_path_buf(),
    };
    for (target, _) in assigned.iter().filter(|(_, k)| *k == Kind::LinkTarget) {
        if symbolic && !relative {
            // A link to nothing yet is fine (its missing tail has no link to leave by); one
            // through a link that leads nowhere is not: where that leads may appear outside.
            within(target, &link_dir)?;
            workspace::resolve_physical(root, &link_dir, &rawname::path(target), target)
                .map_err(path_reason)?;
        } else {
            confine(target, Access::Read, root, cwd)?;
        }
    }
    Ok(())
}

/// Like `confine`, for a program that acts on a symbolic link itself: the folders on the way
/// must lie beneath the root, the last name may be a link that leads anywhere (or nowhere),
/// since it is not followed. A trailing `/` follows it, as the kernel does.
fn confine_link(
    operand: &str,
    access: Access,
    root: &Path,
    cwd: &Path,
) -> Result<(PathBuf, PathBuf), Denial> {
    let path = rawname::path(operand);
    let rel = workspace::normalize_within(root, cwd, &path).map_err(path_reason)?;
    scope::allowed(&rel, operand)?;
    // `a/../b` is resolved by the kernel through a, which may itself be a link: followed.
    let climbs = path
        .components()
        .any(|c| matches!(c, std::path::Component::ParentDir));
    let (Some(name), false, false) = (rel.file_name(), operand.ends_with('/'), climbs) else {
        return confine(operand, access, root, cwd);
    };
    let parent = rel.parent().unwrap_or(Path::new(""));
    let shown_parent = parent.to_string_lossy();
    let parent_real = workspace::resolve_physical(root, Path::new(""), parent, &shown_parent)
        .map_err(path_reason)?;
    let real = parent_real.join(name);
    let is_link = real
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return confine(operand, access, root, cwd);
    }
    if access == Access::Write {
        let real_rel = real.strip_prefix(root).unwrap_or(&real);
        if is_protected(&rel) || is_protected(real_rel) {
            return Err(Reason::Protected(operand.into()).into());
        }
    }
    Ok((rel, real))
}

fn is_protected(rel: &Path) -> bool {
    let mut parts = rel.components();
    match parts.next() {
        Some(first) if first.as_os_str() == STATE_DIR => true,
        Some(first) if first.as_os_str() == ".git" => parts.next().is_some(),
        _ => false,
    }
}

fn path_reason(e: PathError) -> Denial {
    match e {
        PathError::Outside(p) => Reason::Outside(p),
        PathError::Symlink(p) => Reason::Symlink(p),
        PathError::Dangling(p) => Reason::Dangling(p),
        PathError::Io(p, e) => Reason::Io(p, e),
    }
    .into()
}

/// The root-relative folder a `cd` moves to (the root when it has no operand).
pub fn cd_target(stage: &Stage, root: &Path, cwd: &Path) -> Result<PathBuf, Denial> {
    match stage.args.iter().find(|a| a.as_str() != "--") {
        None => Ok(PathBuf::new()),
        Some(dir) => {
            let rel =
                workspace::normalize_within(root, cwd, &rawname::path(dir)).map_err(path_reason)?;
            scope::allowed(&rel, dir)?;
            Ok(rel)
        }
    }
}

#[cfg(test)]
mod tests;
