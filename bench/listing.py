#!/usr/bin/env python3
"""Listing a huge folder: atajo's paged snapshot against Jupyter Server's contents API.

Both servers run side by side on the same fresh folder of N empty files; rounds alternate
atajo, Jupyter, atajo, Jupyter... Prints medians per figure and the ratio jupyter/atajo.

    python3 -m venv bench/.venv && bench/.venv/bin/pip install -r bench/requirements.txt
    bench/.venv/bin/python bench/listing.py --atajo target/release/atajo --entries 100000

Figures, measured by a client on the same machine:
- first page: request sent -> the first entries are in the client's hands (atajo: the first
  `listing` page after `subscribe`; Jupyter has no paging, so its whole reply, parsed).
- complete: request sent -> every entry is in the client's hands, parsed.
"""

import os
import statistics
import sys
import threading
import time

import requests
import socketio

from sidebyside import SideBySide, arguments, peak_rss_mib, print_table


def atajo_round(base, token, folder):
    sio = socketio.Client()
    done = threading.Event()
    marks = {}
    count = [0]

    @sio.on("listing")
    def on_listing(page):
        if page["path"] != folder:
            return
        count[0] += len(page["entries"])
        if page["offset"] == 0:
            marks["first"] = time.perf_counter()
        if page["done"]:
            marks["done"] = time.perf_counter()
            done.set()

    sio.connect(base, auth={"token": token}, transports=["websocket"])
    t0 = time.perf_counter()
    sio.emit("subscribe", {"path": folder})
    if not done.wait(120):
        raise SystemExit("atajo: the listing never completed")
    sio.disconnect()
    return (marks["first"] - t0) * 1000, (marks["done"] - t0) * 1000, count[0]


def jupyter_round(base, token, folder):
    t0 = time.perf_counter()
    r = requests.get(
        f"{base}/api/contents/{folder}",
        params={"content": "1", "type": "directory"},
        headers={"Authorization": f"token {token}"},
        timeout=300,
    )
    r.raise_for_status()
    model = r.json()
    t1 = time.perf_counter()
    ms = (t1 - t0) * 1000
    return ms, ms, len(model["content"])


def main():
    args = arguments(__doc__, entries=(int, 100_000))

    folder = "big"

    def prepare(root):
        os.makedirs(os.path.join(root, folder))
        t = time.perf_counter()
        for i in range(args.entries):
            with open(os.path.join(root, folder, f"file{i}.txt"), "w"):
                pass
        print(f"made {args.entries} files in {time.perf_counter() - t:.1f} s", file=sys.stderr)

    with SideBySide(args.atajo, args.jupyter, prepare) as s:
        token = s.token
        rows = {"atajo": [], "jupyter": []}
        for r in range(args.rounds):
            rows["atajo"].append(atajo_round(s.atajo, token, folder))
            rows["jupyter"].append(jupyter_round(s.jupyter, token, folder))
            print(f"round {r + 1}: atajo {rows['atajo'][-1]}, jupyter {rows['jupyter'][-1]}", file=sys.stderr)
        for side, rws in rows.items():
            if any(n != args.entries for *_, n in rws):
                raise SystemExit(f"{side} listed {[n for *_, n in rws]} entries, not {args.entries}")
        fig = {}
        for i, name in enumerate(["first page (ms)", "complete (ms)"]):
            a = statistics.median(x[i] for x in rows["atajo"])
            j = statistics.median(x[i] for x in rows["jupyter"])
            fig[name] = (a, j)
        fig["peak RSS (MiB)"] = (peak_rss_mib(s.atajo_proc.pid), peak_rss_mib(s.jupyter_proc.pid))
        print_table(f"listing {args.entries} entries, {args.rounds} rounds alternating, medians", fig, args.json)


if __name__ == "__main__":
    main()
