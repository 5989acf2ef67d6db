// Accounts in a real headless chromium, as people use them, in Spanish and English: the login
// form (a wrong password said plainly, then the right one), who I am and who else is here,
// the history panel (search, run again through the policy), a viewer's read-only page, and
// logging out.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { launchBrowser } from "./browser.mjs";
import { BIN, startServer } from "./server.mjs";

let srv;
let browser;

before(async () => {
  srv = await startServer([], {
    prepare: (root) => {
      mkdirSync(join(root, "a"), { recursive: true });
      mkdirSync(join(root, "b"), { recursive: true });
      writeFileSync(join(root, "a/ana.txt"), "ana\n");
      writeFileSync(join(root, "b/bo.txt"), "bo\n");
      const data = `${root}.data`;
      for (const [name, role, roots, pass] of [
        ["ana", "operator", ["a"], "ana-password-1"],
        ["bo", "operator", ["b"], "bo-password-22"],
        ["vi", "viewer", ["a"], "viewer-password"],
      ]) {
        execFileSync(
          BIN,
          ["user", "add", name, "--role", role, ...roots.flatMap((r) => ["--root", r]), "--password-stdin",
            "--workspace", root, "--data-dir", data],
          { input: `${pass}\n` },
        );
      }
    },
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

const screen = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll("#terminal .xterm-rows > div")]
      .map((d) => d.textContent.replace(/\u00a0/g, " ").trimEnd())
      .join("\n"),
  );

async function sees(page, re, ms = 8000) {
  const end = Date.now() + ms;
  for (;;) {
    const now = await screen(page);
    if (re.test(now)) return now;
    if (Date.now() > end) assert.fail(`${re} never on screen:\n${now}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

async function logIn(locale, user, password) {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  // No token in the URL: the page asks for an account.
  await page.goto(srv.base);
  await page.locator("#login-user").waitFor({ timeout: 10000 });
  await page.fill("#login-user", user);
  await page.fill("#login-password", password);
  await page.keyboard.press("Enter");
  return { context, page };
}

for (const [locale, w] of [
  [
    "es-ES",
    {
      ask: /Entra con tu cuenta/,
      wrong: /Nombre o contraseña incorrectos/,
      operator: "ana · operador",
      viewer: /Solo lectura: tu rol \(lector\)/,
      history: "Historial",
      again: "Ejecutar de nuevo",
      logout: "Salir",
      exists: /File exists|existe/,
    },
  ],
  [
    "en-US",
    {
      ask: /Log in with your account/,
      wrong: /Wrong name or password/,
      operator: "ana · operator",
      viewer: /Read-only: your role \(viewer\)/,
      history: "History",
      again: "Run again",
      logout: "Log out",
      exists: /File exists/,
    },
  ],
]) {
  test(`log in, see only one's folders, search the history and run again, log out (${locale})`, async () => {
    const folder = `informe${locale.replace("-", "")}`;
    // A wrong password first: said in the page's language, nothing opens.
    const { context, page } = await logIn(locale, "ana", "not-her-password");
    assert.match(await page.locator("#login-text").innerText(), w.ask);
    await page.waitForFunction(() => document.querySelector("#login-error")?.textContent.length > 0);
    assert.match(await page.locator("#login-error").innerText(), w.wrong);
    assert.equal(await page.locator("#status").getAttribute("data-state"), "unauthorized");
    await page.fill("#login-password", "ana-password-1");
    await page.keyboard.press("Enter");
    await page.locator("#status[data-state=connected]").waitFor({ timeout: 10000 });
    assert.equal(await page.locator("#login").isHidden(), true);
    assert.equal(await page.locator("#who").innerText(), w.operator);
    assert.equal(await page.locator("#logout").innerText(), w.logout);
    // The cookie is out of the page's reach.
    assert.equal(await page.evaluate(() => document.cookie), "");

    // The explorer starts in her folder and shows nothing beside it.
    await page.locator('#entries li[data-name="ana.txt"]').waitFor({ timeout: 5000 });
    const top = await page.evaluate(async () => {
      const r = await fetch("/api/files/b/bo.txt");
      return r.status;
    });
    assert.equal(top, 403);

    // A command typed in the guarded terminal, then found in the history panel.
    await page.click("#terminal");
    await sees(page, /a \$\s*$/m);
    await page.keyboard.type(`mkdir ${folder}`);
    await page.keyboard.press("Enter");
    await page.locator(`#entries li[data-name="${folder}"]`).waitFor({ timeout: 5000 });
    await page.click("#history");
    const panel = page.locator("#history-panel");
    await panel.waitFor({ timeout: 5000 });
    assert.equal(await page.locator("#history-title").innerText(), w.history);
    await page.fill("#history-panel input[name=search]", folder.slice(0, -2));
    // The words find that one row (the panel first lists everything, then the search's answer).
    await page.waitForFunction(
      (f) => {
        const rows = [...document.querySelectorAll("#history-panel .history-rows li")];
        return rows.length === 1 && rows[0].textContent.includes(`mkdir ${f}`);
      },
      folder,
      { timeout: 5000 },
    );
    const row = panel.locator(".history-rows li", { hasText: `mkdir ${folder}` });
    // Run again: through the guarded terminal and the policy; mkdir now fails (it exists).
    await row.locator("button.rerun", { hasText: w.again }).click();
    assert.equal(await panel.isVisible(), false);
    await sees(page, w.exists);
    await page.click("#history");
    await page.fill("#history-panel input[name=search]", folder);
    await page.waitForFunction(
      (f) => document.querySelectorAll("#history-panel .history-rows li").length === 2 &&
        [...document.querySelectorAll("#history-panel .history-rows li")].every((li) => li.textContent.includes(f)),
      folder,
    );
    await page.locator("#history-panel button.close").click();

    // Who else is here: bo logs in elsewhere and shows up.
    const bo = await logIn(locale, "bo", "bo-password-22");
    await bo.page.locator("#status[data-state=connected]").waitFor({ timeout: 10000 });
    await page.waitForFunction(() => document.querySelector("#presence")?.textContent.includes("bo"), null, { timeout: 5000 });
    assert.equal(await page.locator("#presence").isVisible(), true);
    await bo.context.close();

    // Logging out ends the session: the form is back and the cookie opens nothing.
    await page.click("#logout");
    await page.locator("#login-user").waitFor({ state: "visible", timeout: 5000 });
    const after = await page.evaluate(async () => (await fetch("/api/files/a/ana.txt")).status);
    assert.equal(after, 401);
    await context.close();
  });

  test(`a viewer's page says it is read-only and runs nothing (${locale})`, async () => {
    const { context, page } = await logIn(locale, "vi", "viewer-password");
    await page.locator("#status[data-state=connected]").waitFor({ timeout: 10000 });
    const banner = page.locator("#readonly-banner");
    await banner.waitFor({ state: "visible", timeout: 5000 });
    assert.match(await banner.innerText(), w.viewer);
    assert.equal(await page.locator("#instruction").isDisabled(), true);
    assert.equal(await page.locator("#new-folder").isDisabled(), true);
    assert.equal(await page.locator("#upload").isDisabled(), true);
    // The terminal takes no line: what is typed runs nothing.
    await page.click("#terminal");
    await page.keyboard.type("mkdir del-lector");
    await page.keyboard.press("Enter");
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(existsSync(join(srv.root, "a/del-lector")), false);
    // Reading works: the file is previewed.
    await page.locator('#entries li[data-name="ana.txt"]').dblclick();
    await page.waitForFunction(() => /ana/.test(document.querySelector("#viewer")?.innerText ?? ""), null, { timeout: 5000 });
    await context.close();
  });
}

test("a viewer watches an operator's shell: the tab and the line under it say whose it is and that keys go nowhere (es, en)", async () => {
  const { io } = await import("socket.io-client");
  const shellSrv = await startServer(["--shell"], {
    prepare: (root) => {
      mkdirSync(join(root, "a"), { recursive: true });
      const data = `${root}.data`;
      for (const [name, role, pass] of [["ana", "operator", "ana-password-1"], ["vi", "viewer", "viewer-password"]]) {
        execFileSync(BIN, ["user", "add", name, "--role", role, "--root", "a", "--password-stdin", "--workspace", root, "--data-dir", data], {
          input: `${pass}\n`,
        });
      }
    },
  });
  const prev = srv;
  srv = shellSrv;
  try {
    // ana opens a shell from a script (her JWT).
    const token = execFileSync(BIN, ["token", "create", "--user", "ana", "--workspace", shellSrv.root, "--data-dir", shellSrv.data], {
      encoding: "utf8",
    }).trim();
    const ana = io(shellSrv.base, { transports: ["websocket"], forceNew: true, reconnection: false, auth: { token } });
    await new Promise((ok) => ana.once("hello", ok));
    const opened = await new Promise((ok) => ana.timeout(10000).emit("pty_open", { rows: 24, cols: 80 }, (e, r) => ok(r)));
    assert.equal(opened.ok, true);
    for (const [locale, line] of [
      ["es-ES", /Terminal de ana: solo puedes mirarlo/],
      ["en-US", /ana's terminal: you can only watch it/],
    ]) {
      const { context, page } = await logIn(locale, "vi", "viewer-password");
      await page.locator("#status[data-state=connected]").waitFor({ timeout: 10000 });
      const tab = page.locator(".shell-tab", { hasText: "👁 ana" });
      await tab.waitFor({ timeout: 10000 });
      assert.equal(await page.locator("#new-shell").isHidden(), true, "a viewer opens no shell");
      await tab.click();
      await page.waitForFunction(() => document.querySelector("#term-kind")?.dataset.kind === "watching");
      assert.match(await page.locator("#term-kind").innerText(), line);
      // What she types goes nowhere: ana's shell never runs it.
      await page.keyboard.type("touch watched-typing\n");
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(existsSync(join(shellSrv.root, "a/watched-typing")), false);
      await context.close();
    }
    ana.close();
  } finally {
    srv = prev;
    await shellSrv.stop();
  }
});
