import "@xterm/xterm/css/xterm.css";
import "./style.css";
import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";
import { io } from "socket.io-client";
import type { CompletionMsg } from "./protocol/CompletionMsg";
import type { CwdMsg } from "./protocol/CwdMsg";
import type { ExitMsg } from "./protocol/ExitMsg";
import type { ExplanationMsg } from "./protocol/ExplanationMsg";
import type { Hello } from "./protocol/Hello";
import type { OutputChunk } from "./protocol/OutputChunk";
import type { Plan } from "./protocol/Plan";
import type { ProtocolError } from "./protocol/ProtocolError";
import type { ServerStopping } from "./protocol/ServerStopping";
import type { RevealReply } from "./protocol/RevealReply";
import type { Action } from "./protocol/Action";
import type { ActionRefused } from "./protocol/ActionRefused";
import { lang, t, toggle } from "./i18n";
import { Explorer, type Dropped } from "./explorer";
import { Subscriptions } from "./subscriptions";
import { Transfers } from "./transfer";
import { Viewer } from "./viewer";
import { ask, list } from "./dialog";
import { shown } from "./names";
import { LineEditor } from "./lineedit";
import { icon } from "./icons";
import { Layout } from "./layout";
import * as account from "./account";
import { HistoryPanel } from "./history";
// Shell terminals load only when the server offers them (their module and add-ons are a chunk
// of their own): a page without them downloads nothing more.
import type { Shells } from "./shells";
const GUARDED = "guarded";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

// ---- state ----
let rootName = "";
let cwd = "";
let running: string | null = null;
let counter = 0;
// The output of the request running now (a deletion's names its trash entry, for Undo).
let output = "";

// ---- terminal: a line editor over xterm.js; every line goes through the pipeline ----
// Quiet lines (hints, explanations) are bright black, not SGR dim: dim halves the opacity and
// fails contrast; this grey keeps 4.5:1 or more on either background.
const DARK_TERMINAL = {
  background: "#15171c",
  foreground: "#e6e6e6",
  cursor: "#e6e6e6",
  selectionBackground: "#2b4a66",
  brightBlack: "#9aa0ab",
};
// On white, the default yellow and cyan are unreadable: darker ones.
const LIGHT_TERMINAL = {
  background: "#ffffff",
  foreground: "#1b1d22",
  cursor: "#1b1d22",
  selectionBackground: "#cfe0f5",
  black: "#1b1d22",
  red: "#b3261e",
  green: "#1e7a34",
  yellow: "#7a5600",
  blue: "#0b5fa5",
  magenta: "#8e2f8e",
  cyan: "#0e6f7f",
  white: "#545b66",
  brightBlack: "#545b66",
};
const term = new Terminal({
  convertEol: true,
  cursorBlink: true,
  fontSize: 14,
  theme: DARK_TERMINAL,
  // What programs colour (red, blue …) is lightened or darkened until it reads.
  minimumContrastRatio: 4.5,
});
const fit = new FitAddon();
term.loadAddon(fit);
term.open($("terminal"));
/** Fits the terminal to its box, unless the box is hidden (a phone's other tab): fitted to
 * nothing, it would shrink to two columns and re-wrap everything. */
function refit() {
  const box = $("terminal");
  if (box.offsetWidth > 0 && box.offsetHeight > 0) fit.fit();
}
refit();
// The terminal shares its pane with an open preview: fit it whenever its box changes.
new ResizeObserver(refit).observe($("terminal"));
let darkTheme = true;
/** The shell terminals, once the server said it offers them and their code is loaded. */
let shells: Shells | null = null;
const layout = new Layout({
  shown: () => refit(),
  themed: (dark) => {
    darkTheme = dark;
    term.options.theme = dark ? DARK_TERMINAL : LIGHT_TERMINAL;
    shells?.themed(dark ? DARK_TERMINAL : LIGHT_TERMINAL);
  },
});
// What the terminal shows while it is behind its tab: the tab says so.
term.onWriteParsed(() => layout.wrote());

// Pasted text arrives marked (bracketed paste), so its line breaks are lines, not Enter keys.
term.write("\x1b[?2004h");
const editor = new LineEditor({
  write: (data) => term.write(data),
  cols: () => term.cols,
  submit: (cmd) => {
    // "? COMMAND" explains instead of running.
    if (cmd.startsWith("?")) explainCommand(cmd.slice(1).trim());
    else runCommand(cmd);
  },
  clearScreen: () => term.write("\x1b[H\x1b[2J"),
  searchLabel: (failed) => t(failed ? "searchFailed" : "search"),
  dropped: (n) => term.write(`\x1b[90m${t("pastedDropped").replace("{n}", String(n))}\x1b[0m\r\n`),
  complete: (before) => completeWord(before),
  moreLabel: (n) => t("moreChoices").replace("{n}", String(n)),
});


