//! Every message that crosses the Socket.IO connection, defined once. The TypeScript types in
//! `web/src/protocol/` are generated from these by ts-rs (`cargo test` writes them; CI fails if
//! the committed copies differ).
//!
//! Two families share the connection: the original design's Spanish events (kept byte-for-byte
//! compatible for outside scripts) and the project's own English protocol, documented in
//! `docs/protocol.md`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Event names, so that server and tests never disagree on spelling.
pub mod event {
    pub const COMANDO_NATURAL: &str = "comando_natural";
    pub const RESPUESTA_TERMINAL: &str = "respuesta_terminal";
    pub const ERROR_TERMINAL: &str = "error_terminal";
    pub const NUEVO_ARCHIVO: &str = "nuevo_archivo";
    pub const ACTUALIZAR_ARCHIVO: &str = "actualizar_archivo";

    pub const HELLO: &str = "hello";
    pub const INSTRUCTION: &str = "instruction";
    pub const COMMAND: &str = "command";
    pub const PLAN: &str = "plan";
    pub const OUTPUT: &str = "output";
    pub const EXIT: &str = "exit";
    pub const LIST: &str = "list";
    pub const CANCEL: &str = "cancel";
    pub const CONFIRM: &str = "confirm";
    pub const EXPLAIN: &str = "explain";
    pub const EXPLANATION: &str = "explanation";
    pub const COMPLETE: &str = "complete";
    pub const COMPLETION: &str = "completion";
    pub const CWD: &str = "cwd";
    pub const FS_CHANGES: &str = "fs_changes";
    pub const SUBSCRIBE: &str = "subscribe";
    pub const UNSUBSCRIBE: &str = "unsubscribe";
    pub const LISTING: &str = "listing";
    pub const FS_WARNING: &str = "fs_warning";
    pub const PROTOCOL_ERROR: &str = "protocol_error";
    pub const ACTION: &str = "action";
    pub const ACTION_REFUSED: &str = "action_refused";
    pub const PTY_LIST: &str = "pty_list";
    pub const PTY_OPEN: &str = "pty_open";
    pub const PTY_ATTACH: &str = "pty_attach";
    pub const PTY_DETACH: &str = "pty_detach";
    pub const PTY_INPUT: &str = "pty_input";
    pub const PTY_RESIZE: &str = "pty_resize";
    pub const PTY_ACK: &str = "pty_ack";
    pub const PTY_RENAME: &str = "pty_rename";
    pub const PTY_CLOSE: &str = "pty_close";
    pub const PTY_REPLAY: &str = "pty_replay";
    pub const PTY_OUTPUT: &str = "pty_output";
    pub const PTY_TITLE: &str = "pty_title";
    pub const PTY_CWD: &str = "pty_cwd";
    pub const PTY_EXIT: &str = "pty_exit";
    pub const PTY_TERMINALS: &str = "pty_terminals";
    pub const PRESENCE: &str = "presence";
    pub const ACTIVITY: &str = "activity";
    pub const FOLLOW_ACTIVITY: &str = "follow_activity";
    pub const HISTORY: &str = "history";
    pub const NOTICE: &str = "notice";
    pub const SESSION_ENDED: &str = "session_ended";
    pub const SERVER_STOPPING: &str = "server_stopping";
    pub const REVEAL: &str = "reveal";
    pub const VISIBILITY: &str = "visibility";
}

// ---- compatibility layer (the original design) ----

/// `respuesta_terminal`: the command ran (whatever its exit code).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RespuestaTerminal {
    pub output: String,
    pub command: String,
    pub exit_code: i32,
}

/// `error_terminal`: nothing ran, and `reason` says why.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ErrorTerminal {
    pub output: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub command: Option<String>,
    pub reason: String,
}

/// `nuevo_archivo` and `actualizar_archivo`: `ruta` is relative to the root, `/`-separated.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FileEvent {
    pub ruta: String,
}

// ---- the project's own protocol ----

/// Sent to a client once it is connected.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Hello {
    pub version: String,
    /// The root folder's own name, for the explorer's title.
    pub root_name: String,
    pub cwd: String,
    /// The number the client's first `listing` or `fs_changes` follows (always 0: every
    /// connection counts its own).
    pub seq: u32,
    /// Whether this server offers shell terminals (`atajo serve --shell`).
    pub shell: bool,
    /// Who this connection is: an account's name, or `owner` for the start-up token.
    pub user: String,
    pub role: crate::users::Role,
    /// The folders this person may reach, root-relative; `[""]` for the whole root.
    pub roots: Vec<String>,
    /// Whether the server has accounts (the page offers a logout).
    pub accounts: bool,
    /// The token HTTP mutations made with this browser's cookie must carry in the
    /// `x-atajo-csrf` header; absent for a connection made with a token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub csrf: Option<String>,
    /// Whether "show in file manager" works for this connection: the server runs in a desktop
    /// session (a session bus) and the client is on the same machine.
    pub desktop: bool,
    /// The process serving this connection: several may serve one workspace
    /// (`--cluster-redis`).
    pub node: String,
}

