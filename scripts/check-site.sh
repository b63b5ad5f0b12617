#!/usr/bin/env bash
# Check a built site as browsers and assistive technology meet it: the W3C
# Nu HTML checker (npm `vnu-jar`, needs Java) on every page, and axe-core
# plus a no-sideways-scrolling check in headless Chromium at 390 and 1280
# pixels. Each part says "skipped" when its tools are missing.
#
#   scripts/check-site.sh [--screenshots] [--validator-only] [SITE]
#
# Without SITE, builds the example as of 2022-06-01. --screenshots saves
# phone and desktop pictures into docs/images/.
set -euo pipefail
cd "$(dirname "$0")/.."
shots="" only_validator=""
while [[ "${1:-}" == --* ]]; do
  case "$1" in
    --screenshots) shots="$PWD/docs/images" ;;
    --validator-only) only_validator=1 ;;
  esac
  shift
done
site=${1:-}
target="${CARGO_TARGET_DIR:-target}"
if [ -z "$site" ]; then
  site="$target/check-site/site"
  SOURCE_DATE_EPOCH=1654041600 cargo run -q --release -- build data/kent-medway -o "$site" --as-of 2022-06-01 >/dev/null
fi
site=$(cd "$site" && pwd)   # browsers need an absolute file:// address
tools="$PWD/$target/check-site/tools"
if command -v npm >/dev/null && [ ! -d "$tools/node_modules/vnu-jar" ]; then
  mkdir -p "$tools"
  npm install --silent --prefix "$tools" vnu-jar axe-core puppeteer-core >/dev/null 2>&1 || true
fi
status=0
if command -v java >/dev/null && [ -f "$tools/node_modules/vnu-jar/build/dist/vnu.jar" ]; then
  if java -jar "$tools/node_modules/vnu-jar/build/dist/vnu.jar" --errors-only --skip-non-html "$site"; then
    echo "W3C Nu HTML checker: $(find "$site" -name '*.html' | wc -l) pages, no errors"
  else
    echo "FAILED: the W3C Nu HTML checker found errors"; status=1
  fi
else
  echo "skipped: the W3C Nu HTML checker needs Java and npm (vnu-jar)"
fi
[ -n "$only_validator" ] && exit $status
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$chromium" ] && command -v node >/dev/null && [ -d "$tools/node_modules/puppeteer-core" ]; then
  CHROMIUM="$chromium" node scripts/check-site.mjs "$site" "$tools" "$shots" || status=1
else
  echo "skipped: axe-core needs node, npm and chromium"
fi
exit $status
