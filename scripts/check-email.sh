#!/usr/bin/env bash
# The example's bulletin as an email, read back by an independent MIME
# parser (Python's email package) and shown in headless Chromium at 600
# and 390 pixels. Each part says "skipped" when its tools are missing.
#
#   scripts/check-email.sh [TIP] [--screenshot FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
tip=${1:-}
if [ -z "$tip" ]; then
  cargo build -q --release
  tip="${CARGO_TARGET_DIR:-target}/release/tip"
fi
shot=""
[ "${2:-}" = "--screenshot" ] && shot="$(pwd)/${3:?a file for the screenshot}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
SOURCE_DATE_EPOCH=1661990400 "$tip" bulletin data/kent-medway --from 2022-09-01 --format email -o "$work/bulletin.eml" 2>/dev/null
python3 scripts/check_email.py "$work/bulletin.eml" "$work/bulletin.html"
target="${CARGO_TARGET_DIR:-target}"
tools="$PWD/$target/check-site/tools"
if command -v npm >/dev/null && [ ! -d "$tools/node_modules/puppeteer-core" ]; then
  mkdir -p "$tools"
  npm install --silent --prefix "$tools" vnu-jar axe-core puppeteer-core >/dev/null 2>&1 || true
fi
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$chromium" ] && command -v node >/dev/null && [ -d "$tools/node_modules/puppeteer-core" ]; then
  CHROMIUM="$chromium" node scripts/check-email.mjs "$work/bulletin.html" "$tools" "$shot"
else
  echo "skipped: the browser check needs node, npm and chromium"
fi
