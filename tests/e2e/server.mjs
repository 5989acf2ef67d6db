// Starts the real atajo binary on a free port with a fresh root, and reads the URL it prints.
import { spawn } from "node:child_process";
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { io } from "socket.io-client";

export const BIN = process.env.ATAJO_BIN || resolve(import.meta.dirname, "../../target/debug/atajo");

export async function startServer(
  extraArgs = [],
  { prepare = () => {}, env = {}, wrap = [], bind = "127.0.0.1:0", root: given = null } = {},
) {
  // `root` serves a folder an earlier server left (a restart); otherwise a fresh one.
  const root = given ?? realpathSync(mkdtempSync(join(tmpdir(), "atajo-e2e-")));
  if (!given) prepare(root);
  // atajo's own state (the history) beside the root, not in the tester's home; a restart on
  // the same root finds it again.
  const data = `${root}.data`;
  // `wrap` runs the server under another command (e.g. in a user namespace).
  const argv = [...wrap, BIN, "serve", "--root", root, "--bind", bind, ...extraArgs];
  const child = spawn(argv[0], argv.slice(1), {
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      ATAJO_LOG: process.env.ATAJO_E2E_LOG ? "info,atajo=debug" : "warn",
      ATAJO_DATA_DIR: data,
      ...env,
    },
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  // ATAJO_E2E_LOG=DIR keeps each server's log there (for a test that hangs).
  if (process.env.ATAJO_E2E_LOG) {
    const { createWriteStream } = await import("node:fs");
    child.stderr.pipe(createWriteStream(join(process.env.ATAJO_E2E_LOG, `${child.pid}.log`)));
  }
  const url = await new Promise((ok, fail) => {
    let out = "";
    const timer = setTimeout(() => fail(new Error(`atajo did not start: ${stderr}`)), 20000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/open (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    child.on("exit", (code) => fail(new Error(`atajo exited (${code}): ${stderr}`)));
  });
  const u = new URL(url);
  return {
    root,
    data,
    url,
    base: `${u.protocol}//${u.host}`,
    token: u.searchParams.get("token"),
    child,
    stderr: () => stderr,
    // Killed by a signal, a child has no exit code but a signal code.
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: ({ keepRoot = false } = {}) =>
      new Promise((ok) => {
        // The root goes with the server (some tests make 100k files), unless it is restarted.
        const done = () => {
          if (!keepRoot) {
            rmSync(root, { recursive: true, force: true });
            rmSync(data, { recursive: true, force: true });
          }
          ok();
        };
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.on("exit", done);
        child.kill("SIGTERM");
      }),
  };
}

export function connect(base, opts = {}) {
  return new Promise((ok, fail) => {
    const s = io(base, { transports: ["websocket"], forceNew: true, reconnection: false, ...opts });
    s.once("connect", () => ok(s));
    s.once("connect_error", (e) => {
      s.close();
      fail(e);
    });
  });
}

export function once(socket, event, ms = 5000, pred = () => true) {
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => {
      socket.off(event, h);
      fail(new Error(`no ${event} within ${ms} ms`));
    }, ms);
    const h = (data) => {
      if (!pred(data)) return;
      clearTimeout(timer);
      socket.off(event, h);
      ok(data);
    };
    socket.on(event, h);
  });
}

/** Resolves with the first of several events: {event, data}. */
export function first(socket, events, ms = 5000) {
  return Promise.race(events.map((e) => once(socket, e, ms).then((data) => ({ event: e, data }))));
}
