#!/usr/bin/env bash
# Benchmark tip at national scale, in one run, against its floor and its
# Python peers: the bare parse (every file read and parsed, nothing kept),
# `tip validate` (with its load phases), `tip schedule`, `tip allocate`,
# `tip calendar` and `tip build`; the Python loader and calendar peers.
#
#   scripts/bench-validate.sh [DATA_DIR]      (default /tmp/tip-national)
#   scripts/bench-validate.sh DATA_DIR --quick   (tip only, no Python)
#   ROUNDS=5 scripts/bench-validate.sh           (and validate and the Python
#                                                 loader alternating, 5 rounds)
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
"$release/examples/bare-parse" "$data" | tee "$scratch/bare" | sed 's/^/  /'
echo "tip validate (warm-up): $(measure "$tip" validate "$data" --format json)"
for run in 1 2; do
  line=$(measure "$tip" validate "$data" --format json)
  echo "tip validate:           $line"
  # CPU time against both floors of the bare parse.
  cpu=$(sed -E 's/.* s wall, ([0-9.]+)\+([0-9.]+) s CPU.*/\1 \2/' <<<"$line")
  issue=$(sed -nE 's/^bare parse, one core +([0-9.]+) s.*/\1/p' "$scratch/bare")
  strict=$(sed -nE 's/^ +with YAML events +([0-9.]+) s.*/\1/p' "$scratch/bare")
  awk -v c="$cpu" -v i="$issue" -v s="$strict" 'BEGIN { split(c, t, " ");
    printf "  CPU %.2f s: %.2fx the bare parse (%.3f s), %.2fx the stricter floor (%.3f s)\n",
      t[1] + t[2], (t[1] + t[2]) / i, i, (t[1] + t[2]) / s, s }'
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
# The Python loader's own time moves from run to run (14-17 s on the 2-core
# machine), and the wall ratio with it. With ROUNDS=N, tip validate and the
# Python loader alternate N times, each Python run set against the tip runs
# either side of it: the ratios' spread, not one draw.
rounds=${ROUNDS:-1}
(( rounds > 1 )) || exit 0
# "wall cpu" of one run.
times_of() {
  /usr/bin/time -f "%e %U %S" "$@" >/dev/null 2>"$scratch/err" || true
  tail -n 1 "$scratch/err" | awk '{printf "%s %.2f", $1, $2 + $3}'
}
echo "validate against the python loader, alternating ($rounds rounds):"
before=$(times_of "$tip" validate "$data" --format json)
for _ in $(seq "$rounds"); do
  python=$(times_of python3 scripts/peer_load.py "$data")
  after=$(times_of "$tip" validate "$data" --format json)
  # Fields: python wall, CPU; tip before wall, CPU; tip after wall, CPU.
  echo "$python $before $after" | awk '
    function max(a, b) { return a > b ? a : b }
    function min(a, b) { return a < b ? a : b }
    { printf "  python %.2f s wall, %.2f s CPU; tip %.2f and %.2f s wall: %.1f-%.1fx wall, %.1f-%.1fx CPU\n",
        $1, $2, $3, $5, $1 / max($3, $5), $1 / min($3, $5), $2 / max($4, $6), $2 / min($4, $6) }'
  before=$after
done
