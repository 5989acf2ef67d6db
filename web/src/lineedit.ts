// The guarded terminal's line editor, as readline edits a line: the cursor moves through
// the line (Left/Right, Home/End, Ctrl-A/E, words with Alt-B/F or Ctrl-Left/Right), text is
// inserted and deleted where it is (Backspace, Delete, Ctrl-K/U/W, Alt-D, Ctrl-Y pastes what
// was cut), Up/Down and Ctrl-R walk the history, which is kept across reloads. A line longer
// than the terminal wraps and is redrawn in place; wide characters count two columns.

import { type Key, KeyReader } from "./keys";

export interface EditorHost {
  write(data: string): void;
  cols(): number;
  /** A line was entered (never empty). */
  submit(line: string): void;
  /** Ctrl-L: the screen is cleared; the editor redraws its line after. */
  clearScreen(): void;
  /** Words shown while searching the history. */
  searchLabel(failed: boolean): string;
  /** Said when pasted lines are left unrun (a question came first). */
  dropped(count: number): void;
  /** Tab: the choices for the word that ends `before` (null: no answer). */
  complete(before: string): Promise<Choices | null>;
  /** "and N more" under a list of choices. */
  moreLabel(count: number): string;
}

export interface Choices {
  /** The word completed, as typed: the end of `before`. */
  word: string;
  candidates: { text: string; label: string; note?: string; dir: boolean }[];
  more: number;
}

const HISTORY_MAX = 500;
const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** The line as what the cursor steps over: one grapheme ("é", "👍🏽") at a time. */
function graphemes(s: string): string[] {
  return Array.from(segmenter.segment(s), (g) => g.segment);
}

/** Columns a grapheme takes: East Asian wide and emoji two, combining marks nothing. */
export function width(g: string): number {
  const cp = g.codePointAt(0) ?? 0;
  if (cp < 0x300) return 1;
  if (cp <= 0x36f || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  )
    return 2;
  return 1;
}

const widthOf = (gs: string[]) => gs.reduce((n, g) => n + width(g), 0);

function commonStart(texts: string[]): string {
  let start = texts[0] ?? "";
  for (const t of texts) {
    while (!t.startsWith(start)) start = start.slice(0, -1);
  }
  return start;
}

/** Choices in columns across the terminal; options with what they mean, one a line. */
function layout(candidates: Choices["candidates"], cols: number): string[] {
  const w = (s: string) => widthOf(graphemes(s));
  if (candidates.some((c) => c.note)) {
    const pad = Math.max(...candidates.map((c) => w(c.label))) + 2;
    return candidates.map((c) => c.label + " ".repeat(pad - w(c.label)) + `\x1b[90m${c.note ?? ""}\x1b[0m`);
  }
  const cell = Math.max(...candidates.map((c) => w(c.label))) + 2;
  const across = Math.max(1, Math.floor(cols / cell));
  const rows = Math.ceil(candidates.length / across);
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    let line = "";
    for (let c = 0; c < across; c++) {
      const x = candidates[c * rows + r];
      if (!x) continue;
      line += x.label + " ".repeat(cell - w(x.label));
    }
    lines.push(line.trimEnd());
  }
  return lines;
}
const visible = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
const isWord = (g: string) => /[\p{L}\p{N}_]/u.test(g);

export class LineEditor {
  private keys = new KeyReader();
  private buf: string[] = [];
  private pos = 0;
  private promptText = "";
  /** Whether a prompt is out and keys edit the line. */
  private active = false;
  /** The cursor's row below the prompt's first row, as last drawn. */
  private row = 0;
  private killed = "";
  private history: string[] = [];
  private historyKey = "";
  /** How far back Up has gone (0: the line being written), and that line. */
  private back = 0;
  private draft: string[] = [];
  private search: { query: string; at: number; failed: boolean; before: string[] } | null = null;
  /** Keys that came while no prompt was out (typed ahead, or a paste's further lines):
   * handled at the next prompt, up to the next Enter, as a terminal does. */
  private ahead: Key[] = [];

  constructor(private host: EditorHost) {}

  /** The history of the workspace called `name`, kept in this browser. */
  useHistory(name: string) {
    this.historyKey = `atajo.history.${name}`;
    try {
      const saved = JSON.parse(localStorage.getItem(this.historyKey) ?? "[]");
      this.history = Array.isArray(saved) ? saved.filter((l) => typeof l === "string") : [];
    } catch {
      this.history = [];
    }
  }

  /** Shows `prompt` on a new line and starts editing an empty line, or the next pasted one. */
  prompt(prompt: string) {
    this.promptText = prompt;
    this.buf = [];
    this.pos = 0;
    this.row = 0;
    this.back = 0;
    this.search = null;
    this.active = true;
    this.host.write(prompt);
    const keys = this.ahead;
    this.ahead = [];
    this.handleAll(keys);
  }

  /** Handles `keys` in order; those after an Enter that ends editing wait for the next prompt. */
  private handleAll(keys: Key[]) {
    for (let i = 0; i < keys.length; i++) {
      if (!this.active) {
        this.ahead.push(...keys.slice(i));
        return;
      }
      this.handle(keys[i]);
    }
  }

