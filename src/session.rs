//! Per-connection state and the one pipeline every action travels:
//! translate (natural language only) → check → run → record.

use std::path::PathBuf;
use std::sync::Arc;

use std::collections::HashMap;

use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::{Mutex, Notify};

use crate::assistant::{self, Translation};
use crate::exec::{self, Limits, Outcome, Sandbox};
use crate::history::{History, Record};
use crate::lang::Lang;
use crate::policy::{self, Context, Denial};
use crate::protocol::{ChangeKind, FsChange, VerdictMsg};
use crate::workspace::{WatchMsg, Workspace, rel_to_string};

/// What every session shares.
pub struct Services {
    pub workspace: Arc<Workspace>,
    pub history: History,
    pub limits: Limits,
    pub sandbox: Sandbox,
    /// Where the pipeline announces the changes it made (the broadcaster's stream).
    pub announce: Option<UnboundedSender<WatchMsg>>,
}

/// Longest instruction or command accepted from a client.
pub const MAX_INPUT_BYTES: usize = 16 * 1024;

pub struct Session {
    pub client: String,
    /// Held for the whole run: one command at a time per session, as in a terminal, so `cd`
    /// and the commands after it see a consistent cwd.
    cwd: Mutex<PathBuf>,
    /// Requests of this session that are queued or running, by id, so a client can cancel.
    jobs: std::sync::Mutex<HashMap<String, Arc<Notify>>>,
}

/// Where a request ended.
pub enum Finished {
    /// Nothing to run: the translator did not understand (the translation says how to ask).
    NotUnderstood(Translation),
    Denied {
        translation: Translation,
        verdict: VerdictMsg,
    },
    Ran {
        translation: Translation,
        verdict: VerdictMsg,
        outcome: Outcome,
    },
}

/// How the pipeline tells the caller what happens, as it happens.
pub trait Progress: Send {
    /// The command is known and judged; called before anything runs.
    fn planned(&mut self, _translation: &Translation, _verdict: Option<&VerdictMsg>) {}
    fn output(&mut self, _chunk: &str) {}
}

/// For callers that only want the end result.
pub struct Quiet;
impl Progress for Quiet {}

#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    /// Natural language, to be translated first.
    Instruction { text: &'a str, lang: Option<Lang> },
    /// A shell command, as typed.
    Command(&'a str),
}

impl Session {
    pub fn new(client: String) -> Self {
        Self {
            client,
            cwd: Mutex::new(PathBuf::new()),
            jobs: std::sync::Mutex::new(HashMap::new()),
        }
    }

    pub async fn cwd(&self) -> String {
        rel_to_string(&self.cwd.lock().await)
    }

    /// Makes request `id` cancellable until `forget` is called.
    pub fn register(&self, id: &str) -> Arc<Notify> {
        let n = Arc::new(Notify::new());
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.insert(id.to_owned(), n.clone());
        }
        n
    }

    pub fn forget(&self, id: &str) {
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.remove(id);
        }
    }

    /// Cancels request `id` (running, or queued behind another): `false` when there is none.
    pub fn cancel(&self, id: &str) -> bool {
        let job = self.jobs.lock().ok().and_then(|j| j.get(id).cloned());
        match job {
            Some(n) => {
                // A stored permit: a request still queued stops as soon as it starts.
                n.notify_one();
                true
            }
            None => false,
        }
    }

    pub async fn run(
        &self,
        svc: &Services,
        input: Input<'_>,
        kind: &'static str,
        cancel: Option<&Notify>,
        progress: &mut dyn Progress,
    ) -> Finished {
        let (raw, translation, lang) = match input {
            Input::Instruction { text, lang } => (
                text,
                assistant::translate(text, lang),
                lang.unwrap_or_default(),
            ),
            Input::Command(cmd) => (
                cmd,
                Translation {
                    command: Some(cmd.to_owned()),
                    explanation: String::new(),
                    source: "typed".into(),
                    confidence: 1.0,
                    lang: Lang::En,
                },
                Lang::En,
            ),
        };
        // Reasons are given in the language the instruction was written in.
        let lang = match input {
            Input::Instruction { .. } => translation.lang,
            Input::Command(_) => lang,
        };
        let Some(command) = translation.command.clone() else {
            progress.planned(&translation, None);
            self.record(
                svc,
                kind,
                raw,
                None,
                false,
                Some("not understood".into()),
                None,
            );
            return Finished::NotUnderstood(translation);
        };

        let mut cwd = self.cwd.lock().await;
        let ws = &svc.workspace;
        let checked = policy::check(
            &command,
            Context {
                root: ws.root(),
                cwd: &cwd,
            },
        );
        let verdict = policy::verdict(&checked, lang);
        progress.planned(&translation, Some(&verdict));
        let checked = match checked {
            Ok(c) => c,
            Err(Denial { .. }) => {
                self.record(
                    svc,
                    kind,
                    raw,
                    Some(&command),
                    false,
                    verdict.reason.clone(),
                    None,
                );
                return Finished::Denied {
                    translation,
                    verdict,
                };
            }
        };
        let mut sink = |chunk: &str| progress.output(chunk);
        let outcome = exec::run(
            &checked,
            ws,
            &svc.sandbox,
            &cwd,
            svc.limits,
            cancel,
            &mut sink,
        )
        .await;
        if let Some(tx) = svc
            .announce
            .as_ref()
            .filter(|_| !outcome.created.is_empty())
        {
            let changes = outcome
                .created
                .iter()
                .map(|p| FsChange {
                    path: rel_to_string(p),
                    kind: ChangeKind::Created,
                })
                .collect();
            let _ = tx.send(WatchMsg::Announced(changes));
        }
        *cwd = outcome.cwd.clone();
        drop(cwd);
        self.record(
            svc,
            kind,
            raw,
            Some(&command),
            true,
            None,
            Some((outcome.exit_code, outcome.duration.as_secs_f64() * 1000.0)),
        );
        Finished::Ran {
            translation,
            verdict,
            outcome,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        &self,
        svc: &Services,
        kind: &'static str,
        input: &str,
        command: Option<&str>,
        allowed: bool,
        reason: Option<String>,
        ended: Option<(i32, f64)>,
    ) {
        svc.history.record(Record {
            client: self.client.clone(),
            kind,
            input: input.to_owned(),
            command: command.map(str::to_owned),
            allowed,
            reason,
            exit_code: ended.map(|e| e.0),
            duration_ms: ended.map(|e| e.1),
        });
    }
}
