#!/usr/bin/env bash
# Installs what the browser tests in tests/ecosystem/ need: Debian's Chromium at
# /usr/bin/chromium. Idempotent: does nothing when it is already there. Needs
# root (as on CI) or sudo. The npm packages (playwright-core, rollup, terser,
# esbuild) are pinned in tests/ecosystem/package-lock.json and installed by the
# tests themselves with `npm ci`.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "setup_browser: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends chromium fonts-liberation

/usr/bin/chromium --version
