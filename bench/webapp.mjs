#!/usr/bin/env node
// The web app's own figures, in Debian's chromium driven by playwright-core:
//   - what the page downloads (gzip -9 of each built asset), atajo's code apart from xterm.js
//     and the Socket.IO client, and what loads only on demand (highlight.js);
//   - the time from navigation to an interactive explorer (connected, the first row drawn), on
//     loopback: 20 loads with a cold cache (a new browser context, through the token link) and
//     20 reloads with a warm one; p50 and max;
//   - scrolling a folder of 100,000 entries: frame times while the list is flung top to bottom
//     (requestAnimationFrame deltas), and long tasks (> 50 ms) from the performance API;
//   - with --screenshots DIR, the main views: desktop and phone, dark and light, es and en.
//
//   cargo build --release && (cd web && npx vite build)
//   cd bench && npm ci && node webapp.mjs --atajo ../target/release/atajo [--loads 20] [--screenshots ../docs/screenshots]
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";

const opts = { atajo: "", loads: 20, screenshots: "", entries: 100_000, chromium: process.env.CHROMIUM || "/usr/bin/chromium" };
for (let i = 2; i < process.argv.length; i++) {
  const key = process.argv[i].replace(/^--/, "");
  if (!(key in opts)) {
    console.error(`unknown option ${process.argv[i]}`);
    process.exit(2);
  }
  opts[key] = typeof opts[key] === "number" ? Number(process.argv[++i]) : process.argv[++i];
}
if (!opts.atajo) {
  console.error("usage: node webapp.mjs --atajo BIN [--loads 20] [--entries 100000] [--screenshots DIR]");
  process.exit(2);
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (x) => `${x.toFixed(1)} ms`;

// ---- bundle ----
const dist = resolve(import.meta.dirname, "../web/dist");
const html = readFileSync(join(dist, "index.html"), "utf8");
const sizes = {};
for (const f of readdirSync(join(dist, "assets"))) {
  const bytes = readFileSync(join(dist, "assets", f));
  sizes[f] = { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, initial: html.includes(f) };
}
const group = (f) => (f.startsWith("xterm") ? "xterm.js" : f.startsWith("socketio") ? "socket.io-client" : f.startsWith("index") ? "atajo" : "on demand");
const byGroup = {};
for (const [f, s] of Object.entries(sizes)) {
  const g = group(f);
  byGroup[g] ??= { raw: 0, gzip: 0 };
  byGroup[g].raw += s.raw;
  byGroup[g].gzip += s.gzip;
}
byGroup["index.html"] = { raw: html.length, gzip: gzipSync(html, { level: 9 }).length };
console.log("bundle (bytes, gzip -9):");
for (const [g, s] of Object.entries(byGroup)) console.log(`  ${g.padEnd(18)} ${String(s.raw).padStart(8)} raw  ${String(s.gzip).padStart(7)} gzip`);
const withoutXterm = byGroup.atajo.gzip + byGroup["socket.io-client"].gzip + byGroup["index.html"].gzip;
console.log(`  initial load without xterm.js: ${withoutXterm} bytes gzip (atajo's own code ${byGroup.atajo.gzip})`);

// ---- a server on a root with a few files and a folder of many ----
const root = mkdtempSync(join(tmpdir(), "atajo-webapp-"));
const data = `${root}.data`;
mkdirSync(join(root, "docs"));
mkdirSync(join(root, "grande"));
writeFileSync(join(root, "notas.txt"), "Ideas para el proyecto\n- explorador\n- terminal\n");
writeFileSync(join(root, "docs", "guia.md"), "# Guía\n");
for (const f of ["app.js", "foto.png", "datos.csv", "informe.pdf", "copia.zip"]) writeFileSync(join(root, f), "x");
for (let i = 0; i < opts.entries; i++) writeFileSync(join(root, "grande", `n${i}.txt`), "");
const child = spawn(opts.atajo, ["serve", "--root", root, "--bind", "127.0.0.1:0"], {
  stdio: ["ignore", "pipe", "inherit"],
  env: { ...process.env, ATAJO_LOG: "warn", ATAJO_DATA_DIR: data },
});
const url = await new Promise((ok, fail) => {
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
    const m = out.match(/open (http:\/\/\S+)/);
    if (m) ok(m[1]);
  });
  child.on("exit", (c) => fail(new Error(`atajo exited ${c}`)));
});
const browser = await chromium.launch({
  executablePath: opts.chromium,
  args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu"],
});

/** Navigation start → connected and the first row of the explorer drawn, in the page's clock. */
const interactive = (page) =>
  page
    .waitForFunction(
      () => document.querySelector("#status")?.dataset.state === "connected" && document.querySelector("#entries li") && performance.now(),
      null,
      { polling: "raf", timeout: 20000 },
    )
    .then((h) => h.jsonValue());

