// atajo behind Debian's nginx with TLS, as deploy/nginx/atajo.conf sets it up — that very file,
// with its ports, certificate paths and upstreams replaced: one workspace at `/`, another
// beneath `/docs/` (`--base-path`). Through the proxy, with a certificate the test makes: the
// real socket.io-client runs an instruction, lists, uploads and downloads; chromium does the
// same as a person; a cross-site page is refused; and the rate limits see each client, not nginx.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { createServer, get as httpGet } from "node:http";
import { request } from "node:https";
import { connect as tcpConnect, createServer as tcpServer } from "node:net";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { io } from "socket.io-client";
import { chromium } from "playwright-core";
import { CHROMIUM } from "./browser.mjs";
import { once, startServer } from "./server.mjs";

const RECIPE = resolve(import.meta.dirname, "../../deploy/nginx/atajo.conf");
const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find(existsSync);

let dir;
let main;
let docs;
let nginx;
let tls;
let plain;
let ca;

const freePort = () =>
  new Promise((ok) => {
    const s = tcpServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });

const listening = (port) =>
  new Promise((ok) => {
    const c = tcpConnect(port, "127.0.0.1");
    c.once("connect", () => (c.destroy(), ok(true)));
    c.once("error", () => ok(false));
  });

before(async () => {
  if (!NGINX) {
    assert.ok(process.env.CI !== "true", "nginx is missing (apt-get install nginx-light)");
    return;
  }
  dir = mkdtempSync(join(tmpdir(), "atajo-nginx-"));
  // A certificate for 127.0.0.1, as a person would make one for a test host.
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
    "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
  ], { stdio: "ignore" });
  ca = readFileSync(join(dir, "cert.pem"));
  [tls, plain] = [await freePort(), await freePort()];
  const proxyArgs = ["--trusted-proxy", "127.0.0.1", "--allow-origin", `https://127.0.0.1:${tls}`];
  main = await startServer(proxyArgs);
  docs = await startServer([...proxyArgs, "--base-path", "/docs"], {
    prepare: (root) => writeFileSync(join(root, "leeme.txt"), "hola\n"),
  });
  const port = (srv) => new URL(srv.base).port;
  const recipe = readFileSync(RECIPE, "utf8")
    .replace("listen 80;", `listen 127.0.0.1:${plain};`)
    .replace("listen 443 ssl http2;", `listen 127.0.0.1:${tls} ssl http2;`)
    .replace(/\/etc\/ssl\/certs\/\S+\.pem/, join(dir, "cert.pem"))
    .replace(/\/etc\/ssl\/private\/\S+\.key/, join(dir, "key.pem"))
    .replace("server 127.0.0.1:8470;", `server 127.0.0.1:${port(main)};`)
    .replace("server 127.0.0.1:8471;", `server 127.0.0.1:${port(docs)};`);
  const directives = recipe.replace(/#.*$/gm, "");
  for (const left of ["8470", "8471", "/etc/ssl", "listen 80", "listen 443"]) assert.ok(!directives.includes(left), left);
  writeFileSync(join(dir, "atajo.conf"), recipe);
  for (const t of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(join(dir, t));
  writeFileSync(
    join(dir, "nginx.conf"),
    `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
${process.getuid?.() === 0 ? "user root;" : ""}
events { worker_connections 512; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/atajo.conf;
}
`,
  );
  nginx = spawn(NGINX, ["-p", dir, "-c", join(dir, "nginx.conf"), "-e", join(dir, "error.log")], { stdio: "ignore" });
  const end = Date.now() + 10000;
  while (!(await listening(tls))) {
    if (Date.now() > end || nginx.exitCode !== null) {
      assert.fail(`nginx did not start: ${readFileSync(join(dir, "error.log"), "utf8")}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
});

after(async () => {
  if (nginx && nginx.exitCode === null) {
    const gone = new Promise((ok) => nginx.once("exit", ok));
    nginx.kill("SIGQUIT");
    await gone;
  }
  await main?.stop();
  await docs?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const skip = () => !NGINX;
const origin = () => `https://127.0.0.1:${tls}`;

/** An HTTPS request through nginx: {status, headers, body (Buffer)}. */
function https(path, { method = "GET", headers = {}, body, localAddress } = {}) {
  return new Promise((ok, fail) => {
    const req = request(`${origin()}${path}`, { method, headers, ca, localAddress }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => ok({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", fail);
    req.end(body);
  });
}

function client(path, srv, extra = {}) {
  return new Promise((ok, fail) => {
    const s = io(origin(), {
      path,
      ca,
      transports: ["websocket"],
      forceNew: true,
      reconnection: false,
      auth: { token: srv.token },
      ...extra,
    });
    s.once("connect", () => ok(s));
    s.once("connect_error", (e) => (s.close(), fail(e)));
  });
}

async function instruction(s, id, text) {
  const done = once(s, "exit", 10000, (x) => x.id === id);
  s.emit("instruction", { id, text, lang: "es" });
  return done;
}

test("through nginx with TLS, at / and beneath /docs/: an instruction, a listing, an upload, a download", { skip: skip() }, async () => {
  const atRoot = await client("/socket.io", main);
  const beneath = await client("/docs/socket.io", docs);
  try {
    assert.equal((await instruction(atRoot, "r1", "crea la carpeta ARRIBA")).code, 0);
    assert.ok(existsSync(join(main.root, "ARRIBA")));
    assert.equal((await instruction(beneath, "d1", "crea la carpeta PROXY y dentro un archivo notas.txt")).code, 0);
    assert.ok(existsSync(join(docs.root, "PROXY", "notas.txt")));
    assert.ok(!existsSync(join(main.root, "PROXY")), "each path reaches its own workspace");

    const listed = await new Promise((ok) => beneath.emit("list", { path: "PROXY" }, ok));
    assert.deepEqual(listed.entries.map((e) => e.name), ["notas.txt"]);

    // Upload and download, streamed through the proxy both ways.
    const bytes = randomBytes(3 * 1024 * 1024);
    const auth = { authorization: `Bearer ${docs.token}` };
    const up = await https("/docs/api/files/PROXY/subido.bin", {
      method: "PUT",
      headers: { ...auth, origin: origin(), "content-type": "application/octet-stream" },
      body: bytes,
    });
    assert.ok(up.status === 200 || up.status === 201, `${up.status} ${up.body}`);
    assert.ok(readFileSync(join(docs.root, "PROXY", "subido.bin")).equals(bytes));
    const down = await https("/docs/api/files/PROXY/subido.bin?download=1", { headers: auth });
    assert.equal(down.status, 200);
    assert.ok(down.body.equals(bytes));

    // The app's own addresses follow the base path.
    const page = await https("/docs/");
    assert.equal(page.status, 200);
    assert.match(page.body.toString(), /src="\.\/assets\//);
    assert.match((await https("/docs")).headers.location, /\/docs\/$/);
    const exchanged = await https(`/docs/?token=${docs.token}`);
    assert.equal(exchanged.status, 303);
    assert.equal(exchanged.headers.location, "/docs/");
    assert.match(exchanged.headers["set-cookie"][0], /Path=\/docs\//);
    assert.match(exchanged.headers["set-cookie"][0], /; Secure/, "over TLS the cookie is Secure");
    // Plain HTTP is sent to HTTPS.
    const redirected = await new Promise((ok, fail) =>
      httpGet(`http://127.0.0.1:${plain}/docs/`, (r) => (r.resume(), ok(r))).on("error", fail),
    );
    assert.equal(redirected.statusCode, 301);
    assert.match(redirected.headers.location, /^https:\/\//);
  } finally {
    atRoot.close();
    beneath.close();
  }
});

test("origin checks hold through the proxy: another site's socket and writes are refused", { skip: skip() }, async () => {
  await assert.rejects(
    client("/docs/socket.io", docs, { extraHeaders: { origin: "https://evil.example" } }),
    /./,
    "a Socket.IO handshake from another origin",
  );
  const put = await https("/docs/api/files/evil.txt", {
    method: "PUT",
    headers: { authorization: `Bearer ${docs.token}`, origin: "https://evil.example" },
    body: "x",
  });
  assert.equal(put.status, 403);
  assert.ok(!existsSync(join(docs.root, "evil.txt")));
});

test("the rate limits see each client behind nginx (X-Forwarded-For from a trusted proxy)", { skip: skip() }, async () => {
  let last;
  for (let i = 0; i < 12; i++) last = await https("/docs/?token=wrong-token-guess", { localAddress: "127.0.0.2" });
  assert.equal(last.status, 429, "the guesser is held back");
  const other = await https(`/docs/?token=${docs.token}`, { localAddress: "127.0.0.3" });
  assert.equal(other.status, 303, "someone else, through the same nginx, is not");
});

test("a person in chromium, through nginx: both workspaces, an instruction, upload, download; a cross-site page refused", { skip: skip() }, async () => {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-gpu",
      "--ignore-certificate-errors",
    ],
  });
  // Another site, on another origin, that tries its luck with the person's browser.
  const evil = createServer((_, res) => {
    res.setHeader("content-type", "text/html");
    res.end("<!doctype html><title>evil</title>");
  });
  await new Promise((ok) => evil.listen(0, "127.0.0.1", ok));
  try {
    const context = await browser.newContext({ locale: "es-ES", acceptDownloads: true, ignoreHTTPSErrors: true });
    const page = await context.newPage();
    // Both workspaces in one browser: each keeps its own cookie (Path=/ and Path=/docs/).
    await page.goto(`${origin()}/?token=${main.token}`);
    await page.locator("#status[data-state=connected]").waitFor({ timeout: 10000 });
    await page.goto(`${origin()}/docs/?token=${docs.token}`);
    assert.equal(new URL(page.url()).pathname, "/docs/");
    await page.locator("#status[data-state=connected]").waitFor({ timeout: 10000 });
    await page.locator('#entries li[data-name="leeme.txt"]').waitFor({ timeout: 5000 });

    await page.fill("#instruction", "crea la carpeta NAVEGADOR");
    await page.press("#instruction", "Enter");
    await page.locator('#entries li[data-name="NAVEGADOR"]').waitFor({ timeout: 5000 });
    assert.ok(existsSync(join(docs.root, "NAVEGADOR")));

    await page.setInputFiles("#upload-input", { name: "desde.txt", mimeType: "text/plain", buffer: Buffer.from("por el proxy") });
    await page.locator('#entries li[data-name="desde.txt"]').waitFor({ timeout: 5000 });
    assert.equal(readFileSync(join(docs.root, "desde.txt"), "utf8"), "por el proxy");
    await page.locator('#entries li[data-name="leeme.txt"]').click({ button: "right" });
    const download = page.waitForEvent("download");
    await page.locator("menu.context button", { hasText: "Descargar" }).click();
    const got = await download;
    assert.equal(readFileSync(await got.path(), "utf8"), "hola\n");

    // The other workspace's page still works beside it.
    const rootPage = await context.newPage();
    await rootPage.goto(`${origin()}/`);
    await rootPage.locator("#status[data-state=connected]").waitFor({ timeout: 10000 });
    await rootPage.locator('#entries li[data-name="ARRIBA"]').waitFor({ timeout: 5000 });

    // The cross-site page: its write and its socket go nowhere — where the same socket from
    // atajo's own page opens.
    const trySocket = (target) =>
      new Promise((ok) => {
        const w = new WebSocket(`${target.replace("https", "wss")}/docs/socket.io/?EIO=4&transport=websocket`);
        w.onopen = () => (w.close(), ok("open"));
        w.onerror = () => ok("refused");
      });
    assert.equal(await page.evaluate(trySocket, origin()), "open");
    const attacker = await context.newPage();
    await attacker.goto(`http://127.0.0.1:${evil.address().port}/`);
    assert.equal(await attacker.evaluate(trySocket, origin()), "refused");
    const tried = await attacker.evaluate(async (target) => {
      const put = await fetch(`${target}/docs/api/files/robado.txt`, { method: "PUT", body: "x", credentials: "include" })
        .then((r) => r.status)
        .catch(() => "blocked");
      return { put };
    }, origin());
    assert.ok(tried.put === 403 || tried.put === "blocked", JSON.stringify(tried));
    assert.ok(!existsSync(join(docs.root, "robado.txt")));
    await context.close();
  } finally {
    await browser.close();
    evil.close();
  }
});