/// `reveal` (with an acknowledgement): show `path` (root-relative) selected in the desktop's
/// file manager. Only on the server's own desktop, for a client on the same machine.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RevealRequest {
    pub path: String,
    #[serde(default)]
    #[ts(optional)]
    pub lang: Option<String>,
}

/// The answer to `reveal`: `ok`, or `error` in words.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RevealReply {
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub error: Option<String>,
}

/// `visibility`: the page is hidden (another tab, minimized) or shown again. A command that
/// runs 10 s or more and ends while its page is hidden is announced by a desktop notification.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct VisibilityMsg {
    pub hidden: bool,
}

/// `presence`: who is in this workspace now, sent to every connection when someone comes or
/// goes (at most a few times a second).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PresenceMsg {
    pub users: Vec<Present>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Present {
    pub user: String,
    pub role: crate::users::Role,
    /// Open connections (tabs, devices, scripts).
    pub connections: u32,
}

/// `follow_activity` (acknowledged `{ok}`): start (`on: true`) or stop this connection's
/// `activity` messages. Scripts that do not ask get none.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FollowActivity {
    pub on: bool,
}

/// `activity`: someone else in this workspace asked for something (who ran what), when it
/// starts and again when it ends, from whichever process served them. Sent to the connections
/// whose folders hold the folder it was asked in; never to the connection that asked.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ActivityMsg {
    /// The request: the same in its start and its end, unique across processes.
    pub id: String,
    pub user: String,
    /// `instruction`, `command`, `action`, `upload`…
    pub kind: String,
    /// Who wrote the command: `rules`, `model`, `explorer`, `typed`…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub source: Option<String>,
    /// What was asked, as asked.
    pub input: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub command: Option<String>,
    /// The folder it was asked in, root-relative.
    pub cwd: String,
    /// `running`, then `done`, `timed_out` or `cancelled`; or at once `denied`, `confirm`,
    /// `not_understood`, `forbidden`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub exit_code: Option<i32>,
    /// The process that served it (`hello.node`).
    pub node: String,
    /// When it was written, in milliseconds since the Unix epoch.
    #[ts(type = "number")]
    pub at_ms: u64,
}

/// `history`'s acknowledgement: rows newest first. People other than admins get their own.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct HistoryReply {
    pub ok: bool,
    pub rows: Vec<crate::history::search::HistoryRow>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub error: Option<String>,
}

/// `notice`: something every page should show until it clears (the history cannot be
/// written). `message` null means it cleared.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Notice {
    pub kind: String,
    pub message: Option<String>,
}

/// `server_stopping`: the server got SIGTERM or SIGINT. It takes no new requests; what runs has
/// `grace_ms` to finish before it is stopped, then the connection closes (a restarted server
/// takes the client back).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ServerStopping {
    #[ts(type = "number")]
    pub grace_ms: u64,
}

/// `session_ended`: this connection's session was ended (logout elsewhere, a new password, an
/// admin's revocation, expiry); the connection closes right after.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SessionEnded {
    pub message: String,
}

/// `instruction`: a natural-language request from the assistant bar.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct InstructionRequest {
    /// Chosen by the client; echoed in every reply about this request.
    pub id: String,
    pub text: String,
    #[serde(default)]
    #[ts(optional)]
    pub lang: Option<String>,
}

/// `command`: a shell command typed in the terminal (no translation).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CommandRequest {
    pub id: String,
    pub command: String,
    /// `es` or `en`: the language of reasons and of atajo's own lines; English when absent.
    #[serde(default)]
    #[ts(optional)]
    pub lang: Option<String>,
}

/// `explain`: what a command would do, in words; nothing runs.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExplainRequest {
    pub id: String,
    pub command: String,
    /// `es` or `en`; English when absent.
    #[serde(default)]
    #[ts(optional)]
    pub lang: Option<String>,
}

/// `explanation`: the reply to `explain`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExplanationMsg {
    pub id: String,
    pub command: String,
    /// One line per program, then the risk (or why it would be refused).
    pub text: String,
    pub verdict: VerdictMsg,
}