const prompt = () => {
  const where = cwd ? `${rootName}/${cwd}` : rootName;
  // A viewer's terminal says so where the prompt would be, and takes no line.
  if (account.readOnly()) term.write(`\x1b[90m${where} [${t("readOnlyPrompt")}]\x1b[0m\r\n`);
  else editor.prompt(`\x1b[36m${where}\x1b[0m $ `);
};

// The handshake says the page's language: what a request does not word in its own `lang`
// (listings' errors, protocol errors) comes in it. A function, so a reconnection says the
// language the page has then.
const socket = io({
  // Beneath the page's own folder: `/socket.io/`, or `/atajo/socket.io/` behind a proxy.
  path: `${new URL(".", location.href).pathname}socket.io`,
  transports: ["websocket"],
  reconnectionDelayMax: 3000,
  auth: (cb: (data: object) => void) => cb({ lang: lang() }),
});

// A request sent while connected that has not ended when the connection drops is lost with
// it (the server may have restarted); one sent while disconnected waits and goes when the
// connection is back.
let sentLive: string | null = null;
function send<T extends { id: string | null }>(event: string, payload: T) {
  if (socket.connected) sentLive = payload.id;
  socket.emit(event, payload);
}
let helloSeen = false;

// Tab: the server knows the rules and the workspace; an answer not back in 3 s is none.
const completions = new Map<string, (c: CompletionMsg | null) => void>();
function completeWord(before: string): Promise<CompletionMsg | null> {
  const id = `c${nextId()}`;
  return new Promise((done) => {
    completions.set(id, done);
    socket.emit("complete", { id, before, lang: lang() });
    setTimeout(() => {
      completions.delete(id);
      done(null);
    }, 3000);
  });
}
socket.on("completion", (c: CompletionMsg) => {
  completions.get(c.id)?.(c);
  completions.delete(c.id);
});

function nextId() {
  counter += 1;
  return `r${counter}`;
}

function runCommand(command: string) {
  running = nextId();
  send("command", { id: running, command, lang: lang() });
}

term.onData((data) => {
  if (running) {
    // Ctrl-C stops what is running, as in any terminal; anything else is typed ahead.
    if (data.includes("\x03")) {
      term.write("^C");
      editor.dropAhead();
      socket.emit("cancel", { id: running });
      return;
    }
  }
  editor.feed(data);
});

function explainCommand(command: string) {
  if (!command) {
    term.write(`\x1b[90m${t("explainHow")}\x1b[0m\r\n`);
    prompt();
    return;
  }
  running = nextId();
  send("explain", { id: running, command, lang: lang() });
}

socket.on("explanation", (x: ExplanationMsg) => {
  if (x.id !== running) return;
  running = null;
  const colour = x.verdict.allowed ? "36" : "31";
  term.write(`\x1b[${colour}m${x.text.replace(/\n/g, "\r\n")}\x1b[0m\r\n`);
  prompt();
});

// ---- the instruction bar ----
$("ask").addEventListener("submit", (e) => {
  e.preventDefault();
  const input = $<HTMLInputElement>("instruction");
  const text = input.value.trim();
  if (!text) return;
  // One request at a time, as in the terminal: the words stay in the bar for the next Enter.
  if (running || inDialog) return note(t("busy"), 3000);
  input.value = "";
  editor.erase();
  term.write(`\x1b[90m# ${text}\x1b[0m\r\n`);
  running = nextId();
  send("instruction", { id: running, text, lang: lang() });
});

socket.on("plan", (p: Plan) => {
  if (p.id !== running) return;
  const fromBar = p.source !== "typed";
  if (fromBar && p.command) term.write(`\x1b[90m# ${p.explanation}\x1b[0m\r\n$ ${p.command}\r\n`);
  // A model's or plugin's command comes with what the policy reads in it.
  if (p.details) term.write(`\x1b[90m${p.details.replace(/\n/g, "\r\n")}\x1b[0m\r\n`);
  if (!p.command) term.write(`\x1b[33m${t("notUnderstood")}: ${p.explanation}\x1b[0m\r\n`);
  else if (p.verdict && !p.verdict.allowed) term.write(`\x1b[31m${t("denied")}: ${p.verdict.reason ?? ""}\x1b[0m\r\n`);
  else if (p.confirm) {
    // Whoever asked (terminal, bar, explorer), the question is a card that holds the focus:
    // Enter is the trash, Escape no.
    const what = (p.verdict?.affected ?? []).join(", ");
    editor.stop();
    term.write(`\x1b[33m${t("destructive")}: ${what}\x1b[0m\r\n`);
    inDialog = p.id;
    void confirmInDialog(p.confirm, p.verdict?.affected ?? [], p.command ?? "", p.id);
  }
});

