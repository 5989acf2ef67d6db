// Who shows which folder: the explorer and an open preview may need the same one, and the
// server knows only "subscribed or not". Counted here, so one letting go does not blind the
// other.
import type { Socket } from "socket.io-client";
import type { SubscribeReply } from "./protocol/SubscribeReply";
import { lang } from "./i18n";

export class Subscriptions {
  private held = new Map<string, number>();

  constructor(
    private socket: Socket,
    private onError: (message: string) => void,
  ) {}

  hold(path: string) {
    const n = this.held.get(path) ?? 0;
    this.held.set(path, n + 1);
    if (n === 0) this.subscribe(path);
  }

  release(path: string) {
    const n = this.held.get(path) ?? 0;
    if (n <= 1) {
      this.held.delete(path);
      if (n === 1) this.socket.emit("unsubscribe", { path });
    } else this.held.set(path, n - 1);
  }

  /** Lists `path` again (a refresh, or after a gap): the server re-sends its snapshot. */
  subscribe(path: string) {
    this.socket.emit("subscribe", { path, lang: lang() }, (r: SubscribeReply) => {
      if (!r.ok) this.onError(r.error ?? "");
    });
  }

  /** A new connection knows nothing, and a new language is said from the next listing on:
   * subscribe again to everything held. */
  reconnected() {
    for (const path of this.held.keys()) this.subscribe(path);
  }
}
