#!/bin/sh
# The browser tests drive Debian's Chromium (issue 15). `make test` installs it when it is
# missing and this user may (root, or sudo without a password); elsewhere the browser
# tests skip and say why. PODIUM_CHROMIUM names another Chromium.
if [ -n "${PODIUM_CHROMIUM:-}" ] || command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-chromium: no apt-get here; the browser tests will skip (set PODIUM_CHROMIUM)" >&2
    exit 0
fi
if [ "$(id -u)" = 0 ]; then
    SUDO=
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "ensure-chromium: cannot install chromium as $(id -un); the browser tests will skip" >&2
    exit 0
fi
echo "ensure-chromium: apt-get install -y chromium (for the browser tests)" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -q chromium >/dev/null 2>&1 || {
    $SUDO apt-get update -q >/dev/null 2>&1 && $SUDO apt-get install -y -q chromium >/dev/null 2>&1
} || echo "ensure-chromium: apt-get could not install chromium; the browser tests will skip" >&2
exit 0
