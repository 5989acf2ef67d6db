//! Socket.IO: authentication of every connection, then the handlers of both protocols. The
//! handlers only validate and translate messages; the work is done by `session`.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value;
use socketioxide::extract::{AckSender, SocketRef, State, TryData};
use tracing::{debug, warn};

use super::App;
use super::auth::{COOKIE, cookie_value, query_value};
use crate::assistant::Translation;
use crate::feed::{self, FeedHandle};
use crate::lang::Lang;
use crate::protocol::{
    Action, ActionRefused, ActionRequest, CancelRequest, ChangeKind, CommandRequest,
    CompleteRequest, CompletionMsg, ConfirmRequest, CwdMsg, ErrorTerminal, ExitMsg, ExplainRequest,
    ExplanationMsg, FileEvent, FsChange, FsChanges, FsWarning, Hello, InstructionRequest,
    ListReply, ListRequest, ListingPage, OutputChunk, Plan, ProtocolError, RefusalKind,
    RespuestaTerminal, SubscribeReply, SubscribeRequest, VerdictMsg, event,
};
use crate::session::{Approval, Finished, Input, MAX_INPUT_BYTES, Progress, Quiet, Session};
use crate::workspace::{self, client_rel_path};

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("unauthorized: a valid token is required (auth: {{token}} or ?token=)")]
    Unauthorized,
}

/// Runs before the socket joins the namespace: nothing reaches a handler without credentials.
/// A cookie alone counts only with an Origin header (checked by the HTTP guard): a browser
/// always sends one on WebSocket, while a script without Origin must present the token.
pub async fn authenticate(
    s: SocketRef,
    TryData(auth): TryData<Value>,
    State(app): State<Arc<App>>,
) -> Result<(), AuthError> {
    let parts = s.req_parts();
    let auth = auth.ok();
    let from_auth = auth
        .as_ref()
        .and_then(|v| v.get("token").and_then(Value::as_str).map(str::to_owned));
    let auth_lang = auth
        .as_ref()
        .and_then(|v| v.get("lang").and_then(Value::as_str))
        .and_then(Lang::from_tag);
    let from_query = parts
        .uri
        .query()
        .and_then(|q| query_value(q, "token"))
        .map(str::to_owned);
    let token_ok = from_auth
        .iter()
        .chain(from_query.iter())
        .any(|t| app.auth.token_ok(t));
    let has_origin = parts.headers.contains_key(http::header::ORIGIN);
    let cookie_ok = has_origin
        && parts
            .headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|h| h.to_str().ok())
            .filter_map(|h| cookie_value(h, COOKIE))
            .any(|c| app.auth.session_ok(c));
    if token_ok || cookie_ok {
        // The language of what this connection is told when a request does not say one.
        let lang = auth_lang
            .or_else(|| {
                parts
                    .uri
                    .query()
                    .and_then(|q| query_value(q, "lang"))
                    .and_then(Lang::from_tag)
            })
            .or_else(|| {
                parts
                    .headers
                    .get(http::header::ACCEPT_LANGUAGE)
                    .and_then(|h| h.to_str().ok())
                    .and_then(Lang::from_accept_language)
            })
            .unwrap_or_default();
        s.extensions.insert(SocketLang(lang));
        prepare(&s, &app);
        Ok(())
    } else {
        warn!(sid = %s.id, "refused a Socket.IO connection without valid credentials");
        Err(AuthError::Unauthorized)
    }
}

/// The language a connection asked for when it connected (`auth.lang`, `?lang=`, or its
/// Accept-Language): what it is told in when a request names none.
#[derive(Debug, Clone, Copy)]
struct SocketLang(Lang);

/// A connection as the destination of its feed.
struct SocketSink(SocketRef);

/// Emits, telling a full outgoing buffer (wait and retry) from a closed connection.
pub(super) fn try_emit<T: serde::Serialize + ?Sized>(
    s: &SocketRef,
    name: &str,
    data: &T,
) -> Result<(), feed::SendError> {
    use socketioxide::{SendError, SocketError};
    match s.emit(name, data) {
        Ok(()) => Ok(()),
        Err(SendError::Socket(SocketError::InternalChannelFull)) => Err(feed::SendError::Full),
        Err(SendError::Socket(_)) => Err(feed::SendError::Closed),
        Err(SendError::Serialize(e)) => {
            // Our own types always serialize; never stall on one that would not.
            warn!(error = ?e, event = name, "cannot encode a message");
            Ok(())
        }
    }
}

