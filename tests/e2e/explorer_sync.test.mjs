// The explorer's side of the protocol at scale, with the real socket.io-client against the real
// binary: subscriptions, paged snapshots, deltas with entries, storms elsewhere, resyncs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect, once, startServer } from "./server.mjs";

let srv;
before(async () => {
  srv = await startServer([], {
    prepare: (root) => {
      mkdirSync(join(root, "src"));
      writeFileSync(join(root, "src", "main.rs"), "fn main() {}\n");
      mkdirSync(join(root, "node_modules"));
      mkdirSync(join(root, "big"));
      for (let i = 0; i < 12000; i++) writeFileSync(join(root, "big", `f${i}`), "");
      mkdirSync(join(root, "big", "sub"));
      // A name that is not UTF-8.
      writeFileSync(Buffer.concat([Buffer.from(join(root, "src", "bad")), Buffer.from([0xff])]), "");
    },
  });
});
after(async () => {
  await srv.stop();
});

/** Every feed message of one client, in order, with helpers to wait for what a test expects. */
function recorder(socket) {
  const log = [];
  const waiters = [];
  const push = (event) => (data) => {
    const m = { event, data };
    log.push(m);
    for (const w of [...waiters]) if (w.pred(m)) w.ok(m);
  };
  for (const e of ["listing", "fs_changes", "nuevo_archivo", "actualizar_archivo", "fs_warning"]) socket.on(e, push(e));
  return {
    log,
    wait(pred, ms = 10000) {
      const found = log.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((ok, fail) => {
        const w = {
          pred,
          ok: (m) => {
            clearTimeout(timer);
            waiters.splice(waiters.indexOf(w), 1);
            ok(m);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          fail(new Error(`not seen within ${ms} ms; last: ${JSON.stringify(log.slice(-3).map((m) => ({ ...m, data: { ...m.data, entries: m.data.entries?.length } })))}`));
        }, ms);
        waiters.push(w);
      });
    },
  };
}

const subscribe = (s, path) => new Promise((ok) => s.emit("subscribe", { path }, ok));

/** Collects a whole snapshot of `path` (all its pages) from the recorder, starting at `from`. */
async function snapshot(rec, path, from = 0) {
  const first = await rec.wait((m) => m.event === "listing" && m.data.path === path && m.data.offset === 0 && rec.log.indexOf(m) >= from);
  const start = rec.log.indexOf(first);
  await rec.wait((m) => m.event === "listing" && m.data.path === path && m.data.done && rec.log.indexOf(m) >= start, 20000);
  const pages = rec.log.slice(start).filter((m) => m.event === "listing" && m.data.path === path);
  const entries = [];
  for (const p of pages) {
    assert.equal(p.data.offset, entries.length, "pages are contiguous");
    entries.push(...p.data.entries);
    if (p.data.done) break;
  }
  return { first: first.data, entries };
}

test("a subscription gets a paged snapshot in the explorer's order, numbered with the changes", async () => {
  const a = await connect(srv.base, { auth: { token: srv.token } });
  const rec = recorder(a);
  const ack = await subscribe(a, "big");
  assert.deepEqual(ack, { ok: true, path: "big", error: null });
  const { first, entries } = await snapshot(rec, "big");
  assert.equal(first.reason, "subscribe");
  assert.equal(first.total, 12001);
  assert.ok(first.entries.length < 1000, "the first page is small, so it shows at once");
  assert.equal(entries.length, 12001);
  // Folders first, then names with numbers in numeric order.
  assert.equal(entries[0].name, "sub");
  assert.deepEqual(
    entries.slice(1, 4).map((e) => e.name),
    ["f0", "f1", "f2"],
  );
  assert.equal(entries[11].name, "f10");
  assert.ok(entries.every((e) => typeof e.tag === "string" && e.tag.length > 0));
  // seq counts every listing page and batch of this connection, from 1, without gaps.
  const seqs = rec.log.filter((m) => m.event === "listing" || m.event === "fs_changes").map((m) => m.data.seq);
  assert.deepEqual(seqs, seqs.map((_, i) => i + 1));
  a.close();
});

