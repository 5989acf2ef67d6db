// Explorer actions with the real socket.io-client against the real binary: each becomes the
// command it stands for (shown in the plan), runs through the policy and the sandbox, and the
// change reaches every subscriber; stale tags, taken names and a busy session are refused.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect, first, once, startServer } from "./server.mjs";

let srv;
before(async () => {
  srv = await startServer([], {
    prepare: (root) => {
      mkdirSync(join(root, "docs"));
      writeFileSync(join(root, "notes.txt"), "hola\n");
      writeFileSync(join(root, "docs", "a.md"), "# a\n");
      execFileSync("mkfifo", [join(root, "espera")]);
    },
  });
});
after(async () => {
  await srv.stop();
});

let n = 0;
/** Sends an action and collects what answers it: {plan, refused, output, exit}. */
function act(s, action, lang = "en") {
  const id = `a${++n}`;
  const got = { output: "" };
  const out = (o) => o.id === id && (got.output += o.data);
  s.on("output", out);
  const done = new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`no answer to ${JSON.stringify(action)}`)), 15000);
    const finish = () => {
      clearTimeout(timer);
      s.off("output", out);
      s.off("plan", plan);
      s.off("exit", exit);
      s.off("action_refused", refused);
      ok(got);
    };
    const plan = (p) => p.id === id && (got.plan = p);
    const exit = (x) => x.id === id && ((got.exit = x), finish());
    const refused = (r) => r.id === id && ((got.refused = r), finish());
    s.on("plan", plan);
    s.on("exit", exit);
    s.on("action_refused", refused);
  });
  s.emit("action", { id, action, lang });
  return done;
}

const subscribe = (s, path) => new Promise((ok) => s.emit("subscribe", { path }, ok));

/** The entry of `name` in a fresh listing of `path`. */
async function entryOf(s, path, name) {
  const r = await new Promise((ok) => s.emit("list", { path }, ok));
  return r.entries.find((e) => e.name === name);
}

test("new folder, new file, rename, move and copy run as the commands they stand for", async () => {
  const a = await connect(srv.base, { auth: { token: srv.token } });
  const watcher = await connect(srv.base, { auth: { token: srv.token } });
  await subscribe(watcher, "");
  const created = once(watcher, "fs_changes", 5000, (b) => b.changes.some((c) => c.path === "nueva carpeta" && c.kind === "created"));

  let r = await act(a, { op: "new_folder", dir: "", name: "nueva carpeta" }, "es");
  assert.equal(r.plan.command, "mkdir 'nueva carpeta'");
  assert.equal(r.plan.source, "explorer");
  assert.match(r.plan.explanation, /nueva carpeta/i);
  assert.equal(r.plan.verdict.risk, "write");
  assert.equal(r.exit.code, 0);
  await created;
  assert.ok(existsSync(join(srv.root, "nueva carpeta")));

  r = await act(a, { op: "new_file", dir: "nueva carpeta", name: "it's.txt" });
  assert.equal(r.plan.command, `touch 'nueva carpeta/it'\\''s.txt'`);
  assert.equal(r.exit.code, 0);
  assert.ok(existsSync(join(srv.root, "nueva carpeta", "it's.txt")));

  r = await act(a, { op: "new_file", dir: "", name: "notes.txt" });
  assert.equal(r.refused.kind, "exists");
  assert.equal(r.exit, undefined, "a refused action runs nothing");
  r = await act(a, { op: "new_folder", dir: "", name: "a/b" });
  assert.equal(r.refused.kind, "invalid");
  r = await act(a, { op: "new_folder", dir: "../..", name: "x" });
  assert.equal(r.refused.kind, "invalid");

  // Rename carries the tag the client saw.
  const seen = await entryOf(a, "", "notes.txt");
  r = await act(a, { op: "rename", item: { path: "notes.txt", tag: seen.tag }, name: "notas.txt" });
  assert.equal(r.plan.command, "mv -T notes.txt notas.txt");
  assert.equal(r.exit.code, 0);
  assert.equal(readFileSync(join(srv.root, "notas.txt"), "utf8"), "hola\n");
  const stale = await entryOf(a, "", "notas.txt");
  writeFileSync(join(srv.root, "notas.txt"), "changed by someone else\n");
  r = await act(a, { op: "rename", item: { path: "notas.txt", tag: stale.tag }, name: "x.txt" });
  assert.equal(r.refused.kind, "conflict");
  assert.match(r.refused.message, /changed on disk/);
  assert.ok(existsSync(join(srv.root, "notas.txt")), "a conflict touches nothing");

  // Drag and drop: a move into a folder.
  r = await act(a, { op: "move", items: [{ path: "notas.txt" }], to: "docs" });
  assert.equal(r.plan.command, "mv notas.txt docs/");
  assert.equal(r.exit.code, 0);
  assert.ok(existsSync(join(srv.root, "docs", "notas.txt")));
  r = await act(a, { op: "move", items: [{ path: "docs" }], to: "docs" });
  assert.equal(r.refused.kind, "invalid");

  // Copy and paste into the same folder: a free name, never a replacement.
  r = await act(a, { op: "copy", items: [{ path: "docs/a.md" }, { path: "docs/notas.txt" }], to: "docs" });
  assert.equal(r.plan.command, "cp -T docs/a.md 'docs/a (copy).md' && cp -T docs/notas.txt 'docs/notas (copy).txt'");
  assert.equal(r.exit.code, 0);
  r = await act(a, { op: "copy", items: [{ path: "docs" }], to: "" }, "es");
  assert.equal(r.plan.command, "cp -r -T docs 'docs (copia)'");
  assert.equal(r.exit.code, 0);
  assert.deepEqual(readdirSync(join(srv.root, "docs (copia)")).sort(), ["a (copy).md", "a.md", "notas (copy).txt", "notas.txt"]);
  a.close();
  watcher.close();
});

