#!/usr/bin/env bash
# Issue the example's certificates and check their Open Badges 3.0
# credentials with an independent verifier (openbadgeslib from PyPI):
# each must verify for its learner's email, and fail once one byte of the
# name is changed. Skipped, with a message, when the verifier cannot be
# installed.
#
#   scripts/check-credentials.sh [TIP]     (TIP: the binary; default: a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
tip=${1:-}
if [ -z "$tip" ]; then
  cargo build -q --release
  tip="${CARGO_TARGET_DIR:-target}/release/tip"
fi
if ! command -v openbadges-verifier >/dev/null; then
  python3 -m pip install -q openbadgeslib >/dev/null 2>&1 || true
fi
verifier=$(command -v openbadges-verifier || true)
if [ -z "$verifier" ]; then
  echo "skipped: the openbadgeslib verifier (PyPI) is not available"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r data/kent-medway "$work/data"
export TIP_SIGNING_KEY="$PWD/tests/fixtures/keys/example-issuer.pem"
"$tip" certify "$work/data" --cohort l2-2022-01-maidstone --as-of 2022-12-01 -o "$work/certs" 2>/dev/null
n=0
for jwt in "$work"/certs/*.svg; do
  person=$(basename "$jwt" .svg | sed -E 's/^[A-Z]+-[A-Z]+-[0-9]{4}-[0-9]{6}-//')
  email=$(awk -F, -v id="$person" '$1==id {print $3}' "$work/data/people.csv")
  "$verifier" -V 3 -k "$work/data/keys/issuer.pub.pem" -i "$jwt" -r "$email" >/dev/null \
    || { echo "FAILED: $jwt does not verify for $email"; exit 1; }
  n=$((n + 1))
done
echo "openbadges-verifier: $n credentials verify"
# One byte of the name changed, the signature kept: must be rejected.
first=$(ls "$work"/certs/*.svg | head -1)
python3 - "$first" "$work/tampered.svg" <<'PY'
import base64, json, re, sys
svg = open(sys.argv[1]).read()
token = re.search(r'verify="([^"]+)"', svg).group(1)
head, body, sig = token.split(".")
payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
name = json.loads(payload)["credentialSubject"]["identifier"][0]["identityHash"].encode()
changed = payload.replace(name, bytes([name[0] ^ 1]) + name[1:], 1)
body = base64.urlsafe_b64encode(changed).decode().rstrip("=")
open(sys.argv[2], "w").write(svg.replace(token, ".".join([head, body, sig])))
PY
person=$(basename "$first" .svg | sed -E 's/^[A-Z]+-[A-Z]+-[0-9]{4}-[0-9]{6}-//')
email=$(awk -F, -v id="$person" '$1==id {print $3}' "$work/data/people.csv")
if "$verifier" -V 3 -k "$work/data/keys/issuer.pub.pem" -i "$work/tampered.svg" -r "$email" >/dev/null; then
  echo "FAILED: a credential with a changed name verifies"
  exit 1
fi
echo "openbadges-verifier: a credential with one byte of the name changed is rejected"

# Credentials that last: after a key rotation, what the old key signed and
# what the new key signs both verify, each against its own key in the
# site's did.json (resolved as did:web from the built site, with the status
# lists); a revocation then makes that one credential fail.
email_of() { awk -F, -v id="$1" '$1==id {print $3}' "$work/data/people.csv"; }
badges() {
  for f in "$@"; do
    p=$(basename "$f" .svg | sed -E 's/^[A-Z]+-[A-Z]+-[0-9]{4}-[0-9]{6,}-//')
    printf '%s=%s\n' "$f" "$(email_of "$p")"
  done
}
export SOURCE_DATE_EPOCH=1673308800   # 10 January 2023
mkdir -p "$work/keys"
"$tip" keys new -o "$work/keys/issuer-2023.pem" 2>/dev/null
cp "$work/keys/issuer-2023.pub.pem" "$work/data/keys/"
python3 - "$work/data/programme.yaml" <<'PY'
import sys
p = sys.argv[1]
text = open(p).read()
old = "  public_key: keys/issuer.pub.pem\n"
assert old in text, "the example names its key with public_key"
text = text.replace(old, "  public_keys:\n    - file: keys/issuer.pub.pem\n    - file: keys/issuer-2023.pub.pem\n      from: 2023-01-05\n")
open(p, "w").write(text)
PY
TIP_SIGNING_KEY="$work/keys/issuer-2023.pem" "$tip" certify "$work/data" --cohort l2-2022-10-dartford --as-of 2023-01-10 -o "$work/new" 2>/dev/null
TIP_SIGNING_KEY="$work/keys/issuer-2023.pem" "$tip" build "$work/data" -o "$work/site" --as-of 2023-02-01 2>/dev/null
site_url=https://tip.kent-medway.example.org/
mapfile -t all < <(badges "$work"/certs/*.svg "$work"/new/*.svg)
python3 scripts/verify_from_site.py "$work/site" "$site_url" valid "${all[@]}"
# Revoke one credential the new key signed; rebuild; it must now fail.
first=$(ls "$work"/new/*.svg | head -1)
number=$(basename "$first" | grep -oE '^[A-Z]+-[A-Z]+-[0-9]{4}-[0-9]{6,}')
python3 - "$work/data/certificates.csv" "$number" <<'PY'
import csv, sys
path, number = sys.argv[1:]
rows = list(csv.reader(open(path, newline="")))
col = rows[0].index
for row in rows[1:]:
    if row[col("number")] == number:
        row[col("revoked")] = "2023-01-20"
        row[col("reason")] = "issued in error"
csv.writer(open(path, "w", newline=""), lineterminator="\n").writerows(rows)
PY
TIP_SIGNING_KEY="$work/keys/issuer-2023.pem" "$tip" build "$work/data" -o "$work/site" --as-of 2023-02-01 2>/dev/null
mapfile -t revoked < <(badges "$first")
python3 scripts/verify_from_site.py "$work/site" "$site_url" invalid "${revoked[@]}"
