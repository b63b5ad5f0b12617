#!/usr/bin/env bash
# Benchmark tip at national scale, in one run, against its floor and its
# Python peers: the bare parse (every file read and parsed, nothing kept),
# `tip validate` (with its load phases), `tip schedule`, `tip allocate`,
# `tip calendar` and `tip build`; the Python loader and calendar peers.
#
#   scripts/bench-validate.sh [DATA_DIR]      (default /tmp/tip-national)
#   scripts/bench-validate.sh DATA_DIR --quick   (tip only, no Python)
#
# Needs: python3 with PyYAML and icalendar (pip install pyyaml icalendar),
# /usr/bin/time. Outputs go to a temporary folder (in /dev/shm when there
# is one), removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-/tmp/tip-national}
quick=${2:-}
release="${CARGO_TARGET_DIR:-target}/release"
cargo build --release -q -p tip-cli -p tip-core --example generate --example bare-parse
[[ -d $data ]] || "$release/examples/generate" "$data"
scratch=$(mktemp -d "$( [[ -d /dev/shm ]] && echo /dev/shm || echo "${TMPDIR:-/tmp}")/tip-bench.XXXXXX")
trap 'rm -rf -- "$scratch"' EXIT
# Wall time and CPU time (user + system) both: a busy machine stretches the
# first, not the second.
measure() {
  /usr/bin/time -f "%e s wall, %U+%S s CPU, %M KB peak" "$@" >/dev/null 2>"$scratch/err" || true
  tail -n 1 "$scratch/err"
}
tip="$release/tip"
echo "bare parse (one core):"
"$release/examples/bare-parse" "$data" | sed 's/^/  /'
echo "tip validate (warm-up): $(measure "$tip" validate "$data" --format json)"
for run in 1 2; do
  echo "tip validate:           $(measure "$tip" validate "$data" --format json)"
done
echo "tip validate phases (TIP_TIMINGS=1, wall):"
TIP_TIMINGS=1 "$tip" validate "$data" --format json 2>&1 >/dev/null | sed 's/^tip: /  /'
echo "tip validate, one thread: $(RAYON_NUM_THREADS=1 measure "$tip" validate "$data" --format json)"
echo "tip schedule:           $(measure "$tip" schedule "$data" --format json)"
echo "tip allocate:           $(measure "$tip" allocate "$data" --as-of 2018-12-01 --format json)"
echo "tip calendar:           $(measure "$tip" calendar "$data" -o "$scratch/national.ics")"
echo "tip build:              $(measure "$tip" build "$data" -o "$scratch/site" --as-of 2018-12-01)"
[[ $quick == --quick ]] && exit 0
echo "python loader peer:     $(measure python3 scripts/peer_load.py "$data")"
echo "python calendar peer:   $(measure python3 scripts/peer_calendar.py "$data")"
