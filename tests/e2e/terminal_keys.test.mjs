// The terminal's keys as a person presses them, in a real headless chromium: the line is
// edited where the cursor is (arrows, Home/End, Ctrl-A/E/K/U/W, Alt-B/F, Delete, Backspace),
// accents and wide characters count as one, Up and Ctrl-R find earlier lines — also after a
// reload — a pasted block runs line by line, and Tab completes programs, options and paths. What is on screen is read back, never the
// page's own state, and no escape sequence is ever typed as text ("[A", "[D").
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { launchBrowser } from "./browser.mjs";
import { startServer } from "./server.mjs";

let srv;
let browser;

before(async () => {
  srv = await startServer([], {
    prepare: (root) => {
      writeFileSync(join(root, "notas.txt"), "contenido de notas\n");
      writeFileSync(join(root, "nuevo informe.txt"), "informe nuevo\n");
      mkdirSync(join(root, "docs", "img"), { recursive: true });
      writeFileSync(join(root, "docs", "guia.md"), "# guía\n");
    },
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

/** The terminal's rows as shown, without trailing blanks. */
const rows = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll(".xterm-rows > div")].map((d) => d.textContent.replace(/\u00a0/g, " ").trimEnd()),
  );

/** Waits until `fn` holds (for the disk, which the page changes asynchronously). */
async function until(fn, what, ms = 5000) {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

/** Waits until `count` rows read exactly `text`. */
async function shows(page, text, count = 1) {
  const end = Date.now() + 5000;
  for (;;) {
    const now = await rows(page);
    if (now.filter((r) => r === text).length >= count) return;
    if (Date.now() > end) assert.fail(`no ${count}× row ${JSON.stringify(text)} on screen:\n${now.filter(Boolean).join("\n")}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

/** Waits until the row the prompt is on (the last one written) matches `re`: the screen is
 * drawn a frame after the keys. */
async function prompted(page, re) {
  const end = Date.now() + 5000;
  for (;;) {
    const now = (await rows(page)).filter(Boolean);
    const last = now[now.length - 1] ?? "";
    if (re.test(last)) return;
    if (Date.now() > end) assert.fail(`the prompt row is ${JSON.stringify(last)}, not ${re}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

async function press(page, ...keys) {
  for (const k of keys) await page.keyboard.press(k);
}

async function open(locale) {
  const context = await browser.newContext({ locale });
  const page = await context.newPage();
  await page.goto(srv.url);
  await page.locator("#status[data-state=connected]").waitFor({ timeout: 10000 });
  await page.click("#terminal");
  await page.waitForFunction(() => /\$\s*$/.test(document.querySelector(".xterm-rows")?.textContent.replace(/\u00a0/g, " ").trimEnd() ?? ""));
  return { context, page };
}

/** Types `text`, runs what the keys made of it, and waits for the output row `out`. */
async function run(page, out, count = 1) {
  await press(page, "Enter");
  await shows(page, out, count);
}

test("keys edit the line where the cursor is, and history finds it again (Spanish)", async () => {
  const { context, page } = await open("es-ES");

  // Left moves the cursor: typing there inserts ("wrld" → "world"), as it did not ("[D[D[Do").
  await page.keyboard.type("echo wrld");
  await press(page, "ArrowLeft", "ArrowLeft", "ArrowLeft");
  await page.keyboard.type("o");
  await run(page, "world");

  // Up recalls the line, whole; Enter runs it again.
  await page.keyboard.type("echo segundo");
  await run(page, "segundo");
  await press(page, "ArrowUp");
  await prompted(page, /\$ echo segundo$/);
  await run(page, "segundo", 2);
  // Up twice, then Down: back to the later line.
  await press(page, "ArrowUp", "ArrowUp", "ArrowDown");
  await prompted(page, /\$ echo segundo$/);
  await press(page, "Control+U");

  // Home/End and Ctrl-A/E.
  await page.keyboard.type("cho hola");
  await press(page, "Home");
  await page.keyboard.type("e");
  await press(page, "End");
  await page.keyboard.type("!");
  await run(page, "hola!");
  await page.keyboard.type("cho adiós");
  await press(page, "Control+A");
  await page.keyboard.type("e");
  await press(page, "Control+E");
  await page.keyboard.type(".");
  await run(page, "adiós.");

  // Words: Alt-F twice lands after "abc", Ctrl-K cuts the rest; Ctrl-Y puts it back.
  await page.keyboard.type("echo abc def");
  await press(page, "Control+A", "Alt+F", "Alt+F", "Control+K");
  await run(page, "abc");
  await page.keyboard.type("echo xyz ");
  await press(page, "Control+Y");
  await run(page, "xyz def");
  // Ctrl-W cuts the word before the cursor; Ctrl-U the whole line before it.
  await page.keyboard.type("echo uno dos");
  await press(page, "Control+W");
  await page.keyboard.type("tres");
  await run(page, "uno tres");
  await page.keyboard.type("basura");
  await press(page, "Control+U");
  await page.keyboard.type("echo limpio");
  await run(page, "limpio");
  // Alt-B and Ctrl-Left go back a word.
  await page.keyboard.type("echo b d");
  await press(page, "Alt+B", "Control+ArrowLeft");
  await page.keyboard.type("a");
  await run(page, "ab d");

  // Delete takes the character under the cursor, Backspace the one before, anywhere.
  await page.keyboard.type("echo xy");
  await press(page, "ArrowLeft", "ArrowLeft", "Delete");
  await run(page, "y");
  await page.keyboard.type("echo a-b");
  await press(page, "ArrowLeft", "Backspace");
  await run(page, "ab");

  // Accents and wide characters are one step each.
  await page.keyboard.type("echo ñandú 日本");
  await press(page, "ArrowLeft", "ArrowLeft");
  await page.keyboard.type("x");
  await run(page, "ñandú x日本");

  // A line longer than the terminal wraps, and editing at its start still works: the
  // command runs whole and prints the 150 letters right after it.
  const long = "a".repeat(150);
  await page.keyboard.type(`cho ${long}`);
  await press(page, "Home");
  await page.keyboard.type("e");
  await press(page, "Enter");
  await page.waitForFunction(
    (want) => [...document.querySelectorAll(".xterm-rows > div")].map((d) => d.textContent.replace(/\u00a0/g, " ").trimEnd()).join("").includes(want),
    `$ echo ${long}${long}`,
  );

  // Ctrl-R finds an earlier line by what it holds; Enter runs it.
  await press(page, "Control+R");
  await page.keyboard.type("segu");
  await prompted(page, /\(búsqueda inversa\)'segu': echo segundo/);
  await run(page, "segundo", 3);
  // Escape leaves the search with the line as it was.
  await page.keyboard.type("echo antes");
  await press(page, "Control+R");
  await page.keyboard.type("hola");
  await press(page, "Escape");
  await run(page, "antes");

  const screen = (await rows(page)).join("\n");
  assert.doesNotMatch(screen, /\[[ABCD]|\[[0-9;]+[~A-D]/, "an escape sequence was typed as text");

  // The history is kept across a reload.
  await page.reload();
  await page.locator("#status[data-state=connected]").waitFor({ timeout: 10000 });
  await page.click("#terminal");
  await press(page, "ArrowUp");
  await prompted(page, /\$ echo antes$/);
  await run(page, "antes");
  await context.close();
});

test("a pasted block runs line by line, and the search speaks English in English", async () => {
  const { context, page } = await open("en-US");
  // A paste, as the browser delivers it to the terminal.
  await page.evaluate(() => {
    const data = new DataTransfer();
    data.setData("text/plain", "echo p1\necho p2\necho p3");
    document.querySelector(".xterm-helper-textarea").dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true }));
  });
  await shows(page, "p1");
  await shows(page, "p2");
  // The last line has no line break after it: it waits, typed, for Enter.
  await prompted(page, /\$ echo p3$/);
  await run(page, "p3");

  await press(page, "Control+R");
  await page.keyboard.type("p2");
  await prompted(page, /\(reverse-i-search\)'p2': echo p2/);
  await page.keyboard.type("zzz");
  await prompted(page, /\(failed reverse-i-search\)'p2zzz'/);
  await press(page, "Control+G");
  await prompted(page, /\$$/);
  // A program atajo does not run: the reason points at `? rules`, which lists them here.
  await page.keyboard.type("frobnicate x");
  await press(page, "Enter");
  await page.waitForFunction(() =>
    [...document.querySelectorAll(".xterm-rows > div")]
      .map((d) => d.textContent.replace(/\u00a0/g, " ").trimEnd())
      .join("")
      .includes("see `? rules` in the web terminal"),
  );
  await page.keyboard.type("? rules");
  await press(page, "Enter");
  // The list is longer than the screen: its last program, with what it does, is in sight.
  await page.waitForFunction(() =>
    [...document.querySelectorAll(".xterm-rows > div")].some((d) => /^\s+zip\s+\S/.test(d.textContent.replace(/\u00a0/g, " "))),
  );
  // Typed ahead while a command runs: kept, and run at the next prompt.
  await page.keyboard.type("echo t1");
  await press(page, "Enter");
  await page.keyboard.type("echo t2");
  await press(page, "Enter");
  await shows(page, "t1");
  await shows(page, "t2");
  // Ctrl-C drops the line and gives a fresh prompt.
  await page.keyboard.type("echo never");
  await press(page, "Control+C");
  await page.keyboard.type("echo after");
  await run(page, "after");
  assert.ok(!(await rows(page)).includes("never"));
  await context.close();
});

test("Tab completes programs, options and paths; a second Tab lists the choices", async () => {
  const { context, page } = await open("es-ES");
  // A program the policy knows.
  await page.keyboard.type("mkd");
  await press(page, "Tab");
  await prompted(page, /\$ mkdir$/);
  await press(page, "Control+U");
  // A path: one choice is put in whole, quoted when it must be, and runs.
  await page.keyboard.type("cat no");
  await press(page, "Tab");
  await prompted(page, /\$ cat notas\.txt$/);
  await run(page, "contenido de notas");
  await page.keyboard.type("cat nu");
  await press(page, "Tab");
  await prompted(page, /\$ cat 'nuevo informe\.txt'$/);
  await run(page, "informe nuevo");
  // Several choices: the second Tab lists them under the line, which stays as it was.
  await page.keyboard.type("ls docs/");
  await press(page, "Tab", "Tab");
  await page.waitForFunction(() =>
    [...document.querySelectorAll(".xterm-rows > div")].some((d) => /^img\/\s+guia\.md\s*$/.test(d.textContent.replace(/\u00a0/g, " "))),
  );
  await prompted(page, /\$ ls docs\/$/);
  await press(page, "Control+U");
  // Options of the program typed, with what they mean in the page's language.
  await page.keyboard.type("ls --almo");
  await press(page, "Tab");
  await prompted(page, /\$ ls --almost-all$/);
  await press(page, "Control+U");
  await page.keyboard.type("cat -");
  await press(page, "Tab", "Tab");
  await page.waitForFunction(() =>
    [...document.querySelectorAll(".xterm-rows > div")].some((d) => /^-n\s+numerando las líneas/.test(d.textContent.replace(/\u00a0/g, " "))),
  );
  await prompted(page, /\$ cat -$/);
  await context.close();
});

test("the terminal speaks the page's language: reasons, the trash and undo", async () => {
  for (const [locale, said, other, notConfirmed] of [
    [
      "es-ES",
      [/está fuera del espacio de trabajo/, /1 elemento\(s\) a la papelera/, /^restaurado 'notas\.txt'$/, /la papelera está vacía/],
      /outside the workspace|moved to the trash|^restored|trash is empty/,
      /No confirmado/,
    ],
    [
      "en-US",
      [/is outside the workspace/, /1 item\(s\) moved to the trash/, /^restored 'notas\.txt'$/, /the trash is empty/],
      /fuera del espacio|papelera|^restaurado/,
      /Not confirmed/,
    ],
  ]) {
    const { context, page } = await open(locale);
    const sees = (re) =>
      page.waitForFunction(
        (src) => [...document.querySelectorAll(".xterm-rows > div")].some((d) => new RegExp(src).test(d.textContent.replace(/\u00a0/g, " ").trimEnd())),
        re.source,
      );
    await page.keyboard.type("cat /etc/passwd");
    await press(page, "Enter");
    await sees(said[0]);
    // The question is a card with the focus: Escape says no, Enter is the trash.
    await page.keyboard.type("rm notas.txt");
    await press(page, "Enter");
    await page.locator("dialog.ask pre.command", { hasText: "$ rm notas.txt" }).waitFor({ timeout: 5000 });
    await press(page, "Escape");
    await sees(notConfirmed);
    assert.ok(existsSync(join(srv.root, "notas.txt")));
    await page.keyboard.type("rm notas.txt");
    await press(page, "Enter");
    await page.locator("dialog.ask li", { hasText: "notas.txt" }).waitFor({ timeout: 5000 });
    await press(page, "Enter");
    await sees(said[1]);
    assert.ok(!existsSync(join(srv.root, "notas.txt")));
    await page.keyboard.type("undo");
    await press(page, "Enter");
    await sees(said[2]);
    await page.keyboard.type("undo");
    await press(page, "Enter");
    await sees(said[3]);
    // From the instruction bar too: the card takes the focus, so Enter answers it (a key
    // used to land in the bar as text).
    await page.fill("#instruction", locale === "es-ES" ? "borra notas.txt" : "delete notas.txt");
    await page.press("#instruction", "Enter");
    await page.locator("dialog.ask li", { hasText: "notas.txt" }).waitFor({ timeout: 5000 });
    await press(page, "Enter");
    await until(() => !existsSync(join(srv.root, "notas.txt")), "the bar's deletion");
    assert.equal(await page.inputValue("#instruction"), "");
    // And undone in words.
    await page.fill("#instruction", locale === "es-ES" ? "deshaz lo último" : "undo the last change");
    await page.press("#instruction", "Enter");
    await until(() => existsSync(join(srv.root, "notas.txt")), "undo in words");
    await page.click("#terminal");
    const screen = (await rows(page)).join("\n");
    assert.doesNotMatch(screen, new RegExp(other.source, "m"), `${locale}: a line in the other language`);
    await context.close();
  }
});