/** A deletion (or a command that replaces) asks in a dialog: the command, and what goes. */
async function confirmInDialog(token: string, affected: string[], command: string, askedBy: string) {
  const deleting = command.startsWith("rm ");
  const shownCommand = document.createElement("pre");
  shownCommand.className = "command";
  shownCommand.textContent = `$ ${command}`;
  const choice = await ask(
    deleting ? t("deleteTitle") : t("replaceTitle"),
    [shownCommand, deleting ? t("deleteQuestion") : t("replaceQuestion"), list(affected)],
    deleting
      ? [
          { label: t("toTrash"), value: "trash" as const, kind: "primary" },
          { label: t("permanently"), value: "permanent" as const, kind: "danger" },
          { label: t("cancel"), value: null },
        ]
      : [
          { label: t("replace"), value: "trash" as const, kind: "danger" },
          { label: t("cancel"), value: null, kind: "primary" },
        ],
  );
  inDialog = null;
  if (choice === null) {
    term.write(`\x1b[90m${t("notConfirmed")}\x1b[0m\r\n`);
    if (!running) prompt();
    return;
  }
  // The request that asked may not have ended yet (its `exit` follows the question): an answer
  // given that fast is still its answer, not a second command while one runs.
  if (running && running !== askedBy) return note(t("busy"), 3000);
  running = nextId();
  output = "";
  afterExit = deleting ? offerUndo : null;
  send("confirm", { id: running, token, permanent: choice === "permanent" });
}

/** The request whose confirmation a dialog is asking for: its prompt comes after the answer. */
let inDialog: string | null = null;

/** What to do once the running request ends, with its output. */
let afterExit: ((output: string) => void) | null = null;

function offerUndo(out: string) {
  const id = out.match(/\.atajo\/trash\/([0-9]+-[0-9]+)/)?.[1];
  if (!id) return;
  const n = $("explorer-note");
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = t("undo");
  b.onclick = () => {
    n.replaceChildren();
    act({ op: "undo", trash: id });
  };
  n.replaceChildren(`${t("movedToTrash")} `, b);
  setTimeout(() => n.contains(b) && n.replaceChildren(), 15000);
}

socket.on("output", (o: OutputChunk) => {
  if (o.id !== running) return;
  term.write(o.data);
  if (output.length < 65536) output += o.data;
});

socket.on("exit", (x: ExitMsg) => {
  if (x.id !== running) return;
  running = null;
  setCwd(x.cwd);
  const then = afterExit;
  afterExit = null;
  if (then && x.code === 0) then(output);
  // Waiting for the answer to a confirmation: the prompt comes after it.
  if (inDialog === x.id) return;
  if (x.truncated) term.write(`\x1b[33m[${t("truncated")}]\x1b[0m\r\n`);
  if (x.timed_out) term.write(`\x1b[33m[${t("timedOut")}]\x1b[0m\r\n`);
  if (x.cancelled) term.write(`\x1b[33m[${t("cancelled")}]\x1b[0m\r\n`);
  prompt();
});

socket.on("protocol_error", (p: ProtocolError) => {
  term.write(`\x1b[31m${p.event}: ${p.message}\x1b[0m\r\n`);
  // Only a refused request ends what the terminal waits for; a late cancel does not.
  if (p.event === "cancel") return;
  running = null;
  prompt();
});

// ---- the explorer: shows the active terminal's folder; opening a folder is a `cd` in it ----
/** The folder the explorer shows: the guarded terminal's, or the active shell's. */
let viewCwd = "";
function showFolder(path: string) {
  if (path === viewCwd) return;
  viewCwd = path;
  renderCrumbs();
  explorer.show(path);
}
function renderCrumbs() {
  const nav = $("crumbs");
  nav.replaceChildren();
  const parts = viewCwd ? viewCwd.split("/") : [];
  const targets = [{ name: rootName || "/", path: "" }];
  parts.forEach((p, i) => targets.push({ name: p, path: parts.slice(0, i + 1).join("/") }));
  targets.forEach((c, i) => {
    if (i > 0) nav.append(" / ");
    const a = document.createElement("a");
    a.textContent = shown(c.name);
    a.onclick = () => openFolder(c.path);
    crumbDrop(a, c.path);
    nav.append(a);
  });
}

