"""atajo and Jupyter Server side by side on one folder, for the benchmarks in this directory:
each on a free loopback port with the same token, both stopped (and the folder removed) at the
end."""

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import requests


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


def peak_rss_mib(pid):
    """VmHWM: the most memory the process held at any moment."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def arguments(doc, **extra):
    """The options every side-by-side bench takes, plus its own (name -> (type, default))."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--atajo", required=True, help="the atajo binary (a release build)")
    ap.add_argument("--jupyter", default=default_jupyter())
    for name, (kind, default) in extra.items():
        ap.add_argument(f"--{name}", type=kind, default=default)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    return ap.parse_args()


def default_jupyter():
    return os.path.join(os.path.dirname(sys.executable), "jupyter")


class SideBySide:
    """`with SideBySide(atajo_bin, jupyter_bin) as s:` — `s.root` is the shared folder (fill it
    before the servers matter), `s.atajo` / `s.jupyter` their base URLs, `s.token` the token."""

    def __init__(self, atajo, jupyter, prepare=lambda root: None):
        self.bins = (atajo, jupyter)
        self.prepare = prepare
        self.token = secrets.token_hex(16)
        self.procs = []

    def __enter__(self):
        self.work = tempfile.mkdtemp(prefix="atajo-bench-")
        self.root = os.path.join(self.work, "root")
        os.makedirs(self.root)
        self.prepare(self.root)
        atajo, jupyter = self.bins
        ap, jp = free_port(), free_port()
        self.atajo_proc = self.spawn(
            [atajo, "serve", "--root", self.root, "--bind", f"127.0.0.1:{ap}", "--token", self.token]
        )
        self.jupyter_proc = self.spawn(
            [jupyter, "server", "--no-browser", f"--port={jp}", "--ip=127.0.0.1",
             f"--ServerApp.root_dir={self.root}", f"--IdentityProvider.token={self.token}", "--allow-root"]
        )
        self.atajo = f"http://127.0.0.1:{ap}"
        self.jupyter = f"http://127.0.0.1:{jp}"
        wait_http(f"{self.atajo}/healthz")
        wait_http(f"{self.jupyter}/api/status?token={self.token}")
        return self

    def spawn(self, argv):
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        self.procs.append(p)
        return p

    def __exit__(self, *exc):
        for p in self.procs:
            try:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(p.pid, signal.SIGKILL)
        shutil.rmtree(self.work, ignore_errors=True)
        return False


def print_table(title, figures, as_json=False):
    """`figures`: {name: (atajo, jupyter)}, lower is better; the ratio is jupyter/atajo."""
    import json

    print(f"\n{title}")
    print(f"{'figure':<28}{'atajo':>12}{'jupyter':>12}{'jupyter/atajo':>16}")
    for name, (a, j) in figures.items():
        print(f"{name:<28}{a:>12.1f}{j:>12.1f}{j / a:>15.1f}×")
    if as_json:
        print(json.dumps({k: {"atajo": a, "jupyter": j} for k, (a, j) in figures.items()}))