  /** Editing stops (a command runs, a question is asked); pasted lines still waiting go. */
  stop() {
    this.active = false;
    // Lines typed ahead are not answers to the question: say they were not run.
    const enters = this.ahead.filter((k) => "key" in k && k.key === "enter").length;
    const last = this.ahead[this.ahead.length - 1];
    const n = enters + (last && "text" in last ? 1 : 0);
    this.ahead = [];
    if (n) this.host.dropped(n);
  }

  /** Forgets keys typed ahead (Ctrl-C while a command runs). */
  dropAhead() {
    this.ahead = [];
  }

  get text(): string {
    return this.buf.join("");
  }

  get editing(): boolean {
    return this.active;
  }

  /** Empties the line being typed (keeping the prompt), before something is written after it. */
  erase() {
    if (!this.active) return;
    this.buf = [];
    this.pos = 0;
    this.search = null;
    this.refresh();
    this.active = false;
  }

  /** Clears the prompt and line from the screen, to print above them; `show` puts them back. */
  hide() {
    if (!this.active) return;
    this.host.write((this.row ? `\x1b[${this.row}A` : "") + "\r\x1b[J");
    this.row = 0;
  }

  show() {
    if (!this.active) return;
    this.host.write(this.promptText);
    this.row = 0;
    this.refresh();
  }

  /** Handles what the terminal sent while a prompt is out. */
  feed(data: string) {
    const keys = this.keys.read(data);
    if (!this.active) {
      this.ahead.push(...keys);
      return;
    }
    this.handleAll(keys);
  }

  private handle(k: Key) {
    // A second Tab in a row lists the choices.
    const again = this.tabbed;
    this.tabbed = false;
    if (this.search) {
      if (this.searchKey(k)) return;
    }
    if ("text" in k) {
      this.insert(k.text);
      return;
    }
    switch (k.key) {
      case "enter":
        return this.enter();
      case "backspace":
        if (this.pos > 0) {
          this.buf.splice(this.pos - 1, 1);
          this.pos -= 1;
        }
        break;
      case "delete":
        this.buf.splice(this.pos, 1);
        break;
      case "eof":
        if (!this.buf.length) return;
        this.buf.splice(this.pos, 1);
        break;
      case "left":
        this.pos = Math.max(0, this.pos - 1);
        break;
      case "right":
        this.pos = Math.min(this.buf.length, this.pos + 1);
        break;
      case "home":
        this.pos = 0;
        break;
      case "end":
        this.pos = this.buf.length;
        break;
      case "word-left":
        this.pos = this.wordStart(this.pos);
        break;
      case "word-right":
        this.pos = this.wordEnd(this.pos);
        break;
      case "kill-end":
        this.killed = this.buf.splice(this.pos).join("");
        break;
      case "kill-start":
        this.killed = this.buf.splice(0, this.pos).join("");
        this.pos = 0;
        break;
      case "kill-word-back": {
        // Ctrl-W cuts back to the space before the word; Alt-Backspace to the word's start.
        let start = this.pos;
        while (start > 0 && this.buf[start - 1] === " ") start--;
        while (start > 0 && this.buf[start - 1] !== " ") start--;
        this.killed = this.buf.splice(start, this.pos - start).join("");
        this.pos = start;
        break;
      }
      case "kill-word-forward": {
        const end = this.wordEnd(this.pos);
        this.killed = this.buf.splice(this.pos, end - this.pos).join("");
        break;
      }
      case "yank":
        this.insert(this.killed);
        return;
      case "up":
      case "down":
        return this.walkHistory(k.key === "up" ? 1 : -1);
      case "interrupt":
        this.ahead = [];
        this.pos = this.buf.length;
        this.refresh();
        this.host.write("^C\r\n");
        this.active = false;
        this.prompt(this.promptText);
        return;
      case "clear-screen":
        this.host.clearScreen();
        this.row = 0;
        this.host.write(this.promptText);
        break;
      case "search-back":
        this.search = { query: "", at: this.history.length, failed: false, before: [...this.buf] };
        break;
      case "tab":
        this.tabbed = true;
        void this.complete(again);
        return;
      default:
        // Escape, Tab and sequences no key here means are not text.
        return;
    }
    this.refresh();
  }

  /** A key while searching the history; false when it ends the search and is handled as usual. */
  private searchKey(k: Key): boolean {
    const s = this.search;
    if (!s) return false;
    if ("text" in k) {
      s.query += k.text;
      this.findBack(Math.min(s.at, this.history.length - 1));
      this.refresh();
      return true;
    }
    switch (k.key) {
      case "search-back":
        this.findBack(s.at - 1);
        this.refresh();
        return true;
      case "backspace":
        s.query = graphemes(s.query).slice(0, -1).join("");
        this.findBack(this.history.length - 1);
        this.refresh();
        return true;
      case "cancel":
      case "escape":
      case "interrupt":
        this.buf = s.before;
        this.pos = this.buf.length;
        this.search = null;
        this.refresh();
        return true;
      default:
        // Any other key takes the line found and does what it does.
        this.search = null;
        this.refresh();
        return false;
    }
  }

