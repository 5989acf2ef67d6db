// File contents over HTTP against the real binary: preview and download (a folder as a
// streamed zip), upload and save streamed to disk, with overwrite and tag-conflict rules,
// confinement, cancellation and authentication.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect, once, startServer } from "./server.mjs";

let srv;
let auth;
before(async () => {
  srv = await startServer([], {
    prepare: (root) => {
      mkdirSync(join(root, "docs", "sub"), { recursive: true });
      writeFileSync(join(root, "docs", "a.txt"), "hola\n");
      writeFileSync(join(root, "docs", "sub", "b.md"), "# b\n");
      writeFileSync(join(root, "page.html"), "<script>alert(1)</script>");
      writeFileSync(join(root, "img.png"), Buffer.from("89504e470d0a1a0a", "hex"));
      symlinkSync("/etc/passwd", join(root, "escape"));
      symlinkSync("/etc", join(root, "etc-link"));
      writeFileSync(Buffer.concat([Buffer.from(join(root, "bad")), Buffer.from([0xff])]), "raw bytes");
    },
  });
  auth = { authorization: `Bearer ${srv.token}` };
});
after(async () => {
  await srv.stop();
});

const url = (p, q = "") => `${srv.base}/api/files/${p.split("/").map(encodeURIComponent).join("/")}${q}`;
const put = (p, body, { q = "", headers = {} } = {}) =>
  fetch(url(p, q), { method: "PUT", body, headers: { ...auth, ...headers }, duplex: "half" });

test("preview and download: contents, tags, safe types, confinement", async () => {
  let r = await fetch(url("docs/a.txt"), { headers: auth });
  assert.equal(r.status, 200);
  assert.equal(await r.text(), "hola\n");
  assert.match(r.headers.get("content-type"), /^text\/plain/);
  assert.match(r.headers.get("content-disposition"), /^inline/);
  const etag = r.headers.get("etag");
  assert.match(etag, /^"[0-9a-f]+-[0-9a-f]+-[0-9a-f]+-[0-7]+"$/);
  r = await fetch(url("docs/a.txt"), { headers: { ...auth, "if-none-match": etag } });
  assert.equal(r.status, 304);

  // A file the browser would run is served as text, in a sandbox.
  r = await fetch(url("page.html"), { headers: auth });
  assert.match(r.headers.get("content-type"), /^text\/plain/);
  assert.match(r.headers.get("content-security-policy"), /sandbox/);
  r = await fetch(url("img.png", "?download=1"), { headers: auth });
  assert.equal(r.headers.get("content-type"), "image/png");
  assert.match(r.headers.get("content-disposition"), /^attachment; filename="img.png"/);

  // A name that is not UTF-8, by its real bytes.
  const raw = Buffer.from([...Buffer.from("bad"), 0xff]).toString("hex");
  r = await fetch(`${srv.base}/api/files?raw=${raw}`, { headers: auth });
  assert.equal(await r.text(), "raw bytes");

  for (const [p, status] of [
    ["..%2f..%2fetc%2fpasswd", 400],
    ["docs%2f..%2f..%2fx", 400],
    ["nothing.txt", 404],
  ]) {
    r = await fetch(`${srv.base}/api/files/${p}`, { headers: auth });
    assert.equal(r.status, status, p);
    assert.ok((await r.json()).error);
  }
  // A symlink never leads out of the root: a refusal that says so (403 outside), in the
  // language asked for, not a server error.
  r = await fetch(url("escape"), { headers: auth });
  assert.equal(r.status, 403);
  let body = await r.json();
  assert.equal(body.kind, "outside");
  assert.doesNotMatch(JSON.stringify(body), /root:/);
  r = await fetch(url("etc-link/atajo-x", "?lang=es&parents=1"), { method: "PUT", body: "x", headers: auth, duplex: "half" });
  assert.equal(r.status, 403);
  body = await r.json();
  assert.deepEqual([body.kind, body.error], ["outside", "la ruta sale del espacio de trabajo"]);
  assert.ok(!existsSync("/etc/atajo-x"), "nothing was written where it leads");
  r = await fetch(url("docs/a.txt"));
  assert.equal(r.status, 401);
  r = await fetch(`${srv.base}/api/files?raw=zz`, { headers: auth });
  assert.equal(r.status, 400);
});

test("a folder downloads as a zip of its tree", async () => {
  const r = await fetch(url("docs"), { headers: auth });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("content-type"), "application/zip");
  assert.match(r.headers.get("content-disposition"), /filename="docs.zip"/);
  const file = join(srv.root, "..", `${Date.now()}-docs.zip`);
  writeFileSync(file, Buffer.from(await r.arrayBuffer()));
  const listing = execFileSync("python3", ["-c", "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print('\\n'.join(sorted(z.namelist()))); print(z.read('docs/sub/b.md').decode())", file], { encoding: "utf8" });
  assert.equal(listing, "docs/\ndocs/a.txt\ndocs/sub/\ndocs/sub/b.md\n# b\n\n");
});

