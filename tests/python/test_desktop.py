"""The desktop integration against a private session bus: a real dbus-daemon started here, with
stand-in org.freedesktop.FileManager1 and org.freedesktop.Notifications services (dbus-fast)
that record what they are asked. The real atajo binary, told the bus's address, is driven by
the real python-socketio client: "show in file manager", a notification for a long command
that ends while the page is hidden (and none while it is shown), and the messages when no file
manager answers or the path leads outside."""

import asyncio
import os
import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest
import socketio

from test_socketio import BIN, Waiter

pytestmark = pytest.mark.skipif(
    shutil.which("dbus-daemon") is None and os.environ.get("CI") != "true",
    reason="no dbus-daemon here",
)


def stand_ins(address, calls, ready, stop):
    """Runs FileManager1 and Notifications on the bus at `address` until `stop` is set."""
    from dbus_fast import BusType  # noqa: F401  (the import checks dbus-fast is there)
    from dbus_fast.aio import MessageBus
    from dbus_fast.service import ServiceInterface, method

    class FileManager(ServiceInterface):
        def __init__(self):
            super().__init__("org.freedesktop.FileManager1")

        @method()
        def ShowItems(self, uris: "as", startup_id: "s"):  # noqa: N802, F821
            calls.append(("ShowItems", list(uris), startup_id))

    class Notifications(ServiceInterface):
        def __init__(self):
            super().__init__("org.freedesktop.Notifications")

        @method()
        def Notify(self, app: "s", replaces: "u", icon: "s", summary: "s", body: "s",  # noqa: N802, F821
                   actions: "as", hints: "a{sv}", timeout: "i") -> "u":  # noqa: F821
            calls.append(("Notify", app, summary, body))
            return len(calls)

    async def main():
        bus = await MessageBus(bus_address=address).connect()
        bus.export("/org/freedesktop/FileManager1", FileManager())
        bus.export("/org/freedesktop/Notifications", Notifications())
        await bus.request_name("org.freedesktop.FileManager1")
        await bus.request_name("org.freedesktop.Notifications")
        ready.set()
        while not stop.is_set():
            if stop_file_manager.is_set() and not released[0]:
                await bus.release_name("org.freedesktop.FileManager1")
                released[0] = True
                released_event.set()
            await asyncio.sleep(0.02)
        bus.disconnect()

    asyncio.run(main())


stop_file_manager = threading.Event()
released_event = threading.Event()
released = [False]


@pytest.fixture(scope="module")
def desktop():
    tmp = Path(tempfile.mkdtemp(prefix="atajo-dbus-")).resolve()
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1",
         f"--address=unix:path={tmp}/bus"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    address = daemon.stdout.readline().strip()
    assert address.startswith("unix:"), address
    calls, ready, stop = [], threading.Event(), threading.Event()
    services = threading.Thread(target=stand_ins, args=(address, calls, ready, stop), daemon=True)
    services.start()
    assert ready.wait(10), "the stand-in services did not come up"

    root = tmp / "ws"
    root.mkdir()
    (root / "informe final.txt").write_text("hola\n")
    (root / "fuera").symlink_to("/etc")
    # Read at 200-400 MB/s here: a command of a few seconds.
    with open(root / "grande.bin", "wb") as f:
        f.truncate(2**30)
    proc = subprocess.Popen(
        [BIN, "serve", "--root", str(root), "--bind", "127.0.0.1:0", "--data-dir", str(tmp / "data")],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "ATAJO_LOG": "warn", "DBUS_SESSION_BUS_ADDRESS": address,
             "ATAJO_NOTIFY_AFTER": "1"},
    )
    url = next(m.group(1) for line in proc.stdout if (m := re.search(r"open (http://\S+)", line)))
    base, token = re.match(r"(http://[^/]+)/\?token=(\w+)", url).groups()
    yield {"base": base, "token": token, "root": root, "calls": calls}
    proc.terminate()
    proc.wait(timeout=15)
    stop.set()
    services.join(5)
    daemon.terminate()
    daemon.wait(timeout=5)
    shutil.rmtree(tmp, ignore_errors=True)


def connected(desktop):
    c = socketio.Client(reconnection=False)
    w = Waiter(c, ["hello", "exit", "plan"])
    c.connect(desktop["base"], transports=["websocket"], auth={"token": desktop["token"]}, wait_timeout=5)
    return c, w


def test_show_in_file_manager_through_the_session_bus(desktop):
    c, w = connected(desktop)
    _, hello = w.wait(lambda n, d: n == "hello")
    assert hello["desktop"] is True
    r = c.call("reveal", {"path": "informe final.txt"}, timeout=10)
    assert r == {"ok": True}
    shown = [x for x in desktop["calls"] if x[0] == "ShowItems"]
    assert shown == [("ShowItems", [f"file://{desktop['root']}/informe%20final.txt"], "")]

    outside = c.call("reveal", {"path": "fuera", "lang": "en"}, timeout=10)
    assert outside["ok"] is False and "outside" in outside["error"]
    climbing = c.call("reveal", {"path": "../x", "lang": "es"}, timeout=10)
    assert climbing["ok"] is False and "dentro del espacio de trabajo" in climbing["error"]
    # Malformed and huge requests get an answer in words; nothing reaches the desktop.
    wrong = c.call("reveal", 42, timeout=10)
    assert wrong["ok"] is False and wrong["error"]
    huge = c.call("reveal", {"path": "a/" * 50_000}, timeout=10)
    assert huge["ok"] is False and huge["error"]
    c.emit("visibility", "not an object")
    c.emit("visibility", {"hidden": "yes"})
    assert len([x for x in desktop["calls"] if x[0] == "ShowItems"]) == 1
    assert c.call("reveal", {"path": "nada.txt", "lang": "en"}, timeout=10)["ok"] is False

    # No file manager on the bus any more: said in words, nothing breaks.
    stop_file_manager.set()
    assert released_event.wait(5)
    gone = c.call("reveal", {"path": "informe final.txt", "lang": "en"}, timeout=10)
    assert gone == {"ok": False, "error": "no file manager answers on this desktop"}
    c.disconnect()


def test_a_long_command_ending_while_hidden_is_announced(desktop):
    c, w = connected(desktop)
    w.wait(lambda n, d: n == "hello")
    # Shown: no notification.
    c.emit("command", {"id": "visible", "command": "sha256sum grande.bin", "lang": "en"})
    w.wait(lambda n, d: n == "exit" and d["id"] == "visible", timeout=30)
    assert not [x for x in desktop["calls"] if x[0] == "Notify"]
    # Hidden (another tab): the desktop says it ended.
    c.emit("visibility", {"hidden": True})
    c.emit("command", {"id": "hidden", "command": "sha256sum grande.bin", "lang": "en"})
    _, exit_msg = w.wait(lambda n, d: n == "exit" and d["id"] == "hidden", timeout=30)
    assert exit_msg["code"] == 0 and exit_msg["duration_ms"] >= 1000
    for _ in range(100):
        notes = [x for x in desktop["calls"] if x[0] == "Notify"]
        if notes:
            break
        threading.Event().wait(0.05)
    assert notes == [("Notify", "atajo", "atajo: a command ended", notes[0][3])]
    assert re.fullmatch(r"sha256sum grande\.bin — exit 0 after \d+ s", notes[0][3])
    c.disconnect()
