#!/usr/bin/env node
// Many people at once, on loopback, with the real socket.io-client: how fast logins are
// checked (Argon2id, two at a time), how many wrong ones one address gets before it waits,
// and what 1,000 authenticated connections cost — server memory, and the round trip of an
// instruction while they are all connected. Bounded and self-stopping: fixed counts, every
// wait has a timeout, the server is stopped at the end.
//
//   cd bench && npm ci && node accounts.mjs --atajo ../target/release/atajo [--clients 1000] [--users 10] [--n 300] [--json]
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import http from "node:http";
import { performance } from "node:perf_hooks";
import { io } from "socket.io-client";
import { parseOptions } from "./options.mjs";

const USAGE = "usage: node accounts.mjs --atajo BIN [--clients 1000] [--users 10] [--n 300] [--json]";
const opts = parseOptions(USAGE, { atajo: "", clients: 1000, users: 10, n: 300, json: false });

const pct = (v, p) => {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const rssKiB = (pid) => Number(readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+)/m)[1]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const root = mkdtempSync(join(tmpdir(), "atajo-bench-accounts-"));
const data = `${root}.data`;
const ws = ["--workspace", root, "--data-dir", data];
const password = (u) => `password-of-${u}`;
for (let u = 0; u < opts.users; u++) {
  mkdirSync(join(root, `u${u}`));
  execFileSync(opts.atajo, ["user", "add", `u${u}`, "--role", "operator", "--root", `u${u}`, "--password-stdin", ...ws], {
    input: `${password(`u${u}`)}\n`,
  });
}

const server = spawn(opts.atajo, ["serve", "--root", root, "--bind", "127.0.0.1:0", "--data-dir", data], {
  stdio: ["ignore", "pipe", "inherit"],
  env: { ...process.env, ATAJO_LOG: "warn" },
});
const [base, ownerToken] = await new Promise((ok, fail) => {
  let out = "";
  const t = setTimeout(() => fail(new Error("atajo did not start")), 20000);
  server.stdout.on("data", (d) => {
    out += d;
    const m = out.match(/open (http:\/\/[^/\s]+)\/\?token=(\w+)/);
    if (m) {
      clearTimeout(t);
      ok([m[1], m[2]]);
    }
  });
});
const { hostname, port } = new URL(base);
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function login(user, pass, localAddress) {
  const body = JSON.stringify({ user, password: pass });
  return new Promise((ok, fail) => {
    const req = http.request(
      { host: hostname, port, method: "POST", path: "/login", agent: localAddress ? undefined : agent, localAddress,
        headers: { "content-type": "application/json", origin: base, "content-length": Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on("end", () => ok({ status: res.statusCode, cookie: (res.headers["set-cookie"]?.[0] ?? "").split(";")[0] }));
      },
    );
    req.setTimeout(30000, () => req.destroy(new Error("login timed out")));
    req.on("error", fail);
    req.end(body);
  });
}

const results = {};
try {
  const idle = rssKiB(server.pid);

  // Logins: every client's, 8 at a time (the server checks two at once).
  const cookies = [];
  const loginTimes = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < opts.clients) {
        const i = next++;
        const u = `u${i % opts.users}`;
        const t = performance.now();
        const r = await login(u, password(u));
        loginTimes.push(performance.now() - t);
        if (r.status !== 200) throw new Error(`login ${i}: ${r.status}`);
        cookies[i] = { user: u, cookie: r.cookie };
      }
    }),
  );
  const loginSecs = (performance.now() - started) / 1000;
  results.rss_after_logins_mib = rssKiB(server.pid) / 1024;
  results.logins_per_s = opts.clients / loginSecs;
  results.login_p50_ms = pct(loginTimes, 50);
  results.login_p99_ms = pct(loginTimes, 99);

  // Wrong passwords from one address until it is told to wait.
  let tries = 0;
  for (; tries < 100; tries++) {
    const r = await login("u0", "not-the-password", "127.0.0.9");
    if (r.status === 429) break;
  }
  results.wrong_logins_before_429 = tries;

  // 1,000 connections, each with its session cookie.
  const sockets = [];
  const connectStart = performance.now();
  for (let i = 0; i < opts.clients; i += 50) {
    const batch = cookies.slice(i, i + 50).map(
      ({ cookie }) =>
        new Promise((ok, fail) => {
          const s = io(base, { transports: ["websocket"], forceNew: true, reconnection: false,
            extraHeaders: { cookie, origin: base } });
          const t = setTimeout(() => fail(new Error("connect timed out")), 20000);
          s.once("hello", () => {
            clearTimeout(t);
            ok(s);
          });
          s.once("connect_error", (e) => {
            clearTimeout(t);
            fail(e);
          });
        }),
    );
    sockets.push(...(await Promise.all(batch)));
  }
  results.connect_all_s = (performance.now() - connectStart) / 1000;
  await sleep(1500); // presence settles
  const loaded = rssKiB(server.pid);
  results.rss_idle_mib = idle / 1024;
  results.rss_connected_mib = loaded / 1024;
  results.rss_per_client_kib = (loaded - idle) / opts.clients;

  // /metrics while all are connected: how long it takes to render, how many series.
  const scrapes = [];
  let series = 0;
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    const text = await new Promise((ok, fail) => {
      http
        .get({ host: hostname, port, path: "/metrics", headers: { authorization: `Bearer ${ownerToken}` } }, (res) => {
          let body = "";
          res.on("data", (d) => (body += d));
          res.on("end", () => (res.statusCode === 200 ? ok(body) : fail(new Error(`/metrics: ${res.statusCode}`))));
        })
        .on("error", fail);
    });
    scrapes.push(performance.now() - t);
    series = text.split("\n").filter((l) => l && !l.startsWith("#")).length;
  }
  results.metrics_scrape_p50_ms = pct(scrapes, 50);
  results.metrics_series = series;

  // Instructions from one of them while all are connected: emit → its own folder's
  // nuevo_archivo (the same measure as ../shared/bench/e2e.mjs).
  const me = sockets[0];
  const rtt = [];
  for (let i = 0; i < opts.n + 30; i++) {
    const name = `b${i}`;
    const t = performance.now();
    const seen = new Promise((ok, fail) => {
      const h = (f) => {
        if (f.ruta.endsWith(`/${name}`)) {
          clearTimeout(timer);
          me.off("nuevo_archivo", h);
          ok();
        }
      };
      const timer = setTimeout(() => {
        me.off("nuevo_archivo", h);
        fail(new Error(`instruction ${i} not seen`));
      }, 10000);
      me.on("nuevo_archivo", h);
    });
    me.emit("comando_natural", { texto: `crear carpeta ${name}` });
    await seen;
    if (i >= 30) rtt.push(performance.now() - t);
  }
  results.instruction_p50_ms = pct(rtt, 50);
  results.instruction_p99_ms = pct(rtt, 99);
  results.clients = opts.clients;
  results.users = opts.users;
  for (const s of sockets) s.close();
} finally {
  server.kill("SIGTERM");
  await new Promise((r) => server.once("exit", r));
  agent.destroy();
  rmSync(root, { recursive: true, force: true });
  rmSync(data, { recursive: true, force: true });
}

if (opts.json) console.log(JSON.stringify(results));
else {
  const f = (v) => (typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : v);
  for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(28)} ${f(v)}`);
}
process.exit(0);
