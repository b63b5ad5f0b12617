#!/usr/bin/env python3
"""The Python peer of `tip validate`: merely load a data folder.

Reads every *.yaml/*.yml file with PyYAML's C loader and every *.csv file
with the csv module into memory, as `tip` does, and does nothing else (no
checks, no cross-references). The benchmark compares `tip validate` against
this lower bound of a Python tool.

    python3 scripts/peer_load.py /tmp/national
"""
import csv
import os
import sys

import yaml


def main(root):
    sections = {}
    rows = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            if name.endswith((".yaml", ".yml")):
                with open(path, encoding="utf-8") as f:
                    doc = yaml.load(f, Loader=yaml.CLoader) or {}
                for key, value in doc.items():
                    sections.setdefault(key, []).append(value)
            elif name.endswith(".csv"):
                section = name.split(".")[0].split("-")[0].split("_")[0]
                with open(path, encoding="utf-8", newline="") as f:
                    records = list(csv.DictReader(f))
                rows += len(records)
                sections.setdefault(section, []).append(records)
    print(f"{len(sections)} sections, {rows} CSV rows", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
