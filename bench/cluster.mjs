#!/usr/bin/env node
// Three atajo processes serving one workspace, joined through a real redis-server
// (`--cluster-redis`): how long what one process knows takes to reach a client of another.
// A (on process 1) sends instructions one after another; B (process 2) and C (process 3)
// follow the activity and watch the root; L, on process 1 itself, is the in-process baseline.
// Per instruction: B's `activity` "done" after A's `exit` (the Redis hop), the same for L,
// B's `fs_changes` for the new folder after A's `exit` (B's own process's watcher). Also the
// Redis messages per instruction (`MONITOR`, by channel) and each process's RSS.
//
//   cd bench && npm ci && node cluster.mjs --atajo ../target/release/atajo [--n 300] [--json]
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { io } from "socket.io-client";
import { parseOptions } from "./options.mjs";

const USAGE = "usage: node cluster.mjs --atajo BIN [--n INSTRUCTIONS] [--redis redis-server] [--json]";
const opts = parseOptions(USAGE, { atajo: "", n: 300, redis: "redis-server", json: false });
const TOKEN = "bench-cluster-token-0123456789";

const freePort = () =>
  new Promise((ok) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitPort(port) {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise((r) => {
      const c = net.connect(port, "127.0.0.1", () => (c.end(), r(true)));
      c.on("error", () => r(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`nothing listens on ${port}`);
}

const root = mkdtempSync(join(tmpdir(), "atajo-bench-cluster-"));
const data = `${root}.data`;
const children = [];
const cleanup = () => {
  for (const c of children) c.kill("SIGKILL");
  rmSync(root, { recursive: true, force: true });
  rmSync(data, { recursive: true, force: true });
};
process.on("exit", cleanup);

const redisPort = await freePort();
children.push(
  spawn(opts.redis, ["--bind", "127.0.0.1", "--port", String(redisPort), "--save", "", "--appendonly", "no"], {
    stdio: "ignore",
  }),
);
await waitPort(redisPort);

async function atajo() {
  const child = spawn(
    opts.atajo,
    ["serve", "--root", root, "--data-dir", data, "--bind", "127.0.0.1:0", "--token", TOKEN,
      "--cluster-redis", `redis://127.0.0.1:${redisPort}`],
    { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, ATAJO_LOG: "warn" } },
  );
  children.push(child);
  const url = await new Promise((ok, fail) => {
    let out = "";
    const t = setTimeout(() => fail(new Error("atajo did not start")), 20000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/open (http:\/\/\S+)/);
      if (m) {
        clearTimeout(t);
        ok(new URL(m[1]).origin);
      }
    });
  });
  return { child, url };
}

const procs = [await atajo(), await atajo(), await atajo()];
const rss = (p) => Number(readFileSync(`/proc/${p.child.pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)[1]) / 1024;

function client(url) {
  return new Promise((ok, fail) => {
    const s = io(url, { transports: ["websocket"], forceNew: true, reconnection: false, auth: { token: TOKEN } });
    const t = setTimeout(() => fail(new Error("no hello")), 10000);
    s.once("hello", (hello) => {
      clearTimeout(t);
      ok({ s, hello });
    });
    s.once("connect_error", fail);
  });
}
const ack = (s, event, payload) =>
  new Promise((ok, fail) => s.timeout(5000).emit(event, payload, (e, r) => (e ? fail(e) : ok(r))));

const a = await client(procs[0].url);
const b = await client(procs[1].url);
const c = await client(procs[2].url);
const l = await client(procs[0].url);
for (const f of [b, c, l]) await ack(f.s, "follow_activity", { on: true });
await ack(b.s, "subscribe", { path: "" });

// MONITOR: every command Redis runs, one line each.
const lines = [];
const mon = net.connect(redisPort, "127.0.0.1", () => mon.write("MONITOR\r\n"));
let buf = "";
mon.on("data", (d) => {
  buf += d.toString("latin1");
  const parts = buf.split("\r\n");
  buf = parts.pop();
  for (const p of parts) if (p.startsWith("+") && p !== "+OK") lines.push(p);
});
await sleep(3000); // idle: heartbeats only
const rssIdle = procs.map(rss);
const idleStart = lines.length;
await sleep(4000);
const idleLines = lines.slice(idleStart);

// Arrival times by instruction, per follower.
const arrived = { b: new Map(), c: new Map(), l: new Map(), fs: new Map() };
const byInput = new Map();
for (const [name, f] of [["b", b], ["c", c], ["l", l]]) {
  f.s.on("activity", (m) => {
    if (m.status === "done" && byInput.has(m.input)) arrived[name].set(byInput.get(m.input), performance.now());
  });
}
b.s.on("fs_changes", (m) => {
  const t = performance.now();
  for (const ch of m.changes) {
    const i = /^c(\d+)$/.exec(ch.path);
    if (i && ch.kind === "created" && !arrived.fs.has(Number(i[1]))) arrived.fs.set(Number(i[1]), t);
  }
});

const exits = new Map();
const before = lines.length;
const t0 = performance.now();
for (let i = 0; i < opts.n; i++) {
  const text = `crea la carpeta c${i}`;
  byInput.set(text, i);
  const done = new Promise((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`no exit for ${i}`)), 10000);
    const on = (e) => {
      if (e.id !== `i${i}`) return;
      clearTimeout(t);
      a.s.off("exit", on);
      exits.set(i, performance.now());
      ok(e);
    };
    a.s.on("exit", on);
  });
  a.s.emit("instruction", { id: `i${i}`, text, lang: "es" });
  const e = await done;
  if (e.code !== 0) throw new Error(`instruction ${i} ended ${e.code}`);
}
const elapsed = performance.now() - t0;
await sleep(1500);
const during = lines.slice(before);
const rssAfter = procs.map(rss);

const quantile = (xs, q) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
};
const delays = (m) => [...exits].filter(([i]) => m.has(i)).map(([i, t]) => m.get(i) - t);
const summary = (m) => {
  const d = delays(m);
  return { got: d.length, p50_ms: quantile(d, 0.5), p99_ms: quantile(d, 0.99), max_ms: Math.max(...d) };
};
const channel = (l) => (l.includes("-request#") ? "adapter" : l.includes("-node") ? "node" : "other");
const count = (ls) => {
  const out = { adapter: 0, node: 0, other: 0 };
  for (const l of ls.filter((x) => /"PUBLISH"/i.test(x))) out[channel(l)]++;
  return out;
};
const published = count(during);
const result = {
  instructions: opts.n,
  instructions_per_s: (opts.n / elapsed) * 1000,
  activity_other_process: summary(arrived.b),
  activity_third_process: summary(arrived.c),
  activity_same_process: summary(arrived.l),
  fs_change_other_process: summary(arrived.fs),
  redis_publish_per_instruction: published.adapter / opts.n,
  redis_commands_per_instruction: during.length / opts.n,
  heartbeat_publish_per_s: count(idleLines).node / 4,
  publishes_during_run: published,
  rss_mib_idle: rssIdle.map((x) => Math.round(x * 10) / 10),
  rss_mib_after: rssAfter.map((x) => Math.round(x * 10) / 10),
};
mon.destroy();
for (const f of [a, b, c, l]) f.s.close();
if (opts.json) console.log(JSON.stringify(result));
else {
  const f = (x) => x.toFixed(2);
  const row = (name, s) => console.log(`${name.padEnd(34)} p50 ${f(s.p50_ms)} ms  p99 ${f(s.p99_ms)} ms  (${s.got}/${opts.n})`);
  console.log(`${opts.n} instructions from process 1, ${f(result.instructions_per_s)}/s`);
  row("activity end, another process", result.activity_other_process);
  row("activity end, a third process", result.activity_third_process);
  row("activity end, the same process", result.activity_same_process);
  row("folder created, another process", result.fs_change_other_process);
  console.log(`Redis PUBLISH per instruction: ${f(result.redis_publish_per_instruction)} (all commands ${f(result.redis_commands_per_instruction)}); heartbeats ${f(result.heartbeat_publish_per_s)}/s`);
  console.log(`RSS per process, MiB: idle ${result.rss_mib_idle.join(" / ")}, after ${result.rss_mib_after.join(" / ")}`);
}
process.exit(0);