/// `complete`: Tab in the terminal; `before` is the line up to the cursor.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CompleteRequest {
    pub id: String,
    pub before: String,
    /// `es` or `en` (what options mean); English when absent.
    #[serde(default)]
    #[ts(optional)]
    pub lang: Option<String>,
}

/// One choice for the word being completed.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CandidateMsg {
    /// Replaces the word, quoted for the shell; a folder ends in `/`.
    pub text: String,
    /// What a list of choices shows.
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub note: Option<String>,
    pub dir: bool,
}

/// `completion`: the reply to `complete`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CompletionMsg {
    pub id: String,
    /// The word completed, as typed: the end of `before`.
    pub word: String,
    pub candidates: Vec<CandidateMsg>,
    /// Choices left out (at most 200 are sent).
    pub more: u32,
}

/// Ordered: the strictest part of a command decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Risk {
    Read,
    Write,
    Destructive,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct VerdictMsg {
    pub allowed: bool,
    pub risk: Risk,
    pub reason: Option<String>,
    /// Root-relative paths a destructive command removes or replaces.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(optional, as = "Option<Vec<String>>")]
    pub affected: Vec<String>,
}

/// `plan`: what a request became, before anything runs.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Plan {
    pub id: String,
    pub command: Option<String>,
    pub explanation: String,
    /// `rules`, `typed`, ...: who produced the command.
    pub source: String,
    pub confidence: f64,
    /// Absent when there is no command to judge.
    pub verdict: Option<VerdictMsg>,
    /// For a command a model or plugin wrote: what the policy reads in it, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub details: Option<String>,
    /// Present when the command is destructive: nothing ran; send `confirm {id, token}` to
    /// run it (the verdict's `affected` lists what it removes or replaces).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub confirm: Option<String>,
}

/// `output`: a chunk of a running command's combined stdout and stderr.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OutputChunk {
    pub id: String,
    pub data: String,
}

/// `exit`: the command finished (or was stopped).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExitMsg {
    pub id: String,
    pub code: i32,
    pub truncated: bool,
    pub timed_out: bool,
    /// The client cancelled it (exit code 130).
    pub cancelled: bool,
    pub duration_ms: f64,
    /// The session's working directory after the command (it changes with `cd`).
    pub cwd: String,
}

/// `cancel`: stop request `id` of this connection (queued or running); its `exit` follows.
/// `confirm`: runs the destructive command a `plan` asked about. With `permanent`, `rm`
/// deletes instead of moving to the trash.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConfirmRequest {
    pub id: String,
    pub token: String,
    #[serde(default)]
    #[ts(optional)]
    pub permanent: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CancelRequest {
    pub id: String,
}

/// `list` (with an acknowledgement): one page of the entries of a folder beneath the root,
/// once (`subscribe` keeps a listing current instead).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ListRequest {
    pub path: String,
    /// The first entry to return (0 when absent).
    #[serde(default)]
    #[ts(optional)]
    pub offset: Option<u32>,
    /// How many entries at most (all when absent).
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
    /// The language of an error ("es", "en"); the connection's when absent.
    #[serde(default)]
    #[ts(optional)]
    pub lang: Option<String>,
}

/// `subscribe` (with an acknowledgement): show this folder and keep it current. `listing`
/// pages follow, then `fs_changes` about its entries. Subscribing again to the same folder
/// re-lists it (a manual refresh).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SubscribeRequest {
    pub path: String,
    /// The language this client's explorer is told things in from now on ("es", "en"); the
    /// connection's when absent.
    #[serde(default)]
    #[ts(optional)]
    pub lang: Option<String>,
}

/// The acknowledgement of `subscribe` and `unsubscribe`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SubscribeReply {
    pub ok: bool,
    pub path: String,
    pub error: Option<String>,
}

/// Why a `listing` is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum ListingReason {
    /// The client subscribed.
    Subscribe,
    /// The client subscribed again to a folder it already had (its refresh button).
    Refresh,
    /// The server could not keep the folder current change by change (events lost, or more
    /// changes at once than are worth sending one by one): this snapshot replaces the old one.
    Resync,
}

/// `listing`: one page of a subscribed folder's snapshot, in the explorer's order. The first
/// page (`offset` 0) starts a fresh snapshot of `path`; `done` marks the last one.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ListingPage {
    /// The same counter as `fs_changes`: a gap means something was missed.
    pub seq: u32,
    pub path: String,
    pub reason: ListingReason,
    pub offset: u32,
    /// Entries in the whole snapshot.
    pub total: u32,
    pub entries: Vec<Entry>,
    pub done: bool,
    /// The folder cannot be listed (gone, not a folder…): the subscription ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub error: Option<String>,
}