try {
  // ---- time to an interactive explorer ----
  const cold = [];
  for (let i = 0; i < opts.loads; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(url);
    cold.push(await interactive(page));
    await context.close();
  }
  const warm = [];
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(url);
  await interactive(page);
  for (let i = 0; i < opts.loads; i++) {
    await page.reload();
    warm.push(await interactive(page));
  }
  console.log(`time to an interactive explorer (${opts.loads} loads each):`);
  console.log(`  cold cache (token link, new context): p50 ${ms(pct(cold, 50))}, max ${ms(Math.max(...cold))}`);
  console.log(`  warm cache (reload):                  p50 ${ms(pct(warm, 50))}, max ${ms(Math.max(...warm))}`);

  // ---- scrolling the big folder ----
  await page.locator('#entries li[data-name="grande"]').dblclick();
  // The count is written with the language's separators ("100,000" / "100.000"): digits only.
  await page.waitForFunction((n) => document.querySelector("#count")?.textContent.replace(/\D/g, "") === String(n), opts.entries, {
    timeout: 60000,
  });
  await page.locator('#entries li[data-name="n0.txt"]').waitFor({ timeout: 60000 });
  const scroll = await page.evaluate(async () => {
    const list = document.querySelector("#entries");
    const longTasks = [];
    const obs = new PerformanceObserver((l) => longTasks.push(...l.getEntries().map((e) => e.duration)));
    obs.observe({ type: "longtask", buffered: false });
    const frames = [];
    const steps = 240;
    const stride = list.scrollHeight / steps;
    let last = performance.now();
    for (let i = 1; i <= steps; i++) {
      list.scrollTop = i * stride;
      await new Promise((ok) => requestAnimationFrame(ok));
      const now = performance.now();
      frames.push(now - last);
      last = now;
    }
    // Let the last rows draw, then stop observing.
    await new Promise((ok) => setTimeout(ok, 100));
    obs.disconnect();
    const rows = document.querySelectorAll("#rows li").length;
    const bottom = document.querySelector("#rows li:last-child")?.dataset.name;
    return { frames, longTasks, rows, bottom };
  });
  const f = scroll.frames;
  console.log(`scrolling ${opts.entries} entries top to bottom in ${f.length} frames (${scroll.rows} rows in the page, last ${scroll.bottom}):`);
  console.log(
    `  frame p50 ${ms(pct(f, 50))}, p95 ${ms(pct(f, 95))}, max ${ms(Math.max(...f))}; frames over 50 ms: ${f.filter((x) => x > 50).length}; long tasks: ${scroll.longTasks.length}${scroll.longTasks.length ? ` (max ${ms(Math.max(...scroll.longTasks))})` : ""}`,
  );
  await context.close();

  // ---- screenshots ----
  if (opts.screenshots) {
    const dir = resolve(opts.screenshots);
    mkdirSync(dir, { recursive: true });
    const views = [
      ["desktop-dark-es", 1280, 800, "dark", "es-ES", "crea la carpeta PROYECTO y dentro un archivo notas.txt", "PROYECTO"],
      ["desktop-light-en", 1280, 800, "light", "en-US", "create the folder PROJECT and inside it a file notes.txt", "PROJECT"],
      ["phone-light-es", 390, 844, "light", "es-ES", "crea la carpeta fotos", "fotos"],
      ["phone-dark-en", 390, 844, "dark", "en-US", "make a folder named photos2026", "photos2026"],
    ];
    for (const [name, width, height, colorScheme, locale, instruction, made] of views) {
      const context = await browser.newContext({ viewport: { width, height }, colorScheme, locale, deviceScaleFactor: 1 });
      const page = await context.newPage();
      await page.goto(url);
      await interactive(page);
      const phone = width < 600;
      await page.locator("#instruction").fill(instruction);
      await page.locator("#instruction").press("Enter");
      await page.locator(`#entries li[data-name="${made}"]`).waitFor({ timeout: 5000 });
      if (!phone) {
        await page.locator('#entries li[data-name="notas.txt"]').dblclick();
        await page.locator(".viewer-body", { hasText: "explorador" }).waitFor({ timeout: 5000 });
        await page.click("#terminal");
        await page.keyboard.type("ls -");
        await page.keyboard.press("Tab");
        await page.keyboard.press("Tab");
      } else if (colorScheme === "dark") {
        await page.click("#tab-terminal");
        await page.click("#terminal");
        await page.keyboard.type("rm -r docs");
        await page.keyboard.press("Enter");
        await page.locator("dialog.ask").waitFor({ timeout: 5000 });
      }
      await new Promise((ok) => setTimeout(ok, 400));
      await page.screenshot({ path: join(dir, `${name}.png`) });
      if (await page.locator("dialog.ask").count()) await page.keyboard.press("Escape");
      await context.close();
      console.log(`screenshot ${join(dir, `${name}.png`)}`);
    }
  }
} finally {
  await browser.close();
  child.kill("SIGTERM");
  await new Promise((ok) => child.on("exit", ok));
  rmSync(root, { recursive: true, force: true });
  rmSync(data, { recursive: true, force: true });
}
