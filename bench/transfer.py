#!/usr/bin/env python3
"""Moving a big file in and out: atajo's streamed PUT / GET against Jupyter Server's contents
API, the way JupyterLab uploads (base64 JSON in 1 MiB chunks) and downloads (GET /files/).

    bench/.venv/bin/python bench/transfer.py --atajo target/release/atajo --mib 256

Both servers run side by side on one folder; rounds alternate atajo, Jupyter, … Each round
uploads a file of random bytes under a new name, downloads it, and checks it arrived whole.
Figures (medians; lower is better): upload and download time in ms, and each server's peak RSS.
"""

import base64
import hashlib
import os
import statistics
import sys
import time

import requests

from sidebyside import SideBySide, arguments, peak_rss_mib, print_table

CHUNK = 1024 * 1024


def chunks(data):
    for i in range(0, len(data), CHUNK):
        yield data[i : i + CHUNK]


def download_digest(url, headers):
    h = hashlib.sha256()
    with requests.get(url, headers=headers, stream=True, timeout=600) as r:
        r.raise_for_status()
        for c in r.iter_content(CHUNK):
            h.update(c)
    return h.hexdigest()


def atajo_round(base, token, name, data):
    auth = {"Authorization": f"Bearer {token}"}
    t0 = time.perf_counter()
    # A generator body: sent as it is produced (chunked), as a browser streams a File.
    r = requests.put(f"{base}/api/files/{name}", data=chunks(data), headers=auth, timeout=600)
    r.raise_for_status()
    t1 = time.perf_counter()
    digest = download_digest(f"{base}/api/files/{name}", auth)
    t2 = time.perf_counter()
    return (t1 - t0) * 1000, (t2 - t1) * 1000, digest


def jupyter_round(base, token, name, data):
    auth = {"Authorization": f"token {token}"}
    t0 = time.perf_counter()
    parts = list(chunks(data))
    for i, part in enumerate(parts, start=1):
        model = {
            "type": "file",
            "format": "base64",
            "name": name,
            "path": name,
            "chunk": -1 if i == len(parts) else i,
            "content": base64.b64encode(part).decode(),
        }
        r = requests.put(f"{base}/api/contents/{name}", json=model, headers=auth, timeout=600)
        r.raise_for_status()
    t1 = time.perf_counter()
    digest = download_digest(f"{base}/files/{name}", auth)
    t2 = time.perf_counter()
    return (t1 - t0) * 1000, (t2 - t1) * 1000, digest


def main():
    args = arguments(__doc__, mib=(int, 256))
    data = os.urandom(args.mib * CHUNK)
    want = hashlib.sha256(data).hexdigest()

    with SideBySide(args.atajo, args.jupyter) as s:
        rows = {"atajo": [], "jupyter": []}
        for r in range(args.rounds):
            rows["atajo"].append(atajo_round(s.atajo, s.token, f"a{r}.bin", data))
            rows["jupyter"].append(jupyter_round(s.jupyter, s.token, f"j{r}.bin", data))
            print(f"round {r + 1}: atajo {rows['atajo'][-1][:2]}, jupyter {rows['jupyter'][-1][:2]}", file=sys.stderr)
        for side, rws in rows.items():
            if any(digest != want for *_, digest in rws):
                raise SystemExit(f"{side}: a file came back different")
        fig = {}
        for i, name in enumerate(["upload (ms)", "download (ms)"]):
            fig[name] = tuple(statistics.median(x[i] for x in rows[side]) for side in ("atajo", "jupyter"))
        fig["peak RSS (MiB)"] = (peak_rss_mib(s.atajo_proc.pid), peak_rss_mib(s.jupyter_proc.pid))
        print_table(f"a {args.mib} MiB file up and down, {args.rounds} rounds alternating, medians", fig, args.json)


if __name__ == "__main__":
    main()