impl SocketSink {
    fn emit<T: serde::Serialize + ?Sized>(
        &self,
        name: &str,
        data: &T,
    ) -> Result<(), feed::SendError> {
        try_emit(&self.0, name, data)
    }
}

impl feed::Sink for SocketSink {
    fn compat(&self, c: &FsChange) -> Result<(), feed::SendError> {
        let name = match c.kind {
            ChangeKind::Created => event::NUEVO_ARCHIVO,
            ChangeKind::Modified => event::ACTUALIZAR_ARCHIVO,
            ChangeKind::Removed => return Ok(()),
        };
        self.emit(
            name,
            &FileEvent {
                // The original design's clients only show it.
                ruta: workspace::rawname::lossy(&c.path).into_owned(),
            },
        )
    }

    fn changes(&self, batch: &FsChanges) -> Result<(), feed::SendError> {
        self.emit(event::FS_CHANGES, batch)
    }

    fn listing(&self, page: &ListingPage) -> Result<(), feed::SendError> {
        self.emit(event::LISTING, page)
    }

    fn warning(&self, w: &FsWarning) -> Result<(), feed::SendError> {
        self.emit(event::FS_WARNING, w)
    }
}

/// A connection's session, feed and handlers. Called by `authenticate`, before the client is
/// told it is connected: socketioxide sends the CONNECT packet after the middleware and only
/// then spawns `on_connect`, so an event the client sends the moment it is connected (the web
/// app's first `subscribe`, a test's `list`) would otherwise find no handler and be dropped
/// with its acknowledgement (a CI run hung on it).
fn prepare(s: &SocketRef, app: &App) {
    s.extensions
        .insert(Arc::new(Session::new(s.id.to_string())));
    s.extensions.insert(Arc::new(
        app.hub.attach(SocketSink(s.clone()), lang_of(s, None)),
    ));
    s.on_disconnect(|s: SocketRef, State(app): State<Arc<App>>| async move {
        // The feed holds the socket: let it go.
        s.extensions.remove::<Arc<FeedHandle>>();
        super::shell::disconnected(&s, &app);
        debug!(sid = %s.id, "disconnected");
    });
    s.on(event::COMANDO_NATURAL, comando_natural);
    s.on(event::INSTRUCTION, instruction);
    s.on(event::COMMAND, command);
    s.on(event::LIST, list);
    s.on(event::SUBSCRIBE, subscribe);
    s.on(event::UNSUBSCRIBE, unsubscribe);
    s.on(event::CANCEL, cancel);
    s.on(event::CONFIRM, confirm);
    s.on(event::EXPLAIN, explain);
    s.on(event::COMPLETE, complete);
    s.on(event::ACTION, action);
    super::shell::register(s, app);
    s.on_fallback(|s: SocketRef, socketioxide::extract::Event(name): socketioxide::extract::Event| async move {
        let lang = lang_of(&s, None);
        protocol_error(&s, &name, &crate::tr!(lang, "unknown_event"));
    });
}

pub async fn on_connect(s: SocketRef, State(app): State<Arc<App>>) {
    debug!(sid = %s.id, "connected");
    let cwd = match session_of(&s) {
        Some(session) => session.cwd().await,
        None => String::new(),
    };
    let hello = Hello {
        version: env!("CARGO_PKG_VERSION").into(),
        root_name: app.services.workspace.name(),
        cwd,
        seq: 0,
        shell: app.terminals.is_some(),
    };
    let _ = s.emit(event::HELLO, &hello);
}

fn session_of(s: &SocketRef) -> Option<Arc<Session>> {
    s.extensions.get::<Arc<Session>>()
}

pub(super) fn protocol_error(s: &SocketRef, event_name: &str, message: &str) {
    let _ = s.emit(
        event::PROTOCOL_ERROR,
        &ProtocolError {
            event: event_name.into(),
            message: message.into(),
        },
    );
}

