// Preview and edit a file over the terminal: text with syntax highlighting, images, PDFs in the
// browser's own viewer. A save carries the tag the text was loaded with, so a file changed on
// disk meanwhile is a conflict the user settles, never a silent overwrite; and while it is
// open, a change on disk says so.
import type { Socket } from "socket.io-client";
import type { Entry } from "./protocol/Entry";
import type { FsChanges } from "./protocol/FsChanges";
import type { ListingPage } from "./protocol/ListingPage";
import type { Subscriptions } from "./subscriptions";
import { ask } from "./dialog";
import { human, nameOf, parentOf } from "./explorer";
import { fileUrl } from "./transfer";
import { shown } from "./names";
import { t } from "./i18n";
import { writeHeaders } from "./account";

/** Larger text is offered for download rather than shown. */
const MAX_TEXT = 4 * 1024 * 1024;
/** Larger text is shown without highlighting (it would take seconds). */
const MAX_HIGHLIGHT = 256 * 1024;
const IMAGES = new Set(["png", "jpg", "jpeg", "gif", "webp", "bmp", "ico", "avif"]);

export interface ViewerHooks {
  announce(line: string): void;
  download(path: string, entry: Entry): void;
}

export class Viewer {
  private path: string | null = null;
  private entry: Entry | null = null;
  private text: string | null = null;
  private editor: HTMLTextAreaElement | null = null;
  private dirty = false;
  // Whether the current folder snapshot (pages of a listing) has shown our file yet.
  private seenInSnapshot = false;

