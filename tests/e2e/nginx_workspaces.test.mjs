// Many workspaces on one host, one process each, as deploy/nginx/atajo-workspaces.conf routes
// them (that file, its ports and certificate replaced): three atajo processes beneath /w/ana/,
// /w/bo/ and /w/eva/ (one of them set up only through ATAJO_* variables, as the systemd
// template atajo@.service does). Each workspace's clients reach only their own folder; one
// browser stays logged in to all three; a workspace nobody serves is 404; a process killed
// with -9 leaves the others serving.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { launchBrowser } from "./browser.mjs";
import { NGINX, certificate, nginxHere, client, freePort, https, recipe, startNginx } from "./nginx.mjs";
import { once, startServer } from "./server.mjs";

const NAMES = ["ana", "bo", "eva"];
const servers = {};
let stopNginx;
let tls;
let ca;

before(async () => {
  if (!nginxHere()) return;
  const made = certificate();
  ca = made.ca;
  tls = await freePort();
  const origin = `https://127.0.0.1:${tls}`;
  for (const name of NAMES) {
    servers[name] =
      name === "eva"
        ? // As atajo@eva.service would: every setting from the environment file.
          await startServer([], {
            env: {
              ATAJO_BASE_PATH: "/w/eva",
              ATAJO_TRUSTED_PROXIES: '["127.0.0.1"]',
              ATAJO_ALLOW_ORIGIN: `["${origin}"]`,
            },
          })
        : await startServer(["--base-path", `/w/${name}`, "--trusted-proxy", "127.0.0.1", "--allow-origin", origin]);
  }
  let conf = recipe("atajo-workspaces.conf")
    .replace("listen 443 ssl http2;", `listen 127.0.0.1:${tls} ssl http2;`)
    .replace(/\/etc\/ssl\/certs\/\S+\.pem/, made.cert)
    .replace(/\/etc\/ssl\/private\/\S+\.key/, made.key);
  NAMES.forEach((name, i) => {
    conf = conf.replace(`server 127.0.0.1:${8481 + i};`, `server 127.0.0.1:${new URL(servers[name].base).port};`);
  });
  assert.ok(!conf.replace(/#.*$/gm, "").match(/848[123]/), "every upstream replaced");
  stopNginx = await startNginx(made.dir, conf, tls);
});

after(async () => {
  await stopNginx?.();
  for (const srv of Object.values(servers)) await srv.stop();
});

const origin = () => `https://127.0.0.1:${tls}`;
const skip = !NGINX;

test("three workspaces behind one nginx: each client reaches its own folder only", { skip }, async () => {
  const sockets = {};
  for (const name of NAMES) sockets[name] = await client(origin(), `/w/${name}/socket.io`, servers[name].token, ca);
  try {
    for (const name of NAMES) {
      const done = once(sockets[name], "exit", 10000, (x) => x.id === `m-${name}`);
      sockets[name].emit("command", { id: `m-${name}`, command: `mkdir de-${name}`, lang: "en" });
      assert.equal((await done).code, 0);
    }
    for (const name of NAMES) {
      for (const other of NAMES) {
        assert.equal(existsSync(join(servers[name].root, `de-${other}`)), name === other, `${other}'s folder in ${name}'s workspace`);
      }
    }
    // A token of one workspace opens no other.
    await assert.rejects(client(origin(), "/w/bo/socket.io", servers.ana.token, ca));
    assert.equal((await https(`${origin()}/w/zoe/`, ca)).status, 404);
    assert.equal((await https(`${origin()}/w/ana/healthz`, ca)).status, 200);
  } finally {
    for (const s of Object.values(sockets)) s.close();
  }
});

test("one browser in all three at once; a process killed leaves the others serving", { skip }, async () => {
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ locale: "en-US", ignoreHTTPSErrors: true });
    const pages = {};
    for (const name of NAMES) {
      const page = await context.newPage();
      await page.goto(`${origin()}/w/${name}/?token=${servers[name].token}`);
      assert.equal(new URL(page.url()).pathname, `/w/${name}/`);
      await page.locator("#status[data-state=connected]").waitFor({ timeout: 10000 });
      pages[name] = page;
    }
    // Each keeps its own cookie (Path=/w/NAME/): a reload of each is still logged in.
    for (const name of NAMES) {
      await pages[name].reload();
      await pages[name].locator("#status[data-state=connected]").waitFor({ timeout: 10000 });
      await pages[name].fill("#instruction", `create the folder web-${name}`);
      await pages[name].press("#instruction", "Enter");
      await pages[name].locator(`#entries li[data-name="web-${name}"]`).waitFor({ timeout: 5000 });
    }

    const killed = servers.bo;
    killed.child.kill("SIGKILL");
    await new Promise((r) => (killed.child.exitCode !== null || killed.child.signalCode !== null ? r() : killed.child.once("exit", r)));
    await pages.bo.locator("#status[data-state=disconnected]").waitFor({ timeout: 10000 });
    assert.equal((await https(`${origin()}/w/bo/healthz`, ca)).status, 502);
    for (const name of ["ana", "eva"]) {
      await pages[name].fill("#instruction", `create the folder after-${name}`);
      await pages[name].press("#instruction", "Enter");
      await pages[name].locator(`#entries li[data-name="after-${name}"]`).waitFor({ timeout: 5000 });
      assert.equal((await https(`${origin()}/w/${name}/healthz`, ca)).status, 200);
    }
    await context.close();
  } finally {
    await browser.close();
  }
});
