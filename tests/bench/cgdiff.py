#!/usr/bin/env python3
"""Per-call instruction counts from two callgrind runs of the same program with different call
counts: (cost(large) - cost(small)) / (calls(large) - calls(small)), per function, so that the
start-up (runtime, TLS roots, connections) cancels out and only the steady-state per-call cost
remains. Instruction counts do not depend on the machine's load, unlike times.

    cgdiff.py SMALL.out LARGE.out DELTA_CALLS [--inclusive] [--top N] [--grep TEXT]

Prints the total per call, then the top functions (exclusive cost unless --inclusive).
Needs callgrind_annotate (valgrind).
"""

import re
import subprocess
import sys

LINE = re.compile(r"^\s*([\d,]+)\s+\([\s\d.]+%\)\s+(.*)$")


def costs(path, inclusive):
    args = ["callgrind_annotate", "--auto=no", "--threshold=100", f"--inclusive={'yes' if inclusive else 'no'}", path]
    text = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    total, table, started = 0, {}, False
    for line in text.splitlines():
        m = LINE.match(line)
        if not m:
            if "file:function" in line:
                started = True
            continue
        value, name = int(m.group(1).replace(",", "")), m.group(2).strip()
        if name.startswith("PROGRAM TOTALS"):
            total = value
        elif started:
            # Drop the object file in brackets and the source path: keep the function's name.
            name = re.sub(r"\s*\[[^\]]*\]$", "", name)
            if ":" in name:
                prefix, rest = name.split(":", 1)
                if "/" in prefix or prefix.startswith(("?", ".")):
                    name = rest
            table[name] = table.get(name, 0) + value
    return total, table


def main():
    small, large, delta = sys.argv[1], sys.argv[2], int(sys.argv[3])
    inclusive = "--inclusive" in sys.argv
    top = int(sys.argv[sys.argv.index("--top") + 1]) if "--top" in sys.argv else 25
    grep = sys.argv[sys.argv.index("--grep") + 1] if "--grep" in sys.argv else None
    t1, a = costs(small, inclusive)
    t2, b = costs(large, inclusive)
    print(f"total: {(t2 - t1) / delta:,.0f} instructions per call")
    rows = sorted(((b.get(k, 0) - a.get(k, 0)) / delta, k) for k in b)
    rows.reverse()
    shown = 0
    for per_call, name in rows:
        if grep and grep not in name:
            continue
        if per_call < 50 or shown >= top:
            break
        print(f"{per_call:>10,.0f}  {name[:160]}")
        shown += 1


if __name__ == "__main__":
    main()
