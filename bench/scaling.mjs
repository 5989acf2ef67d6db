#!/usr/bin/env node
// Does an instruction cost the same whatever the workspace holds? For each size (the root
// holding 10, 1,000, 10,000 and 100,000 files, flat or spread over up to 1,000 folders) a
// fresh atajo serves a fresh root and one client sends "crear carpeta …" instructions one at a
// time, as ../shared/bench/e2e.mjs does: emit → the folder's `nuevo_archivo` (and the reply),
// and the server's CPU per instruction (/proc/PID/stat before and after). `--session N` instead
// runs one session of N instructions on an empty root and compares its first and last 500.
//
//   cd bench && npm ci && node scaling.mjs --atajo ../target/release/atajo [--n 300] [--json]
//   node scaling.mjs --atajo ../target/release/atajo --session 3000
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { randomBytes } from "node:crypto";
import { io } from "socket.io-client";
import { parseOptions } from "./options.mjs";

const USAGE = `usage: node scaling.mjs --atajo BIN [--n 300] [--warmup 50] [--sizes 10,1000,10000,100000]
                        [--layouts flat,folders] [--session N] [--json]`;
const opts = parseOptions(USAGE, { atajo: "", n: 300, warmup: 50, sizes: "10,1000,10000,100000", layouts: "flat,folders", session: 0, json: false });

const ticks = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
const cpu = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8");
  const s = f.slice(f.lastIndexOf(")") + 2).split(" ");
  return (Number(s[11]) + Number(s[12])) / ticks;
};
const rss = (pid) => Number(readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+)/m)[1]) / 1024;
const pct = (v, p) => {
  if (!v.length) return null;
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};

/** Files in the root: all in it, or spread over up to 1,000 folders. */
function populate(root, size, layout) {
  if (layout === "flat") {
    for (let i = 0; i < size; i++) writeFileSync(join(root, `registro-${String(i).padStart(6, "0")}.csv`), "");
    return;
  }
  const folders = Math.min(1000, size);
  for (let d = 0; d < folders; d++) {
    const dir = join(root, `carpeta-${String(d).padStart(4, "0")}`);
    mkdirSync(dir);
    const per = Math.floor(size / folders) + (d < size % folders ? 1 : 0);
    for (let f = 0; f < per; f++) writeFileSync(join(dir, `foto-${String(f).padStart(4, "0")}.jpg`), "");
  }
}