function note(message: string, ms = 0) {
  const text = shown(message);
  const n = $("explorer-note");
  n.textContent = text;
  if (ms) setTimeout(() => n.textContent === text && (n.textContent = ""), ms);
}

/** Prints a line in the terminal (an upload, a save…) without spoiling what is being typed. */
function announce(line: string) {
  const text = shown(line);
  if (running) {
    term.write(`\r\n\x1b[90m${text}\x1b[0m\r\n`);
    return;
  }
  editor.hide();
  term.write(`\x1b[90m${text}\x1b[0m\r\n`);
  editor.show();
}

/** Runs an explorer action as the command it stands for: the terminal shows it. */
function act(action: Action) {
  // One thing at a time in the terminal, as typed commands are.
  if (running || inDialog) {
    note(t("busy"), 3000);
    return;
  }
  editor.erase();
  running = nextId();
  output = "";
  afterExit = null;
  send("action", { id: running, action, lang: lang() });
}

socket.on("action_refused", (r: ActionRefused) => {
  if (r.id !== running) return;
  running = null;
  term.write(`\r\n\x1b[33m${t("refusedAction")}: ${r.message}\x1b[0m\r\n`);
  note(r.message, 6000);
  prompt();
});

function openFolder(path: string) {
  // In a shell, opening a folder types its `cd`; the explorer follows the shell's prompt.
  if (shells && shells.active !== GUARDED) {
    if (!shells.cd(path)) note(t("busy"), 3000);
    return;
  }
  if (path === cwd) return;
  act({ op: "open", path });
}

const subs = new Subscriptions(socket, (e) => note(e, 4000));
const transfers = new Transfers($("transfers"), announce);
const viewer = new Viewer($("viewer"), socket, subs, {
  announce,
  download: (path, entry) => transfers.download(path, entry),
});

const explorer = new Explorer(socket, subs, $("entries"), $("spacer"), $("rows"), $("count"), {
  open: openFolder,
  preview: (path, entry) => {
    // The preview opens in the terminal's pane: on a phone, bring it forward.
    if (layout.narrow) layout.show("terminal");
    void viewer.show(path, entry);
  },
  act,
  upload: (dir, files) => transfers.upload(dir, files),
  download: (path, entry) => transfers.download(path, entry),
  note: (text) => note(text, 4000),
  reveal: null,
});
// "Show in file manager", when the server runs on this machine's desktop.
function reveal(path: string) {
  socket.timeout(5000).emit("reveal", { path, lang: lang() }, (err: Error | null, r: RevealReply) => {
    if (err) note(t("revealFailed"), 4000);
    else if (!r.ok) note(r.error ?? t("revealFailed"), 6000);
  });
}
// A long command that ends while the page is hidden is announced on the desktop.
const tellVisibility = () => socket.emit("visibility", { hidden: document.hidden });
document.addEventListener("visibilitychange", tellVisibility);
// The breadcrumbs take drops too: drag a row onto a parent folder to move it there.
function crumbDrop(a: HTMLElement, path: string) {
  explorer.dropTarget(a, () => path);
}

function setCwd(next: string) {
  if (next === cwd) return;
  cwd = next;
  if (!shells || shells.active === GUARDED) showFolder(cwd);
}

// ---- shell terminals: tabs beside the guarded one, when the server offers them ----
async function loadShells(): Promise<Shells> {
  if (shells) return shells;
  const { Shells: Made } = await import("./shells");
  shells ??= new Made({
    socket,
    tabs: $("term-tabs"),
    boxes: $("term-boxes"),
    newButton: $<HTMLButtonElement>("new-shell"),
    theme: () => (darkTheme ? DARK_TERMINAL : LIGHT_TERMINAL),
    size: () => ({ rows: term.rows, cols: term.cols }),
    switched: (id) => {
      const guarded = id === GUARDED;
      $("terminal").hidden = !guarded;
      $("tab-guarded").setAttribute("aria-selected", String(guarded));
      const kind = $("term-kind");
      const owner = guarded ? null : (shells?.watchedOwner(id) ?? null);
      kind.dataset.kind = guarded ? "guarded" : owner ? "watching" : "shell";
      kind.dataset.owner = owner ?? "";
      kindLine();
      $("ask").hidden = !guarded;
      if (guarded) {
        refit();
        term.focus();
        showFolder(cwd);
      }
    },
    cwd: (path) => {
      if (path !== null) showFolder(path);
    },
    note: (text) => note(text, 6000),
  });
  return shells;
}
$("tab-guarded").addEventListener("click", () => shells?.show(GUARDED));
function shellTabsShown(enabled: boolean) {
  const any = document.querySelectorAll("#term-tabs .shell-tab").length > 1;
  $("term-tabs").hidden = !enabled && !any;
  $("term-kind").hidden = !enabled && !any;
}

