// The explorer's model and view: one subscribed folder, kept current by `listing` snapshots and
// `fs_changes` deltas, drawn as a virtual list (only the rows in sight are in the DOM), so a
// folder of 100k entries scrolls like one of ten.
import type { Socket } from "socket.io-client";
import type { Entry } from "./protocol/Entry";
import type { FsChanges } from "./protocol/FsChanges";
import type { FsWarning } from "./protocol/FsWarning";
import type { ListingPage } from "./protocol/ListingPage";
import type { SubscribeReply } from "./protocol/SubscribeReply";
import { t } from "./i18n";

const ROW = 24;
const OVERSCAN = 10;

// The server's order: folders first, then names case-insensitively with numbers in order.
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
const rank = (e: Entry) => (e.kind === "dir" ? 0 : 1);
export const compare = (a: Entry, b: Entry) =>
  rank(a) - rank(b) || collator.compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

const parentOf = (p: string) => (p.includes("/") ? p.slice(0, p.lastIndexOf("/")) : "");
const nameOf = (p: string) => p.slice(p.lastIndexOf("/") + 1);

export interface ExplorerHooks {
  /** The user opened a folder (root-relative path). */
  open(path: string): void;
  note(text: string): void;
}

export class Explorer {
  private path: string | null = null;
  private entries: Entry[] = [];
  private byName = new Map<string, Entry>();
  private shown: Entry[] = [];
  private loading = false;
  private seq = 0;
  private hidden = false;
  private fresh = new Set<string>();
  private refreshing = false;
  private frame = 0;
  // During a resync snapshot: the names shown before it, to mark what is new.
  private pending: Set<string> | null = null;

  constructor(
    private socket: Socket,
    private list: HTMLElement,
    private spacer: HTMLElement,
    private rows: HTMLElement,
    private count: HTMLElement,
    private hooks: ExplorerHooks,
  ) {
    list.addEventListener("scroll", () => this.draw());
    window.addEventListener("resize", () => this.draw());
    socket.on("listing", (p: ListingPage) => this.onListing(p));
    socket.on("fs_changes", (b: FsChanges) => this.onChanges(b));
    socket.on("fs_warning", (w: FsWarning) => hooks.note(`⚠ ${w.path || "/"}: ${w.message}`));
  }

  /** A new connection counts from 0 and knows nothing: show `path` again. */
  reset(path: string) {
    this.seq = 0;
    this.path = null;
    this.show(path);
  }

  show(path: string) {
    if (path === this.path) return;
    const old = this.path;
    this.path = path;
    this.entries = [];
    this.byName.clear();
    this.fresh.clear();
    this.loading = true;
    this.recompute();
    if (old !== null) this.socket.emit("unsubscribe", { path: old });
    this.subscribe(path);
  }

  refresh() {
    if (this.path === null) return;
    this.refreshing = true;
    this.subscribe(this.path);
  }

  toggleHidden(): boolean {
    this.hidden = !this.hidden;
    this.recompute();
    return this.hidden;
  }

  private subscribe(path: string) {
    this.socket.emit("subscribe", { path }, (r: SubscribeReply) => {
      if (!r.ok) this.hooks.note(r.error ?? "");
    });
  }

  private checkSeq(seq: number) {
    const gap = seq !== this.seq + 1;
    this.seq = seq;
    // A missed message means the view may be stale: list again, never guess.
    if (gap && this.path !== null) this.subscribe(this.path);
  }

