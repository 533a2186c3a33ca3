#!/usr/bin/env bash
# Installs the browsers the tests drive: Debian's Chromium at /usr/bin/chromium
# (tests/ecosystem/) and Firefox ESR at /usr/bin/firefox-esr (tests/engines/).
# Idempotent: installs only what is missing. Needs root (as on CI) or sudo.
# The npm packages (playwright-core, rollup, terser, esbuild; Bun) are pinned
# in tests/ecosystem/package-lock.json and tests/engines/package-lock.json and
# installed by the tests themselves with `npm ci`.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium fonts-liberation)
[ -x /usr/bin/firefox-esr ] || missing+=(firefox-esr)
if [ ${#missing[@]} = 0 ]; then
  echo "setup_browser: $(/usr/bin/chromium --version 2>/dev/null || echo chromium), $(/usr/bin/firefox-esr --version 2>/dev/null || echo firefox-esr) already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"

/usr/bin/chromium --version
/usr/bin/firefox-esr --version