// ---- new folder / new file: a name typed in place ----
let creating: "new_folder" | "new_file" | null = null;
function startCreate(op: "new_folder" | "new_file") {
  creating = op;
  const form = $<HTMLFormElement>("newname");
  const input = $<HTMLInputElement>("newname-input");
  form.hidden = false;
  $("newname-icon").replaceChildren(icon(op === "new_folder" ? "dir" : "file"));
  input.value = op === "new_folder" ? t("newFolderName") : t("newFileName");
  input.focus();
  const dot = op === "new_file" ? input.value.lastIndexOf(".") : -1;
  input.setSelectionRange(0, dot > 0 ? dot : input.value.length);
}
function endCreate() {
  creating = null;
  $("newname").hidden = true;
}
$("newname").addEventListener("submit", (e) => {
  e.preventDefault();
  const name = $<HTMLInputElement>("newname-input").value.trim();
  const op = creating;
  endCreate();
  if (op && name && explorer.folder !== null) act({ op, dir: explorer.folder, name });
});
$("newname-input").addEventListener("keydown", (e) => {
  if (e.key === "Escape") endCreate();
});
$("newname-input").addEventListener("blur", () => setTimeout(endCreate, 150));
$("new-folder").addEventListener("click", () => startCreate("new_folder"));
$("new-file").addEventListener("click", () => startCreate("new_file"));
$("upload").addEventListener("click", () => $<HTMLInputElement>("upload-input").click());
$<HTMLInputElement>("upload-input").addEventListener("change", (e) => {
  const input = e.target as HTMLInputElement;
  const files: Dropped[] = [...(input.files ?? [])].map((file) => ({ file, rel: file.name }));
  if (files.length && explorer.folder !== null) transfers.upload(explorer.folder, files);
  input.value = "";
});

socket.on("cwd", (m: CwdMsg) => setCwd(m.cwd));

$("refresh").addEventListener("click", () => explorer.refresh());
$("hidden").addEventListener("click", () => {
  $("hidden").setAttribute("aria-pressed", String(explorer.toggleHidden()));
});

// ---- connection ----
const status = (state: string, text: string) => {
  const s = $("status");
  s.dataset.state = state;
  s.textContent = text;
};

socket.on("hello", (h: Hello) => {
  account.hello(h);
  // What the others run, on whichever process serves them.
  socket.emit("follow_activity", { on: true });
  explorer.setReveal(h.desktop ? reveal : null);
  if (document.hidden) tellVisibility();
  if ($("notice").dataset.kind === "stopping") $("notice").hidden = true;
  applyRole();
  rootName = h.root_name;
  editor.useHistory(h.root_name);
  cwd = h.cwd;
  $("root-name").textContent = h.root_name;
  viewCwd = !shells || shells.active === GUARDED ? cwd : (shells.activeCwd ?? cwd);
  renderCrumbs();
  // A new connection (first or after a drop): subscribe afresh, so nothing stays stale.
  subs.reconnected();
  explorer.reset(viewCwd);
  shellTabsShown(h.shell);
  if (h.shell || shells) {
    void loadShells()
      .then((sh) => sh.connected(h.shell, !account.readOnly()))
      .then(() => shellTabsShown(h.shell));
  }
  if (helloSeen) term.write(`\x1b[90m[atajo: ${t("backOnline")}]\x1b[0m\r\n`);
  helloSeen = true;
  if (!running) prompt();
});

socket.on("connect", () => {
  status("connected", t("connected"));
  account.hideLogin();
});
account.setup(socket, () => socket.connect());

