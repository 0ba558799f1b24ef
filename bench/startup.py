#!/usr/bin/env python3
# Time from process spawn to the first successful STS GetCallerIdentity.
# t0 is taken right before Popen; the driver then retries the call on a fresh
# connection in a tight loop (refused -> 0.5 ms sleep -> retry) until a 200
# with the expected XML arrives. Also records when the first connection was
# accepted. Usage: startup.py TARGET:N [TARGET:N ...] > startup.json
# (TARGET: stratus-mem, stratus-disk, moto, or baseline-true, which spawns
# /bin/true and waits for it to exit, as the floor of what spawning costs).

import json
import subprocess
import sys
import time

from common import Server, log, median, wait_first_success


def baseline(n):
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.Popen(["/bin/true"], stdin=subprocess.DEVNULL, start_new_session=True).wait()
        out.append(time.perf_counter() - t0)
    return out


def run(target, n):
    conn, ok = [], []
    for i in range(n):
        with Server(target) as srv:
            srv.spawn()
            t_conn, t_ok = wait_first_success(srv)
        conn.append(t_conn)
        ok.append(t_ok)
        log(f"startup {target} #{i + 1}/{n}: connect {t_conn * 1e3:.1f} ms, first 200 {t_ok * 1e3:.1f} ms")
        time.sleep(0.2)
    return conn, ok


def summary(xs):
    return {"median_ms": median(xs) * 1e3, "min_ms": min(xs) * 1e3, "max_ms": max(xs) * 1e3, "n": len(xs),
            "all_ms": [round(x * 1e3, 3) for x in xs]}


def main():
    results = {}
    for spec in sys.argv[1:]:
        target, _, n = spec.partition(":")
        n = int(n or 5)
        if target == "baseline-true":
            results[target] = {"first_ok": summary(baseline(n))}
            continue
        conn, ok = run(target, n)
        results[target] = {"first_connect": summary(conn), "first_ok": summary(ok)}
    json.dump(results, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
