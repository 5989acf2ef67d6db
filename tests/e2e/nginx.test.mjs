// atajo behind Debian's nginx with TLS, as deploy/nginx/atajo.conf sets it up — that very file,
// with its ports, certificate paths and upstreams replaced: one workspace at `/`, another
// beneath `/docs/` (`--base-path`). Through the proxy, with a certificate the test makes: the
// real socket.io-client runs an instruction, lists, uploads and downloads; chromium does the
// same as a person; a cross-site page is refused; and the rate limits see each client, not nginx.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, get as httpGet } from "node:http";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM } from "./browser.mjs";
import { NGINX, certificate, nginxHere, client as proxied, freePort, https as httpsTo, recipe, startNginx } from "./nginx.mjs";
import { once, startServer } from "./server.mjs";

let main;
let docs;
let stopNginx;
let tls;
let plain;
let ca;

before(async () => {
  if (!nginxHere()) return;
  const made = certificate();
  ca = made.ca;
  [tls, plain] = [await freePort(), await freePort()];
  const proxyArgs = ["--trusted-proxy", "127.0.0.1", "--allow-origin", `https://127.0.0.1:${tls}`];
  main = await startServer(proxyArgs);
  docs = await startServer([...proxyArgs, "--base-path", "/docs"], {
    prepare: (root) => writeFileSync(join(root, "leeme.txt"), "hola\n"),
  });
  const port = (srv) => new URL(srv.base).port;
  const conf = recipe("atajo.conf")
    .replace("listen 80;", `listen 127.0.0.1:${plain};`)
    .replace("listen 443 ssl http2;", `listen 127.0.0.1:${tls} ssl http2;`)
    .replace(/\/etc\/ssl\/certs\/\S+\.pem/, made.cert)
    .replace(/\/etc\/ssl\/private\/\S+\.key/, made.key)
    .replace("server 127.0.0.1:8470;", `server 127.0.0.1:${port(main)};`)
    .replace("server 127.0.0.1:8471;", `server 127.0.0.1:${port(docs)};`);
  assert.ok(!conf.replace(/#.*$/gm, "").match(/847[01]/), "every upstream replaced");
  stopNginx = await startNginx(made.dir, conf, tls);
});

after(async () => {
  await stopNginx?.();
  await main?.stop();
  await docs?.stop();
});

const skip = () => !NGINX;
const origin = () => `https://127.0.0.1:${tls}`;

/** An HTTPS request through nginx. */
const https = (path, opts) => httpsTo(`${origin()}${path}`, ca, opts);

const client = (path, srv, extra = {}) => proxied(origin(), path, srv.token, ca, extra);

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
