// Several people on one workspace, with real socket.io clients and HTTP: two operators with
// different folders, a viewer and an admin. Nothing outside a person's folders reaches them
// through any event or route; a viewer runs nothing; an ended session's connections drop at
// once; failed logins are limited per address without locking the right person out.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import { io } from "socket.io-client";
import { BIN, startServer, connect, once } from "./server.mjs";

const PASS = {
  ana: "ana-password-1",
  bo: "bo-password-22",
  vi: "viewer-password",
  ad: "admin-password",
};

let srv;

function cli(args, input) {
  return execFileSync(BIN, [...args, "--workspace", srv.root, "--data-dir", srv.data], {
    input,
    encoding: "utf8",
  });
}

/** The folders and the four accounts, made before the server starts (it comes up
 * multi-user). */
function prepare(root) {
      for (const d of ["a/deep", "b", "shared"]) mkdirSync(join(root, d), { recursive: true });
      writeFileSync(join(root, "a/ana.txt"), "ana's\n");
      writeFileSync(join(root, "b/bo.txt"), "bo's secret\n");
      writeFileSync(join(root, "top.txt"), "top\n");
      const data = `${root}.data`;
      const add = (name, role, roots) =>
        execFileSync(
          BIN,
          ["user", "add", name, "--role", role, ...roots.flatMap((r) => ["--root", r]), "--password-stdin",
            "--workspace", root, "--data-dir", data],
          { input: `${PASS[name]}\n` },
        );
      add("ana", "operator", ["a"]);
      add("bo", "operator", ["b"]);
      add("vi", "viewer", ["a"]);
      add("ad", "admin", []);
}

before(async () => {
  srv = await startServer([], { prepare });
});

after(() => srv?.stop());