  constructor(
    private root: HTMLElement,
    socket: Socket,
    private subs: Subscriptions,
    private hooks: ViewerHooks,
  ) {
    socket.on("fs_changes", (b: FsChanges) => {
      for (const c of b.changes) if (c.path === this.path) this.onDisk(c.kind === "removed" ? null : (c.entry ?? null));
    });
    socket.on("listing", (p: ListingPage) => this.onListing(p));
    root.addEventListener("keydown", (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s" && this.editor) {
        e.preventDefault();
        void this.save(false);
      } else if (e.key === "Escape" && !this.editor) this.close();
    });
    window.addEventListener("beforeunload", (e) => {
      if (this.dirty) e.preventDefault();
    });
  }

  get open(): string | null {
    return this.path;
  }

  async show(path: string, entry: Entry) {
    if (!(await this.close())) return;
    this.path = path;
    this.entry = entry;
    this.subs.hold(parentOf(path));
    this.root.hidden = false;
    await this.load();
  }

  /** Closes unless unsaved edits are kept by the user; false when it stays open. */
  async close(): Promise<boolean> {
    if (this.path === null) return true;
    if (this.dirty) {
      const go = await ask(t("unsavedTitle"), [this.path], [
        { label: t("discard"), value: true, kind: "danger" },
        { label: t("keepEditing"), value: false, kind: "primary" },
      ]);
      if (!go) return false;
    }
    this.subs.release(parentOf(this.path));
    this.path = null;
    this.entry = null;
    this.text = null;
    this.editor = null;
    this.dirty = false;
    this.root.hidden = true;
    this.root.replaceChildren();
    return true;
  }

  private async load() {
    const path = this.path;
    const entry = this.entry;
    if (path === null || entry === null) return;
    this.text = null;
    this.editor = null;
    this.dirty = false;
    const body = document.createElement("div");
    body.className = "viewer-body";
    const ext = nameOf(path).split(".").pop()?.toLowerCase() ?? "";
    const url = fileUrl(path, `?v=${encodeURIComponent(entry.tag)}`);
    if (IMAGES.has(ext)) {
      const img = document.createElement("img");
      img.src = url;
      img.alt = nameOf(path);
      body.append(img);
    } else if (ext === "pdf") {
      const frame = document.createElement("iframe");
      frame.src = url;
      frame.title = nameOf(path);
      body.append(frame);
    } else if (entry.size > MAX_TEXT) {
      body.append(message(`${t("tooBig")} (${human(entry.size)})`));
    } else {
      const res = await fetch(url);
      if (this.path !== path) return;
      if (!res.ok) {
        body.append(message(`${t("cannotOpen")}: ${(await res.json().catch(() => ({}))).error ?? res.status}`));
      } else {
        const bytes = new Uint8Array(await res.arrayBuffer());
        const tag = res.headers.get("etag")?.replace(/"/g, "");
        // What was loaded is what a save must replace.
        if (tag && this.entry) this.entry = { ...this.entry, tag, size: bytes.length };
        if (bytes.subarray(0, 8192).includes(0)) body.append(message(t("binary")));
        else {
          this.text = new TextDecoder().decode(bytes);
          body.append(await highlighted(this.text, ext));
          if (this.path !== path) return;
        }
      }
    }
    this.render(body);
  }

  private render(body: HTMLElement) {
    const path = this.path ?? "";
    const head = document.createElement("div");
    head.className = "viewer-head";
    const title = document.createElement("strong");
    title.textContent = shown(path);
    head.append(title);
    const state = document.createElement("span");
    state.className = "viewer-state";
    head.append(state);
    const tools = document.createElement("span");
    tools.className = "tools";
    const button = (label: string, run: () => void, id: string) => {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = label;
      b.dataset.role = id;
      b.onclick = run;
      tools.append(b);
    };
    if (this.text !== null && !this.editor) button(t("edit"), () => this.edit(), "edit");
    if (this.editor) button(t("save"), () => void this.save(false), "save");
    if (this.entry) button(t("download"), () => this.entry && this.hooks.download(path, this.entry), "download");
    button(t("close"), () => void this.close(), "close");
    head.append(tools);
    const banner = document.createElement("div");
    banner.className = "viewer-banner";
    banner.hidden = true;
    this.root.replaceChildren(head, banner, body);
  }

  private edit() {
    if (this.text === null) return;
    const area = document.createElement("textarea");
    area.className = "editor";
    area.spellcheck = false;
    area.value = this.text;
    area.oninput = () => this.setDirty(true);
    area.onkeydown = (e) => {
      // A tab indents instead of leaving the editor.
      if (e.key === "Tab") {
        e.preventDefault();
        area.setRangeText("\t", area.selectionStart, area.selectionEnd, "end");
        this.setDirty(true);
      }
    };
    this.editor = area;
    const body = document.createElement("div");
    body.className = "viewer-body";
    body.append(area);
    this.render(body);
    area.focus();
  }

  private setDirty(dirty: boolean) {
    this.dirty = dirty;
    const s = this.root.querySelector(".viewer-state");
    if (s) s.textContent = dirty ? `● ${t("unsaved")}` : "";
  }

  /** Saves with the tag the text was loaded with; `force` replaces whatever is there now. */
  private async save(force: boolean, tag?: string): Promise<void> {
    const path = this.path;
    const area = this.editor;
    if (path === null || !area || !this.entry) return;
    const text = area.value;
    const res = await fetch(fileUrl(path), {
      method: "PUT",
      body: text,
      headers: writeHeaders({ "if-match": `"${force && tag ? tag : this.entry.tag}"` }),
    });
    const body = await res.json().catch(() => ({}));
    if (res.ok) {
      this.entry = body.entry;
      this.text = text;
      this.setDirty(false);
      this.banner(null);
      const s = this.root.querySelector(".viewer-state");
      if (s) s.textContent = `✓ ${t("saved")}`;
      this.hooks.announce(`✎ ${t("saveLine")} ${path} (${human(new TextEncoder().encode(text).length)})`);
      return;
    }
    if (res.status === 412) {
      const current: Entry | undefined = body.current;
      const choice = await ask(t("conflictTitle"), [path, t("conflictQuestion")], [
        { label: t("overwriteMine"), value: "mine" as const, kind: "danger" },
        { label: t("loadTheirs"), value: "theirs" as const },
        { label: t("cancel"), value: "cancel" as const, kind: "primary" },
      ]);
      if (choice === "mine") {
        // Their file is gone: there is nothing to compare with, so write it as new.
        if (!current) return this.saveAsNew(path, text);
        return this.save(true, current.tag);
      }
      if (choice === "theirs" && current) {
        this.entry = current;
        await this.load();
      }
      return;
    }
    this.hooks.announce(`✗ ${t("saveLine")} ${path}: ${body.error ?? res.status}`);
    const s = this.root.querySelector(".viewer-state");
    if (s) s.textContent = `✗ ${body.error ?? res.status}`;
  }

  private async saveAsNew(path: string, text: string) {
    const res = await fetch(fileUrl(path), { method: "PUT", body: text, headers: writeHeaders() });
    if (res.ok) {
      this.entry = (await res.json()).entry;
      this.setDirty(false);
      this.banner(null);
      this.hooks.announce(`✎ ${t("saveLine")} ${path}`);
    }
  }

  /** What the watcher says of our file now. */
  private onDisk(entry: Entry | null) {
    if (!this.entry) return;
    if (entry && entry.tag === this.entry.tag) return this.banner(null);
    this.banner(entry ? t("changedOnDisk") : t("deletedOnDisk"), entry);
  }

  private onListing(p: ListingPage) {
    if (this.path === null || p.path !== parentOf(this.path) || p.error) return;
    if (p.offset === 0) this.seenInSnapshot = false;
    const mine = p.entries.find((e) => e.name === nameOf(this.path ?? ""));
    if (mine) {
      this.seenInSnapshot = true;
      this.onDisk(mine);
    }
    if (p.done && !this.seenInSnapshot) this.onDisk(null);
  }

  private banner(text: string | null, entry?: Entry | null) {
    const b = this.root.querySelector<HTMLElement>(".viewer-banner");
    if (!b) return;
    b.hidden = text === null;
    b.replaceChildren();
    if (text === null) return;
    b.append(`⚠ ${text} `);
    if (entry) {
      const reload = document.createElement("button");
      reload.type = "button";
      reload.textContent = this.dirty ? t("loadTheirs") : t("reload");
      reload.onclick = async () => {
        if (this.dirty && !(await ask(t("unsavedTitle"), [this.path ?? ""], [
          { label: t("discard"), value: true, kind: "danger" },
          { label: t("keepEditing"), value: false, kind: "primary" },
        ]))) return;
        this.entry = entry;
        await this.load();
      };
      b.append(reload);
    }
  }
}

function message(text: string): HTMLElement {
  const p = document.createElement("p");
  p.className = "viewer-message";
  p.textContent = text;
  return p;
}

/** Loaded the first time a text is shown: most sessions never pay for it. */
const highlighter = () => import("highlight.js/lib/common").then((m) => m.default);

async function highlighted(text: string, ext: string): Promise<HTMLElement> {
  const pre = document.createElement("pre");
  const code = document.createElement("code");
  code.className = "hljs";
  if (text.length <= MAX_HIGHLIGHT) {
    const hljs = await highlighter();
    const lang = hljs.getLanguage(ext) ? ext : undefined;
    // highlight.js escapes the text; what comes back is its own markup only.
    code.innerHTML = lang ? hljs.highlight(text, { language: lang }).value : hljs.highlightAuto(text).value;
  } else code.textContent = text;
  pre.append(code);
  return pre;
}
