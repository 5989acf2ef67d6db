//! Decides whether a command may run. The command is parsed by a real shell parser
//! (brush-parser) and judged whole: every simple command of every list, every word after quote
//! removal, every path resolved against the session's cwd and through symlinks. Nothing here
//! executes anything.

mod programs;
mod reason;
mod words;

use std::path::{Path, PathBuf};

use brush_parser::ast::{
    AndOr, Command, CommandPrefixOrSuffixItem, CompoundList, Pipeline, SeparatorOperator,
    SimpleCommand,
};
use brush_parser::{Parser, ParserOptions};

pub use programs::{Access, Program};
pub use reason::Reason;

use crate::lang::Lang;
use crate::protocol::{Risk, VerdictMsg};
use crate::workspace::{self, PathError, STATE_DIR};

/// Longer input is refused before parsing: nobody types a 64 KiB file-management command.
pub const MAX_COMMAND_BYTES: usize = 64 * 1024;

/// Where a command would run.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Canonical absolute root.
    pub root: &'a Path,
    /// Root-relative working directory.
    pub cwd: &'a Path,
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

/// One program to run with its literal arguments (without the program name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub connector: Connector,
    pub program: Program,
    pub args: Vec<String>,
}

/// An allowed command, ready for `exec`.
#[derive(Debug, Clone)]
pub struct Checked {
    pub steps: Vec<Step>,
    pub risk: Risk,
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
        },
        Err(d) => VerdictMsg {
            allowed: false,
            risk: d.risk,
            reason: Some(d.reason.message(lang)),
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
    let program = Parser::new(command.as_bytes(), &opts)
        .parse_program()
        .map_err(|e| Reason::Syntax(e.to_string()))?;

    let mut steps = Vec::new();
    for list in &program.complete_commands {
        collect_list(list, &opts, ctx, &mut steps)?;
    }
    if steps.is_empty() {
        return Err(Reason::Empty.into());
    }
    let risk = steps
        .iter()
        .map(|s| s.program.risk())
        .max()
        .unwrap_or(Risk::Read);
    Ok(Checked { steps, risk })
}

fn collect_list(
    list: &CompoundList,
    opts: &ParserOptions,
    ctx: Context<'_>,
    steps: &mut Vec<Step>,
) -> Result<(), Denial> {
    // The cwd a later step sees depends on an earlier `cd`; judge paths against it.
    let mut cwd = ctx.cwd.to_path_buf();
    for item in &list.0 {
        if matches!(item.1, SeparatorOperator::Async) {
            return Err(Reason::Background.into());
        }
        let and_or = &item.0;
        let mut push = |connector, pipeline: &Pipeline, cwd: &mut PathBuf| -> Result<(), Denial> {
            let step = judge_pipeline(pipeline, connector, opts, ctx.root, cwd)?;
            if step.program == Program::Cd {
                *cwd = cd_target(&step, ctx.root, cwd)?;
            }
            steps.push(step);
            Ok(())
        };
        push(Connector::Always, &and_or.first, &mut cwd)?;
        for next in &and_or.additional {
            match next {
                AndOr::And(p) => push(Connector::IfOk, p, &mut cwd)?,
                AndOr::Or(p) => push(Connector::IfFailed, p, &mut cwd)?,
            }
        }
    }
    Ok(())
}

fn judge_pipeline(
    pipeline: &Pipeline,
    connector: Connector,
    opts: &ParserOptions,
    root: &Path,
    cwd: &Path,
) -> Result<Step, Denial> {
    if pipeline.timed.is_some() {
        return Err(Reason::Compound("time").into());
    }
    if pipeline.bang {
        return Err(Reason::Compound("!").into());
    }
    let [command] = pipeline.seq.as_slice() else {
        return Err(Reason::Pipeline.into());
    };
    match command {
        Command::Simple(simple) => judge_simple(simple, connector, opts, root, cwd),
        Command::Compound(..) => {
            Err(Reason::Compound("a compound command (if, for, while, ( ), { })").into())
        }
        Command::Function(_) => Err(Reason::Compound("defining a function").into()),
        Command::ExtendedTest(..) => Err(Reason::Compound("[[ … ]]").into()),
    }
}

