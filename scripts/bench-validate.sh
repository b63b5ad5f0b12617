#!/usr/bin/env bash
# Benchmark `tip validate`, `tip schedule` and `tip allocate` on the
# national-scale synthetic data set, and the Python peer (PyYAML's C loader
# + the csv module), in one run.
#
#   scripts/bench-validate.sh [DATA_DIR]      (default /tmp/tip-national)
#
# Needs: python3 with PyYAML (pip install pyyaml), /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-/tmp/tip-national}
release="${CARGO_TARGET_DIR:-target}/release"
cargo build --release -q -p tip-cli -p tip-core --example generate
[[ -d $data ]] || "$release/examples/generate" "$data"
# Wall time and CPU time (user + system) both: a busy machine stretches the
# first, not the second.
measure() {
  /usr/bin/time -f "%e s wall, %U+%S s CPU, %M KB peak" "$@" >/dev/null 2>/tmp/tip-bench.err || true
  tail -n 1 /tmp/tip-bench.err
}
tip="$release/tip"
echo "tip validate (warm-up): $(measure $tip validate "$data" --format json)"
echo "tip validate:           $(measure $tip validate "$data" --format json)"
echo "tip schedule:           $(measure $tip schedule "$data" --format json)"
echo "tip allocate:           $(measure $tip allocate "$data" --as-of 2018-12-01 --format json)"
echo "python peer:            $(measure python3 scripts/peer_load.py "$data")"
