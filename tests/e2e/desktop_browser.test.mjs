// The explorer's "show in file manager", in chromium, in both languages: offered only when the
// server runs in a desktop session (here a private dbus-daemon started by the test), and when
// no file manager answers on that desktop the page says so in words. The calls themselves are
// recorded by stand-in services in tests/python/test_desktop.py.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchBrowser } from "./browser.mjs";
import { startServer } from "./server.mjs";

const DAEMON = ["/usr/bin/dbus-daemon", "/bin/dbus-daemon"].find(existsSync);
let bus;
let busDir;
let address;
let withBus;
let without;
let browser;

before(async () => {
  if (!DAEMON) {
    assert.ok(process.env.CI !== "true", "dbus-daemon is missing");
    return;
  }
  busDir = mkdtempSync(join(tmpdir(), "atajo-bus-"));
  bus = spawn(DAEMON, ["--session", "--nofork", "--nopidfile", "--print-address=1", `--address=unix:path=${busDir}/bus`], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  address = await new Promise((ok, fail) => {
    let out = "";
    const t = setTimeout(() => fail(new Error("dbus-daemon did not start")), 10000);
    bus.stdout.on("data", (d) => {
      out += d;
      if (out.includes("\n")) {
        clearTimeout(t);
        ok(out.trim());
      }
    });
  });
  const prepare = (root) => writeFileSync(join(root, "notas.txt"), "uno\n");
  withBus = await startServer([], { prepare, env: { DBUS_SESSION_BUS_ADDRESS: address } });
  without = await startServer([], { prepare, env: { DBUS_SESSION_BUS_ADDRESS: "" } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await withBus?.stop();
  await without?.stop();
  bus?.kill();
  if (busDir) rmSync(busDir, { recursive: true, force: true });
});

async function menuOf(srv, locale) {
  const context = await browser.newContext({ locale });
  const page = await context.newPage();
  await page.goto(srv.url);
  await page.locator("#status[data-state=connected]").waitFor({ timeout: 10000 });
  const row = page.locator('#entries li[data-name="notas.txt"]');
  await row.waitFor({ timeout: 5000 });
  await row.click({ button: "right" });
  const menu = page.locator("menu.context");
  await menu.waitFor({ timeout: 5000 });
  return { context, page, menu };
}

for (const [locale, label, said] of [
  ["es-ES", "Mostrar en el gestor de archivos", "ningún gestor de archivos responde en este escritorio"],
  ["en-US", "Show in file manager", "no file manager answers on this desktop"],
]) {
  test(`"${label}" is offered on a desktop, and says when no file manager answers (${locale})`, { skip: !DAEMON }, async () => {
    const { context, page, menu } = await menuOf(withBus, locale);
    await menu.locator("button", { hasText: label }).click();
    await page.locator("#explorer-note", { hasText: said }).waitFor({ timeout: 5000 });
    await context.close();

    const off = await menuOf(without, locale);
    assert.ok(!(await off.menu.innerText()).includes(label), "not offered without a desktop session");
    await off.context.close();
  });
}
