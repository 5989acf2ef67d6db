// The live model of the tree, as a client sees it through the real binary: an instruction
// names a file another process made a moment before; instructions run while another process
// changes the tree, and afterwards every listing equals the disk.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect, once, startServer } from "./server.mjs";

let srv;
before(async () => {
  srv = await startServer([], { prepare: (root) => mkdirSync(join(root, "sub")) });
});
after(async () => {
  await srv.stop();
});

/** Sends one instruction and waits for its answer (reply or error). */
function ask(socket, texto) {
  const reply = Promise.race([once(socket, "respuesta_terminal", 10000), once(socket, "error_terminal", 10000)]);
  socket.emit("comando_natural", { texto });
  return reply;
}

test("an instruction names a file another process made a moment before", async () => {
  const a = await connect(srv.base, { auth: { token: srv.token } });
  mkdirSync(join(srv.root, "ruido"));
  for (let i = 0; i < 10; i++) {
    // Made by this (other) process, not by atajo: only the watcher can tell the model, and
    // it has thousands of other events to apply first.
    for (let j = 0; j < 3000; j++) writeFileSync(join(srv.root, "ruido", `r${i}_${j}`), "");
    writeFileSync(join(srv.root, "sub", `recien${i}.txt`), `hola ${i}\n`);
    const r = await ask(a, `muestra recien${i}.txt`);
    assert.equal(r.command, `cat sub/recien${i}.txt`, `instruction ${i}: ${JSON.stringify(r)}`);
    assert.match(r.output, new RegExp(`hola ${i}`));
  }
  a.close();
});

/** Lists a folder through `list` (one page, everything). */
function list(socket, path) {
  return new Promise((ok) => socket.emit("list", { path }, ok));
}

test("instructions while another process changes the tree: afterwards the model equals the disk", async () => {
  const a = await connect(srv.base, { auth: { token: srv.token } });
  // Another process: makes, writes, renames and removes files and folders as fast as it can.
  const script = `
    const fs = require("fs"), path = require("path");
    const root = process.argv[1];
    for (let i = 0; i < 3000; i++) {
      const d = path.join(root, "otro" + (i % 7));
      try { fs.mkdirSync(d); } catch {}
      try { fs.writeFileSync(path.join(d, "f" + i), "x".repeat(i % 13)); } catch {}
      if (i % 3 === 0) try { fs.unlinkSync(path.join(d, "f" + Math.floor(i / 2))); } catch {}
      if (i % 400 === 399) try { fs.renameSync(d, path.join(root, "movido" + i)); } catch {}
    }`;
  const writer = spawn(process.execPath, ["-e", script, srv.root], { stdio: "ignore" });
  const finished = new Promise((ok) => writer.on("exit", ok));
  let n = 0;
  let running = true;
  finished.then(() => (running = false));
  while (running || n < 20) {
    const r = await ask(a, `crear carpeta hecha${n}`);
    assert.equal(r.command, `mkdir hecha${n}`, JSON.stringify(r));
    n++;
  }
  await finished;
  // Listed after the writer is done: each folder as the model has it, against the disk.
  const folders = [""].concat(readdirSync(srv.root, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== ".atajo").map((e) => e.name));
  for (const f of folders) {
    const r = await list(a, f);
    assert.ok(r.ok, `${f}: ${r.error}`);
    const listed = r.entries.map((e) => e.name).sort();
    const disk = readdirSync(join(srv.root, f)).sort();
    assert.deepEqual(listed, disk, `folder "${f}"`);
  }
  assert.ok(n >= 20);
  a.close();
});