fn judge_simple(
    cmd: &SimpleCommand,
    connector: Connector,
    opts: &ParserOptions,
    root: &Path,
    cwd: &Path,
) -> Result<Step, Denial> {
    if let Some(item) = cmd.prefix.as_ref().and_then(|p| p.0.first()) {
        return Err(item_denial(item).into());
    }
    let Some(name_word) = &cmd.word_or_name else {
        return Err(Reason::Empty.into());
    };
    let name = words::literal(name_word, opts)?;
    let program = Program::from_name(&name).ok_or_else(|| Reason::Program(name.clone()))?;
    let mut args = Vec::new();
    if let Some(suffix) = &cmd.suffix {
        for item in &suffix.0 {
            match item {
                CommandPrefixOrSuffixItem::Word(w) => args.push(words::literal(w, opts)?),
                other => return Err(item_denial(other).into()),
            }
        }
    }
    let operands = judge_options(program, &args)?;
    let spec = program.spec();
    if operands.len() < spec.min_operands {
        return Err(Reason::MissingOperand(program.name().into()).into());
    }
    if operands.len() > spec.max_operands {
        return Err(Reason::TooManyOperands(program.name().into(), spec.max_operands).into());
    }
    for operand in operands {
        confine(operand, spec.access, root, cwd)?;
    }
    Ok(Step {
        connector,
        program,
        args,
    })
}

fn item_denial(item: &CommandPrefixOrSuffixItem) -> Reason {
    match item {
        CommandPrefixOrSuffixItem::IoRedirect(_) => Reason::Redirection,
        CommandPrefixOrSuffixItem::AssignmentWord(a, _) => Reason::Assignment(a.name.to_string()),
        CommandPrefixOrSuffixItem::ProcessSubstitution(..) => Reason::Substitution,
        CommandPrefixOrSuffixItem::Word(_) => Reason::Syntax("unexpected word".into()),
    }
}

/// Checks every option against the program's list and returns the operands. GNU tools take
/// options anywhere before `--`, so a later `-x` is an option too.
pub fn judge_options(program: Program, args: &[String]) -> Result<Vec<&str>, Reason> {
    let spec = program.spec();
    let mut operands = Vec::new();
    let mut only_operands = false;
    for arg in args {
        if only_operands || arg == "-" || !arg.starts_with('-') {
            operands.push(arg.as_str());
        } else if arg == "--" {
            only_operands = true;
        } else if arg.starts_with("--") {
            if !spec.long.contains(&arg.as_str()) {
                return Err(option_denial(program, arg));
            }
        } else if let Some(bad) = arg[1..].chars().find(|c| !spec.short.contains(*c)) {
            return Err(option_denial(program, &format!("-{bad}")));
        }
    }
    Ok(operands)
}

fn option_denial(program: Program, option: &str) -> Reason {
    Reason::Option {
        program: program.name().into(),
        option: option.into(),
    }
}

/// Confines one path operand: lexically beneath the root, then through every existing
/// symlink; writes into `.atajo/` or `.git/` internals are refused.
fn confine(operand: &str, access: Access, root: &Path, cwd: &Path) -> Result<PathBuf, Denial> {
    let rel = workspace::normalize_within(root, cwd, Path::new(operand)).map_err(path_reason)?;
    if access == Access::Write && is_protected(&rel) {
        return Err(Reason::Protected(operand.into()).into());
    }
    let real = workspace::resolve_existing(root, &rel, operand).map_err(path_reason)?;
    if access == Access::Write {
        let real_rel = real.strip_prefix(root).unwrap_or(&real);
        if is_protected(real_rel) {
            return Err(Reason::Protected(operand.into()).into());
        }
    }
    Ok(rel)
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

/// The root-relative folder a `cd` step moves to (the root when it has no operand).
pub fn cd_target(step: &Step, root: &Path, cwd: &Path) -> Result<PathBuf, Denial> {
    match step.args.iter().find(|a| a.as_str() != "--") {
        None => Ok(PathBuf::new()),
        Some(dir) => workspace::normalize_within(root, cwd, Path::new(dir)).map_err(path_reason),
    }
}

#[cfg(test)]
mod tests;
