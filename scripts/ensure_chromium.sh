#!/usr/bin/env bash
# Install Debian's headless-capable Chromium for the leaderboard browser test, when it is missing.
# Usage: scripts/ensure_chromium.sh   (needs root or sudo; a no-op when /usr/bin/chromium exists)
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium chromium-driver fonts-dejavu-core
/usr/bin/chromium --version
