#!/usr/bin/env python3
# Idle resident memory: start the server, wait for the first successful
# GetCallerIdentity, make 10 more calls, sit idle 2 s, then read VmRSS (and
# RssAnon/RssFile, threads) from /proc/PID/status, summed over the whole
# process tree in case the server forks. Median of N runs per target.
# Usage: rss.py TARGET:N [TARGET:N ...] > rss.json

import json
import sys
import time

from common import Server, call_once, is_expected, log, median, tree_status, wait_first_success


def one(target):
    with Server(target) as srv:
        srv.spawn()
        wait_first_success(srv)
        for _ in range(10):
            r = call_once(srv.port)
            if r is None or not is_expected(*r):
                raise RuntimeError(f"{target}: call failed during warm-up: {r and r[0]}")
        time.sleep(2.0)
        return tree_status(srv.proc.pid)


def main():
    results = {}
    for spec in sys.argv[1:]:
        target, _, n = spec.partition(":")
        runs = []
        for i in range(int(n or 5)):
            st = one(target)
            runs.append(st)
            log(f"rss {target} #{i + 1}: VmRSS {st.get('VmRSS', 0) / 1024:.1f} MiB "
                f"(anon {st.get('RssAnon', 0) / 1024:.1f}, file {st.get('RssFile', 0) / 1024:.1f}), "
                f"{st.get('Threads')} threads, {st['processes']} process(es)")
        keys = ("VmRSS", "RssAnon", "RssFile", "RssShmem", "Threads", "processes")
        results[target] = {
            "median": {k: median([r.get(k, 0) for r in runs]) for k in keys},
            "min_VmRSS": min(r.get("VmRSS", 0) for r in runs),
            "max_VmRSS": max(r.get("VmRSS", 0) for r in runs),
            "n": len(runs),
            "unit": "kB (Threads/processes: count)",
        }
    json.dump(results, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