/// Decodes a payload, or says in words (the connection's language) what is wrong with it.
pub(super) fn decode<T: DeserializeOwned>(
    s: &SocketRef,
    data: Result<Value, impl std::fmt::Display>,
) -> Result<T, String> {
    let lang = lang_of(s, None);
    let value = data.map_err(|e| crate::tr!(lang, "payload_not_json", why = e))?;
    serde_json::from_value(value).map_err(|e| crate::tr!(lang, "payload_malformed", why = e))
}

/// A request's `lang` tag, else the connection's language, else English.
pub(super) fn lang_of(s: &SocketRef, tag: Option<&str>) -> Lang {
    tag.and_then(Lang::from_tag)
        .or_else(|| s.extensions.get::<SocketLang>().map(|l| l.0))
        .unwrap_or_default()
}

fn too_long(s: &SocketRef, len: usize) -> Option<String> {
    (len > MAX_INPUT_BYTES).then(|| {
        crate::tr!(
            lang_of(s, None),
            "too_long",
            len = len,
            max = MAX_INPUT_BYTES
        )
    })
}

// ---- the original design's event ----

#[derive(serde::Deserialize)]
struct ComandoNatural {
    texto: String,
}

async fn comando_natural(s: SocketRef, TryData(data): TryData<Value>, State(app): State<Arc<App>>) {
    let started = std::time::Instant::now();
    let bad = |output: String| ErrorTerminal {
        output,
        command: None,
        reason: "bad_request".into(),
    };
    let req: ComandoNatural = match decode(&s, data) {
        Ok(r) => r,
        Err(e) => {
            let msg = crate::tr!(lang_of(&s, None), "texto_required", why = e);
            reply(&s, event::ERROR_TERMINAL, &bad(msg)).await;
            return;
        }
    };
    if let Some(e) = too_long(&s, req.texto.len()) {
        reply(
            &s,
            event::ERROR_TERMINAL,
            &bad(format!("instrucción demasiado larga / instruction {e}")),
        )
        .await;
        return;
    }
    let Some(session) = session_of(&s) else {
        return;
    };
    // A reply to a pending confirmation ("confirmar", "yes", "cancelar" …) answers it.
    let answer = session
        .pending_token()
        .and_then(|token| confirmation_answer(&req.texto).map(|a| (token, a)));
    let finished = match answer {
        Some((_, None)) => {
            let lang = session
                .discard_pending()
                .unwrap_or_else(|| lang_of(&s, None));
            reply(
                &s,
                event::RESPUESTA_TERMINAL,
                &RespuestaTerminal {
                    output: crate::tr!(lang, "confirm_cancelled") + "\n",
                    command: String::new(),
                    exit_code: 0,
                },
            )
            .await;
            return;
        }
        Some((token, Some(approval))) => {
            session
                .confirm(&app.services, &token, approval, None, &mut Quiet)
                .await
        }
        None => {
            let input = Input::Instruction {
                text: &req.texto,
                lang: None,
            };
            session
                .run(
                    &app.services,
                    input,
                    event::COMANDO_NATURAL,
                    None,
                    &mut Quiet,
                )
                .await
        }
    };
    let (name, value) = match finished {
        Finished::Ran {
            translation,
            outcome,
            ..
        } => msg(
            event::RESPUESTA_TERMINAL,
            &RespuestaTerminal {
                output: outcome.output,
                command: translation.command.unwrap_or_default(),
                exit_code: outcome.exit_code,
            },
        ),
        Finished::NotUnderstood(t) => msg(
            event::ERROR_TERMINAL,
            &ErrorTerminal {
                output: t.explanation,
                command: None,
                reason: "not_understood".into(),
            },
        ),
        Finished::Denied {
            translation,
            verdict,
        } => msg(
            event::ERROR_TERMINAL,
            &ErrorTerminal {
                output: verdict.reason.unwrap_or_default(),
                command: translation.command,
                reason: "denied".into(),
            },
        ),
        Finished::NeedsConfirmation {
            translation,
            verdict,
            ..
        } => msg(
            event::ERROR_TERMINAL,
            &ErrorTerminal {
                output: confirmation_text(
                    translation.command.as_deref().unwrap_or_default(),
                    &verdict.affected,
                    translation.lang,
                ),
                command: translation.command,
                reason: "confirmation_required".into(),
            },
        ),
        Finished::NothingToConfirm => msg(
            event::ERROR_TERMINAL,
            &ErrorTerminal {
                output: crate::tr!(lang_of(&s, None), "nothing_to_confirm"),
                command: None,
                reason: "nothing_to_confirm".into(),
            },
        ),
    };
    let handled = started.elapsed();
    reply(&s, name, &value).await;
    // What the server itself adds to an answer (the storm benchmark's tail is elsewhere).
    debug!(
        handled_ms = handled.as_secs_f64() * 1000.0,
        total_ms = started.elapsed().as_secs_f64() * 1000.0,
        "comando_natural answered"
    );
}

