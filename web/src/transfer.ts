// Uploads and downloads. An upload is the file's bytes in a PUT (streamed by the browser, never
// base64 in JSON), one at a time, each with its progress, speed and a cancel button; a name
// that is taken asks before replacing. Each finished transfer is announced as a terminal line.
import type { Entry } from "./protocol/Entry";
import { ask } from "./dialog";
import { human, join, type Dropped } from "./explorer";
import { lang, t } from "./i18n";
import { rawPath, shown } from "./names";
import { writeHeaders } from "./account";

/** The URL of a file (query starts with "?"); by its bytes when its path is not UTF-8. */
export function fileUrl(path: string, query = ""): string {
  // The server answers errors in the page's language.
  const q = `${query}${query ? "&" : "?"}lang=${lang()}`;
  const raw = rawPath(path);
  if (raw) return `api/files?raw=${raw}${q.replace(/^\?/, "&")}`;
  return `api/files/${path.split("/").map(encodeURIComponent).join("/")}${q}`;
}

interface Job {
  dir: string;
  item: Dropped;
  row: HTMLElement;
  bar: HTMLProgressElement;
  info: HTMLElement;
  xhr: XMLHttpRequest | null;
  cancelled: boolean;
}

type Overwrite = "ask" | "all" | "none";

export class Transfers {
  private queue: Job[] = [];
  private busy = false;
  private overwrite: Overwrite = "ask";

  constructor(
    private panel: HTMLElement,
    private announce: (line: string) => void,
  ) {}

  /** Queues files dropped (or picked) for folder `dir`; their folders are created as needed. */
  upload(dir: string, items: Dropped[]) {
    if (!this.busy) this.overwrite = "ask";
    for (const item of items) this.queue.push(this.row(dir, item));
    this.panel.hidden = false;
    void this.next();
  }

  download(path: string, entry: Entry) {
    const a = document.createElement("a");
    a.href = fileUrl(path, "?download=1");
    a.download = entry.kind === "dir" ? `${entry.name}.zip` : entry.name;
    document.body.append(a);
    a.click();
    a.remove();
    const what = entry.kind === "dir" ? `${path || "."}/ → ${entry.name}.zip` : `${path} (${human(entry.size)})`;
    this.announce(`⇩ ${t("downloadLine")} ${what}`);
  }

  private row(dir: string, item: Dropped): Job {
    const row = document.createElement("li");
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = shown(join(dir, item.rel));
    const bar = document.createElement("progress");
    bar.max = 1;
    bar.value = 0;
    const info = document.createElement("span");
    info.className = "info";
    info.textContent = t("waiting");
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.textContent = "✕";
    cancel.title = t("cancel");
    cancel.setAttribute("aria-label", t("cancel"));
    const job: Job = { dir, item, row, bar, info, xhr: null, cancelled: false };
    cancel.onclick = () => {
      job.cancelled = true;
      job.xhr?.abort();
      info.textContent = t("cancelled");
      row.classList.add("stopped");
      cancel.remove();
    };
    row.append(name, bar, info, cancel);
    this.panel.querySelector("ul")?.append(row);
    return job;
  }

  private async next() {
    if (this.busy) return;
    this.busy = true;
    for (let job = this.queue.shift(); job; job = this.queue.shift()) {
      if (!job.cancelled) await this.send(job, this.overwrite === "all");
    }
    this.busy = false;
  }

  private async send(job: Job, overwrite: boolean): Promise<void> {
    const path = join(job.dir, job.item.rel);
    const started = performance.now();
    const file = job.item.file;
    if (file === null) return this.folder(job, path);
    const res = await new Promise<{ status: number; body: string } | null>((ok) => {
      const xhr = new XMLHttpRequest();
      job.xhr = xhr;
      xhr.open("PUT", fileUrl(path, `?parents=1${overwrite ? "&overwrite=1" : ""}`));
      for (const [k, v] of Object.entries(writeHeaders())) xhr.setRequestHeader(k, v);
      xhr.upload.onprogress = (e) => {
        if (!e.lengthComputable) return;
        job.bar.value = e.loaded / Math.max(1, e.total);
        const secs = (performance.now() - started) / 1000;
        job.info.textContent = `${Math.round((100 * e.loaded) / Math.max(1, e.total))}% · ${human(e.loaded / Math.max(secs, 0.001))}/s`;
      };
      xhr.onload = () => ok({ status: xhr.status, body: xhr.responseText });
      xhr.onerror = () => ok({ status: 0, body: "" });
      xhr.onabort = () => ok(null);
      xhr.send(file);
    });
    job.xhr = null;
    if (res === null) return;
    if (res.status === 409 && !overwrite) {
      let body: { kind?: string; current?: Entry } = {};
      try {
        body = JSON.parse(res.body);
      } catch {
        /* not ours: shown as an error below */
      }
      if (body.kind === "exists") {
        const answer = this.overwrite === "none" ? "skip" : await this.askOverwrite(path, body.current);
        if (answer === "replace") return this.send(job, true);
        job.info.textContent = t("skipped");
        job.row.classList.add("stopped");
        return;
      }
    }
    if (res.status === 200) {
      const secs = (performance.now() - started) / 1000;
      const speed = human(file.size / Math.max(secs, 0.001));
      this.done(job, `✓ ${human(file.size)} · ${speed}/s`);
      this.announce(`⇧ ${t("uploadLine")} ${path} (${human(file.size)}, ${speed}/s)`);
      return;
    }
    this.failed(job, path, res.status, res.body);
  }

  /** An empty folder of a dropped tree. */
  private async folder(job: Job, path: string) {
    const res = await fetch(fileUrl(path, "?folder=1"), { method: "PUT", headers: writeHeaders() });
    const body = await res.text();
    if (res.ok) {
      this.done(job, "✓");
      this.announce(`⇧ ${t("uploadLine")} ${path}/`);
    } else this.failed(job, path, res.status, body);
  }

  private done(job: Job, info: string) {
    job.bar.value = 1;
    job.info.textContent = info;
    job.row.classList.add("done");
    setTimeout(() => {
      job.row.remove();
      if (!this.panel.querySelector("li")) this.panel.hidden = true;
    }, 4000);
  }

  private failed(job: Job, path: string, status: number, body: string) {
    let message = `HTTP ${status}`;
    try {
      message = JSON.parse(body).error ?? message;
    } catch {
      /* keep the status */
    }
    job.info.textContent = `✗ ${message}`;
    job.row.classList.add("stopped");
    this.announce(`✗ ${t("uploadLine")} ${path}: ${message}`);
  }

  private async askOverwrite(path: string, current?: Entry): Promise<"replace" | "skip"> {
    const what = current ? ` (${human(current.size)}, ${new Date(current.mtime * 1000).toLocaleString()})` : "";
    const answer = await ask(t("existsTitle"), [`${path}${what}`, t("existsQuestion")], [
      { label: t("replace"), value: "replace" as const, kind: "danger" },
      { label: t("replaceAll"), value: "all" as const },
      { label: t("skip"), value: "skip" as const, kind: "primary" },
      { label: t("skipAll"), value: "none" as const },
    ]);
    if (answer === "all") this.overwrite = "all";
    if (answer === "none") this.overwrite = "none";
    return answer === "replace" || answer === "all" ? "replace" : "skip";
  }
}
