//! Socket.IO for shell terminals (`pty_*` events): validates, then hands over to
//! `crate::terminal`. A connection remembers the terminals it is attached to and leaves them
//! when it goes (the terminals stay, for its reload to find).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use socketioxide::extract::{State, TryData};

use super::{AckSender, SocketRef};
use tracing::debug;

use super::App;
use super::socket::{decode, lang_of, protocol_error, try_emit, who};
use crate::feed;
use crate::lang::Lang;
use crate::protocol::{
    PtyAckMsg, PtyAttachRequest, PtyCwdMsg, PtyData, PtyExitMsg, PtyInputMsg, PtyListReply,
    PtyOpenRequest, PtyRenameMsg, PtyReply, PtyResizeMsg, PtyTarget, PtyTitleMsg, event,
};
use crate::terminal::{self, Client, SendError, Terminal, ToClient, clamp_size, flow};

/// Keys and pastes larger than this in one event are refused (a paste of a whole file should
/// be an upload).
const MAX_INPUT: usize = 1024 * 1024;

pub(super) fn register(s: &SocketRef, app: &App) {
    s.extensions.insert(Arc::new(Attached::default()));
    s.extensions.insert(Ctx(app.terminals.clone()));
    s.on(event::PTY_LIST, list);
    s.on(event::PTY_OPEN, open);
    s.on(event::PTY_ATTACH, attach);
    s.on(event::PTY_DETACH, |_: InOrder<Detach>| async {});
    s.on(event::PTY_INPUT, |_: InOrder<Input>| async {});
    s.on(event::PTY_RESIZE, |_: InOrder<Resize>| async {});
    s.on(event::PTY_ACK, |_: InOrder<Ack>| async {});
    s.on(event::PTY_RENAME, |_: InOrder<Rename>| async {});
    s.on(event::PTY_CLOSE, |_: InOrder<Close>| async {});
}

/// The server's terminals, where an extractor can reach them.
#[derive(Clone)]
struct Ctx(Option<Arc<terminal::Terminals>>);

/// A fire-and-forget terminal event, applied while socketioxide decodes it. socketioxide runs
/// every handler as a task of its own, so keys handed over from handlers could overtake one
/// another (typing `tty` once reached the shell as `toty`); decoding happens on the
/// connection's own task, in the order the events came.
struct InOrder<T>(std::marker::PhantomData<T>);

trait Apply {
    const EVENT: &'static str;
    type Msg: serde::de::DeserializeOwned;
    fn terminal(msg: &Self::Msg) -> &str;
    fn apply(s: &SocketRef, t: &Terminal, msg: Self::Msg);
}

impl<T: Apply> socketioxide::handler::FromMessageParts<crate::cluster::Adapter> for InOrder<T> {
    type Error = std::convert::Infallible;
    fn from_message_parts(
        s: &Arc<socketioxide::socket::Socket<crate::cluster::Adapter>>,
        v: &mut socketioxide_core::Value,
        ack: &Option<i64>,
    ) -> Result<Self, Self::Error> {
        let TryData(data) = TryData::<Value>::from_message_parts(s, v, ack)?;
        let s = SocketRef::from(s.clone());
        let ctx = s.extensions.get::<Ctx>().and_then(|c| c.0);
        if let Some((msg, t)) = target::<T::Msg>(&s, ctx.as_deref(), T::EVENT, data, T::terminal) {
            T::apply(&s, &t, msg);
        }
        Ok(Self(std::marker::PhantomData))
    }
}

/// The terminals a connection is attached to.
#[derive(Default)]
struct Attached(Mutex<HashSet<String>>);

