#!/usr/bin/env bash
# Render the site's front page and a course page in headless Chromium
# (Debian's `chromium` package) and save the screenshots under docs/images/.
#
#   scripts/screenshot.sh            (builds data/kent-medway as of 2022-09-01)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v chromium >/dev/null || { echo "needs chromium (apt-get install chromium)" >&2; exit 2; }
site=$(mktemp -d)/site
SOURCE_DATE_EPOCH=1661990400 cargo run --release -q -- build data/kent-medway -o "$site" --as-of 2022-09-01
shoot() {
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$(mktemp -d)" --hide-scrollbars --window-size=1200,"$3" \
    --screenshot="$2" "file://$site/$1" 2>/dev/null
}
mkdir -p docs/images
shoot index.html docs/images/site-index.png 1800
shoot courses/l2-trauma-awareness.html docs/images/site-course.png 1400
shoot progress.html docs/images/site-progress.png 900
echo "screenshots in docs/images/"
