//! Socket.IO: authentication of every connection, then the handlers of both protocols. The
//! handlers only validate and translate messages; the work is done by `session`.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value;
use socketioxide::extract::{AckSender, SocketRef, State, TryData};
use tracing::{debug, warn};

use super::auth::{COOKIE, cookie_value, query_value};
use super::{App, EXPLORERS};
use crate::assistant::Translation;
use crate::lang::Lang;
use crate::protocol::{
    CancelRequest, CommandRequest, CwdMsg, ErrorTerminal, ExitMsg, Hello, InstructionRequest,
    ListReply, ListRequest, OutputChunk, Plan, ProtocolError, RespuestaTerminal, VerdictMsg, event,
};
use crate::session::{Finished, Input, MAX_INPUT_BYTES, Progress, Quiet, Session};
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
    let from_auth = auth
        .ok()
        .and_then(|v| v.get("token").and_then(Value::as_str).map(str::to_owned));
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
        Ok(())
    } else {
        warn!(sid = %s.id, "refused a Socket.IO connection without valid credentials");
        Err(AuthError::Unauthorized)
    }
}

pub async fn on_connect(s: SocketRef, State(app): State<Arc<App>>) {
    let session = Arc::new(Session::new(s.id.to_string()));
    s.extensions.insert(session.clone());
    debug!(sid = %s.id, "connected");
    let hello = Hello {
        version: env!("CARGO_PKG_VERSION").into(),
        root_name: app.services.workspace.name(),
        cwd: session.cwd().await,
        seq: app.seq(),
    };
    let _ = s.emit(event::HELLO, &hello);

    s.on(event::COMANDO_NATURAL, comando_natural);
    s.on(event::INSTRUCTION, instruction);
    s.on(event::COMMAND, command);
    s.on(event::LIST, list);
    s.on(event::CANCEL, cancel);
    s.on_fallback(|s: SocketRef, socketioxide::extract::Event(name): socketioxide::extract::Event| async move {
        protocol_error(&s, &name, "unknown event");
    });
}

fn session_of(s: &SocketRef) -> Option<Arc<Session>> {
    s.extensions.get::<Arc<Session>>()
}

fn protocol_error(s: &SocketRef, event_name: &str, message: &str) {
    let _ = s.emit(
        event::PROTOCOL_ERROR,
        &ProtocolError {
            event: event_name.into(),
            message: message.into(),
        },
    );
}

/// Decodes a payload, or says in words what is wrong with it.
fn decode<T: DeserializeOwned>(data: Result<Value, impl std::fmt::Display>) -> Result<T, String> {
    let value = data.map_err(|e| format!("the payload is not valid JSON: {e}"))?;
    serde_json::from_value(value).map_err(|e| format!("malformed payload: {e}"))
}

fn too_long(len: usize) -> Option<String> {
    (len > MAX_INPUT_BYTES)
        .then(|| format!("too long: {len} bytes (the limit is {MAX_INPUT_BYTES})"))
}

// ---- the original design's event ----

#[derive(serde::Deserialize)]
struct ComandoNatural {
    texto: String,
}

async fn comando_natural(s: SocketRef, TryData(data): TryData<Value>, State(app): State<Arc<App>>) {
    let bad = |output: String| ErrorTerminal {
        output,
        command: None,
        reason: "bad_request".into(),
    };
    let req: ComandoNatural = match decode(data) {
        Ok(r) => r,
        Err(e) => {
            let msg =
                format!("«texto» (string) es obligatorio / \"texto\" (string) is required: {e}");
            let _ = s.emit(event::ERROR_TERMINAL, &bad(msg));
            return;
        }
    };
    if let Some(e) = too_long(req.texto.len()) {
        let _ = s.emit(
            event::ERROR_TERMINAL,
            &bad(format!("instrucción demasiado larga / instruction {e}")),
        );
        return;
    }
    let Some(session) = session_of(&s) else {
        return;
    };
    let input = Input::Instruction {
        text: &req.texto,
        lang: None,
    };
    let finished = session
        .run(
            &app.services,
            input,
            event::COMANDO_NATURAL,
            None,
            &mut Quiet,
        )
        .await;
    let result = match finished {
        Finished::Ran {
            translation,
            outcome,
            ..
        } => s.emit(
            event::RESPUESTA_TERMINAL,
            &RespuestaTerminal {
                output: outcome.output,
                command: translation.command.unwrap_or_default(),
                exit_code: outcome.exit_code,
            },
        ),
        Finished::NotUnderstood(t) => s.emit(
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
        } => s.emit(
            event::ERROR_TERMINAL,
            &ErrorTerminal {
                output: verdict.reason.unwrap_or_default(),
                command: translation.command,
                reason: "denied".into(),
            },
        ),
    };
    if let Err(e) = result {
        debug!(sid = %s.id, error = %e, "reply not sent");
    }
}

// ---- the project's own protocol ----

