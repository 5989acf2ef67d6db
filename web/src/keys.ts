// What the terminal sends when a key is pressed, as keys: xterm.js gives escape sequences
// ("\x1b[D" is Left, "\x1b[1;5C" Ctrl-Right, "\x1bb" Alt-B) and control bytes ("\x01" is
// Ctrl-A). A sequence is always read whole, never typed as text.

export type KeyName =
  | "enter"
  | "backspace"
  | "delete"
  | "left"
  | "right"
  | "up"
  | "down"
  | "home"
  | "end"
  | "word-left"
  | "word-right"
  | "kill-end"
  | "kill-start"
  | "kill-word-back"
  | "kill-word-forward"
  | "yank"
  | "interrupt"
  | "eof"
  | "clear-screen"
  | "search-back"
  | "cancel"
  | "escape"
  | "tab"
  | "ignored";

export type Key = { text: string } | { key: KeyName };

const CONTROL: Record<string, KeyName> = {
  "\r": "enter",
  "\n": "enter",
  "\x7f": "backspace",
  "\x08": "backspace",
  "\x01": "home",
  "\x05": "end",
  "\x02": "left",
  "\x06": "right",
  "\x10": "up",
  "\x0e": "down",
  "\x0b": "kill-end",
  "\x15": "kill-start",
  "\x17": "kill-word-back",
  "\x19": "yank",
  "\x03": "interrupt",
  "\x04": "eof",
  "\x0c": "clear-screen",
  "\x12": "search-back",
  "\x07": "cancel",
  "\t": "tab",
};

// CSI sequences by their parameters and final byte ("1;5C" is Ctrl-Right).
const CSI: Record<string, KeyName> = {
  A: "up",
  B: "down",
  C: "right",
  D: "left",
  H: "home",
  F: "end",
  "1~": "home",
  "7~": "home",
  "4~": "end",
  "8~": "end",
  "3~": "delete",
  "1;5C": "word-right",
  "1;5D": "word-left",
  "1;3C": "word-right",
  "1;3D": "word-left",
  "3;5~": "kill-word-forward",
};

// Alt + a letter arrives as ESC and the letter.
const ALT: Record<string, KeyName> = {
  b: "word-left",
  f: "word-right",
  d: "kill-word-forward",
  "\x7f": "kill-word-back",
  "\x08": "kill-word-back",
};

const PASTE_START = "\x1b[200~";
const PASTE_END = "\x1b[201~";

/** Reads keys out of what the terminal sends. Keeps state across calls for a bracketed paste
 * that arrives in pieces. */
export class KeyReader {
  private pasting = false;

  read(data: string): Key[] {
    const keys: Key[] = [];
    let text = "";
    const flush = () => {
      if (text) keys.push({ text });
      text = "";
    };
    let i = 0;
    while (i < data.length) {
      if (this.pasting) {
        // Pasted text is text: its line breaks end lines, nothing else is a key.
        const end = data.indexOf(PASTE_END, i);
        const chunk = data.slice(i, end < 0 ? data.length : end);
        for (const part of chunk.split(/\r\n|\r|\n/).entries()) {
          if (part[0] > 0) {
            flush();
            keys.push({ key: "enter" });
          }
          text += part[1].replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "").replace(/\t/g, " ");
        }
        if (end < 0) break;
        this.pasting = false;
        i = end + PASTE_END.length;
        continue;
      }
      const ch = data[i];
      if (ch === "\x1b") {
        flush();
        if (data.startsWith(PASTE_START, i)) {
          this.pasting = true;
          i += PASTE_START.length;
          continue;
        }
        const next = data[i + 1];
        if (next === undefined) {
          keys.push({ key: "escape" });
          i += 1;
        } else if (next === "[") {
          // CSI: parameters 0x30–0x3f, intermediates 0x20–0x2f, one final byte 0x40–0x7e.
          let j = i + 2;
          while (j < data.length && data.charCodeAt(j) >= 0x20 && data.charCodeAt(j) <= 0x3f) j++;
          const body = data.slice(i + 2, j + 1);
          keys.push({ key: CSI[body] ?? "ignored" });
          i = j + 1;
        } else if (next === "O") {
          // SS3: the cursor keys in application mode ("\x1bOA").
          const final = data[i + 2] ?? "";
          keys.push({ key: CSI[final] ?? "ignored" });
          i += 3;
        } else {
          keys.push({ key: ALT[next] ?? "ignored" });
          i += 2;
        }
        continue;
      }
      const control = CONTROL[ch];
      if (control) {
        flush();
        keys.push({ key: control });
      } else if (ch >= " ") {
        text += ch;
      }
      i += 1;
    }
    flush();
    return keys;
  }
}
