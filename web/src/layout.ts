// The page's frame. A narrow screen (a phone) shows one pane at a time behind two tabs, the
// instruction bar always below; a wide one shows both, split where the person last dragged
// the splitter (kept in localStorage). The theme follows the system unless chosen.
import { t } from "./i18n";

export type Pane = "explorer" | "terminal";
export type Theme = "system" | "light" | "dark";

const NARROW = window.matchMedia("(max-width: 720px)");
const DARK = window.matchMedia("(prefers-color-scheme: dark)");
const PANE_KEY = "atajo.pane";
const SPLIT_KEY = "atajo.split";
const THEME_KEY = "atajo.theme";
/** The explorer's share of a wide screen, in percent. */
const SPLIT_MIN = 15;
const SPLIT_MAX = 70;

const $ = (id: string) => document.getElementById(id) as HTMLElement;

function stored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}
function store(key: string, value: string) {
  try {
    localStorage.setItem(key, value);
  } catch {
    /* private mode: remembered for this page only */
  }
}

export class Layout {
  private main = document.querySelector("main") as HTMLElement;
  private theme: Theme;

  constructor(private hooks: { shown(pane: Pane): void; themed(dark: boolean): void }) {
    const pane = stored(PANE_KEY);
    this.show(pane === "terminal" ? "terminal" : "explorer", false);
    for (const p of ["explorer", "terminal"] as Pane[]) {
      const tab = $(`tab-${p}`);
      tab.addEventListener("click", () => this.show(p));
      // Arrow keys move between tabs, as a tablist does.
      tab.addEventListener("keydown", (e) => {
        if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
        const other: Pane = p === "explorer" ? "terminal" : "explorer";
        this.show(other);
        $(`tab-${other}`).focus();
      });
    }
    NARROW.addEventListener("change", () => this.hooks.shown(this.pane()));
    this.split(Number(stored(SPLIT_KEY)) || 30, false);
    this.splitter();
    const theme = stored(THEME_KEY);
    this.theme = theme === "light" || theme === "dark" ? theme : "system";
    this.applyTheme();
    DARK.addEventListener("change", () => this.applyTheme());
    $("theme").addEventListener("click", () => {
      const order: Theme[] = ["system", "light", "dark"];
      this.theme = order[(order.indexOf(this.theme) + 1) % order.length];
      store(THEME_KEY, this.theme);
      this.applyTheme();
    });
  }

  /** One pane at a time: whether the screen is that narrow. */
  get narrow(): boolean {
    return NARROW.matches;
  }

  pane(): Pane {
    return this.main.dataset.pane === "terminal" ? "terminal" : "explorer";
  }

  /** Brings `pane` forward (on a narrow screen; a wide one shows both anyway). */
  show(pane: Pane, remember = true) {
    this.main.dataset.pane = pane;
    for (const p of ["explorer", "terminal"] as Pane[]) {
      const tab = $(`tab-${p}`);
      tab.setAttribute("aria-selected", String(p === pane));
      tab.tabIndex = p === pane ? 0 : -1;
    }
    if (pane === "terminal") $("tab-terminal").classList.remove("unread");
    if (remember) store(PANE_KEY, pane);
    this.hooks.shown(pane);
  }

  /** Something was written in the terminal: a hidden terminal's tab says so. */
  wrote() {
    if (this.narrow && this.pane() !== "terminal") $("tab-terminal").classList.add("unread");
  }

  applyLang() {
    $("tab-explorer").textContent = t("explorer");
    $("tab-terminal").textContent = t("terminal");
    $("splitter").setAttribute("aria-label", t("splitter"));
    this.applyTheme();
  }

  /** The explorer's share of a wide screen. */
  private split(percent: number, remember = true) {
    const p = Math.min(SPLIT_MAX, Math.max(SPLIT_MIN, Math.round(percent)));
    this.main.style.setProperty("--explorer-width", `${p}%`);
    const s = $("splitter");
    s.setAttribute("aria-valuenow", String(p));
    if (remember) store(SPLIT_KEY, String(p));
  }

  private splitter() {
    const s = $("splitter");
    s.setAttribute("aria-valuemin", String(SPLIT_MIN));
    s.setAttribute("aria-valuemax", String(SPLIT_MAX));
    s.addEventListener("pointerdown", (e) => {
      e.preventDefault();
      s.setPointerCapture(e.pointerId);
      s.classList.add("dragging");
      const box = this.main.getBoundingClientRect();
      const move = (m: PointerEvent) => this.split(((m.clientX - box.left) / box.width) * 100);
      const up = () => {
        s.classList.remove("dragging");
        s.removeEventListener("pointermove", move);
        s.removeEventListener("pointerup", up);
        s.removeEventListener("pointercancel", up);
      };
      s.addEventListener("pointermove", move);
      s.addEventListener("pointerup", up);
      s.addEventListener("pointercancel", up);
    });
    // A separator the keyboard can move, 2 % a press (10 % with Shift).
    s.addEventListener("keydown", (e) => {
      const now = Number(s.getAttribute("aria-valuenow")) || 30;
      const step = e.shiftKey ? 10 : 2;
      const to =
        e.key === "ArrowLeft" ? now - step : e.key === "ArrowRight" ? now + step : e.key === "Home" ? SPLIT_MIN : e.key === "End" ? SPLIT_MAX : null;
      if (to === null) return;
      e.preventDefault();
      this.split(to);
    });
  }

  private applyTheme() {
    const dark = this.theme === "dark" || (this.theme === "system" && DARK.matches);
    const root = document.documentElement;
    if (this.theme === "system") delete root.dataset.theme;
    else root.dataset.theme = this.theme;
    root.style.colorScheme = dark ? "dark" : "light";
    const b = $("theme");
    // A glyph every font has (no emoji font needed); the words are its name.
    b.textContent = this.theme === "system" ? "◐" : this.theme === "light" ? "☀" : "☾";
    const label = t(this.theme === "system" ? "themeSystem" : this.theme === "light" ? "themeLight" : "themeDark");
    b.setAttribute("aria-label", label);
    b.title = `${label}. ${t("themeSwitch")}`;
    b.dataset.theme = this.theme;
    this.hooks.themed(dark);
  }
}
