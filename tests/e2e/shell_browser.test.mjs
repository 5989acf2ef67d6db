// A shell terminal in a real headless chromium, used as a person uses one: keys pressed, the
// screen read back. tty and stty after a resize, Tab completion, a full-screen program,
// Ctrl-C, a reload that finds the same screen, the explorer following `cd` and a double-click
// typing one — in Spanish and English. Without --shell, nothing offers a shell.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { launchBrowser } from "./browser.mjs";
import { startServer } from "./server.mjs";

let srv;
let browser;

before(async () => {
  srv = await startServer(["--shell"], {
    prepare: (root) => {
      mkdirSync(join(root, "proyecto", "fuentes"), { recursive: true });
      writeFileSync(join(root, "proyecto", "leeme.txt"), "hola\n");
    },
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

/** The visible rows of the active shell terminal, without trailing blanks. */
const rows = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll(".shell-term:not([hidden]) .xterm-rows > div")].map((d) =>
      d.textContent.replace(/\u00a0/g, " ").trimEnd(),
    ),
  );

async function sees(page, re, ms = 10000) {
  const end = Date.now() + ms;
  for (;;) {
    const now = (await rows(page)).join("\n");
    if (re.test(now)) return now;
    if (Date.now() > end) assert.fail(`${re} never on screen:\n${now}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

const PROMPT = process.getuid?.() === 0 ? /#$/m : /\$$/m;

async function open(locale) {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(srv.url);
  await page.locator("#status[data-state=connected]").waitFor({ timeout: 10000 });
  return { context, page };
}

for (const [locale, words] of [
  ["es-ES", { kind: /Shell: bash de verdad/, guarded: /Terminal vigilado/ }],
  ["en-US", { kind: /Shell: real bash/, guarded: /Guarded terminal/ }],
]) {
  test(`a shell terminal works as a terminal and survives a reload (${locale})`, async () => {
    const { context, page } = await open(locale);
    await page.locator("#term-kind", { hasText: words.guarded }).waitFor({ timeout: 5000 });
    await page.click("#new-shell");
    await page.locator("#term-kind", { hasText: words.kind }).waitFor({ timeout: 5000 });
    await sees(page, PROMPT);

    // tty names a real terminal; stty agrees with the size on screen.
    await page.keyboard.type("tty; echo SIZE $(stty size)");
    await page.keyboard.press("Enter");
    const shown = await sees(page, /\/dev\/pts\/\d+\nSIZE \d+ \d+/);
    const [, r1, c1] = shown.match(/^SIZE (\d+) (\d+)$/m) ?? [];
    const size1 = await page.evaluate(() => {
      const rows = document.querySelectorAll(".shell-term:not([hidden]) .xterm-rows > div").length;
      return rows;
    });
    assert.equal(Number(r1), size1, "stty's rows are the rows on screen");

    // A smaller window: the shell is told the new size.
    await page.setViewportSize({ width: 900, height: 600 });
    await page.waitForTimeout(400);
    await page.keyboard.type("clear; echo NEW $(stty size)");
    await page.keyboard.press("Enter");
    const after = await sees(page, /^NEW \d+ \d+$/m);
    const [, r2, c2] = after.match(/^NEW (\d+) (\d+)$/m) ?? [];
    assert.ok(Number(r2) < Number(r1) && Number(c2) < Number(c1), `${r1}x${c1} then ${r2}x${c2}`);

    // Tab completes a path (bash's own completion).
    await page.keyboard.type("cat proyecto/lee");
    await page.keyboard.press("Tab");
    await sees(page, /cat proyecto\/leeme\.txt/);
    await page.keyboard.press("Enter");
    await sees(page, /^hola$/m);

    // A full-screen program, keys and all, then Ctrl-C on a running command.
    await page.keyboard.type("less proyecto/leeme.txt");
    await page.keyboard.press("Enter");
    await sees(page, /leeme\.txt \(END\)|\(END\)/);
    await page.keyboard.press("q");
    await page.keyboard.type("sleep 30");
    await page.keyboard.press("Enter");
    await page.waitForTimeout(300);
    await page.keyboard.press("Control+C");
    await sees(page, /\^C\n.*[#$]$/m);

    // The explorer follows cd.
    await page.keyboard.type("cd proyecto");
    await page.keyboard.press("Enter");
    await page.locator("#crumbs", { hasText: "proyecto" }).waitFor({ timeout: 5000 });
    await page.locator('#entries li[data-name="leeme.txt"]').waitFor({ timeout: 5000 });

    // A reload finds the terminal and its screen.
    await page.keyboard.type("echo antes-de-recargar");
    await page.keyboard.press("Enter");
    const before = await sees(page, /^antes-de-recargar$/m);
    await page.reload();
    await page.locator("#status[data-state=connected]").waitFor({ timeout: 10000 });
    const again = await sees(page, /^antes-de-recargar$/m);
    assert.deepEqual(
      again.split("\n").filter(Boolean).slice(-3),
      before.split("\n").filter(Boolean).slice(-3),
      "the same last lines",
    );
    await page.locator("#term-kind", { hasText: words.kind }).waitFor({ timeout: 5000 });

    // Double-clicking a folder types its cd into the shell, visibly.
    await page.locator('#entries li[data-name="fuentes"]').dblclick();
    await sees(page, /cd ~\/'proyecto\/fuentes'/);
    await page.locator("#crumbs", { hasText: "fuentes" }).waitFor({ timeout: 5000 });

    // A web address in the output opens on a click only, in a tab that cannot reach this one.
    await page.keyboard.type("echo http://127.0.0.1:9/enlace");
    await page.keyboard.press("Enter");
    await sees(page, /^http:\/\/127\.0\.0\.1:9\/enlace$/m);
    const link = page.locator(".shell-term:not([hidden]) .xterm-rows > div", { hasText: /^http:\/\/127/ }).last();
    const box = await link.boundingBox();
    const opened = context.waitForEvent("page", { timeout: 5000 });
    await page.mouse.move(box.x + 30, box.y + box.height / 2);
    await page.waitForTimeout(200);
    await page.mouse.click(box.x + 30, box.y + box.height / 2);
    const tab = await opened;
    assert.equal(await tab.evaluate(() => window.opener === null), true, "no way back to atajo's page");
    await tab.close();

    // Closing the tab ends the shell; the guarded terminal is back.
    await page.locator(".shell-tab .close").first().click();
    await page.locator("#term-kind", { hasText: words.guarded }).waitFor({ timeout: 5000 });
    assert.equal(await page.locator(".shell-term").count(), 0);
    await context.close();
  });
}

test("a shell opened in one page shows up as a tab in another, with its screen", async () => {
  const context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 800 } });
  const one = await context.newPage();
  const two = await context.newPage();
  for (const p of [one, two]) {
    await p.goto(srv.url);
    await p.locator("#status[data-state=connected]").waitFor({ timeout: 10000 });
  }
  await one.click("#new-shell");
  await sees(one, PROMPT);
  await one.keyboard.type('echo from-"one"');
  await one.keyboard.press("Enter");
  await sees(one, /^from-one$/m);
  // The other page got a tab without reloading; opening it shows the same screen.
  await two.locator(".shell-tab", { hasText: /bash \d+/ }).first().click();
  await sees(two, /^from-one$/m);
  await one.locator(".shell-tab .close").first().click();
  await two.locator(".shell-tab", { hasText: /exited|terminó/ }).first().waitFor({ timeout: 5000 });
  await context.close();
});

test("without --shell the page offers no shell terminal", async () => {
  const plain = await startServer();
  try {
    const context = await browser.newContext({ locale: "en-US" });
    const page = await context.newPage();
    await page.goto(plain.url);
    await page.locator("#status[data-state=connected]").waitFor({ timeout: 10000 });
    await page.waitForTimeout(300);
    assert.equal(await page.locator("#new-shell").isVisible(), false);
    assert.equal(await page.locator("#term-tabs").isVisible(), false);
    await context.close();
  } finally {
    await plain.stop();
  }
});
