// Debian's nginx, run unprivileged-style in a temporary folder with a self-signed certificate
// for 127.0.0.1, around a recipe from deploy/nginx/ (its ports, names and paths replaced by the
// caller): what the nginx tests share.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { connect as tcpConnect, createServer as tcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { io } from "socket.io-client";

export const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find(existsSync);

/** Whether nginx is here to test with (CI must have it: there its absence fails). */
export function nginxHere() {
  if (!NGINX) assert.ok(process.env.CI !== "true", "nginx is missing (apt-get install nginx-light)");
  return Boolean(NGINX);
}

export const recipe = (name) => readFileSync(resolve(import.meta.dirname, "../../deploy/nginx", name), "utf8");

const bindable = (port) =>
  new Promise((ok) => {
    const s = tcpServer();
    s.once("error", () => ok(false));
    s.listen(port, "127.0.0.1", () => s.close(() => ok(true)));
  });

/** Ports already handed to a test in this process: never twice. */
const handedOut = new Set();

/** A port for a server the test starts later (nginx, redis-server). Taken below the kernel's
 * ephemeral range (32768–60999), so that neither atajo's `:0` binds nor client sockets can take
 * it meanwhile; and never one handed out before: two `:0` binds in a row once returned the same
 * port, and nginx then saw its plain and its TLS server on one port ("no ssl_certificate"). */
export async function freePort() {
  for (let tries = 0; tries < 500; tries++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (handedOut.has(port) || !(await bindable(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error("no free port between 20000 and 32000");
}

const listening = (port) =>
  new Promise((ok) => {
    const c = tcpConnect(port, "127.0.0.1");
    c.once("connect", () => (c.destroy(), ok(true)));
    c.once("error", () => ok(false));
  });

/** A folder with a certificate for 127.0.0.1: {dir, cert, key, ca}. */
export function certificate() {
  const dir = mkdtempSync(join(tmpdir(), "atajo-nginx-"));
  const [cert, key] = [join(dir, "cert.pem"), join(dir, "key.pem")];
  execFileSync(
    "openssl",
    [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
      "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert,
    ],
    { stdio: "ignore" },
  );
  return { dir, cert, key, ca: readFileSync(cert) };
}

/** Runs nginx with `conf` (a recipe, already adapted) in `dir`, listening on `port`:
 * resolves with a stop function once it accepts connections. */
export async function startNginx(dir, conf, port) {
  // Nothing of the recipe's own addresses may be left in its directives.
  const directives = conf.replace(/#.*$/gm, "");
  for (const left of ["/etc/ssl", "listen 80;", "listen 443"]) assert.ok(!directives.includes(left), left);
  writeFileSync(join(dir, "site.conf"), conf);
  for (const t of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(join(dir, t), { recursive: true });
  writeFileSync(
    join(dir, "nginx.conf"),
    `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
${process.getuid?.() === 0 ? "user root;" : ""}
events { worker_connections 512; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/site.conf;
}
`,
  );
  const nginx = spawn(NGINX, ["-p", dir, "-c", join(dir, "nginx.conf"), "-e", join(dir, "error.log")], { stdio: "ignore" });
  const end = Date.now() + 10000;
  while (!(await listening(port))) {
    if (Date.now() > end || nginx.exitCode !== null || nginx.signalCode !== null) {
      assert.fail(`nginx did not start: ${readFileSync(join(dir, "error.log"), "utf8")}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return async () => {
    if (nginx.exitCode === null && nginx.signalCode === null) {
      const gone = new Promise((ok) => nginx.once("exit", ok));
      nginx.kill("SIGQUIT");
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
  };
}

/** An HTTPS request: {status, headers, body (Buffer)}. */
export function https(url, ca, { method = "GET", headers = {}, body, localAddress } = {}) {
  return new Promise((ok, fail) => {
    const req = request(url, { method, headers, ca, localAddress }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => ok({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", fail);
    req.end(body);
  });
}

/** A socket.io-client through the proxy at `origin`, beneath `path`. */
export function client(origin, path, token, ca, extra = {}) {
  return new Promise((ok, fail) => {
    const s = io(origin, { path, ca, transports: ["websocket"], forceNew: true, reconnection: false, auth: { token }, ...extra });
    s.once("connect", () => ok(s));
    s.once("connect_error", (e) => (s.close(), fail(e)));
  });
}