impl Attached {
    fn set(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Whether a connection's person may watch a terminal: theirs, or one whose shell reaches
/// nothing they may not.
fn visible(s: &SocketRef, t: &Terminal) -> bool {
    who(s).is_some_and(|w| w.user == t.owner().user || w.scope.covers(&t.owner().scope))
}

/// Whether a connection's person may type in, rename or close a terminal: only its owner's.
fn owns(s: &SocketRef, t: &Terminal) -> bool {
    who(s).is_some_and(|w| w.user == t.owner().user && w.role.runs())
}

/// The terminals a connection may see.
fn visible_list(s: &SocketRef, terminals: &terminal::Terminals) -> Vec<terminal::Info> {
    terminals
        .list()
        .into_iter()
        .filter(|i| terminals.get(&i.id).is_some_and(|t| visible(s, &t)))
        .collect()
}

/// Tells every connection the terminals it may see whenever one starts, ends or is renamed.
pub(super) fn announce(terminals: &Arc<terminal::Terminals>, io: super::SocketIo) {
    let registry = Arc::downgrade(terminals);
    terminals.watch(Box::new(move |_| {
        let io = io.clone();
        let registry = registry.clone();
        tokio::spawn(async move {
            let (Some(terminals), Some(ns)) = (registry.upgrade(), io.of("/")) else {
                return;
            };
            for s in ns.sockets() {
                let msg = PtyListReply {
                    enabled: true,
                    terminals: visible_list(&s, &terminals),
                };
                if try_emit(&s, event::PTY_TERMINALS, &msg).is_err() {
                    debug!(sid = %s.id, "terminal list not sent");
                }
            }
        });
    }));
}

/// Leaves every terminal the connection was attached to.
pub(super) fn disconnected(s: &SocketRef, app: &App) {
    let Some(attached) = s.extensions.get::<Arc<Attached>>() else {
        return;
    };
    let Some(terminals) = &app.terminals else {
        return;
    };
    let sid = s.id.to_string();
    for id in attached.set().drain() {
        if let Some(t) = terminals.get(&id) {
            t.detach(&sid);
        }
    }
}

/// A connection as a terminal's client.
struct Sink(SocketRef);

impl Client for Sink {
    fn send(&self, msg: ToClient) -> Result<(), SendError> {
        let sent = match msg {
            ToClient::Replay {
                terminal,
                rows,
                cols,
                data,
            } => try_emit(
                &self.0,
                event::PTY_REPLAY,
                &PtyData {
                    terminal: terminal.to_string(),
                    rows: Some(rows),
                    cols: Some(cols),
                    data,
                },
            ),
            ToClient::Output { terminal, data } => try_emit(
                &self.0,
                event::PTY_OUTPUT,
                &PtyData {
                    terminal: terminal.to_string(),
                    rows: None,
                    cols: None,
                    data,
                },
            ),
            ToClient::Title { terminal, title } => try_emit(
                &self.0,
                event::PTY_TITLE,
                &PtyTitleMsg {
                    terminal: terminal.to_string(),
                    title,
                },
            ),
            ToClient::Cwd { terminal, cwd } => try_emit(
                &self.0,
                event::PTY_CWD,
                &PtyCwdMsg {
                    terminal: terminal.to_string(),
                    cwd,
                },
            ),
            ToClient::Exit { terminal, code } => {
                if let Some(a) = self.0.extensions.get::<Arc<Attached>>() {
                    a.set().remove(&*terminal);
                }
                try_emit(
                    &self.0,
                    event::PTY_EXIT,
                    &PtyExitMsg {
                        terminal: terminal.to_string(),
                        code,
                    },
                )
            }
        };
        sent.map_err(|e| match e {
            feed::SendError::Full => SendError::Full,
            feed::SendError::Closed => SendError::Closed,
        })
    }
}

fn refused(error: String) -> PtyReply {
    PtyReply {
        ok: false,
        terminal: None,
        error: Some(error),
        ack_every: flow::ACK_EVERY as u32,
        readonly: false,
    }
}

fn send_ack<T: serde::Serialize>(s: &SocketRef, ack: AckSender, reply: &T) {
    if let Err(e) = ack.send(reply) {
        debug!(sid = %s.id, error = %e, "terminal reply not sent");
    }
}

/// Answers with the terminal as it will be, then attaches the connection: the replay is sent
/// after the answer, so a client that learns the terminal's id from the answer never misses it.
fn join(
    s: &SocketRef,
    ack: AckSender,
    t: &Arc<Terminal>,
    size: Option<(u16, u16)>,
    readonly: bool,
) {
    let sid = s.id.to_string();
    if let Some(a) = s.extensions.get::<Arc<Attached>>() {
        a.set().insert(t.id().to_owned());
    }
    let mut i = t.info();
    if let Some((rows, cols)) = size.filter(|_| !readonly) {
        // What the terminal will be once this client counts (the smallest of its writers').
        i.rows = i.rows.min(rows);
        i.cols = i.cols.min(cols);
    }
    let reply = PtyReply {
        ok: true,
        terminal: Some(i),
        error: None,
        ack_every: flow::ACK_EVERY as u32,
        readonly,
    };
    send_ack(s, ack, &reply);
    t.attach(&sid, Arc::new(Sink(s.clone())), size, readonly);
}

async fn list(s: SocketRef, ack: AckSender, State(app): State<Arc<App>>) {
    let reply = PtyListReply {
        enabled: app.terminals.is_some(),
        terminals: app
            .terminals
            .as_ref()
            .map(|t| visible_list(&s, t))
            .unwrap_or_default(),
    };
    send_ack(&s, ack, &reply);
}

async fn open(
    s: SocketRef,
    TryData(data): TryData<Value>,
    ack: AckSender,
    State(app): State<Arc<App>>,
) {
    let req: PtyOpenRequest = match decode(&s, data) {
        Ok(r) => r,
        Err(e) => return send_ack(&s, ack, &refused(e)),
    };
    let lang = lang_of(&s, req.lang.as_deref());
    let Some(terminals) = &app.terminals else {
        return send_ack(&s, ack, &refused(crate::tr!(lang, "shell_off")));
    };
    let Some(me) = who(&s) else {
        return;
    };
    if !me.role.runs() {
        return send_ack(&s, ack, &refused(crate::tr!(lang, "role_cannot_run")));
    }
    let root = terminals.root().to_path_buf();
    // Where the person's own folders start, unless they asked for one of them.
    let shown = req.cwd.clone().unwrap_or_else(|| me.scope.home());
    let scope = me.scope.clone();
    let dir = tokio::task::spawn_blocking(move || {
        let dir = folder_beneath(&root, &shown)?;
        let rel = dir.strip_prefix(&root).ok()?;
        scope.allows_path(rel).then_some(dir)
    })
    .await
    .ok()
    .flatten();
    let Some(dir) = dir else {
        let path = req.cwd.unwrap_or_default();
        return send_ack(
            &s,
            ack,
            &refused(crate::tr!(lang, "shell_bad_folder", path = path)),
        );
    };
    let (rows, cols) = clamp_size(req.rows, req.cols);
    let sandbox = match app.services.sandbox_for(&me.scope) {
        Ok(sb) => sb,
        Err(e) => {
            tracing::error!(error = %e, user = %me.user, "cannot narrow the sandbox");
            return send_ack(
                &s,
                ack,
                &refused(crate::tr!(lang, "sandbox_unavailable", why = e)),
            );
        }
    };
    let owner = terminal::Owner {
        user: me.user.clone(),
        scope: me.scope.clone(),
    };
    let opened = terminals.open_for(req.name.as_deref(), &dir, (rows, cols), owner, &sandbox);
    let reply = match opened {
        Ok(t) => return join(&s, ack, &t, Some((rows, cols)), false),
        Err(terminal::OpenError::TooMany { max }) => {
            refused(crate::tr!(lang, "shell_too_many", max = max))
        }
        Err(terminal::OpenError::Spawn(e)) => {
            tracing::warn!(error = %e, "cannot start a shell terminal");
            refused(crate::tr!(lang, "shell_cannot_start", why = e))
        }
    };
    send_ack(&s, ack, &reply);
}

/// `rel` as a real folder beneath `root`, symlinks followed; `None` otherwise.
fn folder_beneath(root: &std::path::Path, rel: &str) -> Option<std::path::PathBuf> {
    let rel = crate::workspace::client_rel_path(rel)?;
    let real = crate::workspace::resolve_existing(root, &rel, "").ok()?;
    real.is_dir().then_some(real)
}

fn find(
    s: &SocketRef,
    terminals: Option<&terminal::Terminals>,
    id: &str,
    lang: Lang,
) -> Result<Arc<Terminal>, String> {
    let terminals = terminals.ok_or_else(|| crate::tr!(lang, "shell_off"))?;
    terminals
        .get(id)
        .filter(|t| visible(s, t))
        .ok_or_else(|| crate::tr!(lang, "shell_unknown", id = id))
}

async fn attach(
    s: SocketRef,
    TryData(data): TryData<Value>,
    ack: AckSender,
    State(app): State<Arc<App>>,
) {
    let req: PtyAttachRequest = match decode(&s, data) {
        Ok(r) => r,
        Err(e) => return send_ack(&s, ack, &refused(e)),
    };
    let lang = lang_of(&s, req.lang.as_deref());
    match find(&s, app.terminals.as_deref(), &req.terminal, lang) {
        Ok(t) => {
            let size = match (req.rows, req.cols) {
                (Some(r), Some(c)) => Some(clamp_size(r, c)),
                _ => None,
            };
            // Someone else's shell is watched, never typed in.
            let readonly = req.readonly.unwrap_or(false) || !owns(&s, &t);
            join(&s, ack, &t, size, readonly);
        }
        Err(e) => send_ack(&s, ack, &refused(e)),
    }
}

/// Decodes a fire-and-forget event and finds its terminal, or tells the client why not.
fn target<T: serde::de::DeserializeOwned>(
    s: &SocketRef,
    terminals: Option<&terminal::Terminals>,
    name: &str,
    data: Result<Value, impl std::fmt::Display>,
    id_of: impl Fn(&T) -> &str,
) -> Option<(T, Arc<Terminal>)> {
    let req: T = match decode(s, data) {
        Ok(r) => r,
        Err(e) => {
            protocol_error(s, name, &e);
            return None;
        }
    };
    match find(s, terminals, id_of(&req), lang_of(s, None)) {
        Ok(t) => Some((req, t)),
        Err(e) => {
            protocol_error(s, name, &e);
            None
        }
    }
}

struct Detach;
impl Apply for Detach {
    const EVENT: &'static str = event::PTY_DETACH;
    type Msg = PtyTarget;
    fn terminal(m: &PtyTarget) -> &str {
        &m.terminal
    }
    fn apply(s: &SocketRef, t: &Terminal, m: PtyTarget) {
        if let Some(a) = s.extensions.get::<Arc<Attached>>() {
            a.set().remove(&m.terminal);
        }
        t.detach(&s.id.to_string());
    }
}

struct Input;
impl Apply for Input {
    const EVENT: &'static str = event::PTY_INPUT;
    type Msg = PtyInputMsg;
    fn terminal(m: &PtyInputMsg) -> &str {
        &m.terminal
    }
    fn apply(s: &SocketRef, t: &Terminal, m: PtyInputMsg) {
        if m.data.len() > MAX_INPUT {
            let lang = lang_of(s, None);
            let e = crate::tr!(lang, "too_long", len = m.data.len(), max = MAX_INPUT);
            return protocol_error(s, event::PTY_INPUT, &e);
        }
        t.input(&s.id.to_string(), bytes::Bytes::from(m.data));
    }
}

struct Resize;
impl Apply for Resize {
    const EVENT: &'static str = event::PTY_RESIZE;
    type Msg = PtyResizeMsg;
    fn terminal(m: &PtyResizeMsg) -> &str {
        &m.terminal
    }
    fn apply(s: &SocketRef, t: &Terminal, m: PtyResizeMsg) {
        let (rows, cols) = clamp_size(m.rows, m.cols);
        t.resize(&s.id.to_string(), rows, cols);
    }
}

struct Ack;
impl Apply for Ack {
    const EVENT: &'static str = event::PTY_ACK;
    type Msg = PtyAckMsg;
    fn terminal(m: &PtyAckMsg) -> &str {
        &m.terminal
    }
    fn apply(s: &SocketRef, t: &Terminal, m: PtyAckMsg) {
        t.ack(&s.id.to_string(), m.bytes as usize);
    }
}

struct Rename;
impl Apply for Rename {
    const EVENT: &'static str = event::PTY_RENAME;
    type Msg = PtyRenameMsg;
    fn terminal(m: &PtyRenameMsg) -> &str {
        &m.terminal
    }
    fn apply(s: &SocketRef, t: &Terminal, m: PtyRenameMsg) {
        if owns(s, t) {
            t.rename(&m.name);
        } else {
            let lang = lang_of(s, None);
            protocol_error(s, Self::EVENT, &crate::tr!(lang, "shell_not_yours"));
        }
    }
}

struct Close;
impl Apply for Close {
    const EVENT: &'static str = event::PTY_CLOSE;
    type Msg = PtyTarget;
    fn terminal(m: &PtyTarget) -> &str {
        &m.terminal
    }
    fn apply(s: &SocketRef, t: &Terminal, _: PtyTarget) {
        if owns(s, t) {
            t.close();
        } else {
            let lang = lang_of(s, None);
            protocol_error(s, Self::EVENT, &crate::tr!(lang, "shell_not_yours"));
        }
    }
}
