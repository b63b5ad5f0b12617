#!/usr/bin/env bash
# Regenerate the generated tables of docs/data-format.md from the code.
set -euo pipefail
cd "$(dirname "$0")/.."
# Needs only the Rust toolchain and python3.
tables=$(mktemp)
trap 'rm -f "$tables"' EXIT
cargo run -q -p tip-core --example field-tables > "$tables"
TABLES="$tables" python3 - <<'PY'
import os
doc = open("docs/data-format.md").read()
gen = open(os.environ["TABLES"]).read()
fields, codes = gen.split("## Diagnostic codes\n\n")
start = doc.index("### `programme`")
end = doc.index("## Diagnostics\n")
doc = doc[:start] + fields + doc[end:]
start = doc.index("| code | meaning |")
end = doc.index("\n## JSON Schema")
doc = doc[:start] + codes + doc[end:]
open("docs/data-format.md", "w").write(doc)
PY
