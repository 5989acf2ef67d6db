"""The original design's protocol, spoken by the real python-socketio client (as the
original Python clients do) against the real atajo binary."""

import os
import shutil
import re
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest
import socketio

BIN = os.environ.get("ATAJO_BIN") or str(Path(__file__).resolve().parents[2] / "target/debug/atajo")


@pytest.fixture(scope="module")
def server():
    root = Path(tempfile.mkdtemp(prefix="atajo-py-")).resolve()
    # atajo's own state goes beside the root, not into the tester's home.
    data = Path(tempfile.mkdtemp(prefix="atajo-py-data-")).resolve()
    proc = subprocess.Popen(
        [BIN, "serve", "--root", str(root), "--bind", "127.0.0.1:0", "--data-dir", str(data)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "ATAJO_LOG": "warn"},
    )
    url = None
    for line in proc.stdout:
        m = re.search(r"open (http://\S+)", line)
        if m:
            url = m.group(1)
            break
    assert url, "atajo did not print its URL"
    base, token = re.match(r"(http://[^/]+)/\?token=(\w+)", url).groups()
    yield {"base": base, "token": token, "root": root, "proc": proc}
    proc.terminate()
    proc.wait(timeout=10)
    shutil.rmtree(data, ignore_errors=True)
    shutil.rmtree(root, ignore_errors=True)


class Waiter:
    """Collects events of one client so a test can wait for a specific one."""

    def __init__(self, client, names):
        self.cond = threading.Condition()
        self.seen = []
        for name in names:
            client.on(name, self._handler(name))

    def _handler(self, name):
        def h(data):
            with self.cond:
                self.seen.append((name, data))
                self.cond.notify_all()

        return h

    def wait(self, pred, timeout=5):
        with self.cond:
            ok = self.cond.wait_for(lambda: any(pred(n, d) for n, d in self.seen), timeout)
            assert ok, f"not received within {timeout}s; got {self.seen[-5:]}"
            return next((n, d) for n, d in self.seen if pred(n, d))


def client(server, **kw):
    c = socketio.Client(reconnection=False)
    w = Waiter(c, ["respuesta_terminal", "error_terminal", "nuevo_archivo"])
    c.connect(server["base"], transports=["websocket"], wait_timeout=5, **kw)
    return c, w


def test_instruction_creates_folder_and_every_client_hears(server):
    a, wa = client(server, auth={"token": server["token"]})
    b, wb = client(server, auth={"token": server["token"]})
    a.emit("comando_natural", {"texto": "crear carpeta DESDE_PYTHON"})
    _, reply = wa.wait(lambda n, d: n == "respuesta_terminal")
    assert reply["command"] == "mkdir DESDE_PYTHON"
    assert reply["exit_code"] == 0
    wa.wait(lambda n, d: n == "nuevo_archivo" and d["ruta"] == "DESDE_PYTHON")
    wb.wait(lambda n, d: n == "nuevo_archivo" and d["ruta"] == "DESDE_PYTHON")
    assert (server["root"] / "DESDE_PYTHON").is_dir()
    a.disconnect()
    b.disconnect()


def test_a_script_follows_who_ran_what(server):
    a, wa = client(server, auth={"token": server["token"]})
    b, _ = client(server, auth={"token": server["token"]})
    wb = Waiter(b, ["activity"])
    try:
        assert b.call("follow_activity", {"on": True}, timeout=5) == {"ok": True}
        a.emit("comando_natural", {"texto": "crear carpeta SEGUIDA"})
        wa.wait(lambda n, d: n == "respuesta_terminal")
        _, done = wb.wait(lambda n, d: d.get("status") == "done")
        seen = [d for n, d in wb.seen]
        assert [d["status"] for d in seen] == ["running", "done"], seen
        assert done["kind"] == "comando_natural"
        assert done["input"] == "crear carpeta SEGUIDA"
        assert "mkdir" in done["command"] and done["exit_code"] == 0
        assert seen[0]["id"] == done["id"] and done["node"]
        # A malformed one is answered, not dropped.
        answer = b.call("follow_activity", {"on": "sí"}, timeout=5)
        assert answer["ok"] is False and answer["error"]
    finally:
        a.disconnect()
        b.disconnect()