  private tabbed = false;

  /** Completes the word before the cursor: one choice is put in, several their common start;
   * a second Tab lists them. */
  private async complete(list: boolean) {
    const before = this.buf.slice(0, this.pos).join("");
    const line = this.text;
    const got = await this.host.complete(before);
    // The line changed while the server answered: the answer is for another word.
    if (!got || !this.active || this.text !== line || this.buf.slice(0, this.pos).join("") !== before) return;
    const { word, candidates } = got;
    if (!candidates.length) {
      this.host.write("\x07");
      return;
    }
    const texts = candidates.map((c) => c.text);
    const only = candidates.length === 1 ? candidates[0] : null;
    const insert = only ? only.text + (only.dir ? "" : " ") : commonStart(texts);
    if (insert.length > word.length || (only && insert !== word)) {
      const head = before.slice(0, before.length - word.length) + insert;
      const tail = this.buf.slice(this.pos).join("");
      this.buf = graphemes(head + tail);
      this.pos = graphemes(head).length;
      this.refresh();
      return;
    }
    if (!list) {
      this.host.write("\x07");
      return;
    }
    this.hide();
    this.host.write(layout(candidates, this.host.cols()).join("\r\n") + "\r\n");
    if (got.more) this.host.write(`${this.host.moreLabel(got.more)}\r\n`);
    this.show();
  }

  /** The newest history line at or before `from` that holds the query. */
  private findBack(from: number) {
    const s = this.search;
    if (!s) return;
    for (let i = from; i >= 0; i--) {
      const at = this.history[i].indexOf(s.query);
      if (at >= 0) {
        s.at = i;
        s.failed = false;
        this.buf = graphemes(this.history[i]);
        this.pos = graphemes(this.history[i].slice(0, at)).length;
        return;
      }
    }
    s.failed = true;
  }

  private walkHistory(step: number) {
    const back = Math.max(0, Math.min(this.history.length, this.back + step));
    if (back === this.back) return;
    if (this.back === 0) this.draft = [...this.buf];
    this.back = back;
    this.buf = back ? graphemes(this.history[this.history.length - back]) : [...this.draft];
    this.pos = this.buf.length;
    this.refresh();
  }

  private insert(text: string) {
    const gs = graphemes(text);
    if (!gs.length) return;
    this.buf.splice(this.pos, 0, ...gs);
    this.pos += gs.length;
    // A grapheme can grow across an insertion ("e" then a combining accent): count again.
    const before = this.buf.slice(0, this.pos).join("");
    this.buf = graphemes(this.buf.join(""));
    this.pos = graphemes(before).length;
    this.refresh();
  }

  private enter() {
    this.search = null;
    this.pos = this.buf.length;
    this.refresh();
    this.host.write("\r\n");
    this.active = false;
    const line = this.text.trim();
    if (!line) {
      this.prompt(this.promptText);
      return;
    }
    this.remember(line);
    this.host.submit(line);
  }

  private remember(line: string) {
    if (this.history[this.history.length - 1] !== line) this.history.push(line);
    if (this.history.length > HISTORY_MAX) this.history.splice(0, this.history.length - HISTORY_MAX);
    if (!this.historyKey) return;
    try {
      localStorage.setItem(this.historyKey, JSON.stringify(this.history));
    } catch {
      // A full or disabled storage keeps the history for this page only.
    }
  }

  private wordStart(from: number): number {
    let i = from;
    while (i > 0 && !isWord(this.buf[i - 1])) i--;
    while (i > 0 && isWord(this.buf[i - 1])) i--;
    return i;
  }

  private wordEnd(from: number): number {
    let i = from;
    while (i < this.buf.length && !isWord(this.buf[i])) i++;
    while (i < this.buf.length && isWord(this.buf[i])) i++;
    return i;
  }

  /** Redraws prompt and line where they are, the cursor at its place, wrapping included. */
  private refresh() {
    const cols = Math.max(1, this.host.cols());
    const s = this.search;
    const label = s ? `${this.host.searchLabel(s.failed)}'${s.query}': ` : "";
    const promptCols = widthOf(graphemes(visible(this.promptText))) + widthOf(graphemes(label));
    const end = promptCols + widthOf(this.buf);
    const at = promptCols + widthOf(this.buf.slice(0, this.pos));
    let out = (this.row ? `\x1b[${this.row}A` : "") + "\r";
    out += this.promptText + label + this.buf.join("");
    // At the right edge the cursor waits to wrap: take it to the next row for certain.
    if (end > 0 && end % cols === 0) out += "\r\n";
    out += "\x1b[J";
    const endRow = Math.floor(end / cols);
    const atRow = Math.floor(at / cols);
    if (endRow > atRow) out += `\x1b[${endRow - atRow}A`;
    out += "\r";
    if (at % cols) out += `\x1b[${at % cols}C`;
    this.row = atRow;
    this.host.write(out);
  }
}