const historyPanel = new HistoryPanel({
  socket,
  rerun: (command) => {
    shells?.show(GUARDED);
    if (layout.narrow) layout.show("terminal");
    if (running) {
      term.write(`\r\n\x1b[33m[atajo: ${t("busy")}]\x1b[0m\r\n`);
      prompt();
      return;
    }
    // Typed as if by hand: the line shows it, Enter sends it, the policy judges it again.
    editor.feed(command.replace(/[\r\n]+/g, " "));
    editor.feed("\r");
    term.focus();
  },
  canRun: () => !account.readOnly(),
  isAdmin: () => account.role() === "admin",
});
$("history").addEventListener("click", () => historyPanel.show());
socket.on("notice", (n: { kind: string; message: string | null }) => {
  const box = $("notice");
  box.hidden = n.message === null;
  box.dataset.kind = n.kind;
  box.textContent = n.message ? `${t("historyFailing")}: ${n.message}` : "";
});
// A stop (a restart, usually): said until the server is back; the connection comes back by
// itself.
socket.on("server_stopping", (x: ServerStopping) => {
  const box = $("notice");
  box.hidden = false;
  box.dataset.kind = "stopping";
  box.textContent = t("serverStopping").replace("{s}", String(Math.round(x.grace_ms / 1000)));
});

/** Says which kind of terminal is in front: the guarded one, a shell, or someone else's shell
 * being watched (read-only, said plainly rather than keys silently going nowhere). */
function kindLine() {
  const kind = $("term-kind");
  const k = kind.dataset.kind;
  kind.textContent =
    k === "watching" ? t("kindWatching").replace("{owner}", kind.dataset.owner ?? "")
    : t(k === "shell" ? "kindShell" : "kindGuarded");
}

/** What a viewer's page offers: nothing that runs or writes, said plainly. */
function applyRole() {
  const ro = account.readOnly();
  const input = $<HTMLInputElement>("instruction");
  input.disabled = ro;
  input.placeholder = ro ? t("readOnlyPrompt") : t("placeholder");
  $("send").toggleAttribute("disabled", ro);
  for (const id of ["new-folder", "new-file", "upload"]) $(id).toggleAttribute("disabled", ro);
}
socket.on("disconnect", () => {
  status("disconnected", t("disconnected"));
  if (running && running === sentLive) {
    running = null;
    afterExit = null;
    editor.erase();
    term.write(`\r\n\x1b[33m[atajo: ${t("lostRequest")}]\x1b[0m\r\n`);
  }
});
socket.on("connect_error", (err: Error) => {
  if (/unauthorized|rate limited/i.test(err.message)) {
    status("unauthorized", t("disconnected"));
    socket.disconnect();
    void account.showLogin();
  } else status("disconnected", t("disconnected"));
});

// ---- words ----
function applyLang() {
  document.documentElement.lang = lang();
  $("explorer-title").textContent = t("explorer");
  $("refresh").textContent = t("refresh");
  $("hidden").textContent = t("hidden");
  $("new-folder").textContent = `+ ${t("folderShort")}`;
  $("new-folder").title = t("newFolder");
  $("new-file").textContent = `+ ${t("fileShort")}`;
  $("new-file").title = t("newFile");
  $("upload").textContent = t("uploadShort");
  $("upload").title = t("uploadButton");
  $("transfers-title").textContent = t("transfersTitle");
  $("send").textContent = t("send");
  $<HTMLInputElement>("instruction").placeholder = t("placeholder");
  $("lang").textContent = t("other");
  account.render();
  applyRole();
  $("history").textContent = t("historyButton");
  historyPanel.words();
  $("instruction").setAttribute("aria-label", t("instructionLabel"));
  $("newname-input").setAttribute("aria-label", t("newNameLabel"));
  $("tab-guarded").textContent = t("guardedTab");
  $("tab-guarded").title = t("kindGuarded");
  $("new-shell").textContent = t("shellNew");
  $("new-shell").title = t("shellNewTitle");
  kindLine();
  layout.applyLang();
  status($("status").dataset.state ?? "connecting", t(socket.connected ? "connected" : "connecting"));
}
// Escape closes the preview from anywhere but a field being typed in, the terminal's line or
// an open question (they have their own Escape).
document.addEventListener("keydown", (e) => {
  if (e.key !== "Escape" || e.defaultPrevented || viewer.open === null) return;
  const at = e.target as HTMLElement | null;
  if (document.querySelector("dialog[open], menu.context")) return;
  if (at?.closest("input, textarea, .xterm, #viewer")) return;
  void viewer.close();
});

$("lang").addEventListener("click", () => {
  toggle();
  applyLang();
  subs.reconnected();
});
applyLang();
term.write(`\x1b[90m${t("welcome")}\x1b[0m\r\n`);
$<HTMLInputElement>("instruction").focus();