async function start(root) {
  const token = randomBytes(16).toString("hex");
  const port = 20000 + Math.floor(Math.random() * 20000);
  const proc = spawn(opts.atajo, ["serve", "--root", root, "--bind", `127.0.0.1:${port}`, "--token", token], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    try {
      const s = await connect(url, token);
      return { proc, url, token, socket: s };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  proc.kill();
  throw new Error("atajo did not come up");
}

function connect(url, token) {
  return new Promise((ok, fail) => {
    const s = io(url, { transports: ["websocket"], forceNew: true, reconnection: false, auth: { token }, timeout: 2000 });
    s.once("connect", () => ok(s));
    s.once("connect_error", (e) => {
      s.close();
      fail(e);
    });
  });
}

/** One instruction: emit → its folder's `nuevo_archivo` and the reply; ms for each. */
function instruction(socket, name) {
  return new Promise((ok, fail) => {
    const t0 = performance.now();
    let created = null;
    let replied = null;
    const done = () => {
      if (created === null || replied === null) return;
      clearTimeout(timer);
      socket.off("nuevo_archivo", onCreated);
      socket.off("respuesta_terminal", onReply);
      socket.off("error_terminal", onError);
      ok({ created, replied });
    };
    const onCreated = (d) => {
      if (d.ruta.split("/").pop() === name) {
        created = performance.now() - t0;
        done();
      }
    };
    const onReply = (d) => {
      if ((d.command || "").includes(name)) {
        replied = performance.now() - t0;
        done();
      }
    };
    const onError = (d) => fail(new Error(`error_terminal: ${JSON.stringify(d)}`));
    const timer = setTimeout(() => fail(new Error(`no answer for ${name} in 10 s`)), 10000);
    socket.on("nuevo_archivo", onCreated);
    socket.on("respuesta_terminal", onReply);
    socket.on("error_terminal", onError);
    socket.emit("comando_natural", { texto: `crear carpeta ${name}` });
  });
}

async function run(size, layout, n) {
  const work = mkdtempSync(join(tmpdir(), "atajo-scaling-"));
  const root = join(work, "root");
  mkdirSync(root);
  populate(root, size, layout);
  const srv = await start(root);
  try {
    const tag = randomBytes(3).toString("hex");
    for (let i = 0; i < opts.warmup; i++) await instruction(srv.socket, `w${tag}_${i}`);
    const created = [];
    const replied = [];
    const cpuBefore = cpu(srv.proc.pid);
    for (let i = 0; i < n; i++) {
      const r = await instruction(srv.socket, `b${tag}_${i}`);
      created.push(r.created);
      replied.push(r.replied);
    }
    const cpuPerOp = ((cpu(srv.proc.pid) - cpuBefore) / n) * 1e6;
    return { size, layout, n, created, replied, cpuPerOpUs: cpuPerOp, rssMiB: rss(srv.proc.pid) };
  } finally {
    srv.socket.close();
    srv.proc.kill();
    rmSync(work, { recursive: true, force: true });
  }
}

const fmt = (v) => (v === null ? "—" : v < 10 ? v.toFixed(3) : v.toFixed(1));

if (opts.session > 0) {
  const r = await run(0, "flat", opts.session);
  const first = r.created.slice(0, 500);
  const last = r.created.slice(-500);
  const out = {
    n: opts.session,
    first500: { p50: pct(first, 50), p99: pct(first, 99) },
    last500: { p50: pct(last, 50), p99: pct(last, 99) },
    cpuPerOpUs: r.cpuPerOpUs,
  };
  console.log(`session of ${opts.session} instructions (one client, each makes a folder in the root)`);
  console.log(`  first 500: nuevo_archivo p50 ${fmt(out.first500.p50)} ms, p99 ${fmt(out.first500.p99)} ms`);
  console.log(`  last 500:  nuevo_archivo p50 ${fmt(out.last500.p50)} ms, p99 ${fmt(out.last500.p99)} ms`);
  console.log(`  last/first p50: ${(out.last500.p50 / out.first500.p50).toFixed(2)}x; server CPU ${out.cpuPerOpUs.toFixed(0)} µs per instruction`);
  if (opts.json) console.log(JSON.stringify(out));
  process.exit(0);
}

const rows = [];
for (const layout of opts.layouts.split(",")) {
  for (const size of opts.sizes.split(",").map(Number)) {
    const r = await run(size, layout, opts.n);
    rows.push({
      layout,
      size,
      p50: pct(r.created, 50),
      p99: pct(r.created, 99),
      reply50: pct(r.replied, 50),
      cpuUs: r.cpuPerOpUs,
      rssMiB: r.rssMiB,
    });
    console.error(`done: ${layout} ${size}`);
  }
}
console.log(`instruction → nuevo_archivo, one client, ${opts.n} instructions after ${opts.warmup} to warm up`);
console.log("layout    entries   p50 (ms)  p99 (ms)  reply p50  CPU/instr (µs)  RSS (MiB)  p50 vs 10");
for (const r of rows) {
  const base = rows.find((b) => b.layout === r.layout && b.size === Math.min(...rows.filter((x) => x.layout === r.layout).map((x) => x.size)));
  console.log(
    `${r.layout.padEnd(9)} ${String(r.size).padStart(7)}  ${fmt(r.p50).padStart(8)}  ${fmt(r.p99).padStart(8)}  ${fmt(r.reply50).padStart(9)}  ${r.cpuUs.toFixed(0).padStart(14)}  ${r.rssMiB.toFixed(1).padStart(9)}  ${(r.p50 / base.p50).toFixed(2)}x`,
  );
}
if (opts.json) console.log(JSON.stringify(rows));