test("changes in a shown folder arrive with their entries; compatibility events go to the others", async () => {
  const explorer = await connect(srv.base, { auth: { token: srv.token } });
  const compat = await connect(srv.base, { auth: { token: srv.token } });
  const ex = recorder(explorer);
  const co = recorder(compat);
  assert.equal((await subscribe(explorer, "")).ok, true);
  await snapshot(ex, "");
  mkdirSync(join(srv.root, "vista"));
  const created = await ex.wait((m) => m.event === "fs_changes" && m.data.changes.some((c) => c.path === "vista"));
  const c = created.data.changes.find((c) => c.path === "vista");
  assert.equal(c.kind, "created");
  assert.equal(c.entry.kind, "dir");
  assert.equal(c.entry.name, "vista");
  await co.wait((m) => m.event === "nuevo_archivo" && m.data.ruta === "vista");

  writeFileSync(join(srv.root, "nota.txt"), "hola");
  const file = await ex.wait((m) => m.event === "fs_changes" && m.data.changes.some((c) => c.path === "nota.txt" && c.entry?.size === 4));
  assert.ok(file);
  rmSync(join(srv.root, "nota.txt"));
  const gone = await ex.wait((m) => m.event === "fs_changes" && m.data.changes.some((c) => c.path === "nota.txt" && c.kind === "removed"));
  assert.equal(gone.data.changes.find((c) => c.path === "nota.txt").entry, undefined);
  // Give a stray event time to arrive before concluding there is none.
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(!ex.log.some((m) => m.event === "nuevo_archivo"), "an explorer gets no compatibility events");
  assert.ok(!co.log.some((m) => m.event === "fs_changes" || m.event === "listing"), "a compatibility client gets no batches");
  explorer.close();
  compat.close();
});

test("a storm in node_modules never reaches a client looking at src", async () => {
  const a = await connect(srv.base, { auth: { token: srv.token } });
  const rec = recorder(a);
  await subscribe(a, "src");
  await snapshot(rec, "src");
  for (let i = 0; i < 20000; i++) writeFileSync(join(srv.root, "node_modules", `m${i}.js`), "x");
  writeFileSync(join(srv.root, "src", "lib.rs"), "pub fn f() {}\n");
  // Told as a change, or, when the storm overflowed the kernel's event queue, by a fresh
  // snapshot of src (3 entries): never by the storm's own changes.
  await rec.wait(
    (m) =>
      (m.event === "fs_changes" && m.data.changes.some((c) => c.path === "src/lib.rs")) ||
      (m.event === "listing" && m.data.path === "src" && m.data.entries.some((e) => e.name === "lib.rs")),
  );
  await new Promise((r) => setTimeout(r, 300));
  const about = rec.log.filter((m) => m.event === "fs_changes").flatMap((m) => m.data.changes.map((c) => c.path));
  assert.ok(about.every((p) => p.startsWith("src/")), about.slice(0, 5).join(", "));
  const listed = rec.log.filter((m) => m.event === "listing");
  assert.ok(listed.every((m) => m.data.path === "src" && m.data.total <= 3));
  a.close();
});

test("a burst of changes in a shown folder ends with the view equal to the disk", async () => {
  const a = await connect(srv.base, { auth: { token: srv.token } });
  const rec = recorder(a);
  mkdirSync(join(srv.root, "burst"));
  await subscribe(a, "burst");
  await snapshot(rec, "burst");
  for (let i = 0; i < 6000; i++) writeFileSync(join(srv.root, "burst", `b${i}`), "");
  // The client's view must end equal to the disk: apply everything in order.
  const view = new Map();
  let done = false;
  const deadline = Date.now() + 20000;
  let applied = 0;
  while (!done && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    for (; applied < rec.log.length; applied++) {
      const { event, data } = rec.log[applied];
      if (event === "listing" && data.path === "burst") {
        if (data.offset === 0) view.clear();
        for (const e of data.entries) view.set(e.name, e);
      } else if (event === "fs_changes") {
        for (const c of data.changes) {
          const name = c.path.split("/").pop();
          if (c.kind === "removed") view.delete(name);
          else view.set(name, c.entry);
        }
      }
    }
    done = view.size === 6000;
  }
  // Whether they came one by one or (for a client slower than the changes) as a fresh
  // snapshot, the view ends equal to the disk.
  assert.equal(view.size, 6000);
  a.close();
});