test("delete asks first, goes to the trash and undo brings it back", async () => {
  const a = await connect(srv.base, { auth: { token: srv.token } });
  mkdirSync(join(srv.root, "old"));
  writeFileSync(join(srv.root, "old", "x.txt"), "x");
  writeFileSync(join(srv.root, "tmp.log"), "y");
  let r = await act(a, { op: "delete", items: [{ path: "old" }, { path: "tmp.log" }] });
  assert.equal(r.plan.command, "rm -r old tmp.log");
  assert.ok(r.plan.confirm, "a deletion waits for confirmation");
  assert.deepEqual([...r.plan.verdict.affected].sort(), ["old", "tmp.log"]);
  assert.equal(r.exit.code, -1);
  assert.ok(existsSync(join(srv.root, "old")), "nothing goes before the user says so");

  const exit = once(a, "exit", 10000, (x) => x.id === "del");
  let output = "";
  a.on("output", (o) => o.id === "del" && (output += o.data));
  a.emit("confirm", { id: "del", token: r.plan.confirm });
  assert.equal((await exit).code, 0);
  assert.ok(!existsSync(join(srv.root, "old")) && !existsSync(join(srv.root, "tmp.log")));
  const trash = output.match(/\.atajo\/trash\/([0-9]+-[0-9]+)/)?.[1];
  assert.ok(trash, output);

  r = await act(a, { op: "undo", trash });
  assert.equal(r.plan.command, `undo ${trash}`);
  assert.equal(r.exit.code, 0);
  assert.equal(readFileSync(join(srv.root, "old", "x.txt"), "utf8"), "x");
  assert.ok(existsSync(join(srv.root, "tmp.log")));
  r = await act(a, { op: "undo", trash: "1; rm -r ." });
  assert.equal(r.refused.kind, "invalid");
  a.close();
});

