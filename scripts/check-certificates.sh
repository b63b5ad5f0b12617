#!/usr/bin/env bash
# Print certificates for the example (with seven names in six scripts) and
# read them back with independent tools: qpdf, poppler (pdffonts, pdfinfo,
# pdftotext), zbar (the QR code) and, when installed, veraPDF. A missing
# tool is "skipped".
#
#   scripts/check-certificates.sh [TIP]     (TIP: the binary; default: cargo run --release)
set -euo pipefail
cd "$(dirname "$0")/.."
tip=${1:-}
if [ -z "$tip" ]; then
  cargo build -q --release
  tip="${CARGO_TARGET_DIR:-target}/release/tip"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r data/kent-medway "$work/data"
python3 - "$work/data/people.csv" <<'PY'
import csv, sys
names = {
    "chidi-okafor": "Zoë Ó'Brien",
    "aoife-ni-bhriain": "Nguyễn Thị Minh Khai",
    "jose-martinez": "Αθηνά Παπαδοπούλου",
    "fatima-begum": "Дмитрий Соколов",
    "priya-sharma": "محمد عبد الله",
    "wyn-price": "דוד לוי",
    "zsofia-kovacs": "Maria Dolores Ŵynfford-Παπαδοπούλου Nguyễn Thị Minh Kowalczyk-Ó Súilleabháin de la Fuente",
}
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
for row in rows:
    row[1] = names.get(row[0], row[1])
csv.writer(open(sys.argv[1], "w", encoding="utf-8", newline="")).writerows(rows)
PY
SOURCE_DATE_EPOCH=1669852800 TIP_SIGNING_KEY="$PWD/tests/fixtures/keys/example-issuer.pem" "$tip" certify "$work/data" --cohort l2-2022-01-maidstone \
  --as-of 2022-12-01 -o "$work/certs" 2>/dev/null
pdfs=("$work"/certs/*.pdf)
echo "${#pdfs[@]} certificates, $(du -cb "${pdfs[@]}" | tail -1 | cut -f1) bytes"
failed=0
fail() { echo "FAILED: $*"; failed=1; }

if command -v qpdf >/dev/null; then
  for f in "${pdfs[@]}"; do qpdf --check "$f" >/dev/null || fail "qpdf --check $f"; done
  echo "qpdf --check: ok"
else echo "skipped: qpdf is not installed"; fi

if command -v pdffonts >/dev/null; then
  for f in "${pdfs[@]}"; do
    # Every font embedded (emb), as a subset (sub), with a Unicode map (uni).
    pdffonts "$f" | tail -n +3 | awk -v f="$f" '$(NF-4)!="yes"||$(NF-3)!="yes"||$(NF-2)!="yes"{print "not embedded/subset/mapped in " f ": " $0; bad=1} END{exit bad}' \
      || fail "pdffonts $f"
  done
  pdfinfo "${pdfs[0]}" | grep -q '^Tagged: *yes' || fail "not tagged"
  pdfinfo "${pdfs[0]}" | grep -q '^Title: *Certificate ' || fail "no title"
  echo "pdffonts, pdfinfo: ok"
  text=$(for f in "${pdfs[@]}"; do pdftotext "$f" -; done | python3 -c 'import sys; print("".join(c for c in sys.stdin.read() if not "\u202a" <= c <= "\u202e"))')
  while IFS= read -r name; do
    grep -qF "$name" <<<"$text" || fail "pdftotext does not find $name"
  done <<'NAMES'
Zoë Ó'Brien
Nguyễn Thị Minh Khai
Αθηνά Παπαδοπούλου
Дмитрий Соколов
محمد عبد الله
דוד לוי
Maria Dolores Ŵynfford-Παπαδοπούλου Nguyễn
Thị Minh Kowalczyk-Ó Súilleabháin de la Fuente
NAMES
  echo "pdftotext: every name extracts as written"
else echo "skipped: poppler-utils (pdffonts, pdfinfo, pdftotext) is not installed"; fi

if command -v zbarimg >/dev/null && command -v pdftoppm >/dev/null; then
  # At screen resolution (72 dpi) as well as print: the code is drawn as
  # vector paths, so it stays sharp at any resolution.
  for dpi in 72 150; do
    for f in "${pdfs[@]}"; do
      pdftoppm -r "$dpi" -png "$f" "$work/page"
      url=$(zbarimg -q --raw "$work"/page-1.png 2>/dev/null || true)
      case "$url" in
        https://*/verify/*/) ;;
        *) fail "the QR code of $f at $dpi dpi reads \"$url\"" ;;
      esac
      rm -f "$work"/page-*.png
    done
  done
  echo "zbarimg: every QR code reads as its verify address at 72 and 150 dpi"
else echo "skipped: zbar-tools (zbarimg) is not installed"; fi

if command -v verapdf >/dev/null; then
  for flavour in 2a ua1; do
    verapdf --flavour "$flavour" --format text "${pdfs[@]}" | grep -v '^PASS' && fail "veraPDF $flavour" || true
  done
  echo "veraPDF: checked"
else echo "skipped: veraPDF is not installed (https://verapdf.org)"; fi
exit $failed
