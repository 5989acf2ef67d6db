// Names that are not UTF-8. The server sends each byte that is not part of valid UTF-8 as one
// private-use character (U+10FF80 + byte − 0x80) so that a path sent back names the real file;
// on screen such a character is shown as U+FFFD, and a URL names the path by its bytes.

const RAW = /[\u{10FF80}-\u{10FFFF}]/u;
const RAW_ALL = /[\u{10FF80}-\u{10FFFF}]/gu;

/** For showing: each byte that is not UTF-8 as "�". */
export const shown = (s: string) => s.replace(RAW_ALL, "\uFFFD");

/** The path's real bytes in hex when it holds bytes that are not UTF-8, else undefined. */
export function rawPath(path: string): string | undefined {
  if (!RAW.test(path)) return undefined;
  const enc = new TextEncoder();
  let hex = "";
  for (const ch of path) {
    const cp = ch.codePointAt(0) ?? 0;
    const bytes = cp >= 0x10ff80 ? [cp - 0x10ff80 + 0x80] : enc.encode(ch);
    for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  }
  return hex;
}
