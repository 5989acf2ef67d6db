// Shell terminals (`atajo serve --shell`) over the real socket.io-client: binary output,
// acknowledgements, reattach with the screen compared by a real terminal emulator
// (@xterm/headless + serialize), read-only viewers, refusals and malformed events.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import xtermHeadless from "@xterm/headless";
import serializeAddon from "@xterm/addon-serialize";
import { connect, once, startServer } from "./server.mjs";

const { Terminal } = xtermHeadless;
const { SerializeAddon } = serializeAddon;

/** Keeps what a connection is sent about terminals it has no Screen for yet: Node's `ws`
 * hands over the frames of one read together, so a `pty_replay` right behind the `pty_open`
 * answer arrives before the code awaiting that answer runs (a browser has a task between). */
function early(socket) {
  if (socket.early) return socket.early;
  socket.early = [];
  for (const event of ["pty_replay", "pty_output", "pty_exit", "pty_cwd"]) {
    socket.on(event, (m) => {
      if (!socket.screens?.has(m.terminal)) socket.early.push([event, m]);
    });
  }
  return socket.early;
}

/** A client-side terminal: renders what the server sends and acknowledges it. */
class Screen {
  constructor(socket, id, { rows = 24, cols = 80, ack = true } = {}) {
    early(socket);
    (socket.screens ??= new Set()).add(id);
    this.socket = socket;
    this.id = id;
    this.term = new Terminal({ rows, cols, scrollback: 20000, allowProposedApi: true });
    this.serializer = new SerializeAddon();
    this.term.loadAddon(this.serializer);
    this.pending = Promise.resolve();
    this.replays = 0;
    this.exit = null;
    this.cwd = undefined;
    const write = (data) =>
      new Promise((ok) =>
        this.term.write(new Uint8Array(data), () => {
          if (ack) socket.emit("pty_ack", { terminal: id, bytes: data.byteLength });
          ok();
        }),
      );
    socket.on("pty_replay", (m) => {
      if (m.terminal !== id) return;
      this.replays += 1;
      this.pending = this.pending.then(() => {
        this.term.reset();
        this.term.resize(m.cols, m.rows);
        return write(m.data);
      });
    });
    socket.on("pty_output", (m) => {
      if (m.terminal === id) this.pending = this.pending.then(() => write(m.data));
    });
    socket.on("pty_exit", (m) => {
      if (m.terminal === id) this.exit = m.code;
    });
    socket.on("pty_cwd", (m) => {
      if (m.terminal === id) this.cwd = m.cwd;
    });
    // What came before this Screen existed, in order.
    for (const [event, m] of socket.early.filter(([, m]) => m.terminal === id)) socket.listeners(event).at(-1)?.(m);
    socket.early = socket.early.filter(([, m]) => m.terminal !== id);
  }

  text() {
    const b = this.term.buffer.active;
    const lines = [];
    for (let i = 0; i < b.length; i++) lines.push(b.getLine(i)?.translateToString(true) ?? "");
    return lines.join("\n");
  }

  visible() {
    const b = this.term.buffer.active;
    const lines = [];
    for (let i = b.viewportY; i < b.viewportY + this.term.rows; i++)
      lines.push(b.getLine(i)?.translateToString(true) ?? "");
    return lines.join("\n");
  }

