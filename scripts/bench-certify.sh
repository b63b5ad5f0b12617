#!/usr/bin/env bash
# Benchmark `tip certify` on 1,000 completers of one cohort, against the same
# certificates made with Python's reportlab, in one run.
#
#   scripts/bench-certify.sh
#
# Needs: python3 with reportlab (pip install reportlab), /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
data="$work/data"
# Outputs go to memory when it can (/dev/shm): writing 2,000 new files on
# a disk that just deleted as many is file-system time, not ours, and it
# varied by a second between runs.
out=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
trap 'rm -rf "$out" "$work"' EXIT
mkdir -p "$data"
python3 - "$data" <<'PY'
import sys
root = sys.argv[1]
first = ["Zoë", "Siân", "Łukasz", "Αθηνά", "Олена", "Nguyễn Thị", "Ŵyn", "Şebnem", "Gráinne", "José"]
last = ["Ó'Brien", "Llewelyn", "Nowak", "Παπαδοπούλου", "Коваленко", "Minh", "Price", "Yılmaz", "Ó Súilleabháin", "Martínez"]
with open(f"{root}/data.yaml", "w") as f:
    f.write("""programme:
  id: bench
  name: Benchmark Trauma Informed Practice
  timezone: Europe/London
  domain: bench.example.org
  site_url: https://bench.example.org/
  public_key: issuer.pub.pem
  branding: { signatory: { name: Dr Ada Example, title: Chair of the Board } }
tiers: [ { level: 2, name: Practitioner } ]
courses:
  - { id: l2, title: L2 Multi-agency Trauma Awareness, tier: 2, format: face-to-face, cpd_hours: 6.5 }
cohorts:
  - id: big
    course: l2
    sessions: [ { start: 2022-01-18T09:30, end: 2022-01-18T16:00 } ]
    enrolled: [""" + ", ".join(f"p{i:04}" for i in range(1000)) + """]
""")
with open(f"{root}/people.csv", "w") as f:
    f.write("id,name\n")
    for i in range(1000):
        f.write(f"p{i:04},{first[i % 10]} {last[(i // 10) % 10]}\n")
with open(f"{root}/attendance.csv", "w") as f:
    f.write("cohort,person,sessions\n")
    for i in range(1000):
        f.write(f"big,p{i:04},all\n")
PY
cargo build --release -q -p tip-cli
tip="${CARGO_TARGET_DIR:-target}/release/tip"
# A key of the benchmark's own, outside its data folder.
"$tip" keys new -o "$work/issuer.pem" --public "$data/issuer.pub.pem" 2>/dev/null
export TIP_SIGNING_KEY="$work/issuer.pem"
# Issuing records: the first run numbers and signs 1,000 certificates; the
# second reprints them from the ledger (and signs again).
for run in issue reprint; do
  /usr/bin/time -f "tip certify ($run): %e s wall, %U+%S s CPU, %M KB peak" "$tip" certify "$data" --cohort big --as-of 2022-12-01 -o "$out/tip-$run" 2>&1 | tail -1
done
echo "tip: $(ls "$out"/tip-issue/*.pdf | wc -l) PDFs, largest $(ls -S -l "$out"/tip-issue/*.pdf | head -1 | awk '{print $5}') bytes"
/usr/bin/time -f "reportlab: %e s wall, %U+%S s CPU, %M KB peak" python3 scripts/peer_certificates.py "$data" "$out/peer" 2>&1 | tail -1
echo "reportlab: $(ls "$out"/peer/*.pdf | wc -l) PDFs, largest $(ls -S -l "$out"/peer/*.pdf | head -1 | awk '{print $5}') bytes"
