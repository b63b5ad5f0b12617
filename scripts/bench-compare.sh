#!/usr/bin/env bash
# Compare two builds of tip on the national data set, in one run, the two
# alternating so that a busy machine weighs on both alike: validate (two
# threads and one), its load phases, and build. For a before/after table.
#
#   scripts/bench-compare.sh OLD_TIP NEW_TIP [DATA_DIR]   (default /tmp/tip-national)
#
# OLD_TIP is typically an earlier commit built into its own target folder:
#   git worktree add /tmp/old COMMIT && (cd /tmp/old && CARGO_TARGET_DIR=/tmp/old-target cargo build --release -p tip-cli)
# Needs /usr/bin/time. Site output goes to a temporary folder, removed at the end.
set -euo pipefail
old=${1:?usage: bench-compare.sh OLD_TIP NEW_TIP [DATA_DIR]}
new=${2:?usage: bench-compare.sh OLD_TIP NEW_TIP [DATA_DIR]}
data=${3:-/tmp/tip-national}
scratch=$(mktemp -d "$( [[ -d /dev/shm ]] && echo /dev/shm || echo "${TMPDIR:-/tmp}")/tip-compare.XXXXXX")
trap 'rm -rf -- "$scratch"' EXIT
measure() {
  /usr/bin/time -f "%e s wall, %U+%S s CPU, %M KB peak" "$@" >/dev/null 2>"$scratch/err" || true
  tail -n 1 "$scratch/err"
}
echo "load: $(uptime)"
for run in 1 2 3; do
  echo "old validate:   $(measure "$old" validate "$data" --format json)"
  echo "new validate:   $(measure "$new" validate "$data" --format json)"
done
for run in 1 2; do
  echo "old one thread: $(RAYON_NUM_THREADS=1 measure "$old" validate "$data" --format json)"
  echo "new one thread: $(RAYON_NUM_THREADS=1 measure "$new" validate "$data" --format json)"
done
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