/// `fs_warning`: the server cannot watch part of the tree as it should (e.g. the inotify
/// watch limit): changes there are found by polling, late.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FsWarning {
    pub path: String,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum EntryKind {
    Dir,
    File,
    Symlink,
    Other,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Entry {
    /// The name as text; when `lossy` is true, each byte that is not UTF-8 is a stand-in
    /// (U+10FF80 + byte − 0x80), shown as U+FFFD and sent back as it came.
    pub name: String,
    pub kind: EntryKind,
    pub size: f64,
    /// Seconds since the epoch.
    pub mtime: f64,
    pub lossy: bool,
    /// The name's real bytes in hex, only when it is not UTF-8 (`lossy`); the name itself
    /// carries them too, as stand-ins (see `workspace::rawname`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub raw: Option<String>,
    /// inode-mtime-size-mode: changes whenever the entry is written, replaced or chmod-ed.
    pub tag: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ListReply {
    pub ok: bool,
    pub path: String,
    pub entries: Vec<Entry>,
    /// Entries in the whole folder (more than `entries` when paged).
    pub total: u32,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum ChangeKind {
    Created,
    Modified,
    Removed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FsChange {
    /// Relative to the root, `/`-separated.
    pub path: String,
    pub kind: ChangeKind,
}

impl FsChange {
    pub fn new(path: impl Into<String>, kind: ChangeKind) -> Self {
        Self {
            path: path.into(),
            kind,
        }
    }
}

/// One change in a subscribed folder, as sent: the entry as it is now, unless removed.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FsDelta {
    /// Relative to the root, `/`-separated.
    pub path: String,
    pub kind: ChangeKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub entry: Option<Entry>,
}

/// `fs_changes`: changes in the folders a client subscribed to, numbered (with `listing`
/// pages) so a client can tell it missed one.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FsChanges {
    pub seq: u32,
    pub changes: Vec<FsDelta>,
}

/// `cwd`: the session's working directory changed.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CwdMsg {
    pub cwd: String,
}

/// `protocol_error`: a message the server could not accept (malformed, too large, unknown).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ProtocolError {
    pub event: String,
    pub message: String,
}

// ---- explorer actions ----

/// An entry the explorer acts on, as the client last saw it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ItemRef {
    /// Relative to the root, `/`-separated.
    pub path: String,
    /// The entry's `tag` when the client saw it: if the entry on disk has another one now, the
    /// action is refused as a conflict instead of acting on something the user has not seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub tag: Option<String>,
    /// Instead of `path`: the path's real bytes in hex (`/`-separated). Not needed when `path`
    /// is sent as the listing wrote it (bytes that are not UTF-8 as their stand-ins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub raw: Option<String>,
}

/// What the user did in the explorer. Each becomes the shell command it stands for and runs
/// through the same pipeline as a typed one (plan, policy, sandbox, history).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(tag = "op", rename_all = "snake_case")]
#[ts(export)]
pub enum Action {
    /// `mkdir NAME` in the folder `dir` (root-relative).
    NewFolder { dir: String, name: String },
    /// `touch NAME` in `dir`, refused if the name is taken.
    NewFile { dir: String, name: String },
    /// `mv ITEM NAME` within its folder.
    Rename { item: ItemRef, name: String },
    /// `mv ITEMS… TO/` (drag and drop, cut and paste).
    Move { items: Vec<ItemRef>, to: String },
    /// `cp -r ITEMS… TO/`; a name taken in `to` gets a free one ("a (copy).txt").
    Copy { items: Vec<ItemRef>, to: String },
    /// `rm -r ITEMS…`: destructive, so the `plan` asks for confirmation first.
    Delete { items: Vec<ItemRef> },
    /// `cd PATH`: the terminal moves where the explorer opens; refused while a command runs.
    Open { path: String },
    /// `undo [ID]`: puts back what a deletion moved to the trash (the newest when absent).
    Undo {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        trash: Option<String>,
    },
}

/// `action`: an explorer action; answered like `command` (`plan`, `output`, `exit`), or with
/// `action_refused` alone when it did not become a command.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ActionRequest {
    pub id: String,
    pub action: Action,
    /// `es` or `en`: the language of the explanation and of names atajo makes up.
    #[serde(default)]
    #[ts(optional)]
    pub lang: Option<String>,
}

