#!/usr/bin/env python3
"""List the public API of a crate from rustdoc's JSON output, one item a line.

    scripts/public-api.py target/doc/tip_core.json

Every public module, type, trait, function, constant and macro reachable
from the crate root, with the public fields and variants of each type and
the public methods of its inherent impls. Signatures are left out: the list
changes when an item is added, removed or renamed, which is what the
snapshot (`crates/<crate>/public-api.txt`) guards. See scripts/check-public-api.sh.
"""

import json
import sys


def main(path):
    doc = json.load(open(path))
    index = doc["index"]
    crate = index[str(doc["root"])]["name"]
    lines = set()

    def public(item):
        return item.get("visibility") == "public"

    def walk(item_id, prefix, seen):
        item = index.get(str(item_id))
        if item is None or item_id in seen:
            return
        seen = seen | {item_id}
        inner = item["inner"]
        kind = next(iter(inner))
        body = inner[kind]
        name = item.get("name")
        if kind == "use":
            if body.get("is_glob") or body.get("id") is None:
                lines.add(f"use {prefix}::{body['source']}")
                return
            target = index.get(str(body["id"]))
            if target is None:
                lines.add(f"use {prefix}::{body['name']} = {body['source']}")
                return
            walk(body["id"], prefix, seen)
            return
        path = f"{prefix}::{name}" if prefix else name
        if kind == "module":
            if prefix:
                lines.add(f"mod {path}")
            for child in body["items"]:
                c = index.get(str(child))
                if c is not None and public(c):
                    walk(child, path, seen)
            return
        lines.add(f"{kind} {path}")
        if kind == "struct":
            shape = body["kind"]
            fields = shape.get("plain", {}).get("fields", []) if isinstance(shape, dict) else []
            for f in fields:
                field = index.get(str(f))
                if field and public(field):
                    lines.add(f"field {path}::{field['name']}")
        if kind == "enum":
            for v in body["variants"]:
                variant = index.get(str(v))
                if variant:
                    lines.add(f"variant {path}::{variant['name']}")
        if kind == "trait":
            for m in body["items"]:
                method = index.get(str(m))
                if method:
                    lines.add(f"trait-item {path}::{method['name']}")
        for impl_id in body.get("impls", []) if isinstance(body, dict) else []:
            impl = index.get(str(impl_id))
            if impl is None:
                continue
            imp = impl["inner"]["impl"]
            if imp.get("trait") is not None or imp.get("is_synthetic"):
                continue
            for m in imp["items"]:
                method = index.get(str(m))
                if method and public(method):
                    mkind = next(iter(method["inner"]))
                    lines.add(f"{'method' if mkind == 'function' else mkind} {path}::{method['name']}")

    walk(doc["root"], "", frozenset())
    for line in sorted(lines):
        print(line)


if __name__ == "__main__":
    main(sys.argv[1])
