// The person at this page: who they are (from `hello`), the CSRF token every HTTP write made
// with the cookie carries, the login form (an account's name and password, or the start-up
// token), the logout, and who else is in the workspace.
import type { Socket } from "socket.io-client";
import type { Hello } from "./protocol/Hello";
import type { ActivityMsg } from "./protocol/ActivityMsg";
import type { PresenceMsg } from "./protocol/PresenceMsg";
import type { Role } from "./protocol/Role";
import { isKey, lang, t } from "./i18n";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

let csrf: string | null = null;
let me: { user: string; role: Role; accounts: boolean } | null = null;
let mode: "accounts" | "token" | null = null;

/** Headers an HTTP write (PUT) must carry. */
export function writeHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return csrf ? { ...extra, "x-atajo-csrf": csrf } : extra;
}

export const role = (): Role | null => me?.role ?? null;
export const readOnly = (): boolean => me?.role === "viewer";

const roleWord = (r: Role) => t(r === "viewer" ? "roleViewer" : r === "operator" ? "roleOperator" : "roleAdmin");

export function hello(h: Hello): void {
  csrf = h.csrf ?? null;
  // Also where page scripts and tests look for it, as other web apps publish theirs.
  let meta = document.querySelector<HTMLMetaElement>('meta[name="atajo-csrf"]');
  if (!meta) {
    meta = document.createElement("meta");
    meta.name = "atajo-csrf";
    document.head.append(meta);
  }
  meta.content = csrf ?? "";
  me = { user: h.user, role: h.role, accounts: h.accounts };
  render();
}

/** Shows the login form; asks the server which kind first. */
export async function showLogin(): Promise<void> {
  try {
    const r = await fetch("api/auth");
    mode = (await r.json()).login === "accounts" ? "accounts" : "token";
  } catch {
    mode = "token";
  }
  render();
  $("login").hidden = false;
  (mode === "accounts" ? $("login-user") : $("login-token")).focus();
}

export function hideLogin(): void {
  $("login").hidden = true;
  $("login-error").textContent = "";
}

export function render(): void {
  const accounts = mode === "accounts";
  $("login-text").textContent = t(accounts ? "loginAccount" : "unauthorized");
  $("login-user").hidden = !accounts;
  $("login-password").hidden = !accounts;
  $("login-token").hidden = accounts;
  $("login-user").setAttribute("aria-label", t("loginUser"));
  $<HTMLInputElement>("login-user").placeholder = t("loginUser");
  $("login-password").setAttribute("aria-label", t("loginPassword"));
  $<HTMLInputElement>("login-password").placeholder = t("loginPassword");
  $("login-button").textContent = t("loginButton");
  $("logout").textContent = t("logout");
  $("logout").title = t("logoutTitle");
  const who = $("who");
  if (me) {
    // Single-user: nobody else to tell apart.
    who.hidden = !me.accounts;
    who.textContent = `${me.user} · ${roleWord(me.role)}`;
    $("logout").hidden = !me.accounts || me.user === "owner";
  }
  const banner = $("readonly-banner");
  banner.hidden = !readOnly();
  banner.textContent = t("readOnly");
  $("presence").setAttribute("aria-label", t("presenceLabel"));
  $("activity").setAttribute("aria-label", t("activityLabel"));
}

/** What the others asked lately, newest first (the title of `#activity` lists them). */
const recent: string[] = [];

function statusWord(status: string): string {
  const key = `activity_${status}`;
  return isKey(key) ? t(key) : status;
}

function activityLine(a: ActivityMsg): string {
  const what = a.command ?? a.input;
  const how =
    a.status === "done"
      ? a.exit_code === 0
        ? "✓"
        : `✗ ${a.exit_code ?? ""}`.trim()
      : statusWord(a.status);
  return `${a.user}: ${what} · ${how}`;
}

/** Someone else ran something (on any process serving this workspace). */
export function activity(a: ActivityMsg): void {
  const el = $("activity");
  const line = activityLine(a);
  el.textContent = line;
  el.dataset.status = a.status;
  el.dataset.user = a.user;
  el.hidden = false;
  recent.unshift(`${new Date(a.at_ms).toLocaleTimeString()} ${line}`);
  recent.length = Math.min(recent.length, 10);
  el.title = `${t("activityLabel")}\n${recent.join("\n")}`;
}

export function presence(p: PresenceMsg): void {
  const list = $("presence");
  list.replaceChildren(
    ...p.users.map((u) => {
      const li = document.createElement("li");
      li.textContent = u.connections > 1 ? `${u.user} ×${u.connections}` : u.user;
      li.title = `${u.user} · ${roleWord(u.role)}`;
      if (me && u.user === me.user) li.className = "me";
      return li;
    }),
  );
  list.hidden = p.users.length < 2;
}

/** Wires the form and the logout button; `connect` reconnects once logged in. */
export function setup(socket: Socket, connect: () => void): void {
  $("login").addEventListener("submit", async (e) => {
    if (mode !== "accounts") return; // the token form posts as it always did
    e.preventDefault();
    const error = $("login-error");
    error.textContent = "";
    const body = {
      user: $<HTMLInputElement>("login-user").value,
      password: $<HTMLInputElement>("login-password").value,
      lang: lang(),
    };
    let res: Response;
    try {
      res = await fetch("login", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    } catch {
      error.textContent = t("loginFailed");
      return;
    }
    const answer = await res.json().catch(() => ({}));
    if (!res.ok) {
      error.textContent = answer.error ?? `${t("loginFailed")} (${res.status})`;
      return;
    }
    $<HTMLInputElement>("login-password").value = "";
    hideLogin();
    connect();
  });
  $("logout").addEventListener("click", async () => {
    await fetch("logout", { method: "POST", headers: writeHeaders() }).catch(() => undefined);
    me = null;
    $("who").hidden = true;
    $("logout").hidden = true;
    socket.disconnect();
    void showLogin();
  });
  socket.on("presence", presence);
  socket.on("activity", activity);
  socket.on("session_ended", (m: { message: string }) => {
    $("login-error").textContent = m.message || t("sessionEnded");
  });
}
