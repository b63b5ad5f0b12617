#!/usr/bin/env bash
# Benchmark `tip certify` on 1,000 completers of one cohort, against the same
# certificates made with Python's reportlab, in one run.
#
#   scripts/bench-certify.sh
#
# Needs: python3 with reportlab (pip install reportlab), /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
data=/tmp/tip-certify-bench
rm -rf "$data" /tmp/tip-certs /tmp/peer-certs
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
  verify_url: https://bench.example.org/verify/{code}
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
    f.write("cohort,person\n")
    for i in range(1000):
        f.write(f"big,p{i:04}\n")
PY
cargo build --release -q -p tip-cli
/usr/bin/time -f "tip certify: %e s wall, %M KB peak" ./target/release/tip certify "$data" --cohort big --as-of 2022-12-01 -o /tmp/tip-certs 2>&1 | tail -1
echo "tip: $(ls /tmp/tip-certs/*.pdf | wc -l) files, largest $(ls -S -l /tmp/tip-certs/*.pdf | head -1 | awk '{print $5}') bytes"
/usr/bin/time -f "reportlab: %e s wall, %M KB peak" python3 scripts/peer_certificates.py "$data" /tmp/peer-certs 2>&1 | tail -1
echo "reportlab: $(ls /tmp/peer-certs/*.pdf | wc -l) files, largest $(ls -S -l /tmp/peer-certs/*.pdf | head -1 | awk '{print $5}') bytes"
