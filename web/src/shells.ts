// Shell terminals (`atajo serve --shell`): tabs beside the guarded terminal, each an xterm.js
// attached to a bash that lives on the server. A reload reattaches to every terminal and is
// sent its screen as it is; output is acknowledged as it is rendered (flow control).
import { Terminal, type ITheme } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";
import { Unicode11Addon } from "@xterm/addon-unicode11";
import { WebLinksAddon } from "@xterm/addon-web-links";
import type { Socket } from "socket.io-client";
import type { PtyInfo } from "./protocol/PtyInfo";
import type { PtyListReply } from "./protocol/PtyListReply";
import type { PtyReply } from "./protocol/PtyReply";
import { lang, t } from "./i18n";

interface Wire {
  terminal: string;
  rows?: number;
  cols?: number;
  data: ArrayBuffer;
}

/** The tab that stays when the tab strip is empty: the guarded terminal. */
export const GUARDED = "guarded";

interface Shell {
  info: PtyInfo;
  term: Terminal;
  fit: FitAddon;
  box: HTMLElement;
  tab: HTMLElement;
  label: HTMLElement;
  /** Rendered and not yet acknowledged. */
  unacked: number;
  ackTimer: number | null;
  ackEvery: number;
  ended: number | null;
  /** Until the screen came: input would be ignored. */
  replayed: boolean;
  /** Attached read-only (someone else's shell). */
  watching: boolean;
}

export interface ShellHost {
  socket: Socket;
  /** Where the tabs go (the guarded tab is already there). */
  tabs: HTMLElement;
  /** Where terminals' boxes go (the guarded terminal's box is already there). */
  boxes: HTMLElement;
  newButton: HTMLButtonElement;
  theme: () => ITheme;
  /** The size a new terminal starts at (the guarded one's: same pane). */
  size: () => { rows: number; cols: number };
  /** A tab became active (`GUARDED` or a terminal id). */
  switched: (id: string) => void;
  /** The active shell's folder changed (root-relative; null outside the root). */
  cwd: (cwd: string | null) => void;
  note: (text: string) => void;
}

/** A path as a word bash reads back unchanged: `~/'a b'` (HOME is the root). */
export function cdLine(path: string): string {
  if (!path) return "cd ~\r";
  return `cd ~/'${path.replace(/'/g, "'\\''")}'\r`;
}

export class Shells {
  private shells = new Map<string, Shell>();
  private activeId = GUARDED;
  enabled = false;

  constructor(private host: ShellHost) {
    const s = host.socket;
    s.on("pty_replay", (m: Wire) => {
      const sh = this.shells.get(m.terminal);
      if (!sh) return;
      sh.term.reset();
      sh.unacked = 0;
      this.write(sh, m.data, () => {
        sh.replayed = true;
        // Sizes sent before the screen came were ignored: say this one now.
        this.refit(sh);
        s.emit("pty_resize", { terminal: sh.info.id, rows: sh.term.rows, cols: sh.term.cols });
      });
    });
    s.on("pty_output", (m: Wire) => {
      const sh = this.shells.get(m.terminal);
      if (sh) this.write(sh, m.data);
    });
    s.on("pty_title", (m: { terminal: string; title: string }) => {
      const sh = this.shells.get(m.terminal);
      // Plain text only: a title is whatever a program printed.
      if (sh) sh.tab.title = m.title;
    });
    s.on("pty_cwd", (m: { terminal: string; cwd: string | null }) => {
      const sh = this.shells.get(m.terminal);
      if (!sh) return;
      sh.info.cwd = m.cwd;
      if (this.activeId === m.terminal) host.cwd(m.cwd);
    });
    s.on("pty_exit", (m: { terminal: string; code: number }) => {
      const sh = this.shells.get(m.terminal);
      if (!sh) return;
      sh.ended = m.code;
      sh.term.options.disableStdin = true;
      sh.term.write(`\r\n\x1b[90m[${t("shellEnded").replace("{code}", String(m.code))}]\x1b[0m\r\n`);
      this.relabel(sh);
    });
    // Another page opened (or renamed) a terminal: show it here too.
    s.on("pty_terminals", (m: PtyListReply) => {
      if (this.opening) this.missed = m;
      else void this.sync(m);
    });
    host.newButton.addEventListener("click", () => void this.open());
  }

  /** While this page opens a terminal, the list that announces it waits (it would be attached
   * twice). */
  private opening = false;
  private missed: PtyListReply | null = null;