  async until(pred, ms = 15000, what = String(pred)) {
    const end = Date.now() + ms;
    for (;;) {
      await this.pending;
      if (pred(this)) return;
      if (Date.now() > end) throw new Error(`${what} never came; the screen:\n${this.visible()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  type(text) {
    this.socket.emit("pty_input", { terminal: this.id, data: text });
  }
}

const prompt = process.getuid?.() === 0 ? "# " : "$ ";
const ack = (socket, event, data) => {
  early(socket);
  return new Promise((ok) => socket.timeout(10000).emit(event, data, (err, reply) => ok(err ? { err } : reply)));
};

let srv;
before(async () => {
  srv = await startServer(["--shell"]);
});
after(async () => {
  await srv.stop();
});

test("without --shell a shell terminal is refused, and the server says how to allow it", async () => {
  const plain = await startServer();
  try {
    const s = await connect(plain.base, { auth: { token: plain.token } });
    const hello = await once(s, "hello", 1000).catch(() => null);
    if (hello) assert.equal(hello.shell, false);
    const listed = await ack(s, "pty_list", {});
    assert.deepEqual(listed, { enabled: false, terminals: [] });
    const r = await ack(s, "pty_open", { rows: 24, cols: 80 });
    assert.equal(r.ok, false);
    assert.match(r.error, /--shell/);
    s.close();
  } finally {
    await plain.stop();
  }
});

test("a shell in a real terminal: binary output, tty, size, resize and exit status", async () => {
  const s = await connect(srv.base, { auth: { token: srv.token } });
  const r = await ack(s, "pty_open", { rows: 24, cols: 80, name: "build" });
  assert.equal(r.ok, true, r.error);
  assert.equal(r.terminal.name, "build");
  assert.ok(r.ack_every > 0);
  const scr = new Screen(s, r.terminal.id);
  await scr.until((x) => x.text().includes(prompt), 15000, "the prompt");
  // (The prompt may have come in the replay: the first output is the echo of what is typed.)
  const firstOutput = once(s, "pty_output", 10000);
  scr.type("tty; stty size\r");
  const out = await firstOutput;
  assert.ok(Buffer.isBuffer(out.data), "output travels as a binary attachment");
  await scr.until((x) => /\/dev\/pts\/\d+/.test(x.text()) && x.text().includes("24 80"));
  s.emit("pty_resize", { terminal: r.terminal.id, rows: 30, cols: 100 });
  scr.term.resize(100, 30);
  await new Promise((ok) => setTimeout(ok, 200));
  scr.type("stty size\r");
  await scr.until((x) => x.text().includes("30 100"));
  scr.type("exit 7\r");
  await scr.until((x) => x.exit !== null);
  assert.equal(scr.exit, 7);
  const listed = await ack(s, "pty_list", {});
  assert.ok(!listed.terminals.some((t) => t.id === r.terminal.id), "an ended terminal is gone");
  s.close();
});

test("a reload finds the terminal with its screen, history and a full-screen program intact", async () => {
  const a = await connect(srv.base, { auth: { token: srv.token } });
  const r = await ack(a, "pty_open", { rows: 24, cols: 80 });
  const id = r.terminal.id;
  const first = new Screen(a, id);
  await first.until((x) => x.text().includes(prompt));
  first.type("for i in $(seq 1 10000); do printf '\\033[3%dmline %d\\033[m\\n' $((i % 7)) $i; done\r");
  await first.until((x) => x.text().includes("line 10000"), 30000, "10000 lines");
  first.type("vim -u NONE -N\r");
  await first.until((x) => x.term.buffer.active.type === "alternate", 15000, "vim");
  first.type("ihello from vim\x1b");
  await first.until((x) => x.visible().includes("hello from vim"));
  await new Promise((ok) => setTimeout(ok, 300));
  a.close(); // a reload: the connection goes, the terminal stays

  const b = await connect(srv.base, { auth: { token: srv.token } });
  const listed = await ack(b, "pty_list", {});
  assert.ok(listed.terminals.some((t) => t.id === id));
  const second = new Screen(b, id);
  const started = performance.now();
  const reply = await ack(b, "pty_attach", { terminal: id, rows: 24, cols: 80 });
  assert.equal(reply.ok, true, reply.error);
  await second.until((x) => x.replays === 1 && x.visible().includes("hello from vim"));
  const ms = performance.now() - started;
  assert.equal(second.term.buffer.active.type, "alternate", "the full-screen program is back");
  assert.equal(second.visible(), first.visible(), "the same screen, cell for cell");
  // Colours, attributes and the cursor too, as xterm's own serializer writes the screens.
  assert.equal(
    second.serializer.serialize({ scrollback: 0 }),
    first.serializer.serialize({ scrollback: 0 }),
    "the same screen, as serialized by @xterm/addon-serialize",
  );
  // Leaving vim shows the shell's screen and the history as they were.
  second.type(":q!\r");
  await second.until((x) => x.term.buffer.active.type === "normal");
  await second.until((x) => x.visible().includes("line 10000"));
  const text = second.text();
  assert.ok(text.includes("line 1\n"), "the first of 10,000 lines came back in the scrollback");
  assert.ok(ms < 5000, `replayed in ${ms} ms`);
  b.emit("pty_close", { terminal: id });
  await second.until((x) => x.exit !== null);
  b.close();
});

test("a read-only viewer sees the shell and cannot type into it; input waits for the replay", async () => {
  const a = await connect(srv.base, { auth: { token: srv.token } });
  const v = await connect(srv.base, { auth: { token: srv.token } });
  const r = await ack(a, "pty_open", { rows: 24, cols: 80 });
  const id = r.terminal.id;
  const writer = new Screen(a, id);
  await writer.until((x) => x.text().includes(prompt));
  const viewer = new Screen(v, id);
  const vr = await ack(v, "pty_attach", { terminal: id, readonly: true });
  assert.equal(vr.readonly, true);
  await viewer.until((x) => x.replays === 1);
  viewer.type("echo FROM-VIEWER\r");
  writer.type('echo from-"writer"\r');
  await viewer.until((x) => x.text().includes("from-writer"));
  await new Promise((ok) => setTimeout(ok, 300));
  assert.ok(!writer.text().includes("FROM-VIEWER"));
  a.emit("pty_close", { terminal: id });
  await viewer.until((x) => x.exit !== null);
  a.close();
  v.close();
});

test("the explorer is told where the shell went", async () => {
  const { mkdirSync } = await import("node:fs");
  mkdirSync(`${srv.root}/src/deep`, { recursive: true });
  const s = await connect(srv.base, { auth: { token: srv.token } });
  const r = await ack(s, "pty_open", { rows: 24, cols: 80, cwd: "src" });
  assert.equal(r.terminal.cwd, "src");
  const scr = new Screen(s, r.terminal.id);
  await scr.until((x) => x.text().includes(prompt));
  scr.type("cd deep\r");
  await scr.until((x) => x.cwd === "src/deep");
  s.emit("pty_close", { terminal: r.terminal.id });
  await scr.until((x) => x.exit !== null);
  s.close();
});

test("every connection is told when a terminal starts, is renamed and ends", async () => {
  const a = await connect(srv.base, { auth: { token: srv.token } });
  const b = await connect(srv.base, { auth: { token: srv.token } });
  const started = once(b, "pty_terminals", 5000, (m) => m.terminals.some((t) => t.name === "shared"));
  const r = await ack(a, "pty_open", { rows: 24, cols: 80, name: "shared" });
  const id = r.terminal.id;
  assert.ok((await started).enabled);
  const renamed = once(b, "pty_terminals", 5000, (m) => m.terminals.some((t) => t.id === id && t.name === "renamed"));
  a.emit("pty_rename", { terminal: id, name: "renamed" });
  await renamed;
  const ended = once(b, "pty_terminals", 5000, (m) => !m.terminals.some((t) => t.id === id));
  a.emit("pty_close", { terminal: id });
  await ended;
  a.close();
  b.close();
});

test("malformed and mistaken terminal events get clear errors and hurt nothing", async () => {
  const s = await connect(srv.base, { auth: { token: srv.token } });
  const errors = [];
  s.on("protocol_error", (e) => errors.push(e));
  const bad = await ack(s, "pty_open", { rows: "many", cols: 80 });
  assert.equal(bad.ok, false);
  assert.ok(bad.error.length > 0);
  const outside = await ack(s, "pty_open", { rows: 24, cols: 80, cwd: "../.." });
  assert.equal(outside.ok, false);
  assert.match(outside.error, /not a folder beneath the root/);
  const shapeless = await ack(s, "pty_attach", { terminal: 5, readonly: "yes" });
  assert.equal(shapeless.ok, false);
  assert.ok(shapeless.error.length > 0);
  const unknown = await ack(s, "pty_attach", { terminal: "t999" });
  assert.equal(unknown.ok, false);
  assert.match(unknown.error, /no terminal t999/);
  s.emit("pty_input", { terminal: "t999", data: "ls\r" });
  s.emit("pty_input", { nothing: true });
  s.emit("pty_resize", { terminal: "t999", rows: -1, cols: 1e12 });
  s.emit("pty_ack", "not an object");
  const r = await ack(s, "pty_open", { rows: 0, cols: 100000 });
  assert.equal(r.ok, true, "sizes are clamped, not refused");
  assert.ok(r.terminal.rows >= 2 && r.terminal.cols <= 1000);
  s.emit("pty_input", { terminal: r.terminal.id, data: "x".repeat(2 * 1024 * 1024) });
  // A name is shown as printable text, 60 characters at most.
  s.emit("pty_rename", { terminal: r.terminal.id, name: `\x1b[31m${"n".repeat(100000)}` });
  await new Promise((ok) => setTimeout(ok, 500));
  assert.ok(errors.length >= 5, JSON.stringify(errors));
  assert.ok(errors.some((e) => /too long|demasiado/.test(e.message)), JSON.stringify(errors));
  const named = (await ack(s, "pty_list", {})).terminals.find((t) => t.id === r.terminal.id);
  assert.equal(named.name, "[31m" + "n".repeat(56), "printable, 60 characters at most");
  s.emit("pty_close", { terminal: r.terminal.id });
  // The server is fine.
  const listed = await ack(s, "pty_list", {});
  assert.equal(listed.enabled, true);

  s.close();
});
