// The explorer's model and view: one subscribed folder, kept current by `listing` snapshots and
// `fs_changes` deltas, drawn as a virtual list (only the rows in sight are in the DOM), so a
// folder of 100k entries scrolls like one of ten. What the user does here (select, rename in
// place, drag, copy and paste, delete, drop files) is handed to the hooks as actions; nothing
// changes on disk from this file.
import { icon } from "./icons";
import type { Socket } from "socket.io-client";
import type { Action } from "./protocol/Action";
import type { Entry } from "./protocol/Entry";
import type { FsChanges } from "./protocol/FsChanges";
import type { FsWarning } from "./protocol/FsWarning";
import type { ItemRef } from "./protocol/ItemRef";
import type { ListingPage } from "./protocol/ListingPage";
import type { Subscriptions } from "./subscriptions";
import { t } from "./i18n";
import { shown } from "./names";

const ROW = 24;
const OVERSCAN = 10;
const DRAG_TYPE = "application/x-atajo-items";

// The server's order: folders first, then names case-insensitively with numbers in order.
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
const rank = (e: Entry) => (e.kind === "dir" ? 0 : 1);
export const compare = (a: Entry, b: Entry) =>
  rank(a) - rank(b) || collator.compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export const parentOf = (p: string) => (p.includes("/") ? p.slice(0, p.lastIndexOf("/")) : "");
export const nameOf = (p: string) => p.slice(p.lastIndexOf("/") + 1);
export const join = (dir: string, name: string) => (dir ? `${dir}/${name}` : name);

/** A file dropped from the desktop, with where it goes relative to the drop folder; `file`
 * is null for an empty folder, which is made as such. */
export interface Dropped {
  file: File | null;
  rel: string;
}

export interface ExplorerHooks {
  /** The user opened a folder (root-relative path). */
  open(path: string): void;
  /** The user opened a file: show it. */
  preview(path: string, entry: Entry): void;
  /** Something to do on disk: run it as the command it stands for. */
  act(action: Action): void;
  /** Files dropped from the desktop into folder `dir`. */
  upload(dir: string, files: Dropped[]): void;
  download(path: string, entry: Entry): void;
  note(text: string): void;
  /** Shows the entry in the desktop's file manager; `null` when the server offers none. */
  reveal: ((path: string) => void) | null;
}