/// Why an action did not become a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum RefusalKind {
    /// The entry changed on disk since the client saw it (its tag differs).
    Conflict,
    /// The name is taken.
    Exists,
    /// The entry is gone.
    Missing,
    /// A command is running in this session (the shared folder cannot move under it).
    Busy,
    /// The request itself is wrong (an empty name, a `/` in a name, a path outside the root…).
    Invalid,
    /// The person's role may not do this (a viewer changes nothing).
    Forbidden,
}

/// `action_refused`: the action did not become a command (nothing ran; nothing else follows).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ActionRefused {
    pub id: String,
    pub kind: RefusalKind,
    pub message: String,
}

// ---- shell terminals (`atajo serve --shell`) ----

/// A shell terminal as listed.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PtyInfo {
    /// The server's name for it (`t1`, `t2` …), stable while it lives.
    pub id: String,
    /// A person's name for it (a tab's label).
    pub name: String,
    pub rows: u16,
    pub cols: u16,
    /// Connections attached to it now.
    pub clients: u32,
    /// The title the shell set (plain text).
    pub title: String,
    /// The shell's folder relative to the root; null when outside it.
    pub cwd: Option<String>,
    /// Whose it is: only they type in it; others who may reach its folders watch.
    pub owner: String,
}

/// `pty_list`'s acknowledgement, and `pty_terminals`, sent to every connection when a
/// terminal starts, ends or is renamed.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PtyListReply {
    /// Whether this server offers shell terminals at all.
    pub enabled: bool,
    pub terminals: Vec<PtyInfo>,
}

/// `pty_open`: starts a shell, sized for this client, attached to it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct PtyOpenRequest {
    pub rows: u32,
    pub cols: u32,
    #[serde(default)]
    #[ts(optional)]
    pub name: Option<String>,
    /// The folder to start in, relative to the root; the root when absent.
    #[serde(default)]
    #[ts(optional)]
    pub cwd: Option<String>,
    /// `es` or `en`, for error messages.
    #[serde(default)]
    #[ts(optional)]
    pub lang: Option<String>,
}

/// `pty_attach`: joins a terminal; `readonly` watches without typing.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct PtyAttachRequest {
    pub terminal: String,
    #[serde(default)]
    #[ts(optional)]
    pub rows: Option<u32>,
    #[serde(default)]
    #[ts(optional)]
    pub cols: Option<u32>,
    #[serde(default)]
    #[ts(optional)]
    pub readonly: Option<bool>,
    #[serde(default)]
    #[ts(optional)]
    pub lang: Option<String>,
}

/// The acknowledgement of `pty_open` and `pty_attach`. On success a `pty_replay` follows,
/// then `pty_output`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PtyReply {
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub terminal: Option<PtyInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub error: Option<String>,
    /// Acknowledge rendered output (`pty_ack`) at least every this many bytes.
    pub ack_every: u32,
    pub readonly: bool,
}

/// `pty_input`: keys or a paste, as the terminal sends them.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct PtyInputMsg {
    pub terminal: String,
    pub data: String,
}

/// `pty_resize`: this client's terminal size; the shell gets the smallest of its writers'.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct PtyResizeMsg {
    pub terminal: String,
    pub rows: u32,
    pub cols: u32,
}

/// `pty_ack`: bytes of `pty_replay` and `pty_output` this client has rendered since its last.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct PtyAckMsg {
    pub terminal: String,
    pub bytes: u32,
}

/// `pty_detach` and `pty_close` (which ends the shell for everyone).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct PtyTarget {
    pub terminal: String,
}

/// `pty_rename`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct PtyRenameMsg {
    pub terminal: String,
    pub name: String,
}

/// `pty_replay`: the screen as it is, for a terminal reset to `rows`×`cols`; input and sizes
/// from this client count only after it. `pty_output` carries the live output after it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PtyData {
    pub terminal: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub rows: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub cols: Option<u16>,
    /// A binary attachment (an ArrayBuffer in browsers, a Buffer in Node).
    #[ts(type = "ArrayBuffer")]
    pub data: bytes::Bytes,
}

/// `pty_title`: the title the shell set, as plain text.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PtyTitleMsg {
    pub terminal: String,
    pub title: String,
}

/// `pty_cwd`: the shell's folder, relative to the root (null outside it): the explorer follows.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PtyCwdMsg {
    pub terminal: String,
    pub cwd: Option<String>,
}

/// `pty_exit`: the shell ended (the terminal is gone).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PtyExitMsg {
    pub terminal: String,
    pub code: i32,
}