  private async sync(m: PtyListReply) {
    if (!this.enabled) return;
    for (const info of m.terminals) {
      const sh = this.shells.get(info.id);
      if (!sh) await this.attach(info);
      else if (sh.info.name !== info.name) {
        sh.info.name = info.name;
        this.relabel(sh);
      }
    }
  }

  get active(): string {
    return this.activeId;
  }

  /** Whose shell `id` is, when this page only watches it. */
  watchedOwner(id: string): string | null {
    const sh = this.shells.get(id);
    return sh?.watching ? sh.info.owner : null;
  }

  /** The active shell's folder, when a shell is active. */
  get activeCwd(): string | null | undefined {
    return this.shells.get(this.activeId)?.info.cwd;
  }

  /** After every (re)connection: is the feature on, and which terminals live on the server. */
  async connected(enabled: boolean, canOpen = true): Promise<void> {
    this.enabled = enabled;
    this.host.newButton.hidden = !enabled || !canOpen;
    if (!enabled) return;
    const reply = await this.request<PtyListReply>("pty_list", {});
    if (!reply) return;
    const live = new Set(reply.terminals.map((i) => i.id));
    for (const [id, sh] of this.shells) if (!live.has(id) && sh.ended === null) this.drop(id);
    const wanted = sessionStorage.getItem("atajo.shell");
    for (const info of reply.terminals) await this.attach(info);
    if (wanted && this.shells.has(wanted)) this.show(wanted);
  }

  private request<T>(event: string, data: object): Promise<T | null> {
    return new Promise((ok) =>
      this.host.socket.timeout(10000).emit(event, data, (err: Error | null, reply: T) => ok(err ? null : reply)),
    );
  }

  async open(): Promise<void> {
    const { rows, cols } = this.host.size();
    this.opening = true;
    const reply = await this.request<PtyReply>("pty_open", { rows, cols, lang: lang() });
    this.opening = false;
    if (!reply?.ok || !reply.terminal) {
      this.missed = null;
      this.host.note(reply?.error ?? t("disconnected"));
      return;
    }
    const sh = this.adopt(reply.terminal, reply.ack_every);
    this.show(sh.info.id);
    const missed = this.missed;
    this.missed = null;
    if (missed) void this.sync(missed);
  }

  private async attach(info: PtyInfo): Promise<void> {
    const existing = this.shells.get(info.id);
    const sh = existing ?? this.adopt(info, 5000);
    sh.replayed = false;
    const reply = await this.request<PtyReply>("pty_attach", {
      terminal: info.id,
      rows: sh.term.rows,
      cols: sh.term.cols,
      lang: lang(),
    });
    if (!reply?.ok) {
      this.drop(info.id);
      return;
    }
    sh.ackEvery = reply.ack_every;
    sh.info = reply.terminal ?? info;
    // Someone else's shell: watched, never typed in.
    sh.watching = reply.readonly;
    sh.term.options.disableStdin = reply.readonly || sh.ended !== null;
    this.relabel(sh);
  }

