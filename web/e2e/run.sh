#!/bin/sh
# Runs the browser suite inside a private network namespace with only `lo`, so WebRTC media stays
# on loopback (DESIGN §6). Needs root, /usr/bin/chromium, a built web app, LIVESERVER_BIN and
# LIVEKIT_SERVER_BIN.
set -eu
cd "$(dirname "$0")/.."
exec unshare -n sh -c 'ip link set lo up && node e2e/browser.mjs'
