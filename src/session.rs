//! Per-connection state and the one pipeline every action travels:
//! translate (natural language only) → check → run → record.

use std::path::PathBuf;
use std::sync::Arc;

use std::collections::HashMap;

use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::{Mutex, Notify};

use crate::assistant::{self, Translation};
use crate::exec::{self, Limits, Outcome, Sandbox};
use crate::history::{Ended, History, Record, Verdict};
use crate::lang::Lang;
use crate::policy::{self, Context, Denial, Rules};
use crate::protocol::{Risk, VerdictMsg};
use crate::users::{Identity, Scope};
use crate::workspace::{WatchMsg, Workspace, rel_to_string};

/// What every session shares.
pub struct Services {
    pub workspace: Arc<Workspace>,
    pub history: History,
    pub limits: Limits,
    pub sandbox: Arc<Sandbox>,
    pub rules: Arc<Rules>,
    pub assistant: Arc<assistant::Assistant>,
    /// Where the pipeline announces the changes it made (the broadcaster's stream).
    pub announce: Option<UnboundedSender<WatchMsg>>,
    /// Sandboxes narrowed to a person's folders, by folders.
    pub confined: std::sync::Mutex<HashMap<Vec<String>, Arc<Sandbox>>>,
    pub metrics: Arc<crate::metrics::Metrics>,
}

impl Services {
    /// Writes a decision down (history, audit) and counts it.
    fn decided(&self, record: Record) {
        self.metrics.request(
            record.kind,
            record.source.as_deref(),
            record.verdict.as_str(),
        );
        self.history.decided(record);
    }
}

impl Services {
    /// The sandbox for someone who may reach `scope`: the workspace's own for the whole
    /// root, else one narrowed to their folders (made once per set of folders).
    pub fn sandbox_for(&self, scope: &Scope) -> Result<Arc<Sandbox>, exec::SandboxError> {
        let Scope::Roots(roots) = scope else {
            return Ok(self.sandbox.clone());
        };
        let key = roots.to_vec();
        let mut cache = self.confined.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = cache.get(&key) {
            return Ok(s.clone());
        }
        let root = self.workspace.root();
        let folders: Vec<PathBuf> = roots.iter().map(|r| root.join(r)).collect();
        let made = Arc::new(self.sandbox.confined_to(&folders)?);
        cache.insert(key, made.clone());
        Ok(made)
    }
}

/// One request on its way through the pipeline.
struct Job<'a> {
    raw: &'a str,
    kind: &'static str,
    translation: Translation,
    lang: Lang,
}

/// How a command that ran ended, as the history and the log say it.
fn status_of(outcome: &Outcome) -> &'static str {
    if outcome.timed_out {
        "timed_out"
    } else if outcome.cancelled {
        "cancelled"
    } else {
        "done"
    }
}