def test_bad_payloads_are_answered(server):
    a, wa = client(server, auth={"token": server["token"]})
    for payload in [{}, {"texto": 7}, "texto", {"texto": "y" * (1024 * 1024)}]:
        before = len(wa.seen)
        a.emit("comando_natural", payload)
        name, data = wa.wait(lambda n, d, k=before: len(wa.seen) > k and n in ("error_terminal", "respuesta_terminal"))
        name, data = wa.seen[before]
        assert name == "error_terminal", payload if isinstance(payload, dict) and len(str(payload)) < 80 else "big"
        assert data["reason"] == "bad_request"
    a.emit("comando_natural", {"texto": "crea la carpeta luego_valida"})
    wa.wait(lambda n, d: n == "respuesta_terminal" and d["command"] == "mkdir luego_valida")
    a.disconnect()


@pytest.mark.parametrize("auth", [None, {"token": "0" * 64}, {"token": ""}, {"nothing": 1}])
def test_wrong_or_missing_token_is_refused(server, auth):
    c = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        c.connect(server["base"], transports=["websocket"], auth=auth, wait_timeout=5)


def test_foreign_origin_is_refused(server):
    c = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        c.connect(
            server["base"],
            transports=["websocket"],
            auth={"token": server["token"]},
            headers={"Origin": "http://evil.example"},
            wait_timeout=5,
        )
    assert server["proc"].poll() is None


