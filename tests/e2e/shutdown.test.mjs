// Stopping the server as systemd does (SIGTERM) or a person does (Ctrl-C, SIGINT), with real
// clients connected and real commands running: they are told, what finishes within the grace
// period finishes, what does not is stopped, nothing new starts, every history row is kept,
// no process is left behind and the server exits 0.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { BIN, connect, once, startServer } from "./server.mjs";

/** Sparse files sha256sum reads at 200-400 MB/s here: a short, a long and an endless command. */
function prepare(root) {
  for (const [name, size] of [
    ["medio.bin", 256 * 2 ** 20],
    ["largo.bin", 256 * 2 ** 30],
    ["grande.bin", 2 ** 30],
  ]) {
    writeFileSync(join(root, name), "");
    truncateSync(join(root, name), size);
  }
}

const pgrep = (pattern) => {
  try {
    return execFileSync("pgrep", ["-f", pattern], { encoding: "utf8" }).trim();
  } catch {
    return "";
  }
};

async function until(what, pred, ms = 5000) {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const exited = (child) =>
  new Promise((ok) => (child.exitCode !== null || child.signalCode !== null ? ok(child.exitCode) : child.once("exit", (code) => ok(code))));

function history(srv) {
  return execFileSync(BIN, ["history", "--json", "--workspace", srv.root, "--data-dir", srv.data], {
    encoding: "utf8",
  })
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** Starts `command` as request `id`; resolves once it runs (its plan came). */
async function start(s, id, command) {
  // Generous: a fresh server's first command on a loaded CI machine.
  const planned = once(s, "plan", 15000, (p) => p.id === id);
  // On a timeout, say what did come (a CI run once waited in vain for a plan).
  const seen = [];
  const record = (e, d) => seen.push(`${e} ${JSON.stringify(d).slice(0, 160)}`);
  s.onAny(record);
  s.emit("command", { id, command, lang: "en" });
  try {
    await planned;
  } catch (e) {
    throw new Error(`${e.message}; connected: ${s.connected}; received: ${seen.join(" | ") || "nothing"}`);
  } finally {
    s.offAny(record);
  }
}

test("SIGTERM: what ends within the grace ends, nothing new starts, the history is whole, exit 0", async () => {
  const srv = await startServer(["--stop-grace", "30"], { prepare });
  const a = await connect(srv.base, { auth: { token: srv.token } });
  const b = await connect(srv.base, { auth: { token: srv.token } });
  try {
    for (let i = 0; i < 10; i++) {
      const done = once(a, "exit", 5000, (x) => x.id === `t${i}`);
      a.emit("command", { id: `t${i}`, command: `touch f${i}.txt`, lang: "en" });
      assert.equal((await done).code, 0);
    }
    const ended = once(a, "exit", 30000, (x) => x.id === "medio");
    await start(a, "medio", "sha256sum medio.bin");
    const toldA = once(a, "server_stopping", 3000);
    const toldB = once(b, "server_stopping", 3000);
    const stoppedAt = Date.now();
    srv.child.kill("SIGTERM");
    assert.equal((await toldA).grace_ms, 30000);
    await toldB;

    // Nothing new: a request on an open connection is refused in words, and ends.
    const refused = once(b, "protocol_error", 3000, (e) => e.event === "command");
    const refusedExit = once(b, "exit", 3000, (x) => x.id === "late");
    b.emit("command", { id: "late", command: "touch late.txt", lang: "en" });
    assert.match((await refused).message, /stopping/);
    assert.equal((await refusedExit).code, -1);
    // … and a new connection finds nobody listening.
    await assert.rejects(connect(srv.base, { auth: { token: srv.token }, timeout: 2000 }));

    // The running command finishes, with its real result, and the server goes right after.
    const exit = await ended;
    assert.equal(exit.code, 0);
    assert.equal(exit.cancelled, false);
    assert.equal(await exited(srv.child), 0, srv.stderr());
    const took = Date.now() - stoppedAt;
    assert.ok(took < 25000, `the server waited for the command, not the whole grace (${took} ms)`);

    const rows = history(srv);
    assert.equal(rows.filter((r) => /^touch f\d\.txt$/.test(r.command) && r.status === "done").length, 10);
    const medio = rows.find((r) => r.command === "sha256sum medio.bin");
    assert.equal(medio.status, "done");
    assert.equal(medio.exit_code, 0);
    assert.ok(!rows.some((r) => r.command === "touch late.txt" && r.status === "done"));
    assert.equal(pgrep("sha256sum medio.bin"), "");
  } finally {
    a.close();
    b.close();
    await srv.stop();
  }
});

test("SIGINT: what outlives the grace is stopped and marked, shells end, nothing is left running", async () => {
  const srv = await startServer(["--stop-grace", "1", "--shell"], { prepare });
  const a = await connect(srv.base, { auth: { token: srv.token } });
  try {
    // Keys count once the screen is sent (the replay).
    const replayed = once(a, "pty_replay", 10000);
    const opened = await new Promise((ok) =>
      a.timeout(10000).emit("pty_open", { rows: 24, cols: 80 }, (err, r) => ok(err ? { err } : r)),
    );
    assert.equal(opened.ok, true, JSON.stringify(opened));
    await replayed;
    a.emit("pty_input", { terminal: opened.terminal.id, data: "sleep 777\r" });
    await until("the shell's sleep runs", () => pgrep("sleep 777") !== "");

    const ended = once(a, "exit", 10000, (x) => x.id === "largo");
    await start(a, "largo", "sha256sum largo.bin");
    const stoppedAt = Date.now();
    srv.child.kill("SIGINT");
    const exit = await ended;
    assert.equal(exit.cancelled, true);
    assert.equal(await exited(srv.child), 0, srv.stderr());
    const took = Date.now() - stoppedAt;
    assert.ok(took < 8000, `stopped soon after the 1 s grace (${took} ms)`);

    await until("no command or shell left", () => pgrep("sha256sum largo.bin") === "" && pgrep("sleep 777") === "", 3000);
    const largo = history(srv).find((r) => r.command === "sha256sum largo.bin");
    assert.equal(largo.status, "cancelled");
  } finally {
    a.close();
    await srv.stop();
  }
});

test("a second signal stops what runs at once", async () => {
  const srv = await startServer(["--stop-grace", "60"], { prepare });
  const a = await connect(srv.base, { auth: { token: srv.token } });
  try {
    // Listened for from the start, awaited at the end: each wait has its own timeout, so a
    // slow step fails as itself (a CI run once reported only this one's timeout).
    const exits = [];
    a.on("exit", (x) => x.id === "largo" && exits.push(x));
    await start(a, "largo", "sha256sum largo.bin");
    const told = once(a, "server_stopping", 10000);
    srv.child.kill("SIGTERM");
    await told;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(srv.alive(), true, "the first signal waits for the command");
    assert.equal(exits.length, 0, "nothing ended before the second signal");
    const ended = exits.length ? Promise.resolve(exits[0]) : once(a, "exit", 10000, (x) => x.id === "largo");
    const cutAt = Date.now();
    srv.child.kill("SIGTERM");
    assert.equal((await ended).cancelled, true);
    assert.equal(await exited(srv.child), 0, srv.stderr());
    assert.ok(Date.now() - cutAt < 6000);
    assert.equal(history(srv).find((r) => r.command === "sha256sum largo.bin").status, "cancelled");
  } finally {
    a.close();
    // After an early failure the server would wait out its 60 s grace.
    if (srv.alive()) srv.child.kill("SIGKILL");
    await srv.stop();
  }
});

test("a stop right after start-up is a clean one too", async () => {
  for (const signal of ["SIGTERM", "SIGINT"]) {
    const srv = await startServer([]);
    srv.child.kill(signal);
    assert.equal(await exited(srv.child), 0, `${signal}: ${srv.stderr()}`);
    await srv.stop();
  }
});

test("a second server on the same workspace leaves the first one's running command alone", async () => {
  const first = await startServer([], { prepare });
  const a = await connect(first.base, { auth: { token: first.token } });
  let second;
  try {
    const ended = once(a, "exit", 60000, (x) => x.id === "grande");
    await start(a, "grande", "sha256sum grande.bin");
    const row = () => history(first).find((r) => r.command === "sha256sum grande.bin");
    // Its row written as running (the writer batches for a moment) before the second starts.
    await until("the row is written as running", () => row()?.status === "running", 5000);
    // Same root, same data folder: the history is shared, and this one starts while the
    // first one's command runs.
    second = await startServer([], { root: first.root });
    assert.equal(row().status, "running", "not taken for the leftover of a dead server");
    assert.equal((await ended).code, 0);
    await until("the row is done", () => row().status === "done", 5000);
  } finally {
    a.close();
    await second?.stop({ keepRoot: true });
    await first.stop();
  }
});