test("a shown folder that goes away is said so; refresh and bad requests are answered", async () => {
  const a = await connect(srv.base, { auth: { token: srv.token } });
  const rec = recorder(a);
  mkdirSync(join(srv.root, "temporal"));
  await subscribe(a, "temporal");
  await snapshot(rec, "temporal");
  renameSync(join(srv.root, "temporal"), join(srv.root, "movida"));
  const ended = await rec.wait((m) => m.event === "listing" && m.data.path === "temporal" && m.data.error);
  assert.equal(ended.data.reason, "resync");

  await subscribe(a, "src");
  await snapshot(rec, "src");
  const at = rec.log.length;
  assert.equal((await subscribe(a, "src")).ok, true);
  const again = await snapshot(rec, "src", at);
  assert.equal(again.first.reason, "refresh");
  const bad = again.entries.find((e) => e.lossy);
  assert.ok(bad, "the non-UTF-8 name is listed");
  assert.equal(bad.name, "bad\u{10ffff}", "the byte 0xFF as its stand-in");
  assert.equal(bad.raw, "626164ff");

  // Paths are root-relative: "/etc" is the workspace's etc/, which does not exist.
  const rooted = await subscribe(a, "/etc");
  assert.equal(rooted.path, "etc");
  const missing = await rec.wait((m) => m.event === "listing" && m.data.path === "etc" && m.data.error);
  assert.match(missing.data.error, /cannot list “etc”: it does not exist/);
  for (const payload of [{ path: "../x" }, { path: "a/../../etc" }, { path: 42 }, {}, "x"]) {
    const r = await new Promise((ok) => a.emit("subscribe", payload, ok));
    assert.equal(r.ok, false, JSON.stringify(payload));
    assert.ok(r.error);
  }
  for (let i = 0; i < 70; i++) mkdirSync(join(srv.root, `nope${i}`));
  let refused = null;
  for (let i = 0; i < 70 && !refused; i++) {
    const r = await subscribe(a, `nope${i}`);
    if (!r.ok && /too many/.test(r.error)) refused = i;
  }
  assert.ok(refused !== null, "there is a limit on folders shown at once");
  const un = await new Promise((ok) => a.emit("unsubscribe", { path: "nope0" }, ok));
  assert.equal(un.ok, true);
  for (const payload of [{ path: "nope0" }, { path: "../x" }, { path: 7 }, "x"]) {
    const r = await new Promise((ok) => a.emit("unsubscribe", payload, ok));
    assert.equal(r.ok, false, JSON.stringify(payload));
    assert.ok(r.error);
  }
  a.close();
});

test("list answers one page of a folder, once", async () => {
  const a = await connect(srv.base, { auth: { token: srv.token } });
  const r = await new Promise((ok) => a.emit("list", { path: "big", offset: 1, limit: 3 }, ok));
  assert.equal(r.ok, true);
  assert.equal(r.total, 12001);
  assert.deepEqual(
    r.entries.map((e) => e.name),
    ["f0", "f1", "f2"],
  );
  const past = await new Promise((ok) => a.emit("list", { path: "big", offset: 99999 }, ok));
  assert.equal(past.ok, true);
  assert.deepEqual(past.entries, []);
  for (const payload of [{ path: "big", offset: -1 }, { path: "big", limit: "3" }, { path: "../.." }]) {
    const bad = await new Promise((ok) => a.emit("list", payload, ok));
    assert.equal(bad.ok, false, JSON.stringify(payload));
    assert.ok(bad.error);
  }
  a.close();
});