def test_explorer_action_and_http_upload_from_python(server):
    """A script drives the explorer's protocol: an action becomes a command, an upload is a
    streamed PUT, and both reach the subscriber's feed."""
    import json
    import urllib.error
    import urllib.request

    c = socketio.Client(reconnection=False)
    w = Waiter(c, ["plan", "exit", "action_refused", "fs_changes"])
    c.connect(server["base"], transports=["websocket"], wait_timeout=5, auth={"token": server["token"]})
    assert c.call("subscribe", {"path": ""}, timeout=5)["ok"]
    c.emit("action", {"id": "py1", "action": {"op": "new_folder", "dir": "", "name": "desde python"}, "lang": "es"})
    _, plan = w.wait(lambda n, d: n == "plan" and d["id"] == "py1")
    assert plan["command"] == "mkdir 'desde python'"
    assert plan["source"] == "explorer"
    _, done = w.wait(lambda n, d: n == "exit" and d["id"] == "py1")
    assert done["code"] == 0
    w.wait(lambda n, d: n == "fs_changes" and any(ch["path"] == "desde python" for ch in d["changes"]))

    c.emit("action", {"id": "py2", "action": {"op": "rename", "item": {"path": "desde python", "tag": "0-0-0-0"}, "name": "x"}})
    _, refused = w.wait(lambda n, d: n == "action_refused" and d["id"] == "py2")
    assert refused["kind"] == "conflict"

    def put(path, body, query=""):
        req = urllib.request.Request(
            f"{server['base']}/api/files/{urllib.request.quote(path)}{query}",
            data=body,
            method="PUT",
            headers={"Authorization": f"Bearer {server['token']}"},
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    status, body = put("desde python/datos.bin", bytes(range(256)) * 4096)
    assert status == 200, body
    assert body["entry"]["size"] == 1024 * 1024
    assert (server["root"] / "desde python" / "datos.bin").read_bytes() == bytes(range(256)) * 4096
    status, body = put("desde python/datos.bin", b"again")
    assert (status, body["kind"]) == (409, "exists")
    status, body = put("../fuera.txt", b"x")
    assert status in (400, 404)
    assert not (server["root"].parent / "fuera.txt").exists()
    c.disconnect()


def test_metrics_scraped_with_a_real_prometheus_parser(server):
    import requests
    from prometheus_client.openmetrics.parser import text_string_to_metric_families

    a, wa = client(server, auth={"token": server["token"]})
    a.emit("comando_natural", {"texto": "crear carpeta MEDIDA"})
    wa.wait(lambda n, d: n == "respuesta_terminal")
    base = server["base"]
    assert requests.get(f"{base}/metrics").status_code == 401
    r = requests.get(f"{base}/metrics", headers={"Authorization": f"Bearer {server['token']}"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/openmetrics-text")
    families = {f.name: f for f in text_string_to_metric_families(r.text)}
    assert families["atajo_connections"].samples[0].value >= 1
    requests_seen = [
        s for s in families["atajo_requests"].samples
        if s.labels.get("kind") == "comando_natural" and s.labels.get("verdict") == "allowed"
    ]
    assert requests_seen and requests_seen[0].value >= 1
    assert requests_seen[0].labels["source"] == "rules"
    counts = [s for s in families["atajo_command_duration_seconds"].samples if s.name.endswith("_count")]
    assert counts[0].value >= 1
    assert any(s.name.endswith("_count") and s.value >= 1 for s in families["atajo_translation_duration_seconds"].samples)
    assert families["atajo_history_write_failing"].samples[0].value == 0
    # Never a token in what is scraped.
    assert server["token"] not in r.text
    assert requests.get(f"{base}/healthz").json()["status"] == "ok"
    ready = requests.get(f"{base}/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    a.disconnect()


def test_logs_as_json_lines_without_the_token():
    import json as _json

    root = Path(tempfile.mkdtemp(prefix="atajo-py-log-")).resolve()
    data = Path(tempfile.mkdtemp(prefix="atajo-py-log-data-")).resolve()
    token = "f" * 40
    proc = subprocess.Popen(
        [BIN, "serve", "--root", str(root), "--bind", "127.0.0.1:0", "--data-dir", str(data), "--token", token],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "ATAJO_LOG": "info", "ATAJO_LOG_FORMAT": "json"},
    )
    try:
        lines = []
        for line in proc.stderr:
            lines.append(line)
            if "listening" in line:
                break
        port = re.search(r'"local":"127\.0\.0\.1:(\d+)"', lines[-1]).group(1)
        c = socketio.Client(reconnection=False)
        c.connect(f"http://127.0.0.1:{port}", transports=["websocket"], auth={"token": token}, wait_timeout=5)
        c.emit("comando_natural", {"texto": "crear carpeta REGISTRADA"})
        for line in proc.stderr:
            lines.append(line)
            if '"message":"request"' in line:
                break
        c.disconnect()
        events = [_json.loads(line) for line in lines]
        assert all("level" in e and "fields" in e for e in events)
        assert any(e["fields"].get("message") == "listening" for e in events)
        # One event per request, with its timings, and never its words.
        request = next(e for e in events if e["fields"].get("message") == "request")
        assert request["target"] == "atajo::request"
        f = request["fields"]
        assert (f["kind"], f["source"], f["verdict"], f["status"], f["exit_code"]) == (
            "comando_natural", "rules", "allowed", "done", 0)
        assert f["translate_ms"] >= 0 and f["run_ms"] > 0 and f["total_ms"] >= f["run_ms"]
        assert "REGISTRADA" not in line
        assert token not in "".join(lines)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(root, ignore_errors=True)


def test_beneath_a_base_path_and_a_clean_stop():
    """Served beneath /equipo/docs (as behind a proxy's sub-path): python-socketio finds it at
    that socketio_path; on SIGTERM the client is told, and the server exits 0."""
    import signal

    import requests

    root = Path(tempfile.mkdtemp(prefix="atajo-py-base-")).resolve()
    data = Path(tempfile.mkdtemp(prefix="atajo-py-base-data-")).resolve()
    proc = subprocess.Popen(
        [BIN, "serve", "--root", str(root), "--bind", "127.0.0.1:0", "--data-dir", str(data),
         "--base-path", "/equipo/docs/"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "ATAJO_LOG": "warn"},
    )
    try:
        url = next(m.group(1) for line in proc.stdout if (m := re.search(r"open (http://\S+)", line)))
        base, token = re.match(r"(http://[^/]+)/equipo/docs/\?token=(\w+)", url).groups()
        assert requests.get(f"{base}/equipo/docs/healthz", timeout=5).status_code == 200
        outside = requests.get(f"{base}/healthz", timeout=5)
        assert outside.status_code == 404 and "/equipo/docs/" in outside.text
        # Dot segments and look-alike prefixes lead nowhere (sent as is, not normalized).
        import http.client
        for path in ["/equipo/docs/../healthz", "/equipo/docs/../../etc/passwd", "/equipo/docsx/healthz",
                     "/equipo/docs/%2e%2e/%2e%2e/etc/passwd"]:
            conn = http.client.HTTPConnection(base.removeprefix("http://"), timeout=5)
            conn.request("GET", path)
            res = conn.getresponse()
            body = res.read()
            assert res.status == 404 and b"root:" not in body, path
            conn.close()

        c = socketio.Client(reconnection=False)
        w = Waiter(c, ["respuesta_terminal", "server_stopping"])
        c.connect(base, socketio_path="equipo/docs/socket.io", transports=["websocket"],
                  auth={"token": token}, wait_timeout=5)
        c.emit("comando_natural", {"texto": "crear carpeta BAJO_RUTA"})
        _, reply = w.wait(lambda n, d: n == "respuesta_terminal")
        assert reply["exit_code"] == 0 and (root / "BAJO_RUTA").is_dir()

        proc.send_signal(signal.SIGTERM)
        _, told = w.wait(lambda n, d: n == "server_stopping")
        assert told["grace_ms"] == 10_000
        assert proc.wait(timeout=15) == 0
        c.disconnect()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(root, ignore_errors=True)


def test_metrics_on_a_loopback_port_of_their_own():
    """--metrics-bind: /metrics without a token on loopback (a local Prometheus), with the
    watcher, feed, network, sandbox and build series; refused anywhere but loopback."""
    import socket
    import time

    import requests
    from prometheus_client.openmetrics.parser import text_string_to_metric_families

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    root = Path(tempfile.mkdtemp(prefix="atajo-py-metrics-")).resolve()
    data = Path(tempfile.mkdtemp(prefix="atajo-py-metrics-data-")).resolve()
    refused = subprocess.run(
        [BIN, "serve", "--root", str(root), "--bind", "127.0.0.1:0", "--data-dir", str(data),
         "--metrics-bind", f"0.0.0.0:{port}"],
        capture_output=True, text=True, timeout=20,
    )
    assert refused.returncode != 0 and "loopback" in refused.stderr
    proc = subprocess.Popen(
        [BIN, "serve", "--root", str(root), "--bind", "127.0.0.1:0", "--data-dir", str(data),
         "--metrics-bind", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "ATAJO_LOG": "warn"},
    )
    try:
        url = next(m.group(1) for line in proc.stdout if (m := re.search(r"open (http://\S+)", line)))
        base, token = re.match(r"(http://[^/]+)/\?token=(\w+)", url).groups()
        c = socketio.Client(reconnection=False)
        w = Waiter(c, ["respuesta_terminal", "nuevo_archivo"])
        c.connect(base, transports=["websocket"], auth={"token": token}, wait_timeout=5)
        c.emit("comando_natural", {"texto": "crear carpeta CONTADA"})
        w.wait(lambda n, d: n == "respuesta_terminal")
        w.wait(lambda n, d: n == "nuevo_archivo" and d["ruta"] == "CONTADA")
        # What atajo's own commands change is announced by the pipeline; the watcher's own
        # events are what other programs do.
        (root / "externo.txt").write_text("x")
        w.wait(lambda n, d: n == "nuevo_archivo" and d["ruta"] == "externo.txt")

        assert requests.get(f"{base}/metrics", timeout=5).status_code == 401, "the main port still asks"
        r = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
        assert r.status_code == 200
        families = {f.name: f for f in text_string_to_metric_families(r.text)}
        value = lambda name: families[name].samples[0].value  # noqa: E731
        assert value("atajo_watcher_events") >= 1
        assert value("atajo_watcher_overflows") == 0
        assert value("atajo_feed_resyncs") == 0
        assert value("atajo_feed_backlog") == 0
        assert value("atajo_requests_running") == 0
        assert value("atajo_shell_terminals") == 0
        assert value("atajo_sandbox_failures") == 0
        assert value("atajo_network_received_bytes") > 100
        assert value("atajo_network_sent_bytes") > 100
        assert families["atajo_build"].samples[0].labels["version"]
        assert abs(value("atajo_start_time_seconds") - time.time()) < 120
        assert token not in r.text
        assert requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5).json()["status"] == "ready"
        # A page that rebinds its own name to this port gets nothing.
        assert requests.get(f"http://127.0.0.1:{port}/metrics", headers={"Host": "evil.example"},
                            timeout=5).status_code == 403
        c.disconnect()
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(root, ignore_errors=True)
