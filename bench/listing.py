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

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import requests
import socketio


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


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


def rss_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--atajo", required=True, help="the atajo binary (a release build)")
    ap.add_argument("--jupyter", default=os.path.join(os.path.dirname(sys.executable), "jupyter"))
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="atajo-listing-")
    root = os.path.join(work, "root")
    folder = "big"
    os.makedirs(os.path.join(root, folder))
    t = time.perf_counter()
    for i in range(args.entries):
        with open(os.path.join(root, folder, f"file{i}.txt"), "w"):
            pass
    print(f"made {args.entries} files in {time.perf_counter() - t:.1f} s", file=sys.stderr)

    token = secrets.token_hex(16)
    procs = []
    try:
        ap_port, jp_port = free_port(), free_port()
        atajo = subprocess.Popen(
            [args.atajo, "serve", "--root", root, "--bind", f"127.0.0.1:{ap_port}", "--token", token],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        procs.append(atajo)
        jupyter = subprocess.Popen(
            [args.jupyter, "server", "--no-browser", f"--port={jp_port}", "--ip=127.0.0.1",
             f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}", "--allow-root"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        procs.append(jupyter)
        wait_http(f"http://127.0.0.1:{ap_port}/healthz")
        wait_http(f"http://127.0.0.1:{jp_port}/api/status?token={token}")

        rows = {"atajo": [], "jupyter": []}
        for r in range(args.rounds):
            rows["atajo"].append(atajo_round(f"http://127.0.0.1:{ap_port}", token, folder))
            rows["jupyter"].append(jupyter_round(f"http://127.0.0.1:{jp_port}", token, folder))
            print(f"round {r + 1}: atajo {rows['atajo'][-1]}, jupyter {rows['jupyter'][-1]}", file=sys.stderr)
        for side, rws in rows.items():
            if any(n != args.entries for *_, n in rws):
                raise SystemExit(f"{side} listed {[n for *_, n in rws]} entries, not {args.entries}")
        fig = {}
        for i, name in enumerate(["first page (ms)", "complete (ms)"]):
            a = statistics.median(x[i] for x in rows["atajo"])
            j = statistics.median(x[i] for x in rows["jupyter"])
            fig[name] = (a, j)
        fig["peak RSS (MiB)"] = (rss_mib(atajo.pid), rss_mib(jupyter.pid))
        print(f"\nlisting {args.entries} entries, {args.rounds} rounds alternating, medians")
        print(f"{'figure':<20}{'atajo':>12}{'jupyter':>12}{'jupyter/atajo':>16}")
        for name, (a, j) in fig.items():
            print(f"{name:<20}{a:>12.1f}{j:>12.1f}{j / a:>15.1f}×")
        if args.json:
            print(json.dumps({k: {"atajo": a, "jupyter": j} for k, (a, j) in fig.items()}))
    finally:
        for p in procs:
            try:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(p.pid, signal.SIGKILL)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
