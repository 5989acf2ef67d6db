// A restart nobody notices: the server stops and starts again (same token, same port) under an
// open page, which is told of the stop, reconnects by itself, says so, keeps its cookie (no
// login again), and runs an instruction typed while the server was down once it is back.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { launchBrowser } from "./browser.mjs";
// Outside the ephemeral range: no client socket takes it while the server restarts.
import { freePort } from "./nginx.mjs";
import { startServer } from "./server.mjs";

let srv;
let browser;
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test("the page survives a server restart: reconnects, keeps its session, loses no instruction", async () => {
  const port = await freePort();
  const token = randomBytes(32).toString("hex");
  const args = ["--token", token];
  srv = await startServer(args, { bind: `127.0.0.1:${port}` });
  const root = srv.root;
  browser = await launchBrowser();
  const context = await browser.newContext({ locale: "es-ES" });
  const page = await context.newPage();
  // A configured token is not printed in the URL: the person types it, or opens it with it.
  await page.goto(`${srv.base}/?token=${token}`);
  await page.locator("#status[data-state=connected]").waitFor({ timeout: 10000 });
  // From here on the page holds only its cookie (the token left the address bar).
  assert.equal(new URL(page.url()).search, "");
  // A second person, reading English.
  const english = await browser.newContext({ locale: "en-US" });
  const other = await english.newPage();
  await other.goto(`${srv.base}/?token=${token}`);
  await other.locator("#status[data-state=connected]").waitFor({ timeout: 10000 });

  await srv.stop({ keepRoot: true });
  // The stop was said before the connection went, in each page's language.
  const notice = page.locator("#notice");
  await notice.waitFor({ timeout: 5000 });
  assert.match(await notice.innerText(), /El servidor se está deteniendo: .* tiene 10 s para terminar/);
  await other.locator("#notice").waitFor({ timeout: 5000 });
  assert.match(await other.locator("#notice").innerText(), /The server is stopping: .* has 10 s to finish/);
  await english.close();
  await page.locator("#status[data-state=disconnected]").waitFor({ timeout: 10000 });
  // Typed while the server is down: kept, and sent when it is back.
  await page.fill("#instruction", "crea la carpeta MIENTRAS");
  await page.press("#instruction", "Enter");

  srv = await startServer(args, { bind: `127.0.0.1:${port}`, root });
  await page.locator("#status[data-state=connected]").waitFor({ timeout: 15000 });
  assert.match(await page.locator("#status").innerText(), /conectado/);
  // Back: the notice of the stop is gone.
  await notice.waitFor({ state: "hidden", timeout: 5000 });
  // The terminal says so too.
  await page.locator(".xterm-rows", { hasText: "[atajo: conexión recuperada]" }).waitFor({ timeout: 5000 });
  await page.locator('#entries li[data-name="MIENTRAS"]').waitFor({ timeout: 10000 });
  assert.ok(existsSync(join(root, "MIENTRAS")));
  // And the connection is whole: a new instruction runs and shows.
  await page.fill("#instruction", "crea la carpeta DESPUES");
  await page.press("#instruction", "Enter");
  await page.locator('#entries li[data-name="DESPUES"]').waitFor({ timeout: 5000 });
  await context.close();
});
