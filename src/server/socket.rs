//! Socket.IO: authentication of every connection, then the handlers of both protocols. The
//! handlers only validate and translate messages; the work is done by `session`.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value;
use socketioxide::extract::{State, TryData};

use super::{AckSender, SocketRef};
use tracing::{debug, warn};

use super::App;
use super::auth::{COOKIE, cookie_values, query_value};
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
use crate::users::Identity;
use crate::workspace::{self, client_rel_path};

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("unauthorized: a valid token is required (auth: {{token}} or ?token=)")]
    Unauthorized,
    #[error("unauthorized: log in with your account, or give a token (auth: {{token}})")]
    LogIn,
    #[error("rate limited: too many wrong tokens from this address; retry in {0} s")]
    Limited(u64),
}

/// Who a handshake comes from: a token (`auth.token`, `?token=`: the start-up token or a
/// JWT) or the browser's cookie. A cookie alone counts only with an Origin header (checked by
/// the HTTP guard): a browser always sends one on WebSocket, while a script without Origin
/// must present a token.
fn identify(
    app: &App,
    parts: &http::request::Parts,
    from_auth: Option<String>,
) -> Result<Option<(Identity, Option<String>)>, AuthError> {
    let from_query = parts
        .uri
        .query()
        .and_then(|q| query_value(q, "token"))
        .map(str::to_owned);
    let ip = super::peer_ip(&parts.extensions);
    for token in from_auth.iter().chain(from_query.iter()) {
        match app.auth.by_token(ip, token) {
            Ok(Some(who)) => return Ok(Some((who, None))),
            Ok(None) => {}
            Err(blocked) => return Err(AuthError::Limited(blocked.retry_after.as_secs().max(1))),
        }
    }
    if !parts.headers.contains_key(http::header::ORIGIN) {
        return Ok(None);
    }
    Ok(parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| cookie_values(h, COOKIE))
        .find_map(|c| app.auth.by_cookie(c).map(|who| (who, Some(c.to_owned())))))
}

/// Runs before the socket joins the namespace: nothing reaches a handler without credentials.
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
    let found = identify(&app, parts, from_auth).inspect_err(|e| {
        warn!(sid = %s.id, "refused a Socket.IO connection: {e}");
    })?;
    let Some((who, cookie)) = found else {
        warn!(sid = %s.id, "refused a Socket.IO connection without valid credentials");
        return Err(if app.auth.multi_user() {
            AuthError::LogIn
        } else {
            AuthError::Unauthorized
        });
    };
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
    if let Some(c) = &cookie {
        s.extensions.insert(Csrf(app.auth.csrf_for(c)));
    }
    if let Some(id) = who.session {
        // Where an ended session's connections are found (`super::sessions`).
        s.join(super::sessions::room(id));
    }
    prepare(&s, &app, who);
    Ok(())
}

/// The CSRF token of the cookie a browser connected with, told in `hello`.
#[derive(Debug, Clone)]
struct Csrf(String);

/// Who is on the other end of a connection.
pub(super) fn who(s: &SocketRef) -> Option<Arc<Identity>> {
    s.extensions.get::<Arc<Identity>>()
}

/// Whether this connection's person may run commands; the reason in words when not.
pub(super) fn may_run(s: &SocketRef, lang: Option<Lang>) -> Result<(), String> {
    match who(s) {
        Some(w) if w.role.runs() => Ok(()),
        _ => Err(crate::tr!(
            lang.unwrap_or_else(|| lang_of(s, None)),
            "role_cannot_run"
        )),
    }
}

/// Whether this connection's person may see `path` (a client's root-relative path): in their
/// folders, or on the way to them. The reason in words when not.
pub(super) fn may_see(s: &SocketRef, path: &str, lang: Lang) -> Result<(), String> {
    let scope = who(s).map(|w| w.scope.clone()).unwrap_or_default();
    let rel = client_rel_path(path).ok_or_else(|| crate::tr!(lang, "path_inside"))?;
    if scope.passes(&workspace::rel_to_string(&rel)) {
        Ok(())
    } else {
        Err(crate::tr!(lang, "reason_not_yours", path = path))
    }
}

/// The kind of an explorer's "open folder": a `cd`, which a viewer may do too.
const NAVIGATION: &str = "navigation";

/// The language a connection asked for when it connected (`auth.lang`, `?lang=`, or its
/// Accept-Language): what it is told in when a request names none.
#[derive(Debug, Clone, Copy)]
struct SocketLang(Lang);

/// A connection as the destination of its feed, seeing only what its person may: within
/// their folders, and in the folders above them only the way there.
struct SocketSink {
    s: SocketRef,
    scope: crate::users::Scope,
    /// Entries sent so far of each folder above the person's own being listed: a listing
    /// there is cut down to the way, and its counts follow.
    above: std::sync::Mutex<std::collections::HashMap<String, u32>>,
}

