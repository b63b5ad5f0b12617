#!/usr/bin/env bash
# Compare two builds of tip on the national data set, in one run, the two
# alternating so that a busy machine weighs on both alike: validate (two
# threads and one, RUNS times each, then sorted), its load phases, and
# build; and, when valgrind is there and SMALL names a smaller data set,
# the instructions each executes and the page faults it takes — counts a
# busy machine does not change, for changes too small to see in times.
#
#   scripts/bench-compare.sh OLD_TIP NEW_TIP [DATA_DIR]   (default /tmp/tip-national)
#   RUNS=10 SMALL=/tmp/tip-small scripts/bench-compare.sh OLD_TIP NEW_TIP
#
# OLD_TIP is typically an earlier commit built into its own target folder:
#   git worktree add /tmp/old COMMIT && (cd /tmp/old && CARGO_TARGET_DIR=/tmp/old-target cargo build --release -p tip-cli)
# SMALL is the generator's output with fewer people:
#   cargo run --release -p tip-core --example generate -- /tmp/tip-small --people 100000
# Needs /usr/bin/time. Site output goes to a temporary folder, removed at the end.
set -euo pipefail
old=${1:?usage: bench-compare.sh OLD_TIP NEW_TIP [DATA_DIR]}
new=${2:?usage: bench-compare.sh OLD_TIP NEW_TIP [DATA_DIR]}
data=${3:-/tmp/tip-national}
runs=${RUNS:-6}
scratch=$(mktemp -d "$( [[ -d /dev/shm ]] && echo /dev/shm || echo "${TMPDIR:-/tmp}")/tip-compare.XXXXXX")
trap 'rm -rf -- "$scratch"' EXIT
measure() {
  /usr/bin/time -f "%e s wall, %U+%S s CPU, %M KB peak, %R page faults" "$@" >/dev/null 2>"$scratch/err" || true
  tail -n 1 "$scratch/err"
}
# The times of one build's runs, sorted: "wall …; CPU …".
sorted() {
  grep "^$1 " "$scratch/runs" | awk '{print $2}' | sort -n | tr '\n' ' '
  printf '; CPU '
  grep "^$1 " "$scratch/runs" | awk '{split($5, c, "+"); printf "%.2f\n", c[1] + c[2]}' | sort -n | tr '\n' ' '
}
echo "load: $(uptime)"
for threads in 2 1; do
  : >"$scratch/runs"
  for run in $(seq "$runs"); do
    echo "old $(RAYON_NUM_THREADS=$threads measure "$old" validate "$data" --format json)" >>"$scratch/runs"
    echo "new $(RAYON_NUM_THREADS=$threads measure "$new" validate "$data" --format json)" >>"$scratch/runs"
  done
  echo "old validate, $threads thread(s), wall $(sorted old)"
  echo "new validate, $threads thread(s), wall $(sorted new)"
  grep "^old " "$scratch/runs" | tail -n 1 | sed 's/^old/old last run:/'
  grep "^new " "$scratch/runs" | tail -n 1 | sed 's/^new/new last run:/'
done
if [[ -n ${SMALL:-} ]] && command -v valgrind >/dev/null; then
  for which in old new; do
    bin=${!which}
    refs=$(RAYON_NUM_THREADS=1 valgrind --tool=callgrind --callgrind-out-file="$scratch/cg" "$bin" validate "$SMALL" --format json 2>&1 >/dev/null | awk '/refs:/ {print $NF}')
    echo "$which instructions ($SMALL, one thread): $refs"
  done
fi
phases() {
  TIP_TIMINGS=1 RAYON_NUM_THREADS=1 "$1" validate "$data" --format json 2>&1 >/dev/null \
    | awk -F'  ' '/^tip: /{printf "%s %s; ", $2, $NF}'
}
for run in 1 2; do
  echo "old phases: $(phases "$old")"
  echo "new phases: $(phases "$new")"
done
for run in 1 2; do
  rm -rf "$scratch/site"
  echo "old build:      $(measure "$old" build "$data" -o "$scratch/site" --as-of 2018-12-01)"
  rm -rf "$scratch/site"
  echo "new build:      $(measure "$new" build "$data" -o "$scratch/site" --as-of 2018-12-01)"
done
echo "load: $(uptime)"
