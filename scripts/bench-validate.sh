#!/usr/bin/env bash
# Benchmark `tip validate` on the national-scale synthetic data set against
# the Python peer (PyYAML's C loader + the csv module), in one run.
#
#   scripts/bench-validate.sh [DATA_DIR]      (default /tmp/tip-national)
#
# Needs: python3 with PyYAML (pip install pyyaml), /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-/tmp/tip-national}
cargo build --release -q -p tip-cli -p tip-core --example generate
[[ -d $data ]] || ./target/release/examples/generate "$data"
measure() {
  /usr/bin/time -f "%e s wall, %M KB peak, %P CPU" "$@" >/dev/null 2>/tmp/tip-bench.err || true
  tail -n 1 /tmp/tip-bench.err
}
echo "tip validate:  $(measure ./target/release/tip validate "$data" --format json)"
echo "tip validate:  $(measure ./target/release/tip validate "$data" --format json)"
echo "python peer:   $(measure python3 scripts/peer_load.py "$data")"