/// What a compatibility client must do to confirm a destructive command, in words.
fn confirmation_text(command: &str, affected: &[String], lang: Lang) -> String {
    let list = affected.join(", ");
    crate::tr!(lang, "confirm_compat", command = command, list = list) + "\n"
}

/// A yes (to the trash, or permanently) or a no to a pending confirmation; `None` when the
/// text is a new instruction instead.
fn confirmation_answer(text: &str) -> Option<Option<Approval>> {
    let t = crate::assistant::fold(text);
    let t = t.trim_matches(|c: char| !c.is_alphanumeric());
    const YES: [&str; 12] = [
        "si",
        "s",
        "confirmar",
        "confirmo",
        "confirma",
        "confirm",
        "yes",
        "y",
        "ok",
        "vale",
        "adelante",
        "go ahead",
    ];
    const NO: [&str; 6] = ["no", "n", "cancelar", "cancela", "cancel", "anular"];
    if NO.contains(&t) {
        return Some(None);
    }
    let permanent = t.contains("definitiv") || t.contains("permanent");
    let first = t.split(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
    if YES.contains(&t)
        || (permanent && (YES.contains(&first) || first == "borrar" || first == "delete"))
    {
        return Some(Some(if permanent {
            Approval::Permanent
        } else {
            Approval::Confirmed
        }));
    }
    None
}

// ---- the project's own protocol ----

/// Streams a request's plan and output to the client that made it. What the client's full
/// buffer refuses waits here, in order, and goes before the request's `exit`.
struct Stream {
    s: SocketRef,
    id: String,
    backlog: std::collections::VecDeque<(&'static str, Value)>,
}

impl Stream {
    fn send<T: serde::Serialize>(&mut self, name: &'static str, data: &T) {
        let value = match serde_json::to_value(data) {
            Ok(v) => v,
            Err(e) => return warn!(error = %e, event = name, "cannot encode a message"),
        };
        if self.backlog.is_empty() && try_emit(&self.s, name, &value) != Err(feed::SendError::Full)
        {
            return;
        }
        self.backlog.push_back((name, value));
    }

    async fn flush(&mut self) {
        while let Some((name, value)) = self.backlog.pop_front() {
            reply(&self.s, name, &value).await;
        }
    }
}

fn msg<T: serde::Serialize>(name: &'static str, data: &T) -> (&'static str, Value) {
    (name, serde_json::to_value(data).unwrap_or(Value::Null))
}

/// Sends a reply, waiting out a full outgoing buffer (a client slow to read a storm of file
/// events still gets its answer, after them) for up to a minute.
async fn reply<T: serde::Serialize + ?Sized>(s: &SocketRef, name: &str, data: &T) {
    let sent = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        feed::patiently(|| try_emit(s, name, data)),
    )
    .await;
    if !matches!(sent, Ok(Ok(()))) {
        debug!(sid = %s.id, event = name, "reply not sent: the connection is closed or stalled");
    }
}

impl Progress for Stream {
    fn planned(&mut self, t: &Translation, verdict: Option<&VerdictMsg>, confirm: Option<&str>) {
        let plan = Plan {
            confirm: confirm.map(str::to_owned),
            id: self.id.clone(),
            command: t.command.clone(),
            explanation: t.explanation.clone(),
            source: t.source.clone(),
            confidence: t.confidence,
            verdict: verdict.cloned(),
            details: t.details.clone(),
        };
        self.send(event::PLAN, &plan);
    }

    fn output(&mut self, chunk: &str) {
        let chunk = OutputChunk {
            id: self.id.clone(),
            data: chunk.to_owned(),
        };
        self.send(event::OUTPUT, &chunk);
    }
}

/// What a streamed request asks the session for.
enum Ask<'a> {
    Run(Input<'a>, &'static str),
    Confirm(&'a str, Approval),
}

async fn run_streamed(s: SocketRef, app: Arc<App>, id: String, ask: Ask<'_>) {
    let Some(session) = session_of(&s) else {
        return;
    };
    let before = session.cwd().await;
    let mut stream = Stream {
        s: s.clone(),
        id: id.clone(),
        backlog: Default::default(),
    };
    let cancel = session.register(&id);
    let finished = match ask {
        Ask::Run(input, kind) => {
            session
                .run(&app.services, input, kind, Some(&cancel), &mut stream)
                .await
        }
        Ask::Confirm(token, approval) => {
            session
                .confirm(&app.services, token, approval, Some(&cancel), &mut stream)
                .await
        }
    };
    session.forget(&id);
    if matches!(finished, Finished::NothingToConfirm) {
        let lang = lang_of(&s, None);
        protocol_error(
            &s,
            event::CONFIRM,
            &crate::tr!(lang, "confirm_unknown_token"),
        );
    }
    let cwd = session.cwd().await;
    let exit = match &finished {
        Finished::Ran { outcome, .. } => ExitMsg {
            id,
            code: outcome.exit_code,
            truncated: outcome.truncated,
            timed_out: outcome.timed_out,
            cancelled: outcome.cancelled,
            duration_ms: outcome.duration.as_secs_f64() * 1000.0,
            cwd: cwd.clone(),
        },
        Finished::NotUnderstood(_)
        | Finished::Denied { .. }
        | Finished::NeedsConfirmation { .. }
        | Finished::NothingToConfirm => ExitMsg {
            id,
            code: -1,
            truncated: false,
            timed_out: false,
            cancelled: false,
            duration_ms: 0.0,
            cwd: cwd.clone(),
        },
    };
    stream.flush().await;
    reply(&s, event::EXIT, &exit).await;
    if cwd != before {
        reply(&s, event::CWD, &CwdMsg { cwd }).await;
    }
}

async fn instruction(s: SocketRef, TryData(data): TryData<Value>, State(app): State<Arc<App>>) {
    let req: InstructionRequest = match decode(&s, data) {
        Ok(r) => r,
        Err(e) => return protocol_error(&s, event::INSTRUCTION, &e),
    };
    if let Some(e) = too_long(&s, req.text.len()) {
        return protocol_error(&s, event::INSTRUCTION, &e);
    }
    // Unsaid, the instruction's own words decide; the connection's language breaks ties.
    let lang = req.lang.as_deref().and_then(Lang::from_tag);
    let input = Input::Instruction {
        text: &req.text,
        lang,
    };
    run_streamed(s, app, req.id.clone(), Ask::Run(input, event::INSTRUCTION)).await;
}

async fn command(s: SocketRef, TryData(data): TryData<Value>, State(app): State<Arc<App>>) {
    let req: CommandRequest = match decode(&s, data) {
        Ok(r) => r,
        Err(e) => return protocol_error(&s, event::COMMAND, &e),
    };
    if let Some(e) = too_long(&s, req.command.len()) {
        return protocol_error(&s, event::COMMAND, &e);
    }
    let lang = lang_of(&s, req.lang.as_deref());
    run_streamed(
        s,
        app,
        req.id.clone(),
        Ask::Run(Input::Command(&req.command, lang), event::COMMAND),
    )
    .await;
}

/// An explorer action: made into the command it stands for, then run like a typed one.
async fn action(s: SocketRef, TryData(data): TryData<Value>, State(app): State<Arc<App>>) {
    let req: ActionRequest = match decode(&s, data) {
        Ok(r) => r,
        Err(e) => return protocol_error(&s, event::ACTION, &e),
    };
    let Some(session) = session_of(&s) else {
        return;
    };
    let lang = lang_of(&s, req.lang.as_deref());
    // The terminal and the explorer share one folder: it does not move under a running command.
    let built = if matches!(req.action, Action::Open { .. }) && session.busy() {
        Err(crate::action::Refused {
            kind: RefusalKind::Busy,
            message: crate::tr!(lang, "cwd_busy"),
        })
    } else {
        let cwd = session.cwd_path().await;
        let ws = app.services.workspace.clone();
        let act = req.action.clone();
        tokio::task::spawn_blocking(move || crate::action::build(&ws, &cwd, &act, lang))
            .await
            .unwrap_or_else(|e| {
                Err(crate::action::Refused {
                    kind: RefusalKind::Invalid,
                    message: crate::tr!(lang, "action_failed", why = e),
                })
            })
    };
    match built {
        Ok(b) => {
            let input = Input::Explorer {
                command: &b.command,
                explanation: &b.explanation,
                lang,
            };
            run_streamed(s, app, req.id.clone(), Ask::Run(input, event::ACTION)).await;
        }
        Err(r) => {
            debug!(sid = %s.id, kind = ?r.kind, "action refused");
            let refusal = ActionRefused {
                id: req.id.clone(),
                kind: r.kind,
                message: r.message,
            };
            reply(&s, event::ACTION_REFUSED, &refusal).await;
        }
    }
}

async fn confirm(s: SocketRef, TryData(data): TryData<Value>, State(app): State<Arc<App>>) {
    let req: ConfirmRequest = match decode(&s, data) {
        Ok(r) => r,
        Err(e) => return protocol_error(&s, event::CONFIRM, &e),
    };
    let approval = if req.permanent.unwrap_or(false) {
        Approval::Permanent
    } else {
        Approval::Confirmed
    };
    run_streamed(s, app, req.id.clone(), Ask::Confirm(&req.token, approval)).await;
}

async fn explain(s: SocketRef, TryData(data): TryData<Value>, State(app): State<Arc<App>>) {
    let req: ExplainRequest = match decode(&s, data) {
        Ok(r) => r,
        Err(e) => return protocol_error(&s, event::EXPLAIN, &e),
    };
    if let Some(e) = too_long(&s, req.command.len()) {
        return protocol_error(&s, event::EXPLAIN, &e);
    }
    let Some(session) = session_of(&s) else {
        return;
    };
    let lang = lang_of(&s, req.lang.as_deref());
    // `? rules`: the programs atajo runs, since `atajo rules` cannot run here.
    let (text, verdict) = if req.command.trim() == "rules" {
        let verdict = VerdictMsg {
            allowed: true,
            risk: crate::protocol::Risk::Read,
            reason: None,
            affected: Vec::new(),
        };
        (app.services.rules.listing(lang), verdict)
    } else {
        session.explain(&app.services, &req.command, lang).await
    };
    let answer = ExplanationMsg {
        id: req.id,
        command: req.command,
        text,
        verdict,
    };
    reply(&s, event::EXPLANATION, &answer).await;
}

async fn complete(s: SocketRef, TryData(data): TryData<Value>, State(app): State<Arc<App>>) {
    let req: CompleteRequest = match decode(&s, data) {
        Ok(r) => r,
        Err(e) => return protocol_error(&s, event::COMPLETE, &e),
    };
    if let Some(e) = too_long(&s, req.before.len()) {
        return protocol_error(&s, event::COMPLETE, &e);
    }
    let Some(session) = session_of(&s) else {
        return;
    };
    let lang = lang_of(&s, req.lang.as_deref());
    let done = session.complete(&app.services, &req.before, lang).await;
    let answer = CompletionMsg {
        id: req.id,
        word: done.word,
        candidates: done.candidates,
        more: u32::try_from(done.more).unwrap_or(u32::MAX),
    };
    reply(&s, event::COMPLETION, &answer).await;
}

async fn cancel(s: SocketRef, TryData(data): TryData<Value>) {
    let req: CancelRequest = match decode(&s, data) {
        Ok(r) => r,
        Err(e) => return protocol_error(&s, event::CANCEL, &e),
    };
    let Some(session) = session_of(&s) else {
        return;
    };
    if !session.cancel(&req.id) {
        let lang = lang_of(&s, None);
        protocol_error(&s, event::CANCEL, &crate::tr!(lang, "cancel_unknown"));
    }
}

async fn list(
    s: SocketRef,
    TryData(data): TryData<Value>,
    ack: AckSender,
    State(app): State<Arc<App>>,
) {
    let failed = |path: String, error: String| ListReply {
        ok: false,
        path,
        entries: Vec::new(),
        total: 0,
        error: Some(error),
    };
    let reply = match decode::<ListRequest>(&s, data) {
        Err(e) => failed(String::new(), e),
        Ok(req) => {
            let lang = lang_of(&s, req.lang.as_deref());
            let ws = app.services.workspace.clone();
            ws.tree().fresh().await;
            let path = req.path.clone();
            let offset = req.offset.unwrap_or(0) as usize;
            let limit = req.limit.map_or(usize::MAX, |l| l as usize);
            let listed = tokio::task::spawn_blocking(move || {
                let rel = client_rel_path(&path).ok_or_else(|| crate::tr!(lang, "path_inside"))?;
                let shown = if path.is_empty() { "/" } else { path.as_str() };
                let items = ws.tree().listing(&rel).map_err(|e| {
                    let why = crate::text::os_error(lang, &e);
                    crate::tr!(lang, "listing_failed", path = shown, why = why)
                })?;
                let page = items
                    .iter()
                    .skip(offset)
                    .take(limit)
                    .map(|(name, meta)| meta.entry(name))
                    .collect::<Vec<_>>();
                Ok::<_, String>((items.len() as u32, page))
            })
            .await;
            match listed {
                Ok(Ok((total, entries))) => ListReply {
                    ok: true,
                    path: req.path,
                    entries,
                    total,
                    error: None,
                },
                Ok(Err(e)) => failed(req.path, e),
                Err(e) => {
                    let why = e.to_string();
                    let shown = req.path.clone();
                    failed(
                        req.path,
                        crate::tr!(lang, "listing_failed", path = shown, why = why),
                    )
                }
            }
        }
    };
    if let Err(e) = ack.send(&reply) {
        debug!(sid = %s.id, error = %e, "list reply not sent");
    }
}

fn feed_of(s: &SocketRef) -> Option<Arc<FeedHandle>> {
    s.extensions.get::<Arc<FeedHandle>>()
}

/// Shows a folder: `listing` pages follow the acknowledgement, then its changes.
async fn subscribe(s: SocketRef, TryData(data): TryData<Value>, ack: AckSender) {
    let reply = match decode::<SubscribeRequest>(&s, data) {
        Err(e) => SubscribeReply {
            ok: false,
            path: String::new(),
            error: Some(e),
        },
        Ok(req) => match feed_of(&s)
            .map(|f| f.subscribe(&req.path, req.lang.as_deref().and_then(Lang::from_tag)))
        {
            Some(Ok(path)) => SubscribeReply {
                ok: true,
                path,
                error: None,
            },
            Some(Err(e)) => SubscribeReply {
                ok: false,
                path: req.path,
                error: Some(e),
            },
            None => SubscribeReply {
                ok: false,
                path: req.path,
                error: Some(crate::tr!(lang_of(&s, None), "connection_closing")),
            },
        },
    };
    if let Err(e) = ack.send(&reply) {
        debug!(sid = %s.id, error = %e, "subscribe reply not sent");
    }
}

async fn unsubscribe(s: SocketRef, TryData(data): TryData<Value>, ack: AckSender) {
    let reply = match decode::<SubscribeRequest>(&s, data) {
        Err(e) => SubscribeReply {
            ok: false,
            path: String::new(),
            error: Some(e),
        },
        Ok(req) => {
            let was = feed_of(&s).is_some_and(|f| f.unsubscribe(&req.path));
            SubscribeReply {
                ok: was,
                error: (!was).then(|| crate::tr!(lang_of(&s, None), "not_subscribed")),
                path: req.path,
            }
        }
    };
    // Scripts may unsubscribe without asking for an acknowledgement.
    let _ = ack.send(&reply);
}
