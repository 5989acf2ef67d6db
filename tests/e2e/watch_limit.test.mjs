// Beyond the inotify watch limit: the server is started in a user namespace whose limit is
// lowered to a handful of watches, so the real kernel refuses the watches on new folders.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect, once, startServer } from "./server.mjs";

const LIMIT = 8;
let srv;
let usable = true;
before(async () => {
  try {
    execFileSync("unshare", ["-Ur", "sh", "-c", `echo ${LIMIT} > /proc/sys/user/max_inotify_watches`]);
  } catch {
    usable = false;
    return;
  }
  srv = await startServer(["--no-sandbox"], {
    prepare: (root) => mkdirSync(join(root, "a")),
    wrap: ["unshare", "-Ur", "sh", "-c", `echo ${LIMIT} > /proc/sys/user/max_inotify_watches && exec "$0" "$@"`],
  });
});
after(async () => {
  await srv?.stop();
});

test("folders beyond the watch limit are polled: changes there still arrive, with a warning", { skip: !usable && "no user namespaces here" }, async () => {
  const compat = await connect(srv.base, { auth: { token: srv.token } });
  const explorer = await connect(srv.base, { auth: { token: srv.token } });
  await new Promise((ok) => explorer.emit("subscribe", { path: "" }, ok));
  const warned = once(explorer, "fs_warning", 15000);
  for (let i = 0; i < 3 * LIMIT; i++) mkdirSync(join(srv.root, `d${i}`));
  const w = await warned;
  assert.match(w.message, /watch limit/);
  // Give the watcher time to be refused before writing where it could not look.
  await new Promise((r) => setTimeout(r, 500));
  const last = `d${3 * LIMIT - 1}/late.txt`;
  const seen = once(compat, "nuevo_archivo", 15000, (d) => d.ruta === last);
  writeFileSync(join(srv.root, last), "x");
  await seen;
  assert.ok(srv.alive());
  compat.close();
  explorer.close();
});
