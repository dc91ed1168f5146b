#!/usr/bin/env bash
# Debian's chromium for the Playwright tests (Playwright's own browser download cannot work here).
set -euo pipefail
# fonts-wqy-zenhei: the CJK font the gift-pack packing-list PDFs embed (and Chinese in screenshots).
if [ -x /usr/bin/chromium ] && [ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ]; then exit 0; fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null
