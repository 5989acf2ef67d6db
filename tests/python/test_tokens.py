"""Tokens for scripts, against the real server with python-socketio and requests: a JWT from
`atajo token create` connects as its account; forged, expired, alg-none, HS256-keyed-with-the-
public-key and revoked-jti tokens are refused. Tokens are re-signed here with the server's own
key (read from its database), so a refusal is the claim's fault, never a bad signature's."""

import base64
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

import jwt
import pytest
import requests
import socketio
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

BIN = os.environ.get("ATAJO_BIN") or str(Path(__file__).resolve().parents[2] / "target/debug/atajo")


@pytest.fixture(scope="module")
def server():
    root = Path(tempfile.mkdtemp(prefix="atajo-tok-")).resolve()
    data = Path(tempfile.mkdtemp(prefix="atajo-tok-data-")).resolve()
    (root / "a").mkdir()
    (root / "a" / "f.txt").write_text("mine\n")
    (root / "b").mkdir()
    ws = ["--workspace", str(root), "--data-dir", str(data)]
    subprocess.run(
        [BIN, "user", "add", "ana", "--role", "operator", "--root", "a", "--password-stdin", *ws],
        input="ana-password-1\n", text=True, check=True, capture_output=True,
    )
    proc = subprocess.Popen(
        [BIN, "serve", "--root", str(root), "--bind", "127.0.0.1:0", "--data-dir", str(data)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "ATAJO_LOG": "warn"},
    )
    url = None
    for line in proc.stdout:
        m = re.search(r"open (http://\S+)", line)
        if m:
            url = m.group(1)
            break
    assert url
    base = re.match(r"(http://[^/]+)/", url).group(1)
    db = next(data.glob("workspaces/*/atajo.sqlite"))
    yield {"base": base, "root": root, "data": data, "ws": ws, "db": db}
    proc.terminate()
    proc.wait(timeout=10)
    shutil.rmtree(data, ignore_errors=True)
    shutil.rmtree(root, ignore_errors=True)


def cli(server, *args):
    out = subprocess.run([BIN, *args, *server["ws"]], text=True, check=True, capture_output=True)
    return out.stdout.strip()


def server_key(server):
    with sqlite3.connect(server["db"]) as db:
        (seed,) = db.execute("SELECT value FROM secrets WHERE name = 'jwt-ed25519'").fetchone()
    return Ed25519PrivateKey.from_private_bytes(bytes(seed))


def connects(server, token):
    c = socketio.Client(reconnection=False)
    hello = {}
    c.on("hello", lambda h: hello.update(h))
    try:
        c.connect(server["base"], transports=["websocket"], auth={"token": token}, wait_timeout=5)
    except socketio.exceptions.ConnectionError:
        return None
    for _ in range(100):
        if hello:
            break
        time.sleep(0.02)
    c.disconnect()
    return hello


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_forged_expired_none_confused_and_revoked_tokens_are_refused(server):
    # Revoking the session row ends a token before its exp (checked first, while this address
    # has no failures: a refusal here is the revocation's, not the rate limit's).
    early = cli(server, "token", "create", "--user", "ana", "--ttl", "1h")
    assert connects(server, early)["user"] == "ana"
    early_jti = jwt.decode(early, options={"verify_signature": False})["jti"]
    cli(server, "sessions", "revoke", early_jti)
    assert connects(server, early) is None

    token = cli(server, "token", "create", "--user", "ana", "--ttl", "1h")
    assert connects(server, token)["user"] == "ana"
    r = requests.get(f"{server['base']}/api/files/a/f.txt", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.text == "mine\n"

    claims = jwt.decode(token, options={"verify_signature": False})
    assert set(claims) >= {"sub", "jti", "exp", "iat", "iss"}
    key = server_key(server)
    public = key.public_key().public_bytes_raw()
    published = requests.get(f"{server['base']}/api/auth").json()["jwt"]
    assert published["alg"] == "EdDSA" and published["public_key"] == b64(public)

    # Re-signed with the server's key, unchanged: accepted (the signing here is right).
    same = jwt.encode(claims, key, algorithm="EdDSA")
    assert connects(server, same)["user"] == "ana"

    refused = {
        # Expired beyond the leeway, properly signed.
        "expired": jwt.encode({**claims, "exp": int(time.time()) - 120}, key, algorithm="EdDSA"),
        # Another account's name on ana's session.
        "another sub": jwt.encode({**claims, "sub": "admin"}, key, algorithm="EdDSA"),
        # A session that does not exist.
        "unknown jti": jwt.encode({**claims, "jti": "99999"}, key, algorithm="EdDSA"),
        # Unsigned.
        "alg none": f"{b64(json.dumps({'alg': 'none', 'typ': 'JWT'}).encode())}.{b64(json.dumps(claims).encode())}.",
        # HMAC keyed with the public key (the classic algorithm confusion).
        "HS256 with the public key": jwt.encode(claims, public, algorithm="HS256"),
        # Signed by someone else.
        "forged": jwt.encode(claims, Ed25519PrivateKey.generate(), algorithm="EdDSA"),
        # Claims changed after signing.
        "tampered": ".".join([token.split(".")[0], b64(json.dumps({**claims, "exp": claims["exp"] + 86400}).encode()), token.split(".")[2]]),
    }
    for name, bad in refused.items():
        assert connects(server, bad) is None, name
        r = requests.get(f"{server['base']}/api/files/a/f.txt", headers={"Authorization": f"Bearer {bad}"})
        assert r.status_code in (401, 429), name

    cli(server, "sessions", "revoke", claims["jti"])
    assert connects(server, same) is None
