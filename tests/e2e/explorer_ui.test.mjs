// The explorer's actions as a person does them, in a real headless chromium: each shows in the
// terminal as the command it stands for and lands on disk; uploads, downloads, preview and
// edit-and-save, with the conflict a change on disk causes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { launchBrowser, waitOrExplain } from "./browser.mjs";
import { startServer } from "./server.mjs";

const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000040000000308020000003b9639910000001049444154789c63f8cfc000470c383900f5310bf5357bfb820000000049454e44ae426082",
  "hex",
);
let srv;
let browser;

before(async () => {
  srv = await startServer([], {
    prepare: (root) => {
      mkdirSync(join(root, "docs"));
      writeFileSync(join(root, "docs", "guia.md"), "# guía\n");
      writeFileSync(join(root, "app.js"), "function hola() {\n  return 42;\n}\n");
      writeFileSync(join(root, "foto.png"), PNG);
      writeFileSync(join(root, "doc.pdf"), "%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n");
      writeFileSync(join(root, "borrar.txt"), "adiós\n");
      writeFileSync(join(root, "renombrar.txt"), "x\n");
      writeFileSync(join(root, "mover.txt"), "m\n");
      writeFileSync(join(root, "copiar.txt"), "c\n");
    },
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

const entry = (page, name) => page.locator(`#entries li[data-name="${name}"]`);
const terminal = (page, text) => page.locator(".xterm-rows", { hasText: text }).waitFor({ timeout: 5000 });
const idle = (page) => page.waitForFunction(() => !document.querySelector("dialog[open]"), null, { timeout: 5000 });

async function open(locale = "en-US") {
  const context = await browser.newContext({ locale, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(srv.url);
  await page.locator("#status[data-state=connected]").waitFor({ timeout: 10000 });
  await entry(page, "docs").waitFor({ timeout: 5000 });
  return { context, page };
}

/** Waits until `fn` holds (for the disk, which the page changes asynchronously). */
async function until(fn, what, ms = 5000) {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

test("new folder, rename in place, drag to move, copy and paste, delete with undo", async () => {
  const { context, page } = await open("es-ES");

  await page.click("#new-folder");
  await page.fill("#newname-input", "mi carpeta");
  await page.press("#newname-input", "Enter");
  await entry(page, "mi carpeta").waitFor({ timeout: 5000 });
  await terminal(page, "mkdir 'mi carpeta'");

  // F2 renames in place; Enter commits.
  await entry(page, "renombrar.txt").click();
  await page.keyboard.press("F2");
  const field = page.locator("#entries input.rename");
  await field.waitFor();
  assert.equal(await field.evaluate((i) => i.value.slice(i.selectionStart, i.selectionEnd)), "renombrar", "the name without its extension is selected");
  await field.fill("nuevo nombre.txt");
  await field.press("Enter");
  await entry(page, "nuevo nombre.txt").waitFor({ timeout: 5000 });
  await terminal(page, "mv -T renombrar.txt 'nuevo nombre.txt'");
  assert.ok(existsSync(join(srv.root, "nuevo nombre.txt")));

  // Drag a file onto a folder: a move.
  await entry(page, "mover.txt").dragTo(entry(page, "docs"));
  await terminal(page, "mv mover.txt docs/");
  await until(() => existsSync(join(srv.root, "docs", "mover.txt")), "moved");
  await entry(page, "mover.txt").waitFor({ state: "detached", timeout: 5000 });

  // Copy here, paste into docs (opened with a double click: a cd in the terminal).
  await entry(page, "copiar.txt").click();
  await page.keyboard.press("Control+c");
  await entry(page, "docs").dblclick();
  await page.locator("#crumbs", { hasText: "docs" }).waitFor({ timeout: 5000 });
  await terminal(page, "cd docs");
  await entry(page, "guia.md").waitFor({ timeout: 5000 });
  await page.locator("#entries").focus();
  await page.keyboard.press("Control+v");
  await entry(page, "copiar.txt").waitFor({ timeout: 5000 });
  await terminal(page, "cp ../copiar.txt .");
  assert.equal(readFileSync(join(srv.root, "docs", "copiar.txt"), "utf8"), "c\n");
  // Pasting again where the name is taken makes a copy, never a replacement.
  await page.keyboard.press("Control+v");
  await entry(page, "copiar (copia).txt").waitFor({ timeout: 5000 });

  // Back up through the breadcrumbs; delete asks in a dialog naming what goes.
  await page.locator("#crumbs a").first().click();
  await entry(page, "borrar.txt").waitFor({ timeout: 5000 });
  await entry(page, "borrar.txt").click();
  await page.keyboard.press("Delete");
  const dialog = page.locator("dialog.ask");
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /borrar\.txt/);
  assert.ok(existsSync(join(srv.root, "borrar.txt")), "nothing goes before the answer");
  await dialog.locator("button", { hasText: "A la papelera" }).click();
  await entry(page, "borrar.txt").waitFor({ state: "detached", timeout: 5000 });
  await terminal(page, "rm borrar.txt");
  assert.ok(!existsSync(join(srv.root, "borrar.txt")));
  await page.locator("#explorer-note button", { hasText: "Deshacer" }).click();
  await entry(page, "borrar.txt").waitFor({ timeout: 5000 });
  await terminal(page, "undo ");
  assert.equal(readFileSync(join(srv.root, "borrar.txt"), "utf8"), "adiós\n");

  // A stale tag refuses the rename with a message instead of renaming something unseen.
  writeFileSync(join(srv.root, "nuevo nombre.txt"), "changed outside, a longer text\n");
  await entry(page, "nuevo nombre.txt").click();
  await page.keyboard.press("F2");
  // The change may arrive while typing: the field keeps what is typed.
  await page.locator("#entries input.rename").fill("otro.txt");
  await page.locator("#entries input.rename").press("Enter");
  await entry(page, "otro.txt").waitFor({ timeout: 5000 }).catch(async () => {
    // Only when the change came after the tag was taken: then it must say so.
    await page.locator("#explorer-note", { hasText: /cambiado en el disco/ }).waitFor({ timeout: 2000 });
  });
  await idle(page);
  await context.close();
});

test("upload with progress and an overwrite prompt; downloads of a file and a folder", async () => {
  const { context, page } = await open();
  await page.setInputFiles("#upload-input", { name: "subido.txt", mimeType: "text/plain", buffer: Buffer.from("primero") });
  await entry(page, "subido.txt").waitFor({ timeout: 5000 });
  await terminal(page, "upload subido.txt");
  assert.equal(readFileSync(join(srv.root, "subido.txt"), "utf8"), "primero");

  // Dropped from the desktop onto a folder row, with the same name again: it asks.
  await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(["segundo"], "subido.txt", { type: "text/plain" }));
    const target = document.querySelector('#entries li[data-name="docs"]');
    target.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
    target.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await until(() => existsSync(join(srv.root, "docs", "subido.txt")), "dropped into docs");
  await page.setInputFiles("#upload-input", { name: "subido.txt", mimeType: "text/plain", buffer: Buffer.from("tercero") });
  const dialog = page.locator("dialog.ask");
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /subido\.txt/);
  await dialog.locator("button", { hasText: /^Replace$/ }).click();
  await until(() => readFileSync(join(srv.root, "subido.txt"), "utf8") === "tercero", "replaced");
  await page.locator("#transfers li.done").first().waitFor({ timeout: 5000 });
  assert.match(await page.locator("#transfers").innerText(), /\/s/, "speed shown");

  // Downloads: a file as itself, a folder as a zip.
  await entry(page, "app.js").click({ button: "right" });
  let download = page.waitForEvent("download");
  await page.locator("menu.context button", { hasText: "Download" }).click();
  assert.equal((await download).suggestedFilename(), "app.js");
  await entry(page, "docs").click({ button: "right" });
  download = page.waitForEvent("download");
  await page.locator("menu.context button", { hasText: "Download" }).click();
  const zip = await download;
  assert.equal(zip.suggestedFilename(), "docs.zip");
  const bytes = readFileSync(await zip.path());
  assert.equal(bytes.subarray(0, 2).toString(), "PK");
  await terminal(page, "download docs/");
  await context.close();
});

test("preview with highlighting, images, edit and save, changed on disk, and a save conflict", async () => {
  const { context, page } = await open();
  await entry(page, "app.js").dblclick();
  const viewer = page.locator("#viewer");
  await waitOrExplain(page, viewer.locator("code.hljs span").first(), 5000);
  assert.match(await viewer.innerText(), /return 42/);

  await viewer.locator("button[data-role=edit]").click();
  const editor = viewer.locator("textarea.editor");
  await editor.fill("function hola() {\n  return 43;\n}\n");
  await page.keyboard.press("Control+s");
  await viewer.locator(".viewer-state", { hasText: "✓ saved" }).waitFor({ timeout: 5000 });
  assert.equal(readFileSync(join(srv.root, "app.js"), "utf8"), "function hola() {\n  return 43;\n}\n");
  await terminal(page, "save app.js");

  // Someone else writes it: the editor says so, and saving over it asks.
  writeFileSync(join(srv.root, "app.js"), "// theirs\n");
  await viewer.locator(".viewer-banner", { hasText: "changed on disk" }).waitFor({ timeout: 5000 });
  await editor.fill("// mine\n");
  await page.keyboard.press("Control+s");
  const dialog = page.locator("dialog.ask");
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /Conflict/);
  assert.equal(readFileSync(join(srv.root, "app.js"), "utf8"), "// theirs\n", "never a silent overwrite");
  await dialog.locator("button", { hasText: "Overwrite with mine" }).click();
  await until(() => readFileSync(join(srv.root, "app.js"), "utf8") === "// mine\n", "mine saved after the choice");
  await viewer.locator("button[data-role=close]").click();
  await viewer.waitFor({ state: "hidden" });

  await entry(page, "foto.png").dblclick();
  const img = viewer.locator("img");
  await img.waitFor();
  await page.waitForFunction(() => document.querySelector("#viewer img")?.naturalWidth === 4, null, { timeout: 5000 });

  // A PDF goes to the browser's own viewer, in a frame atajo's headers allow.
  await entry(page, "doc.pdf").dblclick();
  const frame = viewer.locator("iframe");
  await waitOrExplain(page, frame, 30000);
  const src = await frame.getAttribute("src");
  const res = await page.request.get(new URL(src, srv.base).href);
  assert.equal(res.headers()["content-type"], "application/pdf");
  assert.equal(res.headers()["x-frame-options"], "SAMEORIGIN");
  assert.doesNotMatch(res.headers()["content-security-policy"], /frame-ancestors 'none'/);
  await context.close();
});

test("names that are not UTF-8: marked, previewed, renamed in place and browsed by their real bytes", async () => {
  // "café.txt" and "día" in Latin-1: the é and í are lone bytes, sent as stand-ins (U+10FF80 + byte − 0x80).
  const latin1 = (s) => Buffer.from(s, "latin1");
  writeFileSync(latin1(`${srv.root}/caf\xe9.txt`), "latin1\n");
  mkdirSync(latin1(`${srv.root}/d\xeda`));
  writeFileSync(latin1(`${srv.root}/d\xeda/dentro.txt`), "dentro\n");
  const { context, page } = await open();
  const file = entry(page, "caf\u{10ffe9}.txt");
  await file.waitFor({ timeout: 5000 });
  assert.match(await file.getAttribute("class"), /lossy/);
  assert.match(await file.innerText(), /caf\uFFFD\.txt/, "shown with U+FFFD");

  await file.dblclick();
  const viewer = page.locator("#viewer");
  await viewer.locator(".viewer-body", { hasText: "latin1" }).waitFor({ timeout: 5000 });
  await viewer.locator("button[data-role=close]").click();

  await file.click();
  await page.keyboard.press("F2");
  const field = page.locator("#entries input.rename");
  await field.waitFor();
  await field.fill("cafe.txt");
  await field.press("Enter");
  await entry(page, "cafe.txt").waitFor({ timeout: 5000 });
  await terminal(page, "mv -T $'caf\\xe9.txt' cafe.txt");
  assert.equal(readFileSync(join(srv.root, "cafe.txt"), "utf8"), "latin1\n");

  // A folder opens: the terminal goes there and its files are listed.
  await entry(page, "d\u{10ffed}a").dblclick();
  await entry(page, "dentro.txt").waitFor({ timeout: 5000 });
  await terminal(page, "cd $'d\\xeda'");
  await page.locator("#crumbs", { hasText: "d\uFFFDa" }).waitFor({ timeout: 5000 });
  await context.close();
});

test("icons are drawn, not emoji, and the page asks for nothing that is not there", async () => {
  const context = await browser.newContext({ locale: "en-US" });
  const page = await context.newPage();
  const missing = [];
  page.on("response", (r) => r.status() === 404 && missing.push(r.url()));
  await page.goto(srv.url);
  await page.locator("#status[data-state=connected]").waitFor({ timeout: 10000 });
  await entry(page, "docs").waitFor({ timeout: 5000 });
  await entry(page, "docs").locator("svg.icon.k-dir").waitFor({ timeout: 5000 });
  assert.equal(await entry(page, "foto.png").locator("svg.icon.k-image").count(), 1);
  assert.equal(await entry(page, "app.js").locator("svg.icon.k-code").count(), 1);
  assert.equal(await entry(page, "doc.pdf").locator("svg.icon.k-pdf").count(), 1);
  const text = await page.locator("#entries").innerText();
  assert.doesNotMatch(text, /[\u{1F4C1}\u{1F4C4}\u{1F517}]/u, "an emoji icon is left");
  // The favicon is inline: no request, no 404.
  assert.match(await page.getAttribute("link[rel=icon]", "href"), /^data:image\/svg\+xml,/);
  assert.deepEqual(missing, []);
  await context.close();
});

test("the explorer's toolbar fits its pane: every button can be seen and clicked", async () => {
  for (const [locale, viewport] of [
    ["es-ES", { width: 1280, height: 800 }],
    ["en-US", { width: 1024, height: 700 }],
  ]) {
    const context = await browser.newContext({ locale, viewport });
    const page = await context.newPage();
    await page.goto(srv.url);
    await page.locator("#status[data-state=connected]").waitFor({ timeout: 10000 });
    const pane = await page.locator("#explorer").boundingBox();
    for (const id of ["new-folder", "new-file", "upload", "hidden", "refresh"]) {
      const b = await page.locator(`#${id}`).boundingBox();
      assert.ok(b && b.x >= pane.x && b.x + b.width <= pane.x + pane.width + 0.5, `${locale}: #${id} is cut (${JSON.stringify(b)} in ${JSON.stringify(pane)})`);
    }
    await page.click("#refresh");
    await context.close();
  }
});

test("a click survives the rows being redrawn between its press and its release", async () => {
  // On a loaded machine a selection's redraw can land between the press and the release of
  // a click (the second click of a double-click, typically). A row replaced then is a click
  // lost: the rows showing the same entries are kept.
  const { context, page } = await open();
  const names = await page.locator("#rows li").evaluateAll((els) => els.map((e) => e.dataset.name));
  const [first, second] = names.filter((n) => n !== "docs");
  await entry(page, second).click();
  const box = await entry(page, first).boundingBox();
  await page.mouse.move(box.x + 20, box.y + box.height / 2);
  await page.mouse.down();
  // A redraw while the button is down: the keyboard moves the selection.
  await page.keyboard.press("ArrowDown");
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  await page.mouse.up();
  await page.waitForFunction((n) => document.querySelector(`#rows li[data-name="${n}"]`)?.classList.contains("selected"), first, {
    timeout: 5000,
  });
  assert.equal(await page.locator("#rows li.selected").count(), 1);
  await context.close();
});