test("a name that is not UTF-8 is listed as such and acted on by its real bytes", async () => {
  const a = await connect(srv.base, { auth: { token: srv.token } });
  // "café" in Latin-1: the é is the lone byte 0xE9, sent as its stand-in U+10FFE9.
  const latin1 = (s) => Buffer.from(s, "latin1");
  mkdirSync(latin1(join(srv.root, "d\xe9p")));
  writeFileSync(latin1(join(srv.root, "d\xe9p", "caf\xe9.txt")), "latin1");
  const top = await new Promise((ok) => a.emit("list", { path: "" }, ok));
  const folder = top.entries.find((x) => x.lossy && x.kind === "dir");
  assert.equal(folder?.name, "d\u{10ffe9}p", JSON.stringify(top));
  assert.equal(folder.raw, "64e970");
  // The folder's path as sent names it: it lists, and its file comes with its own stand-in.
  const listed = await new Promise((ok) => a.emit("list", { path: folder.name }, ok));
  const e = listed.entries.find((x) => x.lossy);
  assert.equal(e?.name, "caf\u{10ffe9}.txt", JSON.stringify(listed));
  assert.equal(e.raw, "636166e92e747874");
  const item = { path: `${folder.name}/${e.name}`, tag: e.tag };

  let r = await act(a, { op: "copy", items: [item], to: folder.name });
  assert.equal(r.plan.command, "cp -T $'d\\xe9p/caf\\xe9.txt' $'d\\xe9p/caf\\xe9 (copy).txt'");
  assert.equal(r.exit.code, 0, r.output);
  r = await act(a, { op: "rename", item, name: "café.txt" });
  assert.equal(r.plan.command, "mv -T $'d\\xe9p/caf\\xe9.txt' $'d\\xe9p/caf\\xc3\\xa9.txt'");
  assert.equal(r.exit.code, 0, r.output);
  assert.equal(readFileSync(Buffer.concat([latin1(join(srv.root, "d\xe9p/")), Buffer.from("café.txt")]), "utf8"), "latin1");
  const left = readdirSync(latin1(join(srv.root, "d\xe9p")), { encoding: "buffer" }).map((b) => b.toString("hex"));
  assert.deepEqual(left.sort(), [Buffer.from("café.txt").toString("hex"), latin1("caf\xe9 (copy).txt").toString("hex")].sort());
  // Its bytes in hex name it too, as the file API's ?raw= does.
  r = await act(a, { op: "new_file", dir: folder.name, name: "nuevo.txt" });
  assert.equal(r.plan.command, "touch $'d\\xe9p/nuevo.txt'");
  assert.equal(r.exit.code, 0, r.output);
  // Opening the folder moves the terminal there, and the cwd comes back as the same text.
  r = await act(a, { op: "open", path: folder.name });
  assert.equal(r.plan.command, "cd $'d\\xe9p'");
  assert.equal(r.exit.cwd, folder.name);
  // A lossy rendering (U+FFFD) names nothing.
  r = await act(a, { op: "delete", items: [{ path: "d\ufffdp/nuevo.txt" }] });
  assert.equal(r.refused.kind, "invalid");
  await act(a, { op: "open", path: "" });
  a.close();
});

test("opening a folder moves the terminal, and is refused while a command runs", async () => {
  const a = await connect(srv.base, { auth: { token: srv.token } });
  let r = await act(a, { op: "open", path: "docs" });
  assert.equal(r.plan.command, "cd docs");
  assert.equal(r.exit.cwd, "docs");
  r = await act(a, { op: "new_folder", dir: "", name: "from-docs" });
  assert.equal(r.plan.command, "mkdir ../from-docs", "paths are relative to the shared folder");

  // A command that waits on a FIFO holds the folder.
  const held = once(a, "exit", 15000, (x) => x.id === "held");
  // The plan comes once the command holds the folder.
  const planned = once(a, "plan", 5000, (p) => p.id === "held");
  a.emit("command", { id: "held", command: "cat ../espera" });
  await planned;
  r = await act(a, { op: "open", path: "" }, "es");
  assert.equal(r.refused.kind, "busy");
  assert.match(r.refused.message, /orden en marcha/);
  a.emit("cancel", { id: "held" });
  assert.equal((await held).cwd, "docs", "the folder did not move under the command");
  r = await act(a, { op: "open", path: "" });
  assert.equal(r.exit.cwd, "");
  a.close();
});

test("malformed actions get a clear error and the server stays up", async () => {
  const a = await connect(srv.base, { auth: { token: srv.token } });
  for (const bad of [
    "mkdir x",
    { id: "b1" },
    { id: "b2", action: { op: "format_disk" } },
    { id: "b3", action: { op: "rename", item: "notes.txt", name: 3 } },
    { id: "b4", action: { op: "move", items: "x", to: "" } },
  ]) {
    const err = once(a, "protocol_error");
    a.emit("action", bad);
    const e = await err;
    assert.equal(e.event, "action");
    assert.match(e.message, /payload/);
  }
  // Huge: 20k items is past the limit; the answer is a refusal in words.
  const items = Array.from({ length: 20000 }, (_, i) => ({ path: `f${i}` }));
  const r = await act(a, { op: "delete", items });
  assert.ok(r.refused, JSON.stringify(r.plan ?? {}));
  const res = await first(a, ["pong"], 100).catch(() => null);
  assert.equal(res, null);
  assert.ok(srv.alive());
  a.close();
});