fn new_token() -> String {
    let mut bytes = [0u8; 12];
    if getrandom::fill(&mut bytes).is_err() {
        // Tokens only pair a confirmation with its session's own pending command.
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        bytes[..12].copy_from_slice(&t.to_le_bytes()[..12]);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Longest instruction or command accepted from a client.
pub const MAX_INPUT_BYTES: usize = 16 * 1024;

pub struct Session {
    pub client: String,
    /// Who this session is: their folders bound every path and every command.
    pub who: Identity,
    /// Held for the whole run: one command at a time per session, as in a terminal, so `cd`
    /// and the commands after it see a consistent cwd.
    cwd: Mutex<PathBuf>,
    /// Requests of this session that are queued or running, by id, so a client can cancel.
    jobs: std::sync::Mutex<HashMap<String, Arc<Notify>>>,
    /// The destructive command waiting for the user's confirmation, if any.
    pending: std::sync::Mutex<Option<Pending>>,
}

/// A destructive command held until the user confirms it.
struct Pending {
    token: String,
    raw: String,
    kind: &'static str,
    translation: Translation,
    lang: Lang,
    affected: Vec<String>,
    at: std::time::Instant,
}

/// How long a confirmation stays valid.
pub const CONFIRM_TTL: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// What the user said about a destructive command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approval {
    /// Not asked yet: a destructive command waits for confirmation.
    None,
    /// Confirmed: `rm` moves to the trash.
    Confirmed,
    /// Confirmed as a permanent deletion.
    Permanent,
}

/// Where a request ended.
pub enum Finished {
    /// Nothing to run: the translator did not understand (the translation says how to ask).
    NotUnderstood(Translation),
    Denied {
        translation: Translation,
        verdict: VerdictMsg,
    },
    /// Destructive: nothing ran; the verdict names what would go, `token` confirms it.
    NeedsConfirmation {
        translation: Translation,
        verdict: VerdictMsg,
        token: String,
    },
    /// A confirmation for nothing (unknown or expired token).
    NothingToConfirm,
    Ran {
        translation: Translation,
        verdict: VerdictMsg,
        outcome: Outcome,
    },
}

/// How the pipeline tells the caller what happens, as it happens.
pub trait Progress: Send {
    /// The command is known and judged; called before anything runs. `confirm` is the token
    /// that confirms a destructive command.
    fn planned(
        &mut self,
        _translation: &Translation,
        _verdict: Option<&VerdictMsg>,
        _confirm: Option<&str>,
    ) {
    }
    fn output(&mut self, _chunk: &str) {}
}

/// For callers that only want the end result.
pub struct Quiet;
impl Progress for Quiet {}

#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    /// Natural language, to be translated first.
    Instruction { text: &'a str, lang: Option<Lang> },
    /// A shell command, as typed, and the language its reasons are given in.
    Command(&'a str, Lang),
    /// The command an explorer action stands for (`crate::action`).
    Explorer {
        command: &'a str,
        explanation: &'a str,
        lang: Lang,
    },
}

impl Session {
    pub fn new(client: String, who: Identity) -> Self {
        Self {
            client,
            cwd: Mutex::new(PathBuf::from(who.scope.home())),
            who,
            jobs: std::sync::Mutex::new(HashMap::new()),
            pending: std::sync::Mutex::new(None),
        }
    }

    /// Translates with the names around the session's folder, from the workspace model once it
    /// holds every change made before this instruction (a file another program made a moment
    /// ago is named like any other).
    async fn translate(&self, svc: &Services, text: &str, lang: Option<Lang>) -> Translation {
        let rel = self.cwd.lock().await.clone();
        let tree = svc.workspace.tree();
        tree.fresh().await;
        let started = std::time::Instant::now();
        let mut t = svc.assistant.translate(text, lang, tree, &rel).await;
        svc.metrics
            .translation_seconds
            .observe(started.elapsed().as_secs_f64());
        // A command the rules did not write is shown with what the policy reads in it.
        if t.source != "rules"
            && t.source != "passthrough"
            && let Some(command) = &t.command
        {
            t.details = Some(self.explain(svc, command, t.lang).await.0);
        }
        t
    }

    pub async fn cwd(&self) -> String {
        rel_to_string(&self.cwd.lock().await)
    }

    /// The session's folder, root-relative (waits for a running command to end).
    pub async fn cwd_path(&self) -> PathBuf {
        self.cwd.lock().await.clone()
    }

    /// Whether a command of this session is running now (it holds the folder).
    pub fn busy(&self) -> bool {
        self.cwd.try_lock().is_err()
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
        // A new request while a question is open drops the question, and says so: a later
        // "yes" must not confirm something the person has moved on from.
        if let Some(p) = self.pending.lock().ok().and_then(|mut slot| slot.take())
            && p.at.elapsed() < CONFIRM_TTL
        {
            let command = p.translation.command.clone().unwrap_or_default();
            progress.output(&(crate::tr!(p.lang, "question_dropped", command = command) + "\n"));
        }
        let started = std::time::Instant::now();
        let (raw, translation, lang) = match input {
            Input::Instruction { text, lang } => (
                text,
                self.translate(svc, text, lang).await,
                lang.unwrap_or_default(),
            ),
            Input::Command(cmd, lang) => (
                cmd,
                Translation {
                    command: Some(cmd.to_owned()),
                    explanation: String::new(),
                    source: "typed".into(),
                    confidence: 1.0,
                    lang,
                    understood: true,
                    details: None,
                },
                lang,
            ),
            Input::Explorer {
                command,
                explanation,
                lang,
            } => (
                command,
                Translation {
                    command: Some(command.to_owned()),
                    explanation: explanation.to_owned(),
                    source: "explorer".into(),
                    confidence: 1.0,
                    lang,
                    understood: true,
                    details: None,
                },
                lang,
            ),
        };
        // Reasons are given in the language the instruction was written in.
        let lang = match input {
            Input::Instruction { .. } => translation.lang,
            Input::Command(..) | Input::Explorer { .. } => lang,
        };
        let translated_in = started.elapsed();
        let finished = if translation.command.is_none() {
            progress.planned(&translation, None, None);
            let cwd = self.cwd().await;
            let mut rec = self.record(kind, raw, &translation, cwd, Verdict::NotUnderstood);
            rec.reason = Some("not understood".into());
            svc.decided(rec);
            Finished::NotUnderstood(translation)
        } else {
            let job = Job {
                raw,
                kind,
                translation,
                lang,
            };
            self.judge_and_run(svc, job, Approval::None, &[], cancel, progress)
                .await
        };
        self.log(kind, translated_in, started.elapsed(), &finished);
        finished
    }

    /// What `command` would do from this session's folder, in words; nothing runs.
    pub async fn explain(&self, svc: &Services, command: &str, lang: Lang) -> (String, VerdictMsg) {
        let cwd = self.cwd.lock().await;
        let ctx = Context {
            root: svc.workspace.root(),
            cwd: &cwd,
            rules: &svc.rules,
        };
        policy::scope::within(&self.who.scope, || policy::explain(command, ctx, lang))
    }

    /// Tab: the choices for the word before the cursor, from the rules and the workspace
    /// model (loaded where it was not; the disk is read only then).
    pub async fn complete(
        &self,
        svc: &Services,
        before: &str,
        lang: Lang,
    ) -> crate::complete::Completion {
        let cwd = self.cwd.lock().await.clone();
        let ws = svc.workspace.clone();
        let rules = svc.rules.clone();
        let before = before.to_owned();
        let scope = self.who.scope.clone();
        tokio::task::spawn_blocking(move || {
            // Names outside the person's folders are never offered.
            let list = |rel: &std::path::Path| {
                let folder = rel_to_string(rel);
                if !scope.passes(&folder) {
                    return None;
                }
                let all = scope.allows(&folder);
                ws.tree().listing(rel).ok().map(|items| {
                    items
                        .into_iter()
                        .filter(|(name, _)| {
                            all || {
                                let name = crate::workspace::rawname::text_of_bytes(name.as_ref());
                                let path = if folder.is_empty() {
                                    name
                                } else {
                                    format!("{folder}/{name}")
                                };
                                scope.passes(&path)
                            }
                        })
                        .map(|(name, meta)| (name.into_vec(), meta.is_dir()))
                        .collect()
                })
            };
            let src = crate::complete::Sources {
                rules: &rules,
                list: &list,
                cwd: &cwd,
                lang,
            };
            crate::complete::complete(&before, &src)
        })
        .await
        .unwrap_or_default()
    }

    /// Whether a destructive command is waiting for this session's confirmation.
    pub fn pending_token(&self) -> Option<String> {
        let pending = self.pending.lock().ok()?;
        pending
            .as_ref()
            .filter(|p| p.at.elapsed() < CONFIRM_TTL)
            .map(|p| p.token.clone())
    }

    /// Drops the waiting command; the language it was asked in, if there was one.
    pub fn discard_pending(&self) -> Option<Lang> {
        self.pending
            .lock()
            .ok()
            .and_then(|mut p| p.take())
            .map(|p| p.lang)
    }

    /// Runs the destructive command `token` stands for. It is judged again first: if it
    /// would now touch paths the user did not see, it asks again.
    pub async fn confirm(
        &self,
        svc: &Services,
        token: &str,
        approval: Approval,
        cancel: Option<&Notify>,
        progress: &mut dyn Progress,
    ) -> Finished {
        let taken = self.pending.lock().ok().and_then(|mut slot| {
            let valid = slot
                .as_ref()
                .is_some_and(|p| p.token == token && p.at.elapsed() < CONFIRM_TTL);
            if valid { slot.take() } else { None }
        });
        let Some(p) = taken else {
            return Finished::NothingToConfirm;
        };
        let started = std::time::Instant::now();
        let job = Job {
            raw: &p.raw,
            kind: p.kind,
            translation: p.translation,
            lang: p.lang,
        };
        let approval = match approval {
            Approval::None => Approval::Confirmed,
            other => other,
        };
        let finished = self
            .judge_and_run(svc, job, approval, &p.affected, cancel, progress)
            .await;
        self.log(
            p.kind,
            std::time::Duration::ZERO,
            started.elapsed(),
            &finished,
        );
        finished
    }

    /// One log line per request with its timings, never its text or output (the history keeps
    /// those, for those allowed to read them).
    fn log(
        &self,
        kind: &'static str,
        translated_in: std::time::Duration,
        total: std::time::Duration,
        finished: &Finished,
    ) {
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        let (verdict, translation) = match finished {
            Finished::NotUnderstood(t) => ("not_understood", t),
            Finished::Denied { translation, .. } => ("denied", translation),
            Finished::NeedsConfirmation { translation, .. } => ("confirm", translation),
            Finished::Ran { translation, .. } => ("allowed", translation),
            Finished::NothingToConfirm => return,
        };
        let (exit_code, run_ms, status) = match finished {
            Finished::Ran { outcome, .. } => (
                Some(outcome.exit_code),
                Some(ms(outcome.duration)),
                status_of(outcome),
            ),
            _ => (None, None, "not_run"),
        };
        tracing::info!(
            target: "atajo::request",
            user = %self.who.user,
            client = %self.client,
            kind,
            source = %translation.source,
            verdict,
            status,
            exit_code,
            translate_ms = ms(translated_in),
            run_ms,
            total_ms = ms(total),
            "request"
        );
    }

    async fn judge_and_run(
        &self,
        svc: &Services,
        job: Job<'_>,
        approval: Approval,
        seen: &[String],
        cancel: Option<&Notify>,
        progress: &mut dyn Progress,
    ) -> Finished {
        let Job {
            raw,
            kind,
            translation,
            lang,
        } = job;
        let command = translation.command.clone().unwrap_or_default();
        let mut cwd = self.cwd.lock().await;
        let ws = &svc.workspace;
        let checked = policy::scope::within(&self.who.scope, || {
            policy::check(
                &command,
                Context {
                    root: ws.root(),
                    cwd: &cwd,
                    rules: &svc.rules,
                },
            )
        });
        let verdict = policy::verdict(&checked, lang);
        let checked = match checked {
            Ok(c) => c,
            Err(Denial { .. }) => {
                progress.planned(&translation, Some(&verdict), None);
                let mut rec = self.record(
                    kind,
                    raw,
                    &translation,
                    rel_to_string(&cwd),
                    Verdict::Denied,
                );
                rec.reason = verdict.reason.clone();
                svc.decided(rec);
                return Finished::Denied {
                    translation,
                    verdict,
                };
            }
        };
        let confirmed =
            approval != Approval::None && checked.affected.iter().all(|a| seen.contains(a));
        if checked.risk == Risk::Destructive && !confirmed {
            let mut rec = self.record(
                kind,
                raw,
                &translation,
                rel_to_string(&cwd),
                Verdict::Confirm,
            );
            drop(cwd);
            let token = new_token();
            rec.reason = Some("awaiting confirmation".into());
            svc.decided(rec);
            if let Ok(mut slot) = self.pending.lock() {
                *slot = Some(Pending {
                    token: token.clone(),
                    raw: raw.to_owned(),
                    kind,
                    translation: translation.clone(),
                    lang,
                    affected: checked.affected.clone(),
                    at: std::time::Instant::now(),
                });
            }
            // Asked only once the answer can be taken: a quick "yes" must find the question.
            progress.planned(&translation, Some(&verdict), Some(&token));
            return Finished::NeedsConfirmation {
                translation,
                verdict,
                token,
            };
        }
        let sandbox = match svc.sandbox_for(&self.who.scope) {
            Ok(s) => s,
            Err(e) => {
                // Never run unconfined: say why nothing ran.
                tracing::error!(error = %e, user = %self.who.user, "cannot narrow the sandbox");
                svc.metrics.sandbox_failures.inc();
                let verdict = VerdictMsg {
                    allowed: false,
                    risk: verdict.risk,
                    reason: Some(crate::tr!(lang, "sandbox_unavailable", why = e)),
                    affected: Vec::new(),
                };
                progress.planned(&translation, Some(&verdict), None);
                return Finished::Denied {
                    translation,
                    verdict,
                };
            }
        };
        progress.planned(&translation, Some(&verdict), None);
        let mut rec = self.record(
            kind,
            raw,
            &translation,
            rel_to_string(&cwd),
            Verdict::Allowed,
        );
        rec.approval = match approval {
            Approval::None => None,
            Approval::Confirmed => Some("trash"),
            Approval::Permanent => Some("permanent"),
        };
        svc.metrics
            .request(kind, rec.source.as_deref(), Verdict::Allowed.as_str());
        let running = svc.history.started(rec);
        let mut sink = |chunk: &str| progress.output(chunk);
        let outcome = exec::run(
            &checked,
            approval == Approval::Permanent,
            ws,
            &sandbox,
            &cwd,
            svc.limits,
            cancel,
            &mut sink,
            lang,
        )
        .await;
        if outcome.not_started {
            svc.metrics.sandbox_failures.inc();
        }
        if !outcome.created.is_empty() {
            // Into the model now, so the explorers and this session's next instruction see
            // it without waiting for the watcher.
            let changes = ws.tree().announce(&outcome.created);
            if let Some(tx) = svc.announce.as_ref().filter(|_| !changes.is_empty()) {
                let _ = tx.send(WatchMsg::Announced(changes, ws.tree().stamp()));
            }
        }
        *cwd = outcome.cwd.clone();
        drop(cwd);
        svc.metrics
            .command_seconds
            .observe(outcome.duration.as_secs_f64());
        svc.history.finished(
            running,
            Ended {
                exit_code: outcome.exit_code,
                duration_ms: outcome.duration.as_secs_f64() * 1000.0,
                output: outcome.output.clone(),
                status: status_of(&outcome),
            },
        );
        Finished::Ran {
            translation,
            verdict,
            outcome,
        }
    }

    /// The history's record of a request of this session (reason and approval unset).
    fn record(
        &self,
        kind: &'static str,
        input: &str,
        translation: &Translation,
        cwd: String,
        verdict: Verdict,
    ) -> Record {
        Record {
            client: self.client.clone(),
            user: self.who.user.clone(),
            session: self.who.session,
            kind,
            source: Some(translation.source.clone()),
            cwd,
            input: input.to_owned(),
            command: translation.command.clone(),
            verdict,
            reason: None,
            approval: None,
        }
    }

    /// Writes down a request this session's role may not make (a viewer's), with why.
    pub async fn forbidden(&self, svc: &Services, kind: &'static str, input: &str, why: &str) {
        svc.decided(Record {
            client: self.client.clone(),
            user: self.who.user.clone(),
            session: self.who.session,
            kind,
            source: None,
            cwd: self.cwd().await,
            input: input.to_owned(),
            command: None,
            verdict: Verdict::Forbidden,
            reason: Some(why.to_owned()),
            approval: None,
        });
    }
}
