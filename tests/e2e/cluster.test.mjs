// One workspace served by three atajo processes joined through a real redis-server, behind
// deploy/nginx/atajo-cluster.conf (that very file: its ports and certificate replaced). nginx
// keeps each session cookie on one process; people on different processes see each other's
// requests (`activity`) and the changes they make exactly once; presence sums all three; a
// logout on one process closes the session's sockets on the others (through Redis, not the
// database poll); a process killed with -9 leaves the others serving and is forgotten by
// their presence; Redis stopping leaves each process serving its own clients, and when it is
// back the messages flow again.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, execFileSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { io } from "socket.io-client";
import { launchBrowser } from "./browser.mjs";
import { NGINX, certificate, nginxHere, freePort, https, recipe, startNginx } from "./nginx.mjs";
import { BIN, once, startServer } from "./server.mjs";

const REDIS = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].find(existsSync);
const skip = !NGINX || !REDIS;
const TOKEN = "c1u5t3r-t0k3n-0123456789abcdef";
const PASS = { ana: "ana-long-password", bo: "bo-long-password", eva: "eva-long-password" };

let redis;
let redisPort;
const servers = [];
let stopNginx;
let tls;
let ca;
const origin = () => `https://127.0.0.1:${tls}`;

function startRedis(port) {
  const child = spawn(REDIS, ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no"], {
    stdio: "ignore",
  });
  return child;
}

