// The original design's protocol, spoken by the real socket.io-client against the real binary.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { io } from "socket.io-client";
import WebSocket from "ws";
import { connect, first, once, startServer } from "./server.mjs";

let srv;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await srv.stop();
});

test("comando_natural creates the folder, answers the sender and tells every client", async () => {
  const a = await connect(srv.base, { auth: { token: srv.token } });
  const b = await connect(srv.base, { query: { token: srv.token } });
  const seenByB = once(b, "nuevo_archivo", 5000, (d) => d.ruta === "PROYECTO");
  const created = once(a, "nuevo_archivo", 5000, (d) => d.ruta === "PROYECTO");
  const reply = once(a, "respuesta_terminal");
  a.emit("comando_natural", { texto: "crear carpeta PROYECTO" });
  const r = await reply;
  assert.equal(r.command, "mkdir PROYECTO");
  assert.equal(r.exit_code, 0);
  assert.deepEqual(await created, { ruta: "PROYECTO" });
  assert.deepEqual(await seenByB, { ruta: "PROYECTO" });
  assert.ok(statSync(join(srv.root, "PROYECTO")).isDirectory());

  // A change made outside atajo reaches clients too, relative to the root.
  const outside = once(b, "nuevo_archivo", 5000, (d) => d.ruta === "PROYECTO/desde-fuera");
  mkdirSync(join(srv.root, "PROYECTO", "desde-fuera"));
  assert.deepEqual(await outside, { ruta: "PROYECTO/desde-fuera" });
  a.close();
  b.close();
});

test("English instructions, multi-step, and files", async () => {
  const a = await connect(srv.base, { auth: { token: srv.token } });
  const reply = once(a, "respuesta_terminal");
  a.emit("comando_natural", { texto: "crea la carpeta notas y dentro un archivo hoy.txt" });
  const r = await reply;
  assert.equal(r.command, "mkdir notas && touch notas/hoy.txt");
  assert.ok(existsSync(join(srv.root, "notas", "hoy.txt")));
  const reply2 = once(a, "respuesta_terminal");
  a.emit("comando_natural", { texto: "create a folder called docs" });
  assert.equal((await reply2).command, "mkdir docs");
  a.close();
});

test("refusals come as error_terminal with a reason, and nothing runs", async () => {
  const a = await connect(srv.base, { auth: { token: srv.token } });
  const r1 = once(a, "error_terminal");
  a.emit("comando_natural", { texto: "crear carpeta ../fuera" });
  const e1 = await r1;
  assert.equal(e1.reason, "denied");
  assert.match(e1.output, /fuera del espacio de trabajo/);
  assert.equal(e1.command, "mkdir -p ../fuera");
  const r2 = once(a, "error_terminal");
  a.emit("comando_natural", { texto: "baila la conga" });
  const e2 = await r2;
  assert.equal(e2.reason, "not_understood");
  assert.match(e2.output, /No entendí|did not understand/);
  a.close();
});

test("wrong or missing token is refused before any handler", async () => {
  await assert.rejects(connect(srv.base, { auth: { token: "x".repeat(64) } }), /unauthorized/i);
  await assert.rejects(connect(srv.base), /unauthorized/i);
  await assert.rejects(connect(srv.base, { auth: { token: srv.token.slice(0, -1) } }), /unauthorized/i);
});

test("a foreign Origin is refused, on WebSocket and on long-polling", async () => {
  await assert.rejects(
    connect(srv.base, { auth: { token: srv.token }, extraHeaders: { Origin: "http://evil.example" } }),
  );
  await assert.rejects(
    connect(srv.base, {
      auth: { token: srv.token },
      transports: ["polling"],
      extraHeaders: { Origin: "http://evil.example" },
    }),
  );
  const same = await connect(srv.base, { auth: { token: srv.token }, extraHeaders: { Origin: srv.base } });
  same.close();
  const polling = await connect(srv.base, { auth: { token: srv.token }, transports: ["polling"] });
  polling.close();
});

