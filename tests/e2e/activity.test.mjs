// Who ran what, on one server (no Redis): a connection that follows the activity hears of the
// others' requests once as they start and once as they end, never of its own; it stops
// hearing when it unfollows; people see only what is asked within their folders; a malformed
// `follow_activity` is answered in words.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { BIN, connect, once, startServer } from "./server.mjs";

let srv;

before(async () => {
  srv = await startServer([], {
    prepare: (root) => {
      mkdirSync(join(root, "b"));
      execFileSync(
        BIN,
        ["user", "add", "eva", "--role", "viewer", "--root", "b", "--password-stdin", "--workspace", root,
          "--data-dir", `${root}.data`],
        { input: "eva-long-password\n" },
      );
    },
  });
});
after(() => srv?.stop());

const follow = (s, on = true) =>
  new Promise((ok) => s.timeout(5000).emit("follow_activity", { on }, (e, r) => ok(e ? null : r)));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function run(s, id, command) {
  const exit = once(s, "exit", 10000, (e) => e.id === id);
  s.emit("command", { id, command, lang: "en" });
  return exit;
}

function recorder(s) {
  const got = [];
  s.on("activity", (m) => got.push(m));
  return got;
}

async function evaSocket() {
  const res = await fetch(`${srv.base}/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: srv.base },
    body: JSON.stringify({ user: "eva", password: "eva-long-password" }),
  });
  assert.equal(res.status, 200);
  const cookie = res.headers.get("set-cookie").split(";")[0];
  return connect(srv.base, { extraHeaders: { cookie, origin: srv.base } });
}

test("the others' requests, once as they start and once as they end; never one's own", async () => {
  const a = await connect(srv.base, { auth: { token: srv.token } });
  const b = await connect(srv.base, { auth: { token: srv.token } });
  const eva = await evaSocket();
  try {
    const fromA = recorder(a);
    const fromB = recorder(b);
    const fromEva = recorder(eva);
    for (const s of [a, b, eva]) assert.deepEqual(await follow(s), { ok: true });
    // Twice: counted once.
    assert.deepEqual(await follow(b), { ok: true });
    assert.equal((await run(a, "r1", "mkdir hecho")).code, 0);
    // A refused one: told at once, with its verdict.
    await run(a, "r2", "rm -rf /");
    await sleep(400);
    assert.deepEqual(
      fromB.map((m) => [m.command, m.status, m.exit_code ?? null]),
      [
        ["mkdir hecho", "running", null],
        ["mkdir hecho", "done", 0],
        ["rm -rf /", "denied", null],
      ],
    );
    assert.equal(fromB[0].id, fromB[1].id);
    assert.equal(fromB[0].user, "owner");
    assert.equal(fromB[0].kind, "command");
    assert.equal(fromB[0].cwd, "");
    assert.ok(fromB[0].node && fromB[0].at_ms > 0);
    assert.equal(fromA.length, 0, "not one's own");
    assert.equal(fromEva.length, 0, "eva's folder is b: the root's requests are not hers");
    // Asked in b: eva sees it.
    assert.equal((await run(a, "r3", "cd b")).code, 0);
    assert.equal((await run(a, "r4", "mkdir dentro")).code, 0);
    await sleep(300);
    assert.deepEqual(fromEva.map((m) => [m.command, m.status, m.cwd]), [
      ["mkdir dentro", "running", "b"],
      ["mkdir dentro", "done", "b"],
    ]);
    // Unfollowed: nothing more.
    assert.deepEqual(await follow(b, false), { ok: true });
    const had = fromB.length;
    assert.equal((await run(a, "r5", "mkdir otra")).code, 0);
    await sleep(300);
    assert.equal(fromB.length, had);
  } finally {
    for (const s of [a, b, eva]) s.close();
  }
});

test("a malformed follow_activity is answered in words, and the connection stays", async () => {
  const s = await connect(srv.base, { auth: { token: srv.token }, extraHeaders: { "accept-language": "es" } });
  try {
    for (const bad of ["sí", { on: "yes" }, {}, 7]) {
      const err = once(s, "protocol_error", 3000);
      const answer = await new Promise((ok) => s.timeout(3000).emit("follow_activity", bad, (e, r) => ok(e ? null : r)));
      assert.equal(answer?.ok, false, JSON.stringify(bad));
      assert.ok(answer.error.length > 10);
      const e = await err;
      assert.equal(e.event, "follow_activity");
    }
    assert.deepEqual(await follow(s), { ok: true });
  } finally {
    s.close();
  }
});