async function waitPort(port, ms = 10000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise((r) => {
      const c = net.connect(port, "127.0.0.1", () => (c.end(), r(true)));
      c.on("error", () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${port}`);
}

/** `MONITOR` on a raw connection: every command Redis runs, as text lines. */
function monitor(port) {
  const lines = [];
  const c = net.connect(port, "127.0.0.1", () => c.write("MONITOR\r\n"));
  let buf = "";
  c.on("data", (d) => {
    buf += d.toString("latin1");
    const parts = buf.split("\r\n");
    buf = parts.pop();
    lines.push(...parts.filter((l) => l.startsWith("+") && l !== "+OK"));
  });
  c.on("error", () => {});
  const publishes = () => lines.filter((l) => /"PUBLISH"/i.test(l));
  return {
    lines,
    publishes,
    // The adapter's broadcasts (activity), apart from the processes' own heartbeats.
    broadcasts: () => publishes().filter((l) => l.includes("-request#")),
    stop: () => c.destroy(),
  };
}

function prepare(root) {
  const add = (name, roots) =>
    execFileSync(
      BIN,
      ["user", "add", name, "--role", "operator", ...roots.flatMap((r) => ["--root", r]), "--password-stdin",
        "--workspace", root, "--data-dir", `${root}.data`],
      { input: `${PASS[name]}\n` },
    );
  execFileSync("mkdir", ["-p", `${root}/b`]);
  // Sparse: a command that reads it for a while, taking no disk.
  execFileSync("truncate", ["-s", "256M", `${root}/grande.bin`]);
  add("ana", []);
  add("bo", []);
  add("eva", ["b"]);
}

before(async () => {
  if (skip) return;
  redisPort = await freePort();
  redis = startRedis(redisPort);
  await waitPort(redisPort);
  const made = certificate();
  ca = made.ca;
  tls = await freePort();
  const args = [
    "--token", TOKEN,
    "--cluster-redis", `redis://127.0.0.1:${redisPort}`,
    "--trusted-proxy", "127.0.0.1",
    "--allow-origin", `https://127.0.0.1:${tls}`,
  ];
  servers.push(await startServer(args, { prepare }));
  servers.push(await startServer(args, { root: servers[0].root }));
  servers.push(await startServer(args, { root: servers[0].root }));
  let conf = recipe("atajo-cluster.conf")
    .replace("listen 443 ssl http2;", `listen 127.0.0.1:${tls} ssl http2;`)
    .replace("listen 80;", `listen 127.0.0.1:${await freePort()};`)
    .replace(/\/etc\/ssl\/certs\/\S+\.pem/, made.cert)
    .replace(/\/etc\/ssl\/private\/\S+\.key/, made.key);
  servers.forEach((srv, i) => {
    conf = conf.replace(`server 127.0.0.1:${8491 + i} `, `server 127.0.0.1:${new URL(srv.base).port} `);
  });
  assert.ok(!conf.replace(/#.*$/gm, "").match(/849[123]/), "every upstream replaced");
  stopNginx = await startNginx(made.dir, conf, tls);
  // Each process names itself in /healthz (and in hello).
  for (const srv of servers) srv.node = (await (await fetch(`${srv.base}/healthz`)).json()).node;
});

after(async () => {
  await stopNginx?.();
  for (const srv of servers) await srv.stop({ keepRoot: true });
  if (servers[0]) {
    rmSync(servers[0].root, { recursive: true, force: true });
    rmSync(servers[0].data, { recursive: true, force: true });
  }
  redis?.kill("SIGKILL");
});

async function login(user) {
  const res = await https(`${origin()}/login`, ca, {
    method: "POST",
    headers: { "content-type": "application/json", origin: origin() },
    body: JSON.stringify({ user, password: PASS[user], lang: "en" }),
  });
  assert.equal(res.status, 200, `${user} logs in`);
  return res.headers["set-cookie"][0].split(";")[0];
}

/** A socket and its `hello`, through nginx with a cookie, or straight to a process. */
function connect({ cookie, base, token } = {}) {
  return new Promise((ok, fail) => {
    const url = base ?? origin();
    const s = io(url, {
      ca,
      transports: ["websocket"],
      forceNew: true,
      reconnection: false,
      extraHeaders: cookie ? { cookie, origin: origin() } : {},
      auth: token ? { token } : {},
    });
    const events = [];
    s.onAny((event, data) => events.push({ event, data, at: Date.now() }));
    const timer = setTimeout(() => fail(new Error("no hello")), 10000);
    s.once("hello", (hello) => {
      clearTimeout(timer);
      ok({ s, hello, events });
    });
    s.once("connect_error", (e) => {
      clearTimeout(timer);
      s.close();
      fail(e);
    });
  });
}

const nodeOf = (i) => servers[i].node;

function post(url, headers) {
  return new Promise((ok, fail) => {
    const req = http.request(url, { method: "POST", headers }, (res) => {
      res.resume();
      res.on("end", () => ok(res.statusCode));
    });
    req.on("error", fail);
    req.end();
  });
}

/** Logs `user` in until nginx sends the cookie to process `i`. */
async function onProcess(user, i) {
  for (let tries = 0; tries < 40; tries++) {
    const cookie = await login(user);
    const c = await connect({ cookie });
    if (c.hello.node === nodeOf(i)) return { ...c, cookie };
    c.s.close();
  }
  throw new Error(`no cookie of ${user} reached process ${i}`);
}

const follow = (s) =>
  new Promise((ok, fail) => s.timeout(5000).emit("follow_activity", { on: true }, (e, r) => (e ? fail(e) : ok(r))));
const subscribe = (s, path) =>
  new Promise((ok, fail) => s.timeout(5000).emit("subscribe", { path }, (e, r) => (e ? fail(e) : ok(r))));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(cond, ms, what) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return;
    await sleep(20);
  }
  assert.fail(`timed out waiting for ${what}`);
}

async function instruction(s, id, text, lang = "es") {
  const exit = once(s, "exit", 10000, (e) => e.id === id);
  s.emit("instruction", { id, text, lang });
  return exit;
}

async function command(s, id, cmd) {
  const exit = once(s, "exit", 20000, (e) => e.id === id);
  s.emit("command", { id, command: cmd, lang: "en" });
  return exit;
}

const activities = (c, pred = () => true) => c.events.filter((e) => e.event === "activity" && pred(e.data)).map((e) => e.data);
const created = (c, path) =>
  c.events
    .filter((e) => e.event === "fs_changes")
    .flatMap((e) => e.data.changes)
    .filter((ch) => ch.path === path && ch.kind === "created").length;

test("a Redis URL that does not parse or does not answer: a clear refusal at start, no password shown", { skip }, async () => {
  const dead = await freePort(); // nothing listens there
  for (const [url, says] of [
    ["notaurl", /cannot reach Redis for the cluster: .*did not parse/],
    [`redis://ana:s3cr3t-pass@127.0.0.1:${dead}`, /cannot reach Redis for the cluster: .*refused/i],
  ]) {
    const out = spawnSync(BIN, ["serve", "--root", servers[0].root, "--data-dir", `${servers[0].root}.refused`,
      "--bind", "127.0.0.1:0", "--cluster-redis", url], { encoding: "utf8", timeout: 20000, env: { ...process.env, ATAJO_LOG: "warn" } });
    rmSync(`${servers[0].root}.refused`, { recursive: true, force: true });
    assert.equal(out.status, 1, out.stderr);
    assert.match(out.stderr, says);
    assert.ok(!out.stderr.includes("s3cr3t") && !out.stdout.includes("s3cr3t"), out.stderr);
    assert.ok(!out.stdout.includes("open http"), "never served");
  }
});

test("nginx spreads the sessions over the three processes and keeps each on its own", { skip }, async () => {
  for (const srv of servers) {
    const c = await connect({ base: srv.base, token: TOKEN });
    assert.equal(c.hello.node, srv.node);
    c.s.close();
  }
  assert.equal(new Set(servers.map((s) => s.node)).size, 3);
  const seen = new Map();
  for (let i = 0; i < 24; i++) {
    const cookie = await login(i % 2 ? "ana" : "bo");
    const first = await connect({ cookie });
    first.s.close();
    const again = await connect({ cookie });
    again.s.close();
    assert.equal(again.hello.node, first.hello.node, "a session stays on its process");
    seen.set(first.hello.node, (seen.get(first.hello.node) ?? 0) + 1);
  }
  assert.equal(seen.size, 3, `24 sessions reach all three processes: ${JSON.stringify([...seen])}`);
  const health = JSON.parse((await https(`${origin()}/healthz`, ca)).body);
  assert.ok(servers.some((s) => s.node === health.node));
});

test("requests and their changes reach people on the other processes exactly once", { skip }, async () => {
  const a = await onProcess("ana", 0);
  const b = await onProcess("bo", 1);
  const e = await onProcess("eva", 2);
  const mon = monitor(redisPort);
  try {
    for (const c of [a, b, e]) await follow(c.s);
    await subscribe(b.s, "");
    await subscribe(e.s, "b");
    await sleep(100);
    const before = mon.broadcasts().length;
    const done = await instruction(a.s, "i1", "crea la carpeta equipo");
    assert.equal(done.code, 0);
    await until(() => activities(b, (x) => x.status === "done").length > 0, 5000, "bo sees ana's request end");
    await until(() => created(b, "equipo") > 0, 5000, "bo sees the folder");
    await sleep(1000); // anything doubled would be here by now
    const publishes = mon.broadcasts().length - before;
    const seen = activities(b);
    assert.equal(seen.length, 2, JSON.stringify(seen));
    assert.deepEqual(seen.map((x) => x.status), ["running", "done"]);
    assert.equal(seen[0].id, seen[1].id);
    assert.equal(seen[0].user, "ana");
    assert.equal(seen[0].input, "crea la carpeta equipo");
    assert.match(seen[0].command, /mkdir/);
    assert.equal(seen[1].exit_code, 0);
    assert.equal(seen[0].node, nodeOf(0));
    assert.equal(created(b, "equipo"), 1, "the change once, from bo's own process");
    // ana does not get her own request back; eva's folders (b) do not hold the root.
    assert.equal(activities(a).length, 0);
    assert.equal(activities(e).length, 0);
    // Two messages through Redis for the request (its start and its end), none for the file.
    assert.equal(publishes, 2, mon.broadcasts().slice(before).join("\n"));

    // In eva's folder: she sees it (once), bo too.
    assert.equal((await command(a.s, "c1", "cd b")).code, 0);
    assert.equal((await command(a.s, "c2", "mkdir otra")).code, 0);
    await until(() => activities(e, (x) => x.status === "done").length > 0, 5000, "eva sees ana's mkdir in b");
    await until(() => created(e, "b/otra") > 0, 5000, "eva sees b/otra");
    await sleep(800);
    assert.deepEqual(activities(e).map((x) => [x.command, x.status]), [["mkdir otra", "running"], ["mkdir otra", "done"]]);
    assert.equal(created(e, "b/otra"), 1);
    assert.equal(activities(b, (x) => x.command === "mkdir otra").length, 2);

    // Presence: the three people, each on another process, seen from every process.
    for (const c of [a, b, e]) {
      await until(() => {
        const p = c.events.filter((x) => x.event === "presence").at(-1)?.data;
        return p && ["ana", "bo", "eva"].every((u) => p.users.some((x) => x.user === u));
      }, 8000, `presence on ${c.hello.node}`);
    }
    // The history is one: the request is found from another process.
    const owner = await connect({ base: servers[2].base, token: TOKEN });
    const rows = await new Promise((ok) =>
      owner.s.timeout(5000).emit("history", { search: "equipo" }, (err, r) => ok(err ? null : r)),
    );
    owner.s.close();
    assert.ok(rows?.ok, JSON.stringify(rows));
    assert.ok(rows.rows.some((r) => r.user === "ana" && r.input === "crea la carpeta equipo"));
  } finally {
    mon.stop();
    for (const c of [a, b, e]) c.s.close();
  }
});

test("a logout on one process closes the session on the others at once", { skip }, async () => {
  const cookie = await login("ana");
  const here = await connect({ base: servers[0].base, cookie });
  const there = [await connect({ base: servers[1].base, cookie }), await connect({ base: servers[2].base, cookie })];
  const mon = monitor(redisPort);
  try {
    await sleep(100);
    const ended = there.map((c) => once(c.s, "session_ended", 5000));
    const closed = there.map((c) => new Promise((r) => c.s.once("disconnect", r)));
    const t0 = Date.now();
    const out = await post(`${servers[0].base}/logout`, { cookie, origin: origin(), "x-atajo-csrf": here.hello.csrf });
    assert.equal(out, 200);
    const messages = await Promise.all(ended);
    await Promise.all(closed);
    const took = Date.now() - t0;
    for (const m of messages) assert.match(m.message, /ended/);
    assert.ok(
      mon.publishes().some((l) => l.includes("session_ended")),
      "the other processes were told through Redis",
    );
    console.log(`# session closed on the two other processes in ${took} ms`);
    assert.ok(took < 3000, `${took} ms`);
  } finally {
    mon.stop();
    here.s.close();
    for (const c of there) c.s.close();
  }
});

test("`atajo sessions revoke` from a shell: every process closes the session", { skip }, async () => {
  const cookie = await login("bo");
  const on = await Promise.all(servers.map((srv) => connect({ base: srv.base, cookie })));
  try {
    const ended = on.map((c) => once(c.s, "session_ended", 5000));
    const t0 = Date.now();
    execFileSync(BIN, ["sessions", "revoke", "--user", "bo", "--workspace", servers[0].root, "--data-dir", servers[0].data]);
    await Promise.all(ended);
    // The database poll of each process (every second), not Redis: the CLI is no process.
    console.log(`# revoked from the CLI: closed on all three processes in ${Date.now() - t0} ms`);
    assert.ok(Date.now() - t0 < 4000);
  } finally {
    for (const c of on) c.s.close();
  }
});

test("in a browser on another process, what ana runs shows up as it runs and ends (es, en)", { skip }, async () => {
  const browser = await launchBrowser();
  try {
    for (const [locale, running] of [["es-ES", "en curso"], ["en-US", "running"]]) {
      const context = await browser.newContext({ locale, ignoreHTTPSErrors: true });
      const page = await context.newPage();
      await page.goto(`${origin()}/`);
      await page.locator("#login-user").waitFor({ timeout: 10000 });
      await page.fill("#login-user", "bo");
      await page.fill("#login-password", PASS.bo);
      await page.press("#login-password", "Enter");
      await page.locator("#status[data-state=connected]").waitFor({ timeout: 10000 });
      // The process nginx gives bo's cookie; ana is put on another one.
      const cookie = (await context.cookies()).find((c) => c.name === "atajo_session");
      const probe = await connect({ cookie: `atajo_session=${cookie.value}` });
      probe.s.close();
      const other = servers.findIndex((s) => s.node !== probe.hello.node);
      const a = await onProcess("ana", other);
      try {
        const line = page.locator("#activity");
        const exit = command(a.s, `b-${locale}`, "sha256sum grande.bin");
        await page
          .locator(`#activity[data-status=running]`)
          .waitFor({ timeout: 5000 })
          .catch(async (e) => {
            const html = await page.evaluate(() => document.querySelector("#activity")?.outerHTML);
            throw new Error(`${e.message}\n#activity: ${html}\nexit: ${JSON.stringify(await exit)}`);
          });
        assert.equal(await line.textContent(), `ana: sha256sum grande.bin · ${running}`);
        assert.equal((await exit).code, 0);
        await page.locator(`#activity[data-status=done]`).waitFor({ timeout: 15000 });
        assert.equal(await line.textContent(), "ana: sha256sum grande.bin · ✓");
        assert.match(await line.getAttribute("title"), /ana: sha256sum grande.bin · ✓/);
      } finally {
        a.s.close();
      }
      await context.close();
    }
  } finally {
    await browser.close();
  }
});

test("a process killed with -9: the others serve, forget its people, and take its clients", { skip }, async () => {
  const a = await onProcess("ana", 0);
  const b = await onProcess("bo", 1);
  const d = await onProcess("ana", 2);
  try {
    await follow(d.s);
    await until(() => {
      const p = d.events.filter((x) => x.event === "presence").at(-1)?.data;
      return p?.users.some((x) => x.user === "bo");
    }, 8000, "bo present");
    const gone = new Promise((r) => b.s.once("disconnect", r));
    servers[1].child.kill("SIGKILL");
    await gone;
    const t0 = Date.now();
    // ana on process 0 still reaches ana's other tab on process 2.
    assert.equal((await command(a.s, "k1", "mkdir tras-el-fallo")).code, 0);
    await until(() => activities(d, (x) => x.command === "mkdir tras-el-fallo" && x.status === "done").length === 1, 5000, "activity after the kill");
    // bo's presence is forgotten once his process's heartbeats stop.
    await until(() => {
      const p = d.events.filter((x) => x.event === "presence").at(-1)?.data;
      return p && !p.users.some((x) => x.user === "bo");
    }, 15000, "bo forgotten");
    console.log(`# a killed process's people forgotten after ${Date.now() - t0} ms`);
    // bo comes back through nginx: another process takes his cookie and serves him.
    const back = await connect({ cookie: b.cookie });
    assert.notEqual(back.hello.node, nodeOf(1));
    assert.equal((await command(back.s, "k2", "mkdir bo-de-vuelta")).code, 0);
    back.s.close();
    assert.equal((await https(`${origin()}/healthz`, ca)).status, 200);
  } finally {
    for (const c of [a, b, d]) c.s.close();
  }
});

test("Redis stops: each process serves its own clients; Redis back: they are joined again", { skip }, async () => {
  const live = [0, 2];
  const a = await onProcess("ana", live[0]);
  const d = await onProcess("bo", live[1]);
  try {
    await follow(d.s);
    redis.kill("SIGKILL");
    await new Promise((r) => (redis.exitCode !== null || redis.signalCode !== null ? r() : redis.once("exit", r)));
    // ana's own request still runs and answers; bo cannot hear of it.
    assert.equal((await command(a.s, "r1", "mkdir sin-redis")).code, 0);
    await sleep(300);
    assert.equal(activities(d, (x) => x.command === "mkdir sin-redis").length, 0);
    const ready = JSON.parse(Buffer.from(await (await fetch(`${servers[live[0]].base}/readyz`)).arrayBuffer()));
    assert.equal(ready.status, "ready");
    assert.equal(ready.cluster.connected, false, JSON.stringify(ready.cluster));
    redis = startRedis(redisPort);
    await waitPort(redisPort);
    // The connection comes back and subscribes again on its own.
    const end = Date.now() + 20000;
    const t0 = Date.now();
    for (let n = 0; !activities(d, (x) => x.command?.startsWith("mkdir con-redis") && x.status === "done").length; n++) {
      assert.ok(Date.now() < end, "relayed again within 20 s");
      assert.equal((await command(a.s, `r2-${n}`, `mkdir con-redis-${n}`)).code, 0);
      await sleep(250);
    }
    console.log(`# relayed again ${Date.now() - t0} ms after Redis came back`);
    const ready2 = JSON.parse(Buffer.from(await (await fetch(`${servers[live[0]].base}/readyz`)).arrayBuffer()));
    assert.equal(ready2.cluster.connected, true);
  } finally {
    a.s.close();
    d.s.close();
  }
});