test("malformed payloads get error_terminal and the server keeps answering", async () => {
  const a = await connect(srv.base, { auth: { token: srv.token } });
  const bad = [{}, { texto: 42 }, { texto: null }, "just a string", [1, 2], { texto: "x".repeat(1024 * 1024) }];
  for (const payload of bad) {
    const r = first(a, ["error_terminal", "respuesta_terminal"]);
    a.emit("comando_natural", payload);
    const { event, data } = await r;
    assert.equal(event, "error_terminal", JSON.stringify(payload).slice(0, 80));
    assert.equal(data.reason, "bad_request");
  }
  const ok = once(a, "respuesta_terminal");
  a.emit("comando_natural", { texto: "crear carpeta siguiente" });
  assert.equal((await ok).exit_code, 0);
  a.close();
});

test("invalid JSON on the wire gets an answer and does not kill the server", async () => {
  const ws = new WebSocket(`${srv.base.replace("http", "ws")}/socket.io/?EIO=4&transport=websocket`);
  const frames = [];
  ws.on("message", (m) => frames.push(m.toString()));
  await new Promise((ok, fail) => {
    ws.once("open", ok);
    ws.once("error", fail);
  });
  const until = async (pred) => {
    for (let i = 0; i < 100; i++) {
      const f = frames.find(pred);
      if (f) return f;
      await new Promise((r) => setTimeout(r, 50));
    }
    return null;
  };
  await until((f) => f.startsWith("0"));
  ws.send(`40${JSON.stringify({ token: srv.token })}`);
  assert.ok(await until((f) => f.startsWith("40")), "namespace connect");
  ws.send('42["comando_natural",{"texto": "crear carpeta x"');
  const reply = await until((f) => f.startsWith('42["error_terminal"'));
  const closed = ws.readyState !== WebSocket.OPEN;
  assert.ok(reply || closed, "either an error_terminal or a closed connection, never silence");
  ws.close();
  // The server still answers a well-formed client.
  const a = await connect(srv.base, { auth: { token: srv.token } });
  const ok = once(a, "respuesta_terminal");
  a.emit("comando_natural", { texto: "crear carpeta sigue-vivo" });
  assert.equal((await ok).exit_code, 0);
  a.close();
  assert.ok(srv.alive());
});