fn beneath(folder: &str, name: &str) -> String {
    if folder.is_empty() {
        name.to_owned()
    } else {
        format!("{folder}/{name}")
    }
}

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
        try_emit(&self.s, name, data)
    }
}

impl feed::Sink for SocketSink {
    fn compat(&self, c: &FsChange) -> Result<(), feed::SendError> {
        if !self.scope.allows(&c.path) {
            return Ok(());
        }
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
        if self.scope.is_all() {
            return self.emit(event::FS_CHANGES, batch);
        }
        // Sent even when nothing is left: the sequence must have no gaps.
        let kept = FsChanges {
            seq: batch.seq,
            changes: batch
                .changes
                .iter()
                .filter(|d| self.scope.passes(&d.path))
                .cloned()
                .collect(),
        };
        self.emit(event::FS_CHANGES, &kept)
    }

    fn listing(&self, page: &ListingPage) -> Result<(), feed::SendError> {
        if self.scope.allows(&page.path) {
            return self.emit(event::LISTING, page);
        }
        let mut above = self.above.lock().unwrap_or_else(|e| e.into_inner());
        let before = if page.offset == 0 {
            0
        } else {
            above.get(&page.path).copied().unwrap_or(0)
        };
        let entries: Vec<_> = page
            .entries
            .iter()
            .filter(|e| self.scope.passes(&beneath(&page.path, &e.name)))
            .cloned()
            .collect();
        let sent = before + u32::try_from(entries.len()).unwrap_or(u32::MAX);
        if page.done {
            above.remove(&page.path);
        } else {
            above.insert(page.path.clone(), sent);
        }
        drop(above);
        let cut = ListingPage {
            seq: page.seq,
            path: page.path.clone(),
            reason: page.reason,
            offset: before,
            total: sent,
            entries,
            done: page.done,
            error: page.error.clone(),
        };
        self.emit(event::LISTING, &cut)
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
fn prepare(s: &SocketRef, app: &App, who: Identity) {
    app.presence.joined(&s.id.to_string(), &who);
    app.services.metrics.connections.inc();
    let sink = SocketSink {
        s: s.clone(),
        scope: who.scope.clone(),
        above: Default::default(),
    };
    s.extensions
        .insert(Arc::new(Session::new(s.id.to_string(), who.clone())));
    s.extensions.insert(Arc::new(who));
    s.extensions
        .insert(Arc::new(app.hub.attach(sink, lang_of(s, None))));
    s.on_disconnect(|s: SocketRef, State(app): State<Arc<App>>| async move {
        // The feed holds the socket: let it go.
        s.extensions.remove::<Arc<FeedHandle>>();
        super::shell::disconnected(&s, &app);
        app.presence.left(&s.id.to_string());
        super::activity::disconnected(&s, &app);
        app.services.metrics.connections.dec();
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
    s.on(event::HISTORY, super::history::history);
    s.on(event::FOLLOW_ACTIVITY, super::activity::follow);
    super::shell::register(s, app);
    super::desktop::register(s);
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
    let who = who(&s).map_or_else(Identity::owner, |w| (*w).clone());
    let hello = Hello {
        version: env!("CARGO_PKG_VERSION").into(),
        root_name: app.services.workspace.name(),
        cwd,
        seq: 0,
        shell: app.terminals.is_some(),
        user: who.user,
        role: who.role,
        roots: who.scope.roots(),
        accounts: app.auth.multi_user(),
        csrf: s.extensions.get::<Csrf>().map(|c| c.0),
        desktop: super::desktop::offered(&s, &app),
        node: app.cluster.node().to_owned(),
    };
    let _ = s.emit(event::HELLO, &hello);
    if let Some(message) = app.services.history.health().borrow().clone() {
        let notice = crate::protocol::Notice {
            kind: "history".into(),
            message: Some(message),
        };
        let _ = s.emit(event::NOTICE, &notice);
    }
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
    if let Err(why) = may_run(&s, None) {
        session
            .forbidden(&app.services, event::COMANDO_NATURAL, &req.texto, &why)
            .await;
        let refused = ErrorTerminal {
            output: why,
            command: None,
            reason: "forbidden".into(),
        };
        reply(&s, event::ERROR_TERMINAL, &refused).await;
        return;
    }
    let cancel = Arc::new(tokio::sync::Notify::new());
    let Some(_counted) = app.drain.enter(cancel.clone()) else {
        let refused = ErrorTerminal {
            output: crate::tr!(lang_of(&s, None), "server_stopping"),
            command: None,
            reason: "stopping".into(),
        };
        reply(&s, event::ERROR_TERMINAL, &refused).await;
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
                .confirm(&app.services, &token, approval, Some(&cancel), &mut Quiet)
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
                    Some(&cancel),
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

/// The `exit` of a request that ran nothing (refused, not understood, waiting for a yes).
fn nothing_ran(id: String, cwd: String) -> ExitMsg {
    ExitMsg {
        id,
        code: -1,
        truncated: false,
        timed_out: false,
        cancelled: false,
        duration_ms: 0.0,
        cwd,
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
    let navigation = matches!(ask, Ask::Run(_, kind) if kind == NAVIGATION);
    if !navigation && let Err(why) = may_run(&s, None) {
        let (kind, input) = match &ask {
            Ask::Run(Input::Instruction { text, .. }, kind) => (*kind, *text),
            Ask::Run(Input::Command(c, _), kind) => (*kind, *c),
            Ask::Run(Input::Explorer { command, .. }, kind) => (*kind, *command),
            Ask::Confirm(..) => (event::CONFIRM, ""),
        };
        session.forbidden(&app.services, kind, input, &why).await;
        // Said like a denial, in the terminal the request came from; nothing ran.
        let plan = Plan {
            confirm: None,
            id: id.clone(),
            command: None,
            explanation: why.clone(),
            source: "policy".into(),
            confidence: 1.0,
            verdict: Some(VerdictMsg {
                allowed: false,
                risk: crate::protocol::Risk::Read,
                reason: Some(why),
                affected: Vec::new(),
            }),
            details: None,
        };
        reply(&s, event::PLAN, &plan).await;
        reply(&s, event::EXIT, &nothing_ran(id, session.cwd().await)).await;
        return;
    }
    let before = session.cwd().await;
    let mut stream = Stream {
        s: s.clone(),
        id: id.clone(),
        backlog: Default::default(),
    };
    let cancel = session.register(&id);
    let Some(_counted) = app.drain.enter(cancel.clone()) else {
        session.forget(&id);
        return stopping(&s, kind_of(&ask), id, before);
    };
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
        | Finished::NothingToConfirm => nothing_ran(id, cwd.clone()),
    };
    stream.flush().await;
    if let Finished::Ran {
        translation,
        outcome,
        ..
    } = &finished
    {
        let command = translation.command.as_deref().unwrap_or_default();
        super::desktop::ended(&s, &app, command, outcome.exit_code, outcome.duration);
    }
    reply(&s, event::EXIT, &exit).await;
    if cwd != before {
        reply(&s, event::CWD, &CwdMsg { cwd }).await;
    }
}

/// The event a streamed request came as.
fn kind_of(ask: &Ask<'_>) -> &'static str {
    match ask {
        Ask::Run(_, kind) => kind,
        Ask::Confirm(..) => event::CONFIRM,
    }
}

/// A request refused because the server is stopping: said as a protocol error, and ended.
fn stopping(s: &SocketRef, kind: &str, id: String, cwd: String) {
    let lang = lang_of(s, None);
    protocol_error(s, kind, &crate::tr!(lang, "server_stopping"));
    let _ = s.emit(event::EXIT, &nothing_ran(id, cwd));
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
    let opens = matches!(req.action, Action::Open { .. });
    // The terminal and the explorer share one folder: it does not move under a running command.
    let built = if !opens && let Err(why) = may_run(&s, Some(lang)) {
        Err(crate::action::Refused {
            kind: RefusalKind::Forbidden,
            message: why,
        })
    } else if opens && session.busy() {
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
            let kind = if opens { NAVIGATION } else { event::ACTION };
            run_streamed(s, app, req.id.clone(), Ask::Run(input, kind)).await;
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
            if let Err(e) = may_see(&s, &req.path, lang) {
                let _ = ack.send(&failed(req.path, e));
                return;
            }
            let scope = who(&s).map(|w| w.scope.clone()).unwrap_or_default();
            let ws = app.services.workspace.clone();
            ws.tree().fresh().await;
            let path = req.path.clone();
            let offset = req.offset.unwrap_or(0) as usize;
            let limit = req.limit.map_or(usize::MAX, |l| l as usize);
            let listed = tokio::task::spawn_blocking(move || {
                let rel = client_rel_path(&path).ok_or_else(|| crate::tr!(lang, "path_inside"))?;
                let shown = if path.is_empty() { "/" } else { path.as_str() };
                let mut items = ws.tree().listing(&rel).map_err(|e| {
                    let why = crate::text::os_error(lang, &e);
                    crate::tr!(lang, "listing_failed", path = shown, why = why)
                })?;
                let folder = workspace::rel_to_string(&rel);
                if !scope.allows(&folder) {
                    // Above the person's folders: only the way to them.
                    items.retain(|(name, _)| {
                        let name = workspace::rawname::text_of_bytes(name.as_ref());
                        scope.passes(&beneath(&folder, &name))
                    });
                }
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
        Ok(req) => match feed_of(&s).map(|f| {
            let lang = lang_of(&s, req.lang.as_deref());
            may_see(&s, &req.path, lang)?;
            f.subscribe(&req.path, req.lang.as_deref().and_then(Lang::from_tag))
        }) {
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
