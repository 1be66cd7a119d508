#!/usr/bin/env bash
# Screenshot a Tacit HTML report with headless Chromium, to look at it as a person would.
#   Scripts/screenshot.sh runs/quickstart/report.html [out.png] [width] [height]
# Needs Debian's `chromium` (apt-get install chromium). Not run by CI.
set -euo pipefail
page=$(realpath "$1")
out=${2:-${1%.html}.png}
width=${3:-1000}
height=${4:-1400}
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --screenshot="$(realpath -m "$out")" --window-size="$width,$height" "file://$page" 2>/dev/null
echo "$out"
