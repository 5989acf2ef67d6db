#!/usr/bin/env node
// What app-level compression would save on the wire, since socketioxide has no
// permessage-deflate: the real `listing` pages and `fs_changes` batches atajo sends for real
// folders (names from this machine's /usr/share/doc, /usr/include/linux and
// /usr/lib/x86_64-linux-gnu, and 5,000 camera-like photo names), captured from the
// socket.io-client as they arrive, then compressed here with Node's zlib (the cost a server
// would pay per page, and the bytes saved). Bounded: fixed folders, every wait has a timeout.
//
//   cd bench && npm ci && node compression.mjs --atajo ../target/release/atajo [--json]
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import zlib from "node:zlib";
import { io } from "socket.io-client";
import { parseOptions } from "./options.mjs";

const USAGE = "usage: node compression.mjs --atajo BIN [--json]";
const opts = parseOptions(USAGE, { atajo: "", json: false });

const root = mkdtempSync(join(tmpdir(), "atajo-bench-compression-"));
const data = `${root}.data`;
const names = (dir) => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};
// Folders of the kinds people open: package docs (folders), headers (real files, real sizes),
// a library folder (long versioned names), a camera roll.
mkdirSync(join(root, "doc"));
for (const n of names("/usr/share/doc")) mkdirSync(join(root, "doc", n));
mkdirSync(join(root, "include"));
for (const n of names("/usr/include/linux")) {
  const from = join("/usr/include/linux", n);
  if (statSync(from).isFile()) copyFileSync(from, join(root, "include", n));
}
mkdirSync(join(root, "lib"));
for (const n of names("/usr/lib/x86_64-linux-gnu")) writeFileSync(join(root, "lib", n), "");
mkdirSync(join(root, "fotos"));
for (let i = 0; i < 5000; i++) {
  const d = new Date(Date.UTC(2026, 0, 1) + i * 3_600_000 * 1.7);
  const stamp = d.toISOString().replace(/[-:]/g, "").replace("T", "_").slice(0, 15);
  writeFileSync(join(root, "fotos", `IMG_${stamp}_${String(i).padStart(4, "0")}.jpg`), "");
}
const folders = ["doc", "include", "lib", "fotos"];

const server = spawn(opts.atajo, ["serve", "--root", root, "--bind", "127.0.0.1:0", "--data-dir", data], {
  stdio: ["ignore", "pipe", "inherit"],
  env: { ...process.env, ATAJO_LOG: "warn" },
});
const url = await new Promise((ok, fail) => {
  let out = "";
  const t = setTimeout(() => fail(new Error("atajo did not start")), 20000);
  server.stdout.on("data", (d) => {
    out += d;
    const m = out.match(/open (http:\/\/\S+)/);
    if (m) {
      clearTimeout(t);
      ok(new URL(m[1]));
    }
  });
});

/** Every frame as the wire carries it: Engine.IO "4" + Socket.IO "2" + the JSON array. */
const wire = (event, payload) => `42${JSON.stringify([event, payload])}`;

const socket = io(url.origin, { transports: ["websocket"], auth: { token: url.searchParams.get("token") } });
await new Promise((ok, fail) => {
  socket.once("connect", ok);
  socket.once("connect_error", fail);
});
const pages = { first: [], rest: [], changes: [] };
for (const folder of folders) {
  const done = new Promise((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`no listing of ${folder}`)), 20000);
    const h = (p) => {
      if (p.path !== folder) return;
      (p.offset === 0 ? pages.first : pages.rest).push(wire("listing", p));
      if (p.done) {
        clearTimeout(t);
        socket.off("listing", h);
        ok();
      }
    };
    socket.on("listing", h);
  });
  socket.emit("subscribe", { path: folder });
  await done;
}
// A burst of changes in a shown folder: 2,000 new photos.
const changed = new Promise((ok) => {
  let n = 0;
  const h = (b) => {
    pages.changes.push(wire("fs_changes", b));
    n += b.changes.length;
    if (n >= 2000) {
      socket.off("fs_changes", h);
      ok();
    }
  };
  socket.on("fs_changes", h);
  setTimeout(ok, 15000);
});
for (let i = 0; i < 2000; i++) writeFileSync(join(root, "fotos", `IMG_20270101_${String(i).padStart(6, "0")}.jpg`), "x");
await changed;
socket.close();
server.kill("SIGTERM");
await new Promise((r) => server.once("exit", r));
rmSync(root, { recursive: true, force: true });
rmSync(data, { recursive: true, force: true });

const codecs = {
  "deflate-1": (b) => zlib.deflateRawSync(b, { level: 1 }),
  "deflate-6": (b) => zlib.deflateRawSync(b, { level: 6 }),
  "brotli-4": (b) => zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } }),
};
const rows = [];
for (const [kind, frames] of Object.entries(pages)) {
  if (!frames.length) continue;
  const raw = frames.reduce((s, f) => s + Buffer.byteLength(f), 0);
  const row = { kind, frames: frames.length, raw_bytes: raw };
  for (const [name, fn] of Object.entries(codecs)) {
    let out = 0;
    const t0 = performance.now();
    for (let rep = 0; rep < 5; rep++) {
      out = 0;
      for (const f of frames) out += fn(Buffer.from(f)).length;
    }
    const ms = (performance.now() - t0) / 5;
    row[name] = { bytes: out, ratio: +(raw / out).toFixed(2), ms_per_mib: +((ms / raw) * 1048576).toFixed(2) };
  }
  rows.push(row);
}
if (opts.json) {
  console.log(JSON.stringify(rows));
} else {
  console.log("kind       frames   raw KiB   deflate-1 (ratio, ms/MiB)   deflate-6 (ratio, ms/MiB)   brotli-4 (ratio, ms/MiB)");
  for (const r of rows) {
    const c = (k) => `${(r[k].bytes / 1024).toFixed(1)} KiB (${r[k].ratio}×, ${r[k].ms_per_mib})`.padEnd(28);
    console.log(
      `${r.kind.padEnd(10)} ${String(r.frames).padStart(6)} ${(r.raw_bytes / 1024).toFixed(1).padStart(9)}   ${c("deflate-1")}${c("deflate-6")}${c("brotli-4")}`,
    );
  }
}
