#!/usr/bin/env python3
# What loading the binary itself costs, before any Stratus code runs: size of
# the sections that matter (.text, .rodata, .data.rel.ro, .rela.dyn), how many
# relative relocations the dynamic loader must apply at every start (each
# dirties a page of .data.rel.ro: startup time and anonymous RSS), and the
# wall time and minor page faults of `stratus --version` against /bin/true.
# Usage: image.py [N] > image.json   (readelf is optional)

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time

from common import median, stratus_bin


def sections(path):
    if not shutil.which("readelf"):
        return {}
    out = {}
    text = subprocess.run(["readelf", "-SW", path], capture_output=True, text=True).stdout
    for m in re.finditer(r"\]\s+(\.\S+)\s+\S+\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)", text):
        if m.group(1) in (".text", ".rodata", ".data.rel.ro", ".rela.dyn", ".eh_frame", ".gcc_except_table"):
            out[m.group(1)] = int(m.group(2), 16)
    dyn = subprocess.run(["readelf", "-d", path], capture_output=True, text=True).stdout
    m = re.search(r"RELACOUNT\)\s+(\d+)", dyn)
    out["relative_relocations"] = int(m.group(1)) if m else 0
    out["pie"] = "PIE" in dyn
    return out


def exec_cost(argv, n):
    walls, faults = [], []
    for _ in range(n):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt
        t0 = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        walls.append(time.perf_counter() - t0)
        faults.append(resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt - before)
    return {"median_ms": median(walls) * 1e3, "min_ms": min(walls) * 1e3, "minor_faults": median(faults)}


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    b = stratus_bin()
    res = {
        "binary": b,
        "size_bytes": os.path.getsize(b),
        "sections": sections(b),
        "version": exec_cost([b, "--version"], n),
        "true": exec_cost(["/bin/true"], n),
    }
    json.dump(res, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