/** What was copied or cut, to paste in another folder. */
let clipboard: { mode: "copy" | "cut"; items: ItemRef[] } | null = null;

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
  private selected = new Set<string>();
  private anchor: string | null = null;
  // The name being renamed in place, and its input (kept across redraws, so typing survives
  // changes arriving meanwhile).
  private editing: { name: string; input: HTMLInputElement } | null = null;
  private menu: HTMLElement | null = null;

  constructor(
    socket: Socket,
    private subs: Subscriptions,
    private list: HTMLElement,
    private spacer: HTMLElement,
    private rows: HTMLElement,
    private count: HTMLElement,
    private hooks: ExplorerHooks,
  ) {
    list.tabIndex = 0;
    list.addEventListener("scroll", () => this.draw());
    window.addEventListener("resize", () => this.draw());
    list.addEventListener("keydown", (e) => this.onKey(e));
    list.addEventListener("contextmenu", (e) => {
      // On the background: what applies to the folder itself.
      if (e.target === list || e.target === this.spacer || e.target === this.rows) {
        e.preventDefault();
        this.selected.clear();
        this.draw();
        this.showMenu(e.clientX, e.clientY, null);
      }
    });
    list.addEventListener("click", (e) => {
      if (e.target === list || e.target === this.spacer) {
        this.selected.clear();
        this.draw();
      }
    });
    // On the list, not on each row: the first click of a double-click redraws the rows, and
    // the second lands on a new element (a handler on the old one missed it under load).
    list.addEventListener("dblclick", (e) => {
      const row = (e.target as HTMLElement | null)?.closest<HTMLElement>("#rows li");
      const name = row?.dataset.name;
      if (name === undefined || row?.classList.contains("editing")) return;
      e.stopPropagation();
      this.activate(name);
    });
    this.dropTarget(list, () => this.path ?? "");
    document.addEventListener("click", () => this.hideMenu());
    socket.on("listing", (p: ListingPage) => this.onListing(p));
    socket.on("fs_changes", (b: FsChanges) => this.onChanges(b));
    socket.on("fs_warning", (w: FsWarning) => hooks.note(`⚠ ${w.path || "/"}: ${w.message}`));
  }

  /** A new connection counts from 0; the subscriptions were renewed: show `path`. */
  reset(path: string) {
    this.seq = 0;
    if (path !== this.path) this.show(path);
  }

  get folder(): string | null {
    return this.path;
  }

  show(path: string) {
    if (path === this.path) return;
    const old = this.path;
    this.path = path;
    this.entries = [];
    this.byName.clear();
    this.fresh.clear();
    this.selected.clear();
    this.anchor = null;
    this.editing = null;
    this.loading = true;
    this.recompute();
    this.subs.hold(path);
    if (old !== null) this.subs.release(old);
  }

  refresh() {
    if (this.path === null) return;
    this.refreshing = true;
    this.subs.subscribe(this.path);
  }

  toggleHidden(): boolean {
    this.hidden = !this.hidden;
    this.recompute();
    return this.hidden;
  }

  /** The entry named `name` in the shown folder, as last seen. */
  entry(name: string): Entry | undefined {
    return this.byName.get(name);
  }

  private checkSeq(seq: number) {
    const gap = seq !== this.seq + 1;
    this.seq = seq;
    // A missed message means the view may be stale: list again, never guess.
    if (gap && this.path !== null) this.subs.subscribe(this.path);
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
      for (const name of [...this.selected]) if (!this.byName.has(name)) this.selected.delete(name);
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
      } else this.selected.delete(name);
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
    const sel = this.selected.size ? ` · ${this.selected.size} ${t("selected")}` : "";
    this.count.textContent = this.loading
      ? `${t("loading")} ${this.entries.length}…`
      : n === 0
        ? t("empty")
        : `${n} ${t("entries")}${sel}`;
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
    // A row that shows the same entry is kept, only its state redrawn: replacing it under a
    // pointer between the press and the release of a click loses the click (a selection's
    // redraw landing inside a double-click did, on a loaded machine).
    const old = new Map<string, HTMLElement>();
    for (const li of this.rows.children) {
      const el = li as HTMLElement;
      if (el.dataset.name !== undefined) old.set(el.dataset.name, el);
    }
    const items: HTMLElement[] = [];
    for (let i = first; i < last; i++) {
      const e = this.shown[i];
      const prev = old.get(e.name);
      const keep = prev && prev.dataset.sig === signature(e) && this.editing?.name !== e.name && !prev.classList.contains("editing");
      items.push(keep ? this.decorate(prev, e, i) : this.row(e, i));
    }
    const focus = document.activeElement;
    const typing = this.editing && (focus === this.editing.input || focus === document.body);
    this.rows.style.transform = `translateY(${first * ROW}px)`;
    const unchanged = items.length === this.rows.children.length && items.every((li, k) => this.rows.children[k] === li);
    if (!unchanged) this.rows.replaceChildren(...items);
    if (typing) this.editing?.input.focus();
  }

  private itemRef(name: string): ItemRef {
    const e = this.byName.get(name);
    // The path as listed names even a name that is not UTF-8 (its stand-ins go back as they came).
    return { path: join(this.path ?? "", name), tag: e?.tag };
  }

  /** The selection as the server's items; the named entry alone when it is not selected. */
  private itemsFor(name: string | null): ItemRef[] {
    if (name !== null && !this.selected.has(name)) return [this.itemRef(name)];
    return [...this.selected].map((n) => this.itemRef(n));
  }

  /** What of a row changes with the explorer's state: its place, selection, cut, freshness. */
  private decorate(li: HTMLElement, e: Entry, i: number): HTMLElement {
    li.setAttribute("aria-posinset", String(i + 1));
    li.setAttribute("aria-setsize", String(this.shown.length));
    li.setAttribute("aria-selected", String(this.selected.has(e.name)));
    li.classList.toggle("fresh", this.fresh.has(e.name));
    li.classList.toggle("selected", this.selected.has(e.name));
    const here = this.path ?? "";
    const cut = clipboard?.mode === "cut" && clipboard.items.some((c) => c.path === join(here, e.name));
    li.classList.toggle("cut", cut);
    return li;
  }

  private row(e: Entry, i: number): HTMLElement {
    const li = document.createElement("li");
    li.dataset.kind = e.kind;
    li.dataset.name = e.name;
    li.dataset.sig = signature(e);
    li.setAttribute("role", "option");
    this.decorate(li, e, i);
    if (this.editing?.name === e.name) {
      li.append(icon(e.kind, e.name), this.editing.input);
      li.classList.add("editing");
      return li;
    }
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = shown(e.name);
    li.append(icon(e.kind, e.name), name);
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
    li.onclick = (ev) => {
      ev.stopPropagation();
      this.list.focus();
      this.select(e.name, ev.ctrlKey || ev.metaKey, ev.shiftKey);
    };
    li.oncontextmenu = (ev) => {
      ev.preventDefault();
      ev.stopPropagation();
      if (!this.selected.has(e.name)) this.select(e.name, false, false);
      this.showMenu(ev.clientX, ev.clientY, e.name);
    };
    // Dragging carries the selection (or this row) to a folder: a move, or a copy with Ctrl.
    li.draggable = true;
    li.ondragstart = (ev) => {
      if (!ev.dataTransfer) return;
      ev.dataTransfer.setData(DRAG_TYPE, JSON.stringify(this.itemsFor(e.name)));
      ev.dataTransfer.effectAllowed = "copyMove";
    };
    if (e.kind === "dir") this.dropTarget(li, () => join(this.path ?? "", e.name));
    return li;
  }

  /** Makes `el` accept atajo's own rows (move or copy) and files from the desktop (upload). */
  dropTarget(el: HTMLElement, dir: () => string) {
    el.addEventListener("dragover", (ev) => {
      const types = ev.dataTransfer?.types ?? [];
      if (!types.includes(DRAG_TYPE) && !types.includes("Files")) return;
      ev.preventDefault();
      ev.stopPropagation();
      if (ev.dataTransfer) ev.dataTransfer.dropEffect = types.includes(DRAG_TYPE) && !(ev.ctrlKey || ev.altKey) ? "move" : "copy";
      el.classList.add("drop");
    });
    el.addEventListener("dragleave", () => el.classList.remove("drop"));
    el.addEventListener("drop", async (ev) => {
      el.classList.remove("drop");
      const dt = ev.dataTransfer;
      if (!dt) return;
      ev.preventDefault();
      ev.stopPropagation();
      const to = dir();
      const ours = dt.getData(DRAG_TYPE);
      if (ours) {
        const items = JSON.parse(ours) as ItemRef[];
        // Dropping a folder on itself is a slip of the hand, not a request.
        if (items.some((i) => i.path === to)) return;
        this.hooks.act(ev.ctrlKey || ev.altKey ? { op: "copy", items, to } : { op: "move", items, to });
        return;
      }
      const files = await droppedFiles(dt);
      if (files.length) this.hooks.upload(to, files);
    });
  }

  private select(name: string, toggle: boolean, range: boolean) {
    if (range && this.anchor !== null) {
      const a = this.shown.findIndex((e) => e.name === this.anchor);
      const b = this.shown.findIndex((e) => e.name === name);
      if (a >= 0 && b >= 0) {
        if (!toggle) this.selected.clear();
        for (let i = Math.min(a, b); i <= Math.max(a, b); i++) this.selected.add(this.shown[i].name);
      }
    } else if (toggle) {
      if (this.selected.has(name)) this.selected.delete(name);
      else this.selected.add(name);
      this.anchor = name;
    } else {
      this.selected.clear();
      this.selected.add(name);
      this.anchor = name;
    }
    this.recompute();
  }

  /** Opens a folder, previews a file. */
  private activate(name: string) {
    const e = this.byName.get(name);
    if (!e || this.path === null) return;
    const path = join(this.path, name);
    if (e.kind === "dir") this.hooks.open(path);
    else if (e.kind === "file" || e.kind === "symlink") this.hooks.preview(path, e);
  }

  private onKey(ev: KeyboardEvent) {
    if (this.editing || this.path === null) return;
    const ctrl = ev.ctrlKey || ev.metaKey;
    const current = this.anchor ?? [...this.selected][0] ?? null;
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      const i = current === null ? -1 : this.shown.findIndex((e) => e.name === current);
      const next = this.shown[Math.max(0, Math.min(this.shown.length - 1, i + (ev.key === "ArrowDown" ? 1 : -1)))];
      if (next) {
        this.select(next.name, false, ev.shiftKey);
        if (!ev.shiftKey) this.anchor = next.name;
        this.scrollTo(next.name);
      }
    } else if (ev.key === "Enter" && current !== null) {
      this.activate(current);
    } else if (ev.key === "F2" && current !== null) {
      ev.preventDefault();
      this.startRename(current);
    } else if (ev.key === "Delete" && this.selected.size) {
      this.hooks.act({ op: "delete", items: this.itemsFor(null) });
    } else if (ctrl && ev.key.toLowerCase() === "a") {
      ev.preventDefault();
      for (const e of this.shown) this.selected.add(e.name);
      this.recompute();
    } else if (ctrl && ev.key.toLowerCase() === "c" && this.selected.size) {
      this.copy("copy", null);
    } else if (ctrl && ev.key.toLowerCase() === "x" && this.selected.size) {
      this.copy("cut", null);
    } else if (ctrl && ev.key.toLowerCase() === "v") {
      this.paste(this.path);
    } else if (ev.key === "Escape") {
      this.selected.clear();
      this.recompute();
    }
  }

  private scrollTo(name: string) {
    const i = this.shown.findIndex((e) => e.name === name);
    if (i < 0) return;
    const top = i * ROW;
    if (top < this.list.scrollTop) this.list.scrollTop = top;
    else if (top + ROW > this.list.scrollTop + this.list.clientHeight) this.list.scrollTop = top + ROW - this.list.clientHeight;
  }

  private copy(mode: "copy" | "cut", name: string | null) {
    clipboard = { mode, items: this.itemsFor(name) };
    this.hooks.note(`${mode === "copy" ? t("copied") : t("cutDone")}: ${clipboard.items.length}`);
    this.draw();
  }

  private paste(to: string | null) {
    if (!clipboard || to === null) return;
    const { mode, items } = clipboard;
    if (mode === "cut") clipboard = null;
    this.hooks.act(mode === "copy" ? { op: "copy", items, to } : { op: "move", items, to });
  }

  /** Renames in place: Enter commits, Escape or leaving the field gives up. */
  startRename(name: string) {
    const e = this.byName.get(name);
    if (!e) return;
    const input = document.createElement("input");
    input.className = "rename";
    input.value = name;
    input.setAttribute("aria-label", t("rename"));
    const done = (commit: boolean) => {
      if (this.editing?.input !== input) return;
      this.editing = null;
      const to = input.value.trim();
      if (commit && to && to !== name) this.hooks.act({ op: "rename", item: this.itemRef(name), name: to });
      this.draw();
      this.list.focus();
    };
    input.onkeydown = (ev) => {
      ev.stopPropagation();
      if (ev.key === "Enter") done(true);
      else if (ev.key === "Escape") done(false);
    };
    // A redraw (a change arriving) detaches the field for a moment and focus falls to the
    // page: only focus taken by something else gives up.
    input.onblur = () =>
      setTimeout(() => {
        const now = document.activeElement;
        if (now && now !== input && now !== document.body) done(false);
      }, 0);
    input.onclick = (ev) => ev.stopPropagation();
    this.editing = { name, input };
    this.scrollTo(name);
    this.drawNow();
    input.focus();
    // The name without its extension, as file managers do.
    const dot = e.kind === "dir" ? -1 : name.lastIndexOf(".");
    input.setSelectionRange(0, dot > 0 ? dot : name.length);
  }

  /** Offers "show in file manager" (or stops offering it). */
  setReveal(reveal: ((path: string) => void) | null) {
    this.hooks.reveal = reveal;
  }

  private showMenu(x: number, y: number, name: string | null) {
    this.hideMenu();
    const e = name === null ? null : this.byName.get(name);
    const here = this.path ?? "";
    const many = this.selected.size > 1;
    const items: [string, () => void][] = [];
    if (e && name !== null && !many) {
      items.push([e.kind === "dir" ? t("open") : t("preview"), () => this.activate(name)]);
      items.push([t("rename") + " (F2)", () => this.startRename(name)]);
    }
    if (e && name !== null) {
      items.push([t("download"), () => {
        for (const n of many ? [...this.selected] : [name]) {
          const en = this.byName.get(n);
          if (en) this.hooks.download(join(here, n), en);
        }
      }]);
      const reveal = this.hooks.reveal;
      if (reveal && !many) items.push([t("reveal"), () => reveal(join(here, name))]);
      items.push([t("copy") + " (Ctrl-C)", () => this.copy("copy", name)]);
      items.push([t("cut") + " (Ctrl-X)", () => this.copy("cut", name)]);
    }
    const into = e?.kind === "dir" && !many && name !== null ? join(here, name) : here;
    if (clipboard) items.push([`${t("paste")} (Ctrl-V)`, () => this.paste(into)]);
    if (e && name !== null) items.push([t("delete") + ` (${t("deleteKey")})`, () => this.hooks.act({ op: "delete", items: this.itemsFor(name) })]);
    if (!e) {
      items.push([t("newFolder"), () => document.getElementById("new-folder")?.click()]);
      items.push([t("newFile"), () => document.getElementById("new-file")?.click()]);
    }
    const menu = document.createElement("menu");
    menu.className = "context";
    menu.setAttribute("role", "menu");
    for (const [label, run] of items) {
      const li = document.createElement("li");
      li.setAttribute("role", "none");
      const b = document.createElement("button");
      b.type = "button";
      b.setAttribute("role", "menuitem");
      b.textContent = label;
      b.onclick = (ev) => {
        ev.stopPropagation();
        this.hideMenu();
        run();
      };
      li.append(b);
      menu.append(li);
    }
    menu.style.left = `${Math.min(x, window.innerWidth - 220)}px`;
    menu.style.top = `${Math.min(y, window.innerHeight - 30 * items.length - 10)}px`;
    document.body.append(menu);
    this.menu = menu;
  }

  private hideMenu() {
    this.menu?.remove();
    this.menu = null;
  }
}

/** Every file in a drop, folders walked (their structure kept in `rel`). */
async function droppedFiles(dt: DataTransfer): Promise<Dropped[]> {
  const entries = [...dt.items].map((i) => i.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
  if (!entries.length) return [...dt.files].map((file) => ({ file, rel: file.name }));
  const out: Dropped[] = [];
  const walk = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((ok, fail) => (entry as FileSystemFileEntry).file(ok, fail));
      out.push({ file, rel: prefix + entry.name });
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      let empty = true;
      // readEntries hands out a folder in batches until an empty one.
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((ok, fail) => reader.readEntries(ok, fail));
        if (!batch.length) break;
        empty = false;
        for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
      }
      if (empty) out.push({ file: null, rel: prefix + entry.name });
    }
  };
  for (const e of entries) await walk(e, "");
  return out;
}

export function human(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
}

/** What a row shows of its entry beyond its name: a different one is drawn afresh. */
function signature(e: Entry): string {
  return `${e.kind}|${e.size}|${e.tag}|${e.lossy}`;
}
