// Any screen, in a real chromium: a phone shows one pane at a time behind tabs with the
// instruction bar always there and a terminal as wide as the screen; a desktop's splitter is
// dragged (and moved with the keys) and remembered; the theme follows the system until chosen
// and the terminal follows it; Escape closes the preview; the footer says one thing at a
// time; and axe-core finds no serious or critical accessibility fault in the main views.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { launchBrowser, waitOrExplain } from "./browser.mjs";
import { startServer } from "./server.mjs";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let srv;
let browser;

before(async () => {
  srv = await startServer([], {
    prepare: (root) => {
      mkdirSync(join(root, "docs"));
      writeFileSync(join(root, "notas.txt"), "línea uno\nlínea dos\n");
      for (const f of ["app.js", "foto.png", "datos.csv"]) writeFileSync(join(root, f), "x");
    },
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function open({ locale = "es-ES", width = 1280, height = 800, colorScheme = "dark", context = null } = {}) {
  context ??= await browser.newContext({ locale, viewport: { width, height }, colorScheme });
  const page = await context.newPage();
  await page.goto(srv.url);
  await page.locator("#status[data-state=connected]").waitFor({ timeout: 10000 });
  await page.locator('#entries li[data-name="notas.txt"]').waitFor({ timeout: 5000 });
  return { context, page };
}

const visible = (page, sel) => page.locator(sel).isVisible();

/** Boxes of every button and field that shows, for "nothing hidden off-screen". */
const outside = (page) =>
  page.evaluate(() => {
    const bad = [];
    for (const el of document.querySelectorAll("button, input:not([type=file]):not([hidden])")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue; // not shown (the other tab, a closed form)
      if (r.left < 0 || r.top < 0 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5) bad.push(el.id || el.textContent);
    }
    return bad;
  });

/** The columns the terminal has, read off the screen: a long line wraps at the last one. */
async function columns(page) {
  await page.click("#terminal");
  await page.keyboard.press("Control+L");
  await page.keyboard.type(`echo ${"x".repeat(300)}`);
  await page.keyboard.press("Enter");
  const end = Date.now() + 5000;
  for (;;) {
    const rows = await page.evaluate(() => [...document.querySelectorAll(".xterm-rows > div")].map((d) => d.textContent.replace(/\u00a0/g, " ")));
    const out = rows.find((r) => /^x{10,}/.test(r));
    if (out) return out.trimEnd().length;
    if (Date.now() > end) assert.fail(`no output row:\n${rows.join("\n")}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

/** axe-core's serious and critical violations on the page as it is now. */
async function axe(page) {
  // Evaluated through the debugging protocol: the page's CSP (no inline script) stays on.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE);
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  });
  return found.filter((v) => v.impact === "serious" || v.impact === "critical");
}

test("a phone: one pane at a time behind tabs, the bar always there, a terminal as wide as the screen", async () => {
  const { context, page } = await open({ width: 390, height: 844 });
  assert.ok(await visible(page, "#tabs"));
  assert.ok(await visible(page, "#explorer"));
  assert.ok(!(await visible(page, "#terminal-pane")));
  assert.ok(await visible(page, "#instruction"));
  assert.deepEqual(await outside(page), [], "every control inside the screen");
  assert.deepEqual(await axe(page), [], "axe on the phone's explorer");

  // An instruction from the bar while the explorer shows: done, and the terminal's tab says
  // there is something to read.
  await page.locator("#instruction").fill("crea la carpeta desde_movil");
  await page.locator("#instruction").press("Enter");
  await page.locator('#entries li[data-name="desde_movil"]').waitFor({ timeout: 5000 });
  await page.locator("#tab-terminal.unread").waitFor({ timeout: 5000 });

  await page.click("#tab-terminal");
  assert.ok(!(await visible(page, "#explorer")));
  assert.ok(await visible(page, "#terminal-pane"));
  assert.equal(await page.locator("#tab-terminal.unread").count(), 0);
  const cols = await columns(page);
  assert.ok(cols >= 40, `the terminal is ${cols} columns wide on a 390-px phone`);
  assert.deepEqual(await axe(page), [], "axe on the phone's terminal");

  // A preview opens in the terminal's pane: double-clicking a file brings that tab forward.
  await page.click("#tab-explorer");
  await page.locator('#entries li[data-name="notas.txt"]').dblclick();
  await page.locator("#viewer:not([hidden])").waitFor({ timeout: 5000 });
  assert.equal(await page.locator("#tab-terminal").getAttribute("aria-selected"), "true");
  await waitOrExplain(page, page.locator(".viewer-body", { hasText: "línea dos" }), 5000);
  // The chosen tab is kept across a reload.
  await page.reload();
  await page.locator("#status[data-state=connected]").waitFor({ timeout: 10000 });
  assert.ok(await visible(page, "#terminal-pane"));
  await context.close();
});

test("a desktop: the splitter is dragged and moved with the keys, and remembered", async () => {
  const { context, page } = await open();
  assert.ok(!(await visible(page, "#tabs")));
  const width = () => page.locator("#explorer").evaluate((e) => e.getBoundingClientRect().width);
  const before = await width();
  const s = await page.locator("#splitter").boundingBox();
  await page.mouse.move(s.x + s.width / 2, s.y + 200);
  await page.mouse.down();
  await page.mouse.move(s.x + 300, s.y + 200, { steps: 5 });
  await page.mouse.up();
  const dragged = await width();
  assert.ok(dragged > before + 200, `dragged from ${before} to ${dragged}`);
  await page.locator("#splitter").focus();
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("Shift+ArrowLeft");
  const keyed = await width();
  assert.ok(keyed < dragged - 100, `keys moved it from ${dragged} to ${keyed}`);
  await page.reload();
  await page.locator('#entries li[data-name="notas.txt"]').waitFor({ timeout: 5000 });
  assert.ok(Math.abs((await width()) - keyed) < 3, "the width is remembered");
  assert.deepEqual(await outside(page), []);
  await context.close();
});

test("themes: the system's until chosen, the terminal follows, the choice is kept", async () => {
  const bg = (page, sel) => page.locator(sel).evaluate((e) => getComputedStyle(e).backgroundColor);
  const light = await open({ colorScheme: "light", locale: "en-US" });
  assert.equal(await bg(light.page, "body"), "rgb(255, 255, 255)");
  assert.equal(await bg(light.page, ".xterm-viewport"), "rgb(255, 255, 255)");
  assert.deepEqual(await axe(light.page), [], "axe, light theme (en)");
  await light.context.close();

  const { context, page } = await open({ colorScheme: "dark" });
  assert.equal(await bg(page, "body"), "rgb(21, 23, 28)");
  assert.equal(await bg(page, ".xterm-viewport"), "rgb(21, 23, 28)");
  // system → light: the page and the terminal turn light at once.
  await page.click("#theme");
  assert.equal(await page.locator("#theme").getAttribute("data-theme"), "light");
  assert.equal(await bg(page, "body"), "rgb(255, 255, 255)");
  await page.waitForFunction(() => getComputedStyle(document.querySelector(".xterm-viewport")).backgroundColor === "rgb(255, 255, 255)");
  assert.deepEqual(await axe(page), [], "axe, light theme chosen on a dark system (es)");
  await page.reload();
  await page.locator("#status[data-state=connected]").waitFor({ timeout: 10000 });
  assert.equal(await bg(page, "body"), "rgb(255, 255, 255)", "the choice outlives a reload");
  // light → dark → system.
  await page.click("#theme");
  assert.equal(await page.locator("#theme").getAttribute("data-theme"), "dark");
  await page.click("#theme");
  assert.equal(await page.locator("#theme").getAttribute("data-theme"), "system");
  assert.equal(await bg(page, "body"), "rgb(21, 23, 28)");
  await context.close();
});

test("Escape closes the preview; the footer says one thing at a time; a dialog and a menu pass axe", async () => {
  const { context, page } = await open({ locale: "en-US" });
  assert.deepEqual(await axe(page), [], "axe on the desktop (en, dark)");

  await page.locator('#entries li[data-name="notas.txt"]').dblclick();
  await waitOrExplain(page, page.locator(".viewer-body", { hasText: "línea dos" }), 5000);
  // From the explorer, where the double-click left the focus.
  await page.locator('#entries li[data-name="notas.txt"]').click();
  await page.keyboard.press("Escape");
  await page.locator("#viewer").waitFor({ state: "hidden", timeout: 5000 });

  // A note stands in for the count while it shows.
  assert.ok(await visible(page, "#count"));
  await page.locator('#entries li[data-name="notas.txt"]').click();
  await page.keyboard.press("F2");
  await page.locator("#entries input.rename").fill("app.js");
  await page.locator("#entries input.rename").press("Enter");
  await page.locator("#explorer-note", { hasText: "already exists" }).waitFor({ timeout: 5000 });
  assert.ok(!(await visible(page, "#count")), "the count steps aside for the note");
  await page.locator("#count").waitFor({ state: "visible", timeout: 10000 });

  await page.locator('#entries li[data-name="notas.txt"]').click({ button: "right" });
  await page.locator("menu.context").waitFor({ timeout: 5000 });
  assert.deepEqual(await axe(page), [], "axe with the explorer's menu open");
  await page.keyboard.press("Escape");

  await page.click("#terminal");
  await page.keyboard.type("rm notas.txt");
  await page.keyboard.press("Enter");
  await page.locator("dialog.ask").waitFor({ timeout: 5000 });
  assert.deepEqual(await axe(page), [], "axe with the confirmation card open");
  await page.keyboard.press("Escape");
  await context.close();
});