test("HTTP: healthz, security headers, Host check, token exchange", async () => {
  const h = await fetch(`${srv.base}/healthz`);
  assert.equal(h.status, 200);
  assert.equal((await h.json()).status, "ok");
  assert.match(h.headers.get("content-security-policy"), /default-src 'self'/);
  assert.match(h.headers.get("content-security-policy"), /frame-ancestors 'none'/);
  assert.equal(h.headers.get("x-content-type-options"), "nosniff");

  const page = await fetch(`${srv.base}/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<div id="terminal">/);

  const wrong = await fetch(`${srv.base}/?token=nope`, { redirect: "manual" });
  assert.equal(wrong.status, 401);
  const right = await fetch(`${srv.base}/?token=${srv.token}`, { redirect: "manual" });
  assert.equal(right.status, 303);
  assert.equal(right.headers.get("location"), "/");
  const cookie = right.headers.get("set-cookie");
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  assert.ok(!cookie.includes(srv.token), "the cookie is a session id, not the token");

  // The cookie opens a socket only together with a (same) Origin, as browsers send.
  const session = cookie.split(";")[0];
  const withOrigin = await connect(srv.base, { extraHeaders: { Cookie: session, Origin: srv.base } });
  withOrigin.close();
  await assert.rejects(connect(srv.base, { extraHeaders: { Cookie: session } }));

  // DNS rebinding: a loopback server answers only to loopback names.
  const { request } = await import("node:http");
  const status = await new Promise((ok) => {
    const u = new URL(srv.base);
    request({ host: u.hostname, port: u.port, path: "/healthz", headers: { Host: "evil.example:80" } }, (res) =>
      ok(res.statusCode),
    ).end();
  });
  assert.equal(status, 403);
});

test("the web app's protocol: list stays beneath the root, commands are judged", async () => {
  const a = await connect(srv.base, { auth: { token: srv.token } });
  const list = (payload) => new Promise((ok) => a.emit("list", payload, ok));
  const root = await list({ path: "" });
  assert.equal(root.ok, true);
  assert.ok(root.entries.some((e) => e.name === "PROYECTO" && e.kind === "dir"));
  assert.ok(!root.entries.some((e) => e.name === ".atajo" && e.kind !== "dir"));
  for (const bad of [{ path: "../" }, { path: "a/../../etc" }, { path: 42 }, {}, "x"]) {
    const r = await list(bad);
    assert.equal(r.ok, false, JSON.stringify(bad));
    assert.ok(r.error);
    assert.deepEqual(r.entries, []);
  }

  const run = (command) =>
    new Promise((ok) => {
      const id = `t${Math.random()}`;
      const events = [];
      const onPlan = (p) => p.id === id && events.push(p);
      a.on("plan", onPlan);
      a.once("exit", (x) => {
        a.off("plan", onPlan);
        ok({ plan: events[0], exit: x });
      });
      a.emit("command", { id, command });
    });
  const denied = await run("cat /etc/passwd");
  assert.equal(denied.plan.verdict.allowed, false);
  assert.match(denied.plan.verdict.reason, /outside the workspace/);
  assert.equal(denied.exit.code, -1);
  const moved = await run("cd PROYECTO && pwd");
  assert.equal(moved.plan.verdict.allowed, true);
  assert.equal(moved.exit.code, 0);
  assert.equal(moved.exit.cwd, "PROYECTO");
  const bad = once(a, "protocol_error");
  a.emit("command", { id: 1 });
  assert.equal((await bad).event, "command");
  a.close();
});

test("explain puts a command into words from this session's folder; nothing runs", async () => {
  const a = await connect(srv.base, { auth: { token: srv.token } });
  const explain = (payload) => {
    const reply = once(a, "explanation", 5000, (m) => m.id === payload.id);
    a.emit("explain", payload);
    return reply;
  };
  const es = await explain({ id: "e1", command: "rm -r PROYECTO", lang: "es" });
  assert.equal(es.verdict.allowed, true);
  assert.equal(es.verdict.risk, "destructive");
  assert.match(es.text, /borra archivos/);
  assert.match(es.text, /con carpetas y todo su contenido/);
  assert.match(es.text, /Borra: `PROYECTO`/);
  assert.ok(statSync(join(srv.root, "PROYECTO")).isDirectory(), "explain must not run anything");
  const en = await explain({ id: "e2", command: "curl http://example.com | sh" });
  assert.equal(en.verdict.allowed, false);
  assert.match(en.text, /would not run it/);
  const bad = once(a, "protocol_error");
  a.emit("explain", { id: "e3" });
  assert.equal((await bad).event, "explain");
  const huge = once(a, "protocol_error");
  a.emit("explain", { id: "e4", command: "x".repeat(200_000) });
  assert.match((await huge).message, /too long/);
  a.close();
});

test("complete answers Tab from the rules and the model, never beyond the root", async () => {
  const a = await connect(srv.base, { auth: { token: srv.token } });
  const complete = (payload) => {
    const reply = once(a, "completion", 5000, (m) => m.id === payload.id);
    a.emit("complete", payload);
    return reply;
  };
  const prog = await complete({ id: "t1", before: "mkd" });
  assert.deepEqual(prog.candidates.map((c) => c.text), ["mkdir"]);
  assert.equal(prog.word, "mkd");
  const opt = await complete({ id: "t2", before: "ls --almo", lang: "es" });
  assert.deepEqual(opt.candidates.map((c) => c.text), ["--almost-all"]);
  const outside = await complete({ id: "t3", before: "cat ../../etc/pa" });
  assert.deepEqual(outside.candidates, []);
  const bad = once(a, "protocol_error");
  a.emit("complete", { id: "t4" });
  assert.equal((await bad).event, "complete");
  const badLang = once(a, "protocol_error");
  a.emit("complete", { id: "t4b", before: "mk", lang: 5 });
  assert.equal((await badLang).event, "complete");
  const huge = once(a, "protocol_error");
  a.emit("complete", { id: "t5", before: "x".repeat(200_000) });
  assert.match((await huge).message, /too long/);
  // Still answering.
  assert.equal((await complete({ id: "t6", before: "so" })).candidates[0].text, "sort");
  a.close();
});

test("cancel stops a running command; an unknown id is answered", async () => {
  const { execFileSync } = await import("node:child_process");
  execFileSync("mkfifo", [join(srv.root, "espera")]);
  const a = await connect(srv.base, { auth: { token: srv.token } });
  const exit = once(a, "exit", 10000, (x) => x.id === "c1");
  a.emit("command", { id: "c1", command: "cat espera" });
  await new Promise((r) => setTimeout(r, 300));
  a.emit("cancel", { id: "c1" });
  const x = await exit;
  assert.equal(x.cancelled, true);
  assert.equal(x.code, 130);
  assert.equal(x.timed_out, false);
  assert.ok(x.duration_ms < 5000, `${x.duration_ms}`);
  const err = once(a, "protocol_error");
  a.emit("cancel", { id: "nothing-runs" });
  assert.equal((await err).event, "cancel");
  const bad = once(a, "protocol_error");
  a.emit("cancel", "c1");
  assert.equal((await bad).event, "cancel");
  a.close();
});

test("destructive commands wait for a confirmation that names what goes; rm goes to the trash and undo brings it back", async () => {
  const a = await connect(srv.base, { auth: { token: srv.token } });
  const run = async (event, payload) => {
    const plan = once(a, "plan", 5000, (p) => p.id === payload.id);
    const exit = once(a, "exit", 5000, (x) => x.id === payload.id);
    a.emit(event, payload);
    return { plan: await plan, exit: await exit };
  };
  let r = await run("command", { id: "t1", command: "mkdir -p papelera && touch papelera/uno.txt papelera/dos.txt" });
  assert.equal(r.exit.code, 0);

  // Asked first: nothing runs, and the plan lists what would go.
  r = await run("command", { id: "t2", command: "rm papelera/*.txt" });
  assert.equal(r.plan.verdict.allowed, true);
  assert.equal(r.plan.verdict.risk, "destructive");
  assert.deepEqual(r.plan.verdict.affected, ["papelera/dos.txt", "papelera/uno.txt"]);
  assert.ok(r.plan.confirm, "a confirmation token");
  assert.equal(r.exit.code, -1);
  assert.ok(existsSync(join(srv.root, "papelera", "uno.txt")));

  // Confirmed: into .atajo/trash, then undo restores both.
  const token = r.plan.confirm;
  // Malformed confirmations are answered, and change nothing.
  for (const bad of [{ id: "b1" }, { token }, "confirm", { id: "b2", token: 7 }, { id: "b3", token: "x".repeat(20000) }]) {
    const err = once(a, "protocol_error", 5000, (e) => e.event === "confirm");
    a.emit("confirm", bad);
    assert.match((await err).message, /malformed|nothing to confirm/);
  }
  assert.ok(existsSync(join(srv.root, "papelera", "uno.txt")));

  r = await run("confirm", { id: "t3", token });
  assert.equal(r.exit.code, 0);
  assert.ok(!existsSync(join(srv.root, "papelera", "uno.txt")));
  assert.ok(existsSync(join(srv.root, ".atajo", "trash")));
  const reused = once(a, "protocol_error", 5000, (e) => e.event === "confirm");
  a.emit("confirm", { id: "t4", token });
  assert.match((await reused).message, /nothing to confirm/);
  const out = [];
  a.on("output", (o) => o.id === "t5" && out.push(o.data));
  r = await run("command", { id: "t5", command: "undo" });
  assert.equal(r.exit.code, 0);
  assert.match(out.join(""), /restored 'papelera\/uno.txt'/);
  assert.ok(existsSync(join(srv.root, "papelera", "uno.txt")));
  assert.ok(existsSync(join(srv.root, "papelera", "dos.txt")));

  // Permanent deletion skips the trash.
  r = await run("command", { id: "t6", command: "rm -r papelera" });
  r = await run("confirm", { id: "t7", token: r.plan.confirm, permanent: true });
  assert.equal(r.exit.code, 0);
  assert.ok(!existsSync(join(srv.root, "papelera")));
  const none = [];
  a.on("output", (o) => o.id === "t8" && none.push(o.data));
  r = await run("command", { id: "t8", command: "undo" });
  assert.notEqual(r.exit.code, 0, none.join(""));
  a.close();
});

test("the history is kept in the data folder: the user's find and grep never meet it", async () => {
  const a = await connect(srv.base, { auth: { token: srv.token } });
  const out = [];
  a.on("output", (o) => o.id === "h2" && out.push(o.data));
  for (const [id, command] of [["h1", "echo recorded"], ["h2", "find . -name 'history*'"]]) {
    const exit = once(a, "exit", 5000, (x) => x.id === id);
    a.emit("command", { id, command });
    assert.equal((await exit).code, 0);
  }
  assert.equal(out.join(""), "", "find lists no history file in the workspace");
  assert.ok(!existsSync(join(srv.root, ".atajo", "history.sqlite")));
  const places = readdirSync(join(srv.data, "workspaces"));
  assert.equal(places.length, 1);
  const place = join(srv.data, "workspaces", places[0]);
  assert.equal(readFileSync(join(place, "root"), "utf8"), srv.root);
  assert.ok(statSync(join(place, "atajo.sqlite")).size > 0);
  a.close();
});

test("a new request drops an open question, says so in the handshake's language, and its token no longer confirms", async () => {
  const a = await connect(srv.base, { auth: { token: srv.token, lang: "es" } });
  const out = [];
  a.on("output", (o) => out.push([o.id, o.data]));
  const run = async (event, payload) => {
    const plan = once(a, "plan", 5000, (p) => p.id === payload.id);
    const exit = once(a, "exit", 5000, (x) => x.id === payload.id);
    a.emit(event, payload);
    return { plan: await plan, exit: await exit };
  };
  writeFileSync(join(srv.root, "pregunta.txt"), "x");
  let r = await run("command", { id: "q1", command: "rm pregunta.txt" });
  const token = r.plan.confirm;
  assert.ok(token);
  r = await run("command", { id: "q2", command: "ls" });
  assert.equal(r.exit.code, 0);
  const said = out.filter(([id]) => id === "q2").map(([, d]) => d).join("");
  assert.match(said, /se descartó la pregunta sobre «rm pregunta\.txt»; no se hizo nada/);
  // A command without lang is refused in the handshake's language.
  r = await run("command", { id: "q3", command: "cat /etc/passwd" });
  assert.match(r.plan.verdict.reason, /está fuera del espacio de trabajo/);
  const stale = once(a, "protocol_error", 5000, (e) => e.event === "confirm");
  a.emit("confirm", { id: "q4", token });
  assert.match((await stale).message, /no hay nada que confirmar/);
  assert.ok(existsSync(join(srv.root, "pregunta.txt")), "the dropped question deleted nothing");
  a.close();
});

test("comando_natural asks for confirmation in words and accepts «confirmar» / «cancelar»", async () => {
  const a = await connect(srv.base, { auth: { token: srv.token } });
  const ask = async (texto) => {
    const reply = first(a, ["respuesta_terminal", "error_terminal"]);
    a.emit("comando_natural", { texto });
    return reply;
  };
  let r = await ask("touch viejo.txt");
  assert.equal(r.data.exit_code, 0);
  r = await ask("rm viejo.txt");
  assert.equal(r.event, "error_terminal");
  assert.equal(r.data.reason, "confirmation_required");
  assert.match(r.data.output, /viejo\.txt/);
  assert.match(r.data.output, /confirm/);
  r = await ask("cancelar");
  assert.equal(r.event, "respuesta_terminal");
  assert.ok(existsSync(join(srv.root, "viejo.txt")));
  r = await ask("rm viejo.txt");
  r = await ask("confirmar");
  assert.equal(r.event, "respuesta_terminal");
  assert.equal(r.data.exit_code, 0);
  assert.ok(!existsSync(join(srv.root, "viejo.txt")));
  a.close();
});

test("an event sent the moment a client is connected is answered (handlers are in before CONNECT)", async () => {
  // socketioxide sends CONNECT before it runs the connect handler; many connections at once
  // make the gap wide enough to lose an early event if handlers were only added there.
  const answered = await Promise.all(
    Array.from({ length: 100 }, () =>
      new Promise((ok) => {
        const s = io(srv.base, { transports: ["websocket"], forceNew: true, reconnection: false, auth: { token: srv.token } });
        const timer = setTimeout(() => (s.close(), ok(false)), 15000);
        s.once("connect", () =>
          s.emit("list", { path: "" }, (r) => {
            clearTimeout(timer);
            s.close();
            ok(r.ok === true);
          }),
        );
      }),
    ),
  );
  assert.equal(answered.filter(Boolean).length, 100);
});
