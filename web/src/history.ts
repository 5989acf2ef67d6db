// The history panel: what this person asked and ran (an admin: everyone), searched by words,
// filtered by kind and verdict, a page at a time. "Run again" sends the command back through
// the guarded terminal, so the policy judges it again.
import type { Socket } from "socket.io-client";
import type { HistoryReply } from "./protocol/HistoryReply";
import type { HistoryRow } from "./protocol/HistoryRow";
import type { HistoryQuery } from "./protocol/HistoryQuery";
import { lang, t } from "./i18n";
import { shown } from "./names";

const PAGE = 50;

export interface HistoryHost {
  socket: Socket;
  /** Runs a command in the guarded terminal (as if typed). */
  rerun: (command: string) => void;
  /** Whether this person may run anything (a viewer may not). */
  canRun: () => boolean;
  /** Whether this person reads everyone's rows. */
  isAdmin: () => boolean;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

const verdictWord = (v: string) =>
  t(
    v === "allowed" ? "verdictAllowed"
    : v === "denied" ? "verdictDenied"
    : v === "confirm" ? "verdictConfirm"
    : v === "forbidden" ? "verdictForbidden"
    : "verdictNotUnderstood",
  );

function when(at: number): string {
  return new Date(at * 1000).toLocaleString(lang() === "es" ? "es-ES" : "en-GB", {
    dateStyle: "short",
    timeStyle: "medium",
  });
}

export class HistoryPanel {
  private dialog: HTMLDialogElement;
  private list: HTMLOListElement;
  private search: HTMLInputElement;
  private kind: HTMLSelectElement;
  private verdict: HTMLSelectElement;
  private user: HTMLInputElement;
  private more: HTMLButtonElement;
  private note: HTMLElement;
  private oldest: number | null = null;
  private asking = 0;

  constructor(private host: HistoryHost) {
    this.dialog = el("dialog", "history");
    this.dialog.id = "history-panel";
    const head = el("div", "history-head");
    const title = el("h3");
    title.id = "history-title";
    this.dialog.setAttribute("aria-labelledby", "history-title");
    const close = el("button", "close", "×");
    close.type = "button";
    close.dataset.role = "close";
    close.onclick = () => this.dialog.close();
    head.append(title, close);
    const form = el("form", "history-filters");
    this.search = el("input");
    this.search.type = "search";
    this.search.name = "search";
    this.kind = el("select");
    this.kind.name = "kind";
    this.verdict = el("select");
    this.verdict.name = "verdict";
    this.user = el("input");
    this.user.name = "user";
    form.append(this.search, this.kind, this.verdict, this.user);
    form.onsubmit = (e) => {
      e.preventDefault();
      void this.load(false);
    };
    let typing: number | null = null;
    this.search.oninput = () => {
      if (typing) clearTimeout(typing);
      typing = window.setTimeout(() => void this.load(false), 200);
    };
    this.kind.onchange = this.verdict.onchange = () => void this.load(false);
    this.user.onchange = () => void this.load(false);
    this.list = el("ol", "history-rows");
    this.note = el("p", "history-note");
    this.note.setAttribute("aria-live", "polite");
    this.more = el("button", "more");
    this.more.type = "button";
    this.more.onclick = () => void this.load(true);
    this.dialog.append(head, form, this.note, this.list, this.more);
    document.body.append(this.dialog);
    this.words();
  }

