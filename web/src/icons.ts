// The explorer's icons as inline SVG: emoji (📁 📄) are empty boxes on a machine without an
// emoji font. One outline per kind of entry, and for files one per family of extension; the
// colour comes from CSS (`.icon.k-…`).

const NS = "http://www.w3.org/2000/svg";

// 16×16 outlines drawn with the current colour.
const SHAPES: Record<string, string> = {
  dir: "M1.5 3.5h5l1.5 1.5h6.5v8.5h-13z",
  file: "M3.5 1.5h6l3 3v10h-9z M9.5 1.5v3h3",
  symlink: "M3.5 1.5h6l3 3v10h-9z M6 11l4-4 M7 7h3v3",
  other: "M8 2l6 6-6 6-6-6z",
  image: "M2.5 3.5h11v9h-11z M4 11l3-3 2 2 1.5-1.5 2.5 2.5 M10.5 6.2a.7.7 0 1 0 .01 0",
  code: "M3.5 1.5h6l3 3v10h-9z M7 8l-1.5 1.5L7 11 M9 8l1.5 1.5L9 11",
  text: "M3.5 1.5h6l3 3v10h-9z M5.5 7.5h5 M5.5 9.5h5 M5.5 11.5h3",
  archive: "M3.5 1.5h9v13h-9z M8 1.5v2 M7 4.5h2 M7 6.5h2 M7 8.5h2 M7 10.5h2v2h-2z",
  pdf: "M3.5 1.5h6l3 3v10h-9z M5 9.5h6 M5 11.5h4 M5.5 6h2",
  audio: "M6 12.5a1.5 1.5 0 1 1-.01 0M6 12.5v-9l6-1.5v8 M12 10a1.5 1.5 0 1 1-.01 0",
  video: "M1.5 4.5h9v7h-9z M10.5 7l4-2v6l-4-2",
  data: "M2.5 3.5h11v9h-11z M2.5 6.5h11 M2.5 9.5h11 M6.5 3.5v9",
};

const FAMILIES: Record<string, string[]> = {
  image: ["png", "jpg", "jpeg", "gif", "webp", "svg", "bmp", "ico", "avif", "tif", "tiff", "heic"],
  code: [
    "rs", "ts", "tsx", "js", "jsx", "mjs", "py", "go", "c", "h", "cpp", "hpp", "java", "kt", "rb",
    "php", "sh", "bash", "zsh", "css", "scss", "html", "htm", "vue", "swift", "lua", "sql",
  ],
  text: ["txt", "md", "markdown", "rst", "log", "ini", "cfg", "conf", "toml", "yaml", "yml", "env"],
  archive: ["zip", "tar", "gz", "tgz", "bz2", "xz", "7z", "rar", "zst"],
  pdf: ["pdf"],
  audio: ["mp3", "wav", "ogg", "flac", "m4a", "aac", "opus"],
  video: ["mp4", "mkv", "webm", "mov", "avi"],
  data: ["csv", "tsv", "json", "xml", "xlsx", "ods", "sqlite", "db", "parquet"],
};

const BY_EXTENSION = new Map<string, string>(
  Object.entries(FAMILIES).flatMap(([family, exts]) => exts.map((e) => [e, family] as [string, string])),
);

/** The icon's family for an entry: its kind, or for a file the family of its extension. */
export function family(kind: string, name: string): string {
  if (kind !== "file") return kind in SHAPES ? kind : "other";
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
  return BY_EXTENSION.get(ext) ?? "file";
}

/** An inline SVG icon for an entry (`aria-hidden`: the name beside it says what it is). */
export function icon(kind: string, name = ""): SVGSVGElement {
  const f = family(kind, name);
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("width", "16");
  svg.setAttribute("height", "16");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", `icon k-${f}`);
  const path = document.createElementNS(NS, "path");
  path.setAttribute("d", SHAPES[f]);
  path.setAttribute("fill", "none");
  path.setAttribute("stroke", "currentColor");
  path.setAttribute("stroke-width", "1.2");
  path.setAttribute("stroke-linejoin", "round");
  path.setAttribute("stroke-linecap", "round");
  svg.append(path);
  return svg;
}
