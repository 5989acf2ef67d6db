//! Runs what the policy allowed: builtins in-process through the confined workspace, other
//! programs as a process from their parsed words (never through a shell), each with a
//! wall-clock timeout, an output cap, and its whole process group killed when it overruns.

mod builtin;
mod output;
mod quote;
mod sandbox;
mod spawn;
mod trash;

use crate::lang::Lang;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use output::truncation_marker;
#[cfg(test)]
pub(crate) use sandbox::tests::{PROCESS_HEAVY, sandbox_for};
pub use sandbox::{Protection, ResourceLimits, Sandbox, SandboxError, SandboxSettings};

use crate::policy::{Checked, Connector};
use crate::workspace::{Workspace, rawname};
use output::Output;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub timeout: Duration,
    pub output_limit: usize,
}

#[derive(Debug, Clone)]
pub struct Outcome {
    pub output: String,
    pub exit_code: i32,
    pub truncated: bool,
    pub timed_out: bool,
    pub cancelled: bool,
    /// The working directory after the command (`cd` changes it).
    pub cwd: PathBuf,
    pub duration: Duration,
    /// Root-relative folders the builtins created (what the watcher will also report).
    pub created: Vec<PathBuf>,
    /// A program (or its sandbox) could not be started.
    pub not_started: bool,
}

/// Exit code reported when the timeout killed the command, as timeout(1) does.
pub const TIMEOUT_EXIT: i32 = 124;
/// Exit code reported when the client cancelled the command, as a shell reports Ctrl-C.
pub const CANCELLED_EXIT: i32 = 130;

/// Runs every step with shell semantics for `;`, `&&` and `||`. `permanent` makes `rm`
/// delete instead of moving to the trash. The timeout covers the whole
/// command; output is capped across all steps.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    checked: &Checked,
    permanent: bool,
    ws: &Workspace,
    sandbox: &Sandbox,
    cwd: &Path,
    limits: Limits,
    cancel: Option<&tokio::sync::Notify>,
    sink: &mut (dyn FnMut(&str) + Send),
    lang: Lang,
) -> Outcome {
    let started = Instant::now();
    let stop = spawn::Stop {
        deadline: started + limits.timeout,
        cancel,
    };
    let mut out = Output::new(limits.output_limit, sink);
    let mut cwd = cwd.to_path_buf();
    let mut code = 0;
    let (mut timed_out, mut cancelled, mut not_started) = (false, false, false);
    let mut created = Vec::new();
    for step in &checked.steps {
        let runs = match step.connector {
            Connector::Always => true,
            Connector::IfOk => code == 0,
            Connector::IfFailed => code != 0,
        };
        if !runs {
            continue;
        }
        let builtin = step
            .alone()
            .and_then(|stage| builtin::try_run(stage, ws, &mut cwd, permanent, lang));
        if let Some(done) = builtin {
            out.push_str(&done.output);
            code = done.code;
            created.extend(done.created);
            continue;
        }
        let ended = spawn::run(
            &step.stages,
            Some(ws.dir()),
            &ws.root().join(&cwd),
            ws.root(),
            sandbox,
            stop,
            &mut out,
        )
        .await;
        code = ended.code;
        not_started |= ended.not_started;
        if ended.cancelled {
            cancelled = true;
            out.push_str(&format!("\n{}\n", crate::tr!(lang, "run_cancelled")));
            break;
        }
        if ended.timed_out {
            timed_out = true;
            let s = limits.timeout.as_secs();
            out.push_str(&format!("\n{}\n", crate::tr!(lang, "run_timed_out", s = s)));
            break;
        }
        if out.truncated() {
            break;
        }
    }
    let (output, truncated) = out.finish();
    Outcome {
        output,
        exit_code: code,
        truncated,
        timed_out,
        cancelled,
        cwd,
        duration: started.elapsed(),
        created,
        not_started,
    }
}

/// What a program run outside the pipeline (doctor's probes, the sandbox's own tests) did.
#[derive(Debug)]
pub struct Confined {
    pub code: i32,
    pub output: String,
    pub timed_out: bool,
    pub truncated: bool,
}

/// Runs one program with `args` in `dir` (beneath `root`) inside `sandbox`, with the same
/// timeout, output cap and process handling as any command. No policy: callers are atajo
/// itself, never a client.
pub async fn run_confined(
    program: &std::ffi::OsStr,
    args: &[&std::ffi::OsStr],
    dir: &Path,
    root: &Path,
    sandbox: &Sandbox,
    limits: Limits,
) -> Confined {
    let stop = spawn::Stop {
        deadline: Instant::now() + limits.timeout,
        cancel: None,
    };
    let mut sink = |_: &str| {};
    let mut out = Output::new(limits.output_limit, &mut sink);
    let stage = crate::policy::Stage {
        program: rawname::text(program).into_owned(),
        args: args.iter().map(|a| rawname::text(a).into_owned()).collect(),
        redirects: Vec::new(),
        meaning: Default::default(),
    };
    let ended = spawn::run(&[stage], None, dir, root, sandbox, stop, &mut out).await;
    let (output, truncated) = out.finish();
    Confined {
        code: ended.code,
        output,
        timed_out: ended.timed_out,
        truncated,
    }
}

#[cfg(test)]
mod tests;