test("upload: streamed, never replacing unless told, folders created, .atajo protected", async () => {
  const a = await connect(srv.base, { auth: { token: srv.token } });
  mkdirSync(join(srv.root, "up"));
  // The folder's snapshot first, as an explorer shows it before anything is dropped on it: a
  // listing read after the upload would hold big.bin itself, and rightly no change would
  // follow (the race a cold run once lost).
  const listed = once(a, "listing", 10000, (p) => p.path === "up" && p.done);
  const subscribed = await new Promise((ok) => a.emit("subscribe", { path: "up" }, ok));
  assert.ok(subscribed.ok, subscribed.error);
  await listed;
  // Collected from now on; waited for only once the upload is done (a slow machine's upload
  // must not eat the wait).
  const batches = [];
  a.on("fs_changes", (b) => batches.push(b));
  const full = () =>
    batches.some((b) => b.changes.some((c) => c.path === "up/big.bin" && c.entry?.size === 50 * 1024 * 1024));

  // 50 MiB as a stream of chunks: the server writes as they come.
  const chunk = new Uint8Array(1024 * 1024).fill(7);
  let sent = 0;
  const body = new ReadableStream({
    pull(c) {
      if (sent++ < 50) c.enqueue(chunk);
      else c.close();
    },
  });
  let r = await put("up/big.bin", body);
  assert.equal(r.status, 200, await r.clone().text());
  const { entry } = await r.json();
  assert.equal(entry.size, 50 * 1024 * 1024);
  assert.equal(statSync(join(srv.root, "up", "big.bin")).size, 50 * 1024 * 1024);
  const end = Date.now() + 10000;
  while (!full()) {
    if (Date.now() > end) assert.fail(`no fs_changes with the whole big.bin within 10 s: ${JSON.stringify(batches)}`);
    await new Promise((ok) => setTimeout(ok, 20));
  }

  r = await put("up/big.bin", "small");
  assert.equal(r.status, 409);
  const taken = await r.json();
  assert.equal(taken.kind, "exists");
  assert.equal(taken.current.size, 50 * 1024 * 1024, "says what is there, for the overwrite prompt");
  r = await put("up/big.bin", "small", { q: "?overwrite=1" });
  assert.equal(r.status, 200);
  assert.equal(readFileSync(join(srv.root, "up", "big.bin"), "utf8"), "small");

  r = await put("up/tree/deep/c.txt", "c");
  assert.equal(r.status, 409);
  r = await put("up/tree/deep/c.txt", "c", { q: "?parents=1" });
  assert.equal(r.status, 200);
  assert.equal(readFileSync(join(srv.root, "up", "tree", "deep", "c.txt"), "utf8"), "c");

  // An empty folder of a dropped tree.
  r = await put("up/tree/empty/inner", "", { q: "?folder=1" });
  assert.equal(r.status, 200);
  assert.equal((await r.json()).entry.kind, "dir");
  assert.ok(statSync(join(srv.root, "up", "tree", "empty", "inner")).isDirectory());
  r = await put("up/big.bin", "", { q: "?folder=1" });
  assert.equal(r.status, 409, "a file of that name stays a file");

  r = await put(".atajo/history.sqlite3", "x", { q: "?overwrite=1" });
  assert.equal(r.status, 403);
  r = await put("up", "x", { q: "?overwrite=1" });
  assert.equal(r.status, 409);
  r = await fetch(url("up/x.txt"), { method: "PUT", body: "x", duplex: "half" });
  assert.equal(r.status, 401);
  assert.deepEqual(readdirSync(join(srv.root, "up")).sort(), ["big.bin", "tree"], "no part file left");
  a.close();
});

test("a cancelled upload leaves the old file and no part file", async () => {
  writeFileSync(join(srv.root, "keep.txt"), "old");
  const ctl = new AbortController();
  let n = 0;
  const body = new ReadableStream({
    async pull(c) {
      if (n++ === 3) {
        ctl.abort();
        return;
      }
      c.enqueue(new Uint8Array(256 * 1024));
      await new Promise((ok) => setTimeout(ok, 50));
    },
  });
  await assert.rejects(
    fetch(url("keep.txt", "?overwrite=1"), { method: "PUT", body, headers: auth, duplex: "half", signal: ctl.signal }),
  );
  // The server notices the broken body and removes its part file.
  for (let i = 0; i < 50 && readdirSync(srv.root).some((f) => f.includes("atajo-part")); i++) {
    await new Promise((ok) => setTimeout(ok, 100));
  }
  assert.deepEqual(readdirSync(srv.root).filter((f) => f.includes("keep")), ["keep.txt"]);
  assert.equal(readFileSync(join(srv.root, "keep.txt"), "utf8"), "old");
  assert.ok(srv.alive());
});

test("save with the tag it was opened with; a change meanwhile is a conflict", async () => {
  writeFileSync(join(srv.root, "edit.txt"), "v1");
  let r = await fetch(url("edit.txt"), { headers: auth });
  const tag = r.headers.get("etag");
  await r.text();
  r = await put("edit.txt", "v2 mine", { headers: { "if-match": tag } });
  assert.equal(r.status, 200);
  const saved = (await r.json()).entry;
  assert.notEqual(`"${saved.tag}"`, tag);
  assert.equal(readFileSync(join(srv.root, "edit.txt"), "utf8"), "v2 mine");

  writeFileSync(join(srv.root, "edit.txt"), "someone else");
  r = await put("edit.txt", "v3 mine", { headers: { "if-match": `"${saved.tag}"` } });
  assert.equal(r.status, 412);
  const conflict = await r.json();
  assert.equal(conflict.kind, "conflict");
  assert.equal(conflict.current.size, "someone else".length);
  assert.equal(readFileSync(join(srv.root, "edit.txt"), "utf8"), "someone else", "never a silent overwrite");
  assert.ok(!existsSync(join(srv.root, "edit.txt.atajo-part")));
});
