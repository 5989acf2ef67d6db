// A person's path, in a real headless chromium: open the printed URL, type an instruction,
// see the folder in the explorer — and in a second tab, and after a change made outside.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { launchBrowser } from "./browser.mjs";
import { startServer } from "./server.mjs";

let srv;
let browser;

const BIG = 100_000;

before(async () => {
  srv = await startServer([], {
    prepare: (root) => {
      mkdirSync(join(root, "grande"));
      for (let i = 0; i < BIG; i++) writeFileSync(join(root, "grande", `n${i}.txt`), "");
      writeFileSync(join(root, "grande", ".oculto"), "");
      // Sparse: reading it takes seconds, storing it nothing.
      writeFileSync(join(root, "lento.bin"), "");
      truncateSync(join(root, "lento.bin"), 64 * 2 ** 30);
    },
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

const entry = (page, name) => page.locator(`#entries li[data-name="${name}"]`);

test("an instruction typed in the browser creates a folder every open explorer shows", async () => {
  const context = await browser.newContext({ locale: "es-ES" });
  const page = await context.newPage();
  await page.goto(srv.url);
  // The token was traded for a cookie and dropped from the address bar.
  assert.equal(new URL(page.url()).search, "");
  await page.locator("#status[data-state=connected]").waitFor({ timeout: 10000 });

  const second = await context.newPage();
  await second.goto(srv.base + "/");
  await second.locator("#status[data-state=connected]").waitFor({ timeout: 10000 });

  await page.fill("#instruction", "crear carpeta PROYECTO");
  await page.press("#instruction", "Enter");
  await entry(page, "PROYECTO").waitFor({ timeout: 5000 });
  await entry(second, "PROYECTO").waitFor({ timeout: 5000 });
  assert.equal(await entry(page, "PROYECTO").getAttribute("data-kind"), "dir");
  // The terminal shows the command that ran.
  await page.locator(".xterm-rows", { hasText: "mkdir PROYECTO" }).waitFor({ timeout: 5000 });

  // A change from a shell outside atajo shows up in both tabs.
  mkdirSync(join(srv.root, "other"));
  await entry(page, "other").waitFor({ timeout: 5000 });
  await entry(second, "other").waitFor({ timeout: 5000 });

  // Opening a folder in the explorer moves the terminal there (a `cd` through the pipeline).
  await entry(page, "PROYECTO").dblclick();
  await page.locator("#crumbs", { hasText: "PROYECTO" }).waitFor({ timeout: 5000 });
  await page.locator(".xterm-rows", { hasText: "cd PROYECTO" }).waitFor({ timeout: 5000 });

  // "? COMMAND" in the terminal explains it in the page's language and runs nothing.
  await page.click("#terminal");
  await page.keyboard.type("? rm -r ../other");
  await page.keyboard.press("Enter");
  await page.locator(".xterm-rows", { hasText: "todo su contenido" }).waitFor({ timeout: 5000 });
  await page.locator(".xterm-rows", { hasText: "Riesgo: destructivo" }).waitFor({ timeout: 5000 });
  assert.ok(existsSync(join(srv.root, "other")));

  // An instruction sent while a command runs is not lost: the bar keeps it and says why; after
  // Ctrl-C stops the command, Enter sends it.
  await page.keyboard.type("sha256sum ../lento.bin");
  await page.keyboard.press("Enter");
  await page.fill("#instruction", "crear carpeta DESPUES");
  await page.press("#instruction", "Enter");
  await page.locator("#explorer-note", { hasText: "Hay un comando en marcha" }).waitFor({ timeout: 5000 });
  assert.equal(await page.inputValue("#instruction"), "crear carpeta DESPUES");
  await page.click("#terminal");
  await page.keyboard.press("Control+C");
  await page.locator(".xterm-rows", { hasText: "cancelado" }).waitFor({ timeout: 5000 });
  await page.press("#instruction", "Enter");
  await entry(page, "DESPUES").waitFor({ timeout: 5000 });
  assert.equal(await page.inputValue("#instruction"), "");
  await page.screenshot({ path: join(srv.root, "..", "atajo-browser.png") });
  await context.close();
});

test("without the token the page offers to sign in and the socket is refused", async () => {
  const context = await browser.newContext({ locale: "en-US" });
  const page = await context.newPage();
  await page.goto(srv.base + "/");
  await page.locator("#login:not([hidden])").waitFor({ timeout: 10000 });
  assert.match(await page.locator("#login-text").innerText(), /token/i);
  await page.fill("#login input[name=token]", srv.token);
  await page.click("#login-button");
  await page.locator("#status[data-state=connected]").waitFor({ timeout: 10000 });
  await context.close();
});

test("a folder of 100k entries shows at once in a virtual list; hidden files and refresh", async () => {
  const context = await browser.newContext({ locale: "en-US" });
  const page = await context.newPage();
  await page.goto(srv.url);
  await page.locator("#status[data-state=connected]").waitFor({ timeout: 10000 });
  await entry(page, "grande").dblclick();
  await entry(page, "n0.txt").waitFor({ timeout: 15000 });
  await page.locator("#count", { hasText: `${BIG} entries` }).waitFor({ timeout: 30000 });
  // Only the rows in sight are in the page.
  const rows = await page.locator("#rows li").count();
  assert.ok(rows > 5 && rows < 200, `${rows} rows in the DOM`);
  // Numbers in numeric order; the last one is at the bottom.
  assert.deepEqual(
    await page.locator("#rows li").evaluateAll((els) => els.slice(0, 3).map((e) => e.dataset.name)),
    ["n0.txt", "n1.txt", "n2.txt"],
  );
  await page.locator("#entries").evaluate((el) => (el.scrollTop = el.scrollHeight));
  await entry(page, `n${BIG - 1}.txt`).waitFor({ timeout: 5000 });
  // Dot files only when asked for.
  assert.equal(await entry(page, ".oculto").count(), 0);
  await page.click("#hidden");
  await page.locator("#count", { hasText: `${BIG + 1} entries` }).waitFor({ timeout: 5000 });
  await page.locator("#entries").evaluate((el) => (el.scrollTop = 0));
  await entry(page, ".oculto").waitFor({ timeout: 5000 });
  // A file made outside lands in its place in the order, without re-listing.
  writeFileSync(join(srv.root, "grande", "n1.5.txt"), "abc");
  await entry(page, "n1.5.txt").waitFor({ timeout: 5000 });
  // The refresh button says it worked.
  await page.click("#refresh");
  await page.locator("#explorer-note", { hasText: "Refreshed" }).waitFor({ timeout: 30000 });
  await context.close();
});
