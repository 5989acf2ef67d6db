// Debian's chromium, headless, driven by playwright-core, as every browser test launches it.
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu"],
  });
}

/** Waits for `locator`; when it does not come, says what the page was doing: whether the
 * preview pane is open and what it shows, and every request for a file (to tell a lost
 * double-click from a request that never ended). */
export async function waitOrExplain(page, locator, timeout) {
  try {
    await locator.waitFor({ timeout });
  } catch (e) {
    const state = await page
      .evaluate(() => ({
        viewerHidden: document.querySelector("#viewer")?.hidden,
        viewer: document.querySelector("#viewer")?.textContent.slice(0, 200),
        active: document.activeElement?.outerHTML.slice(0, 120),
        files: performance
          .getEntriesByType("resource")
          .filter((r) => r.name.includes("/api/files") || r.name.includes("/assets/"))
          .map((r) => `${r.name.replace(location.origin, "")} ${Math.round(r.startTime)}+${Math.round(r.duration)}ms`),
      }))
      .catch((err) => ({ evaluate: String(err) }));
    e.message += `\npage state: ${JSON.stringify(state, null, 1)}`;
    throw e;
  }
}