  /** Labels in the page's language. */
  words(): void {
    (this.dialog.querySelector("#history-title") as HTMLElement).textContent = t("historyTitle");
    (this.dialog.querySelector("button.close") as HTMLElement).setAttribute("aria-label", t("close"));
    this.search.placeholder = t("historySearch");
    this.search.setAttribute("aria-label", t("historySearch"));
    this.user.placeholder = t("historyUser");
    this.user.setAttribute("aria-label", t("historyUser"));
    const fill = (s: HTMLSelectElement, label: string, options: [string, string][]) => {
      const keep = s.value;
      s.replaceChildren(...[["", label] as [string, string], ...options].map(([v, l]) => {
        const o = el("option", undefined, l);
        o.value = v;
        return o;
      }));
      s.value = keep;
      s.setAttribute("aria-label", label);
    };
    fill(this.kind, t("historyAllKinds"), [
      ["instruction", t("kindInstruction")],
      ["command", t("kindCommand")],
      ["action", t("kindAction")],
      ["upload", t("kindUpload")],
      ["download", t("kindDownload")],
    ]);
    fill(this.verdict, t("historyAllVerdicts"), [
      ["allowed", t("verdictAllowed")],
      ["denied", t("verdictDenied")],
      ["confirm", t("verdictConfirm")],
      ["not_understood", t("verdictNotUnderstood")],
      ["forbidden", t("verdictForbidden")],
    ]);
    this.more.textContent = t("historyMore");
  }

  get open(): boolean {
    return this.dialog.open;
  }

  show(): void {
    this.words();
    this.user.hidden = !this.host.isAdmin();
    this.dialog.showModal();
    this.search.focus();
    void this.load(false);
  }

  private async load(more: boolean): Promise<void> {
    const ask = ++this.asking;
    const q: HistoryQuery & { lang: string } = { limit: PAGE, lang: lang() };
    if (this.search.value.trim()) q.search = this.search.value;
    if (this.kind.value) q.kind = this.kind.value;
    if (this.verdict.value) q.verdict = this.verdict.value;
    if (this.user.value.trim() && this.host.isAdmin()) q.user = this.user.value.trim();
    if (more && this.oldest !== null) q.before = this.oldest;
    const reply = await new Promise<HistoryReply | null>((ok) =>
      this.host.socket.timeout(10000).emit("history", q, (err: Error | null, r: HistoryReply) => ok(err ? null : r)),
    );
    if (ask !== this.asking) return; // a newer search answered (or will)
    if (!reply || !reply.ok) {
      this.note.textContent = reply?.error ?? t("disconnected");
      return;
    }
    if (!more) this.list.replaceChildren();
    for (const r of reply.rows) this.list.append(this.item(r));
    this.oldest = reply.rows.at(-1)?.id ?? this.oldest;
    this.more.hidden = reply.rows.length < PAGE;
    const n = this.list.children.length;
    this.note.textContent = n === 0 ? t("historyEmpty") : `${n} ${t("historyShown")}`;
  }

  private item(r: HistoryRow): HTMLLIElement {
    const li = el("li", `row verdict-${r.verdict}`);
    li.dataset.id = String(r.id);
    const top = el("div", "line");
    top.append(el("time", "at", when(r.at)));
    if (this.host.isAdmin()) top.append(el("span", "who", r.user));
    top.append(el("span", "verdict", verdictWord(r.verdict)));
    const end =
      r.status === "done" && r.exit_code !== null ? `${t("historyExit")} ${r.exit_code}`
      : r.status === "decided" ? ""
      : t(r.status === "running" ? "statusRunning"
        : r.status === "interrupted" ? "statusInterrupted"
        : r.status === "timed_out" ? "statusTimedOut"
        : "statusCancelled");
    if (end) top.append(el("span", "end", end));
    li.append(top);
    if (r.command) li.append(el("code", "command", shown(r.command)));
    if (r.input && r.input !== r.command) li.append(el("p", "input", shown(r.input)));
    if (r.reason && r.verdict !== "allowed") li.append(el("p", "reason", r.reason));
    if (r.command && this.host.canRun() && r.kind !== "download" && r.kind !== "upload") {
      const again = el("button", "rerun", t("historyRerun"));
      again.type = "button";
      again.onclick = () => {
        this.dialog.close();
        this.host.rerun(r.command ?? "");
      };
      li.append(again);
    }
    return li;
  }
}