/** Raw HTTP, so the source address can be chosen (127.0.0.2 is another client on loopback). */
function request(method, path, { headers = {}, body, localAddress } = {}) {
  const u = new URL(srv.base);
  return new Promise((ok, fail) => {
    const req = http.request(
      { host: u.hostname, port: u.port, method, path, headers, localAddress },
      (res) => {
        let data = "";
        res.on("data", (d) => (data += d));
        res.on("end", () => {
          let json = null;
          try {
            json = JSON.parse(data);
          } catch {
            /* not JSON */
          }
          ok({ status: res.statusCode, headers: res.headers, text: data, json });
        });
      },
    );
    req.on("error", fail);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

async function login(user, password = PASS[user], localAddress) {
  const res = await request("POST", "/login", {
    headers: { "content-type": "application/json", origin: srv.base },
    body: JSON.stringify({ user, password, lang: "en" }),
    localAddress,
  });
  const set = res.headers["set-cookie"]?.[0] ?? "";
  const cookie = set.split(";")[0];
  return { ...res, cookie, set };
}

/** Connects and resolves with the socket and its `hello` (listened for before connecting:
 * Node's ws may deliver both in one go). */
function connectHello(opts) {
  return new Promise((ok, fail) => {
    const s = io(srv.base, { transports: ["websocket"], forceNew: true, reconnection: false, ...opts });
    const timer = setTimeout(() => fail(new Error("no hello")), 5000);
    s.once("hello", (hello) => {
      clearTimeout(timer);
      ok({ s, hello });
    });
    s.once("connect_error", (e) => {
      clearTimeout(timer);
      s.close();
      fail(e);
    });
  });
}

/** A browser-like socket: the session cookie and our Origin. */
async function as(user) {
  const { status, cookie } = await login(user);
  assert.equal(status, 200, `${user} logs in`);
  const { s, hello } = await connectHello({ extraHeaders: { cookie, origin: srv.base } });
  return { s, cookie, hello };
}

const list = (s, path) =>
  new Promise((ok) => s.timeout(5000).emit("list", { path }, (err, r) => ok(err ? null : r)));
const subscribe = (s, path) =>
  new Promise((ok) => s.timeout(5000).emit("subscribe", { path }, (err, r) => ok(err ? null : r)));

async function run(s, command, id) {
  const plan = once(s, "plan", 10000, (p) => p.id === id);
  const exit = once(s, "exit", 10000, (e) => e.id === id);
  const out = [];
  const onOut = (o) => o.id === id && out.push(o.data);
  s.on("output", onOut);
  s.emit("command", { id, command, lang: "en" });
  const [p, e] = await Promise.all([plan, exit]);
  s.off("output", onOut);
  return { plan: p, exit: e, output: out.join("") };
}

test("the login: a session cookie (HttpOnly, SameSite=Strict), wrong passwords refused alike", async () => {
  const mode = await request("GET", "/api/auth");
  assert.equal(mode.json.login, "accounts");
  assert.equal(mode.json.jwt.alg, "EdDSA");
  const ok = await login("ana");
  assert.equal(ok.status, 200);
  assert.equal(ok.json.user, "ana");
  assert.equal(ok.json.role, "operator");
  assert.match(ok.set, /^atajo_session=s_[0-9a-f]{64}; HttpOnly; SameSite=Strict; Path=\//);
  // A new id at every login.
  const again = await login("ana");
  assert.notEqual(again.cookie, ok.cookie);
  const wrong = await login("ana", "not-her-password");
  const nobody = await login("nobody", "whatever-it-is");
  assert.equal(wrong.status, 401);
  assert.equal(nobody.status, 401);
  assert.equal(wrong.json.error, nobody.json.error, "a wrong name and a wrong password read the same");
  assert.equal(wrong.set, "");
  // Without a cookie or a token nothing connects, and the refusal says to log in.
  await assert.rejects(connect(srv.base, { extraHeaders: { origin: srv.base } }), /log in/);
  // A cross-site login is refused by the origin check.
  const cross = await request("POST", "/login", {
    headers: { "content-type": "application/json", origin: "http://evil.example" },
    body: JSON.stringify({ user: "ana", password: PASS.ana }),
  });
  assert.equal(cross.status, 403);
  // The start-up token still opens everything (the owner's key).
  const { s: owner, hello: h } = await connectHello({ auth: { token: srv.token } });
  assert.equal(h.user, "owner");
  assert.equal(h.role, "admin");
  owner.close();
});

test("two operators, a viewer and an admin: each reaches only their folders, through every event and route", async () => {
  const ana = await as("ana");
  const bo = await as("bo");
  const vi = await as("vi");
  const ad = await as("ad");
  let presence = null;
  ad.s.on("presence", (m) => (presence = m));
  try {
    assert.deepEqual([ana.hello.user, ana.hello.role, ana.hello.roots, ana.hello.cwd], ["ana", "operator", ["a"], "a"]);
    assert.deepEqual([vi.hello.role, vi.hello.roots], ["viewer", ["a"]]);
    assert.deepEqual(ad.hello.roots, [""]);
    assert.match(ana.hello.csrf, /^[0-9a-f]{64}$/);

    // list: above one's folder only the way there; beside it nothing.
    const top = await list(ana.s, "");
    assert.equal(top.ok, true);
    assert.deepEqual(top.entries.map((e) => e.name), ["a"]);
    assert.equal(top.total, 1);
    const other = await list(ana.s, "b");
    assert.equal(other.ok, false);
    assert.match(other.error, /outside your folders/);
    assert.deepEqual((await list(ana.s, "a")).entries.map((e) => e.name).sort(), ["ana.txt", "deep"]);
    assert.deepEqual((await list(ad.s, "")).entries.map((e) => e.name).filter((n) => n !== ".atajo").sort(), ["a", "b", "shared", "top.txt"]);

    // subscribe: refused beside, and the root's listing shows only the way.
    assert.equal((await subscribe(ana.s, "b")).ok, false);
    const rootPage = once(ana.s, "listing", 5000, (p) => p.path === "" && p.done);
    assert.equal((await subscribe(ana.s, "")).ok, true);
    const page = await rootPage;
    assert.deepEqual(page.entries.map((e) => e.name), ["a"]);
    assert.equal((await subscribe(ana.s, "a")).ok, true);

    // Changes beside ana's folder never reach her (fs_changes, nuevo_archivo); hers do.
    const seen = [];
    ana.s.on("fs_changes", (b) => b.changes.forEach((c) => seen.push(c.path)));
    ana.s.on("nuevo_archivo", (f) => seen.push(`compat:${f.ruta}`));
    assert.equal((await run(bo.s, "touch b/new.txt 2>/dev/null || touch new.txt", "bo1")).exit.code, 0);
    assert.equal((await run(bo.s, "mkdir c2", "bo2")).exit.code, 0);
    const marker = once(ana.s, "fs_changes", 5000, (b) => b.changes.some((c) => c.path === "a/marker"));
    assert.equal((await run(ad.s, "touch top2.txt && touch a/marker", "ad1")).exit.code, 0);
    await marker;
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(seen.includes("a/marker"));
    assert.deepEqual(
      seen.filter((p) => !p.replace("compat:", "").startsWith("a/")),
      [],
      "nothing beside a/ reached ana",
    );

    // Commands: the policy names what is not hers; the sandbox would stop it anyway.
    for (const [i, cmd] of ["cat ../b/bo.txt", "ls ../b", "cp ana.txt ../b/", "ls ..", "cd ../b"].entries()) {
      const r = await run(ana.s, cmd, `ana-deny-${i}`);
      assert.equal(r.plan.verdict.allowed, false, cmd);
      assert.match(r.plan.verdict.reason, /outside your folders/, cmd);
      assert.equal(r.exit.code, -1);
    }
    assert.equal((await run(ana.s, "cat ana.txt", "ana-ok")).output, "ana's\n");

    // Completion offers nothing outside.
    const completion = once(ana.s, "completion", 5000, (c) => c.id === "k1");
    ana.s.emit("complete", { id: "k1", before: "cat ../" });
    assert.deepEqual((await completion).candidates.map((c) => c.label), ["a/"]);

    // HTTP: files, folders as zips, uploads.
    const h = { cookie: ana.cookie };
    assert.equal((await request("GET", "/api/files/a/ana.txt", { headers: h })).status, 200);
    for (const path of ["/api/files/b/bo.txt", "/api/files/top.txt", "/api/files/b?download=1", "/api/files", "/api/files?download=1"]) {
      const r = await request("GET", path, { headers: h });
      assert.equal(r.status, 403, path);
      assert.doesNotMatch(r.text, /secret/);
    }
    const put = (path, who, extra = {}) =>
      request("PUT", path, {
        headers: { cookie: who.cookie, origin: srv.base, "x-atajo-csrf": who.hello.csrf, ...extra },
        body: "x",
      });
    assert.equal((await put("/api/files/a/up.txt", ana)).status, 200);
    assert.equal((await put("/api/files/b/up.txt", ana)).status, 403);
    assert.ok(!existsSync(join(srv.root, "b/up.txt")));
    // A CSRF token of another session does not do.
    assert.equal((await put("/api/files/a/up2.txt", ana, { "x-atajo-csrf": bo.hello.csrf })).status, 403);

    // The viewer: reads, runs nothing, and is told so.
    assert.equal((await list(vi.s, "a")).ok, true);
    assert.equal((await request("GET", "/api/files/a/ana.txt", { headers: { cookie: vi.cookie } })).status, 200);
    const denied = await run(vi.s, "touch x", "vi1");
    assert.equal(denied.plan.verdict.allowed, false);
    assert.match(denied.plan.verdict.reason, /viewer/);
    assert.ok(!existsSync(join(srv.root, "a/x")));
    const refused = once(vi.s, "action_refused", 5000, (r) => r.id === "vi2");
    vi.s.emit("action", { id: "vi2", action: { op: "new_folder", dir: "a", name: "nope" } });
    assert.equal((await refused).kind, "forbidden");
    const compat = once(vi.s, "error_terminal");
    vi.s.emit("comando_natural", { texto: "crea la carpeta nope" });
    assert.equal((await compat).reason, "forbidden");
    const viPut = await put("/api/files/a/v.txt", vi);
    assert.equal(viPut.status, 403);
    assert.equal(viPut.json.kind, "forbidden");
    assert.ok(!existsSync(join(srv.root, "a/nope")) && !existsSync(join(srv.root, "a/v.txt")));

    // Presence: everyone is listed by name.
    const end = Date.now() + 5000;
    while ((presence?.users.length ?? 0) < 4 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(presence.users.map((u) => u.user).sort(), ["ad", "ana", "bo", "vi"]);
  } finally {
    for (const c of [ana, bo, vi, ad]) c.s.close();
  }
});

test("an ended session drops its live connections at once: revoke from the CLI, logout, a new password", async () => {
  // Revoked from another process (the CLI writes the database; the server notices).
  const a = await as("ana");
  const ended = once(a.s, "session_ended", 5000);
  const gone = once(a.s, "disconnect", 5000);
  const started = Date.now();
  const out = cli(["sessions", "revoke", "--user", "ana"]);
  assert.match(out, /session\(s\) ended/);
  assert.match((await ended).message, /ended/);
  await gone;
  const took = Date.now() - started;
  assert.ok(took < 3000, `dropped after ${took} ms`);
  await assert.rejects(connect(srv.base, { extraHeaders: { cookie: a.cookie, origin: srv.base } }));
  assert.equal((await request("GET", "/api/files/a/ana.txt", { headers: { cookie: a.cookie } })).status, 401);

  // Logout ends that session only (it needs the CSRF token).
  const b1 = await as("bo");
  const b2 = await as("bo");
  const noCsrf = await request("POST", "/logout", { headers: { cookie: b1.cookie, origin: srv.base } });
  assert.equal(noCsrf.status, 403);
  const dropped = once(b1.s, "disconnect", 3000);
  const out2 = await request("POST", "/logout", {
    headers: { cookie: b1.cookie, origin: srv.base, "x-atajo-csrf": b1.hello.csrf },
  });
  assert.equal(out2.status, 200);
  assert.match(out2.headers["set-cookie"][0], /Max-Age=0/);
  await dropped;
  assert.ok(b2.s.connected, "the other session stays");
  // A new password ends every session of the account.
  const b2gone = once(b2.s, "disconnect", 3000);
  cli(["user", "passwd", "bo", "--password-stdin"], "bo-new-password\n");
  await b2gone;
  assert.equal((await login("bo")).status, 401);
  assert.equal((await login("bo", "bo-new-password")).status, 200);
  cli(["user", "passwd", "bo", "--password-stdin"], `${PASS.bo}\n`);
});

test("scripts: a JWT from `atajo token create` connects as its account until it is revoked", async () => {
  const token = cli(["token", "create", "--user", "ana", "--ttl", "10m", "--label", "e2e"]).trim();
  const { s, hello: h } = await connectHello({ auth: { token } });
  assert.deepEqual([h.user, h.role, h.roots], ["ana", "operator", ["a"]]);
  assert.equal(h.csrf, undefined, "a token needs no CSRF token");
  const bearer = { authorization: `Bearer ${token}` };
  assert.equal((await request("GET", "/api/files/a/ana.txt", { headers: bearer })).status, 200);
  assert.equal((await request("GET", "/api/files/b/bo.txt", { headers: bearer })).status, 403);
  // A token writes without a CSRF token (no browser sends it on its own).
  const put = await request("PUT", "/api/files/a/by-token.txt", { headers: bearer, body: "t" });
  assert.equal(put.status, 200);
  const listed = JSON.parse(cli(["sessions", "list", "--json"]));
  const row = listed.find((r) => r.kind === "token" && r.label === "e2e");
  assert.ok(row);
  const gone = once(s, "disconnect", 4000);
  cli(["sessions", "revoke", String(row.id)]);
  await gone;
  await assert.rejects(connect(srv.base, { auth: { token } }));
  assert.equal((await request("GET", "/api/files/a/ana.txt", { headers: bearer })).status, 401);
});

test("failed logins are limited per address; the right person still logs in from another", async () => {
  // A flood of wrong passwords for ad from 127.0.0.2.
  let accepted = 0;
  let limited = null;
  for (let i = 0; i < 40 && !limited; i++) {
    const r = await login("ad", `wrong-${i}-password`, "127.0.0.2");
    if (r.status === 401) accepted++;
    else if (r.status === 429) limited = r;
    else assert.fail(`unexpected ${r.status}`);
  }
  assert.ok(limited, "the flood was limited");
  assert.ok(accepted <= 12, `${accepted} tries before the limit`);
  assert.ok(Number(limited.headers["retry-after"]) >= 1);
  assert.match(limited.json.error, /try again/);
  // Even the right password waits from there…
  assert.equal((await login("ad", PASS.ad, "127.0.0.2")).status, 429);
  // …but ad from another address is not locked out, even after a typo there.
  assert.equal((await login("ad", "a-typo-password", "127.0.0.4")).status, 401);
  assert.equal((await login("ad", PASS.ad, "127.0.0.4")).status, 200);
  // Wrong tokens count too.
  let tokenLimited = false;
  for (let i = 0; i < 40 && !tokenLimited; i++) {
    const r = await request("GET", "/api/files/a/ana.txt", {
      headers: { authorization: `Bearer wrong-token-${i}` },
      localAddress: "127.0.0.3",
    });
    tokenLimited = r.status === 429;
  }
  assert.ok(tokenLimited, "wrong tokens are limited too");
  // And guesses of the start-up token through the link the server prints.
  let linkLimited = false;
  for (let i = 0; i < 40 && !linkLimited; i++) {
    const r = await request("GET", `/?token=guess${i}`, { localAddress: "127.0.0.5" });
    assert.ok(r.status === 401 || r.status === 429, String(r.status));
    linkLimited = r.status === 429;
  }
  assert.ok(linkLimited, "guesses of the start-up token are limited too");
  assert.equal((await request("GET", "/api/files/a/ana.txt", { headers: { authorization: `Bearer ${srv.token}` } })).status, 200);
});

test("shell terminals: an operator's bash reaches only her folders; others' shells are watched, never typed in", async () => {
  const prev = srv;
  srv = await startServer(["--shell"], { prepare });
  const ask = (s, event, data) =>
    new Promise((ok) => s.timeout(10000).emit(event, data, (err, r) => ok(err ? null : r)));
  const text = (s, id) => {
    const dec = new TextDecoder();
    let all = "";
    s.on("pty_output", (m) => m.terminal === id && (all += dec.decode(m.data, { stream: true })));
    s.on("pty_replay", (m) => m.terminal === id && (all += dec.decode(m.data, { stream: true })));
    return () => all;
  };
  const until = async (read, re, ms = 8000) => {
    const end = Date.now() + ms;
    while (!re.test(read())) {
      if (Date.now() > end) throw new Error(`not seen ${re}: ${JSON.stringify(read().slice(-400))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const ana = await as("ana");
  const bo = await as("bo");
  const vi = await as("vi");
  try {
    // Output may arrive with the answer: listen first (the terminal ids are t1, t2…).
    const anaOut = text(ana.s, "t1");
    const opened = await ask(ana.s, "pty_open", { rows: 24, cols: 100 });
    assert.equal(opened.ok, true, opened.error);
    assert.equal(opened.terminal.id, "t1");
    assert.equal(opened.terminal.owner, "ana");
    assert.equal(opened.terminal.cwd, "a");
    await until(anaOut, /~\/a\S* [#$] /);
    ana.s.emit("pty_input", { terminal: "t1", data: "cat ../b/bo.txt; ls ..; touch ../b/x; echo END-$((6*7))\r" });
    await until(anaOut, /END-42/);
    assert.doesNotMatch(anaOut(), /secret/);
    assert.equal(anaOut().match(/Permission denied/g)?.length, 3, anaOut());
    assert.ok(!existsSync(join(srv.root, "b/x")));

    // bo does not see ana's terminal (its shell reaches a/, which he may not).
    assert.deepEqual((await ask(bo.s, "pty_list", {})).terminals.map((t) => t.id), []);
    const boAttach = await ask(bo.s, "pty_attach", { terminal: "t1" });
    assert.equal(boAttach.ok, false);
    // The viewer (folder a/) sees it and watches it, read-only; what she types goes nowhere.
    assert.deepEqual((await ask(vi.s, "pty_list", {})).terminals.map((t) => [t.id, t.owner]), [["t1", "ana"]]);
    const viOut = text(vi.s, "t1");
    const watched = await ask(vi.s, "pty_attach", { terminal: "t1", rows: 24, cols: 100 });
    assert.equal(watched.ok, true);
    assert.equal(watched.readonly, true);
    await until(viOut, /END-42/);
    vi.s.emit("pty_input", { terminal: "t1", data: "touch viewer-was-here\r" });
    vi.s.emit("pty_close", { terminal: "t1" });
    const refusal = await once(vi.s, "protocol_error", 3000, (e) => e.event === "pty_close");
    assert.match(refusal.message, /someone else/);
    ana.s.emit("pty_input", { terminal: "t1", data: "echo SEEN-$((2*3))\r" });
    await until(viOut, /SEEN-6/);
    assert.ok(!existsSync(join(srv.root, "a/viewer-was-here")));
    // A viewer opens no shell.
    const viOpen = await ask(vi.s, "pty_open", { rows: 24, cols: 80 });
    assert.equal(viOpen.ok, false);
    assert.match(viOpen.error, /viewer/);
  } finally {
    for (const c of [ana, bo, vi]) c.s.close();
    await srv.stop();
    srv = prev;
  }
});

const history = (s, q = {}) =>
  new Promise((ok) => s.timeout(5000).emit("history", q, (err, r) => ok(err ? null : r)));

test("history: each person reads their own rows, an admin everyone's; words find them; the audit is for admins", async () => {
  const ana = await as("ana");
  const bo = await as("bo");
  const vi = await as("vi");
  const ad = await as("ad");
  try {
    assert.equal((await login("vi", "a-wrong-password")).status, 401);
    assert.equal((await run(ana.s, "mkdir informes-2026", "h1")).exit.code, 0);
    await run(ana.s, "cat ../b/bo.txt", "h2");
    assert.equal((await run(bo.s, "touch notas-de-bo.txt", "h3")).exit.code, 0);
    await run(vi.s, "touch x", "h4");
    await new Promise((r) => setTimeout(r, 200));

    const mine = await history(ana.s, { limit: 100 });
    assert.equal(mine.ok, true);
    assert.ok(mine.rows.length >= 2);
    assert.ok(mine.rows.every((r) => r.user === "ana"), "ana reads only her rows");
    // Even when she asks for someone else's.
    assert.ok((await history(ana.s, { user: "bo" })).rows.every((r) => r.user === "ana"));
    const made = mine.rows.find((r) => r.command === "mkdir informes-2026");
    assert.deepEqual([made.verdict, made.status, made.exit_code, made.source, made.cwd], ["allowed", "done", 0, "typed", "a"]);
    const denied = mine.rows.find((r) => r.command === "cat ../b/bo.txt");
    assert.equal(denied.verdict, "denied");
    assert.match(denied.reason, /outside your folders/);
    // Words, prefixes, newest first.
    const found = await history(ad.s, { search: "inform" });
    assert.deepEqual(found.rows.map((r) => r.command), ["mkdir informes-2026"]);
    const all = await history(ad.s, { limit: 200 });
    const users = new Set(all.rows.map((r) => r.user));
    for (const u of ["ana", "bo", "vi"]) assert.ok(users.has(u), u);
    const forbidden = await history(ad.s, { verdict: "forbidden", user: "vi" });
    assert.equal(forbidden.rows[0].input, "touch x");
    assert.equal((await history(ad.s, { kind: "nonsense" })).rows.length, 0);
    const bad = await history(ad.s, { limit: "many" });
    assert.equal(bad.ok, false);

    // The audit: JSON lines, admins only.
    assert.equal((await request("GET", "/api/audit", { headers: { cookie: ana.cookie } })).status, 403);
    const audit = await request("GET", "/api/audit", { headers: { cookie: ad.cookie } });
    assert.equal(audit.status, 200);
    const lines = audit.text.trim().split("\n").map((l) => JSON.parse(l));
    assert.ok(lines.some((l) => l.action === "login" && l.user === "ana"));
    assert.ok(lines.some((l) => l.action === "login_failed"));
    assert.ok(lines.some((l) => l.action === "refuse" && l.user === "vi" && l.verdict === "forbidden"));
    assert.ok(lines.some((l) => l.action === "user_added" && l.user === "bo"));
    assert.ok(!audit.text.includes(PASS.ana), "no password in the audit");
    const exported = cli(["audit", "export"]);
    assert.equal(exported.trim().split("\n").length >= lines.length, true);
    const viaCli = JSON.parse(cli(["history", "--search", "informes", "--json"]).trim().split("\n")[0]);
    assert.equal(viaCli.command, "mkdir informes-2026");
  } finally {
    for (const c of [ana, bo, vi, ad]) c.s.close();
  }
});

test("kill -9 while commands run: after a restart nothing committed is lost and the running one is marked interrupted", async () => {
  const prev = srv;
  const killed = await startServer([], { prepare });
  srv = killed;
  try {
    const ana = await as("ana");
    for (let i = 0; i < 20; i++) assert.equal((await run(ana.s, `touch f${i}.txt`, `k${i}`)).exit.code, 0);
    // A command that reads for many seconds: 20 GB of a sparse file.
    const { openSync, ftruncateSync, closeSync } = await import("node:fs");
    const fd = openSync(join(killed.root, "a/big.bin"), "w");
    ftruncateSync(fd, 20 * 1024 ** 3);
    closeSync(fd);
    const planned = once(ana.s, "plan", 5000, (p) => p.id === "long");
    ana.s.emit("command", { id: "long", command: "sha256sum big.bin", lang: "en" });
    await planned;
    await new Promise((r) => setTimeout(r, 400));
    killed.child.kill("SIGKILL");
    await new Promise((r) => killed.child.once("exit", r));
    ana.s.close();
    // The command died with the server: nothing runs unsupervised.
    const { execFileSync: ex } = await import("node:child_process");
    const left = () => {
      try {
        return ex("pgrep", ["-f", "sha256sum big.bin"], { encoding: "utf8" }).trim();
      } catch {
        return "";
      }
    };
    const until = Date.now() + 3000;
    while (left() && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    assert.equal(left(), "", "no command outlives a killed server");
    const rows = cli(["history", "--user", "ana", "--json", "--limit", "100"])
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(rows.filter((r) => /^touch f\d+\.txt$/.test(r.command) && r.status === "done").length, 20);
    const long = rows.find((r) => r.command === "sha256sum big.bin");
    assert.equal(long.status, "running", "written as running before the kill");
    // The restart marks it.
    const again = await startServer([], { root: killed.root });
    srv = again;
    const after = cli(["history", "--search", "sha256sum", "--json"]).trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(after[0].status, "interrupted");
    const ok = await as("ana");
    assert.equal((await history(ok.s, { search: "f19" })).rows.length, 1);
    ok.s.close();
    await again.stop();
  } finally {
    srv = prev;
  }
});

test("one person, two tabs: each has its own folder and its own question", async () => {
  const t1 = await as("ana");
  const t2 = await as("ana");
  try {
    assert.equal((await run(t1.s, "cd deep", "c1")).exit.cwd, "a/deep");
    assert.equal((await run(t2.s, "pwd", "c2")).exit.cwd, "a", "the other tab stays");
    writeFileSync(join(srv.root, "a/deep/tmp.txt"), "x");
    const asked = await run(t1.s, "rm tmp.txt", "c3");
    assert.ok(asked.plan.confirm, "a destructive command asks first");
    // The other tab cannot answer it.
    const other = once(t2.s, "protocol_error", 5000, (e) => e.event === "confirm");
    t2.s.emit("confirm", { id: "c4", token: asked.plan.confirm });
    await other;
    assert.ok(existsSync(join(srv.root, "a/deep/tmp.txt")));
    const done = once(t1.s, "exit", 5000, (e) => e.id === "c5");
    t1.s.emit("confirm", { id: "c5", token: asked.plan.confirm });
    assert.equal((await done).code, 0);
    assert.ok(!existsSync(join(srv.root, "a/deep/tmp.txt")));
  } finally {
    t1.s.close();
    t2.s.close();
  }
});