  private onListing(p: ListingPage) {
    this.checkSeq(p.seq);
    if (p.path !== this.path) return;
    if (p.error) {
      this.loading = false;
      this.entries = [];
      this.byName.clear();
      this.recompute();
      this.hooks.note(p.error);
      // The folder is gone: go to the nearest one that is there.
      if (p.path) this.hooks.open(parentOf(p.path));
      return;
    }
    if (p.offset === 0) {
      // A resync marks what is new since the last view.
      const before = p.reason === "resync" ? new Set(this.byName.keys()) : null;
      this.entries = [];
      this.byName.clear();
      this.fresh.clear();
      this.loading = !p.done;
      this.pending = before;
    }
    for (const e of p.entries) {
      this.entries.push(e);
      this.byName.set(e.name, e);
      if (this.pending && !this.pending.has(e.name)) this.markFresh(e.name);
    }
    if (p.done) {
      this.loading = false;
      this.pending = null;
      if (this.refreshing && p.reason === "refresh") {
        this.refreshing = false;
        this.hooks.note(`${t("refreshed")} ✓ (${p.total} ${t("entries")})`);
      }
    }
    this.recompute();
  }

  private onChanges(b: FsChanges) {
    this.checkSeq(b.seq);
    let touched = false;
    for (const c of b.changes) {
      if (parentOf(c.path) !== this.path) continue;
      const name = nameOf(c.path);
      const old = this.byName.get(name);
      if (old) {
        this.entries.splice(this.indexOf(old), 1);
        this.byName.delete(name);
      }
      if (c.kind !== "removed" && c.entry) {
        this.entries.splice(this.insertionPoint(c.entry), 0, c.entry);
        this.byName.set(name, c.entry);
        if (!old) this.markFresh(name);
      }
      touched = true;
    }
    if (touched) this.recompute();
  }

  /** Highlighted once, for as long as its animation lasts, not on every redraw. */
  private markFresh(name: string) {
    this.fresh.add(name);
    setTimeout(() => this.fresh.delete(name), 1500);
  }

  private insertionPoint(e: Entry): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compare(this.entries[mid], e) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private indexOf(e: Entry): number {
    // The snapshot is in the server's order, which may differ from ours in odd cases: look
    // near where it should be, then everywhere.
    const at = this.insertionPoint(e);
    for (const i of [at, at - 1, at + 1]) if (this.entries[i] === e) return i;
    return this.entries.indexOf(e);
  }

  private recompute() {
    this.shown = this.hidden ? this.entries : this.entries.filter((e) => !e.name.startsWith("."));
    this.spacer.style.height = `${this.shown.length * ROW}px`;
    const n = this.shown.length;
    this.count.textContent = this.loading
      ? `${t("loading")} ${this.entries.length}…`
      : n === 0
        ? t("empty")
        : `${n} ${t("entries")}`;
    this.draw();
  }

  private draw() {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.drawNow());
  }

  private drawNow() {
    const top = this.list.scrollTop;
    const height = this.list.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / ROW) - OVERSCAN);
    const last = Math.min(this.shown.length, Math.ceil((top + height) / ROW) + OVERSCAN);
    const items: HTMLElement[] = [];
    for (let i = first; i < last; i++) items.push(this.row(this.shown[i], i));
    this.rows.style.transform = `translateY(${first * ROW}px)`;
    this.rows.replaceChildren(...items);
  }

  private row(e: Entry, i: number): HTMLElement {
    const li = document.createElement("li");
    li.dataset.kind = e.kind;
    li.dataset.name = e.name;
    li.setAttribute("role", "treeitem");
    li.setAttribute("aria-posinset", String(i + 1));
    li.setAttribute("aria-setsize", String(this.shown.length));
    const icon = e.kind === "dir" ? "📁" : e.kind === "symlink" ? "🔗" : e.kind === "other" ? "◇" : "📄";
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = `${icon} ${e.name}`;
    li.append(name);
    if (e.kind === "file") {
      const size = document.createElement("span");
      size.className = "size";
      size.textContent = human(e.size);
      li.append(size);
    }
    if (e.lossy) {
      li.classList.add("lossy");
      li.title = t("lossy");
    }
    if (e.kind === "symlink") li.title = t("symlink");
    if (this.fresh.has(e.name)) li.classList.add("fresh");
    if (e.kind === "dir" && this.path !== null) {
      const target = this.path ? `${this.path}/${e.name}` : e.name;
      li.onclick = () => this.hooks.open(target);
    }
    return li;
  }
}

function human(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
}