  private make(info: PtyInfo): Shell {
    const box = document.createElement("div");
    box.className = "shell-term";
    box.hidden = true;
    this.host.boxes.append(box);
    const term = new Terminal({
      cursorBlink: true,
      fontSize: 14,
      theme: this.host.theme(),
      scrollback: 10000,
      allowProposedApi: true,
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    // Emoji and CJK as wide as the server's emulator counts them (Unicode 11 and later).
    term.loadAddon(new Unicode11Addon());
    term.unicode.activeVersion = "11";
    // A link in the output opens only when clicked, in a new tab that cannot reach this one,
    // and only on the web (no javascript:, no file:).
    term.loadAddon(new WebLinksAddon((_event, uri) => {
      if (/^https?:\/\//i.test(uri)) window.open(uri, "_blank", "noopener,noreferrer");
    }));
    term.open(box);
    const tab = document.createElement("button");
    tab.type = "button";
    tab.setAttribute("role", "tab");
    tab.className = "shell-tab";
    const label = document.createElement("span");
    tab.append(label);
    return { info, term, fit, box, tab, label, unacked: 0, ackTimer: null, ackEvery: 5000, ended: null, replayed: false, watching: false };
  }

  private remove(sh: Shell) {
    sh.term.dispose();
    sh.box.remove();
    sh.tab.remove();
  }

  private adopt(info: PtyInfo, ackEvery: number): Shell {
    const sh = this.make(info);
    sh.ackEvery = ackEvery;
    sh.replayed = false;
    const close = document.createElement("span");
    close.className = "close";
    close.textContent = "×";
    close.setAttribute("role", "button");
    close.setAttribute("aria-label", t("shellClose"));
    close.addEventListener("click", (e) => {
      e.stopPropagation();
      this.close(sh.info.id);
    });
    sh.tab.append(close);
    sh.tab.addEventListener("click", () => this.show(sh.info.id));
    sh.tab.addEventListener("dblclick", () => {
      const name = prompt(t("shellRename"), sh.info.name)?.trim();
      if (name) {
        sh.info.name = name;
        this.host.socket.emit("pty_rename", { terminal: sh.info.id, name });
        this.relabel(sh);
      }
    });
    this.host.tabs.insertBefore(sh.tab, this.host.newButton);
    sh.term.onData((data) => {
      if (sh.ended === null && sh.replayed) this.host.socket.emit("pty_input", { terminal: sh.info.id, data });
    });
    sh.term.onResize(({ rows, cols }) => {
      if (sh.ended === null) this.host.socket.emit("pty_resize", { terminal: sh.info.id, rows, cols });
    });
    new ResizeObserver(() => this.refit(sh)).observe(sh.box);
    this.shells.set(info.id, sh);
    this.relabel(sh);
    return sh;
  }

  private relabel(sh: Shell) {
    const ended = sh.ended === null ? "" : ` (${t("shellEnded").replace("{code}", String(sh.ended))})`;
    const watching = sh.watching ? ` · 👁 ${sh.info.owner}` : "";
    sh.label.textContent = sh.info.name + watching + ended;
    const how = sh.watching ? ` (${t("watching")}: ${sh.info.owner})` : "";
    sh.tab.setAttribute("aria-label", `${t("shellKind")}: ${sh.info.name}${how}${ended}`);
  }

  private refit(sh: Shell) {
    if (sh.box.offsetWidth > 0 && sh.box.offsetHeight > 0) sh.fit.fit();
  }

  /** Renders, then acknowledges what was rendered: at once past the window's step, else soon. */
  private write(sh: Shell, data: ArrayBuffer, then?: () => void) {
    const bytes = new Uint8Array(data);
    sh.term.write(bytes, () => {
      sh.unacked += bytes.byteLength;
      then?.();
      if (sh.unacked >= sh.ackEvery) this.ack(sh);
      else if (sh.ackTimer === null) sh.ackTimer = window.setTimeout(() => this.ack(sh), 50);
    });
  }

  private ack(sh: Shell) {
    if (sh.ackTimer !== null) window.clearTimeout(sh.ackTimer);
    sh.ackTimer = null;
    if (sh.unacked > 0 && sh.ended === null) {
      this.host.socket.emit("pty_ack", { terminal: sh.info.id, bytes: sh.unacked });
    }
    sh.unacked = 0;
  }

  show(id: string) {
    this.activeId = this.shells.has(id) ? id : GUARDED;
    for (const [sid, sh] of this.shells) {
      const on = sid === this.activeId;
      sh.box.hidden = !on;
      sh.tab.setAttribute("aria-selected", String(on));
    }
    sessionStorage.setItem("atajo.shell", this.activeId);
    this.host.switched(this.activeId);
    const sh = this.shells.get(this.activeId);
    if (sh) {
      this.refit(sh);
      sh.term.focus();
      this.host.cwd(sh.info.cwd);
    }
  }

  close(id: string) {
    const sh = this.shells.get(id);
    if (!sh) return;
    if (sh.ended === null) this.host.socket.emit("pty_close", { terminal: id });
    this.drop(id);
  }

  private drop(id: string) {
    const sh = this.shells.get(id);
    if (!sh) return;
    this.shells.delete(id);
    this.remove(sh);
    if (this.activeId === id) this.show(GUARDED);
  }

  /** Types `cd` into the active shell, visibly, as a person would. */
  cd(path: string): boolean {
    const sh = this.shells.get(this.activeId);
    if (!sh || sh.ended !== null || !sh.replayed) return false;
    this.host.socket.emit("pty_input", { terminal: sh.info.id, data: cdLine(path) });
    sh.term.focus();
    return true;
  }

  themed(theme: ITheme) {
    for (const sh of this.shells.values()) sh.term.options.theme = theme;
  }
}