/// Streams a request's plan and output to the client that made it.
struct Stream {
    s: SocketRef,
    id: String,
}

impl Progress for Stream {
    fn planned(&mut self, t: &Translation, verdict: Option<&VerdictMsg>) {
        let plan = Plan {
            id: self.id.clone(),
            command: t.command.clone(),
            explanation: t.explanation.clone(),
            source: t.source.clone(),
            confidence: t.confidence,
            verdict: verdict.cloned(),
        };
        let _ = self.s.emit(event::PLAN, &plan);
    }

    fn output(&mut self, chunk: &str) {
        let _ = self.s.emit(
            event::OUTPUT,
            &OutputChunk {
                id: self.id.clone(),
                data: chunk.to_owned(),
            },
        );
    }
}

async fn run_streamed(
    s: SocketRef,
    app: Arc<App>,
    id: String,
    input: Input<'_>,
    kind: &'static str,
) {
    let Some(session) = session_of(&s) else {
        return;
    };
    let before = session.cwd().await;
    let mut stream = Stream {
        s: s.clone(),
        id: id.clone(),
    };
    let cancel = session.register(&id);
    let finished = session
        .run(&app.services, input, kind, Some(&cancel), &mut stream)
        .await;
    session.forget(&id);
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
        Finished::NotUnderstood(_) | Finished::Denied { .. } => ExitMsg {
            id,
            code: -1,
            truncated: false,
            timed_out: false,
            cancelled: false,
            duration_ms: 0.0,
            cwd: cwd.clone(),
        },
    };
    let _ = s.emit(event::EXIT, &exit);
    if cwd != before {
        let _ = s.emit(event::CWD, &CwdMsg { cwd });
    }
}

async fn instruction(s: SocketRef, TryData(data): TryData<Value>, State(app): State<Arc<App>>) {
    let req: InstructionRequest = match decode(data) {
        Ok(r) => r,
        Err(e) => return protocol_error(&s, event::INSTRUCTION, &e),
    };
    if let Some(e) = too_long(req.text.len()) {
        return protocol_error(&s, event::INSTRUCTION, &e);
    }
    let lang = req.lang.as_deref().and_then(Lang::from_tag);
    let input = Input::Instruction {
        text: &req.text,
        lang,
    };
    run_streamed(s, app, req.id.clone(), input, event::INSTRUCTION).await;
}

async fn command(s: SocketRef, TryData(data): TryData<Value>, State(app): State<Arc<App>>) {
    let req: CommandRequest = match decode(data) {
        Ok(r) => r,
        Err(e) => return protocol_error(&s, event::COMMAND, &e),
    };
    if let Some(e) = too_long(req.command.len()) {
        return protocol_error(&s, event::COMMAND, &e);
    }
    run_streamed(
        s,
        app,
        req.id.clone(),
        Input::Command(&req.command),
        event::COMMAND,
    )
    .await;
}

async fn cancel(s: SocketRef, TryData(data): TryData<Value>) {
    let req: CancelRequest = match decode(data) {
        Ok(r) => r,
        Err(e) => return protocol_error(&s, event::CANCEL, &e),
    };
    let Some(session) = session_of(&s) else {
        return;
    };
    if !session.cancel(&req.id) {
        protocol_error(&s, event::CANCEL, "no such request is queued or running");
    }
}

async fn list(
    s: SocketRef,
    TryData(data): TryData<Value>,
    ack: AckSender,
    State(app): State<Arc<App>>,
) {
    let reply = match decode::<ListRequest>(data) {
        Err(e) => ListReply {
            ok: false,
            path: String::new(),
            entries: Vec::new(),
            error: Some(e),
        },
        Ok(req) => {
            // A client that lists is an explorer: from now on it gets the change batches that
            // keep its listing current. Joined before reading, so no change falls in between.
            s.join(EXPLORERS);
            let ws = app.services.workspace.clone();
            let path = req.path.clone();
            let listed = tokio::task::spawn_blocking(move || {
                let rel = client_rel_path(&path)
                    .ok_or_else(|| "the path must stay inside the workspace".to_owned())?;
                let dir = ws.open_dir(rel).map_err(|e| e.to_string())?;
                workspace::list(&dir).map_err(|e| e.to_string())
            })
            .await;
            match listed {
                Ok(Ok(entries)) => ListReply {
                    ok: true,
                    path: req.path,
                    entries,
                    error: None,
                },
                Ok(Err(e)) => ListReply {
                    ok: false,
                    path: req.path,
                    entries: Vec::new(),
                    error: Some(e.to_string()),
                },
                Err(e) => ListReply {
                    ok: false,
                    path: req.path,
                    entries: Vec::new(),
                    error: Some(format!("listing failed: {e}")),
                },
            }
        }
    };
    if let Err(e) = ack.send(&reply) {
        debug!(sid = %s.id, error = %e, "list reply not sent");
    }
}
