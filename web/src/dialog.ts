// Modal questions (what a deletion removes, whether to replace a file, how to settle a save
// conflict), on the page's own <dialog>: no window.confirm, so they can list things and offer
// more than two answers.

import { shown } from "./names";

export interface Choice<T> {
  label: string;
  value: T;
  kind?: "primary" | "danger";
}

/** Asks, and resolves with the chosen value, or null when dismissed (Escape). */
export function ask<T>(title: string, body: (string | Node)[], choices: Choice<T>[]): Promise<T | null> {
  const dialog = document.createElement("dialog");
  dialog.className = "ask";
  const h = document.createElement("h3");
  h.textContent = title;
  dialog.append(h, ...body.map((b) => (typeof b === "string" ? paragraph(shown(b)) : b)));
  const row = document.createElement("div");
  row.className = "choices";
  dialog.append(row);
  document.body.append(dialog);
  return new Promise((resolve) => {
    let answer: T | null = null;
    for (const c of choices) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = c.label;
      if (c.kind) b.classList.add(c.kind);
      b.onclick = () => {
        answer = c.value;
        dialog.close();
      };
      row.append(b);
    }
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(answer);
    });
    dialog.showModal();
    (row.querySelector("button.primary") as HTMLButtonElement | null)?.focus();
  });
}

function paragraph(text: string): HTMLElement {
  const p = document.createElement("p");
  p.textContent = text;
  return p;
}

/** A scrollable list of names (what a deletion would remove). */
export function list(items: string[], max = 200): HTMLElement {
  const ul = document.createElement("ul");
  ul.className = "affected";
  for (const i of items.slice(0, max)) {
    const li = document.createElement("li");
    li.textContent = shown(i);
    ul.append(li);
  }
  if (items.length > max) {
    const li = document.createElement("li");
    li.textContent = `… +${items.length - max}`;
    ul.append(li);
  }
  return ul;
}
