#!/usr/bin/env bash
# The public API of each library crate, compared with its snapshot
# (crates/<crate>/public-api.txt), so the surface changes only on purpose.
#
#   scripts/check-public-api.sh           # fail on any difference
#   scripts/check-public-api.sh --bless   # accept the current API
#
# rustdoc's JSON output is unstable; RUSTC_BOOTSTRAP=1 lets the stable
# toolchain produce it, so this needs nothing but the Rust toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
status=0
for crate in tip-core tip-report tip-calendar tip-credential tip-certificate tip-site; do
  RUSTC_BOOTSTRAP=1 RUSTDOCFLAGS="-Z unstable-options --output-format json" \
    cargo doc -q -p "$crate" --no-deps
  json="$target/doc/${crate//-/_}.json"
  snapshot="crates/$crate/public-api.txt"
  current="$(python3 scripts/public-api.py "$json")"
  if [[ "${1:-}" == "--bless" ]]; then
    printf '%s\n' "$current" > "$snapshot"
  elif ! diff -u "$snapshot" <(printf '%s\n' "$current"); then
    echo "error: the public API of $crate changed; if on purpose, run scripts/check-public-api.sh --bless" >&2
    status=1
  fi
done
exit $status
