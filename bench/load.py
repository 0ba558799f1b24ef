#!/usr/bin/env python3
# Latency and throughput of GetCallerIdentity under concurrent load, on
# loopback only and bounded in time: for each target, start the server, warm
# it up, run `wrk -tT -cC -dDs --latency -s getcalleridentity.lua` against it
# (client-side p50/p90/p99, requests/s), and for Stratus also diff
# /_stratus/metrics before/after the run to get the server-side latency
# histogram of exactly the wrk requests (p50/p99 interpolated inside buckets,
# plus the exact mean from _sum/_count).
# One server per target; one wrk run per connection count (default 16, then 1
# for the unloaded round trip), each diffed separately.
# Usage: load.py [--threads 2] [--conns 16,1] [--duration 10] TARGET ... > load.json

import argparse
import json
import os
import re
import subprocess
import sys
import urllib.request

from common import HERE, Server, call_once, is_expected, log, wait_first_success

SERIES = 'stratus_request_duration_seconds_{kind}{{service="sts",operation="GetCallerIdentity"{extra}}}'


def scrape(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stratus/metrics", timeout=5) as r:
        return r.read().decode()


def parse_hist(text):
    """{'buckets': [(le, cumulative)], 'sum': s, 'count': n} for sts.GetCallerIdentity."""
    buckets, total, count = [], 0.0, 0
    pat = re.compile(r'^stratus_request_duration_seconds_(bucket|sum|count)\{([^}]*)\} (\S+)$')
    for line in text.splitlines():
        m = pat.match(line)
        if not m:
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
        if labels.get("service") != "sts" or labels.get("operation") != "GetCallerIdentity":
            continue
        if m.group(1) == "bucket":
            le = float("inf") if labels["le"] == "+Inf" else float(labels["le"])
            buckets.append((le, float(m.group(3))))
        elif m.group(1) == "sum":
            total = float(m.group(3))
        else:
            count = int(float(m.group(3)))
    buckets.sort()
    return {"buckets": buckets, "sum": total, "count": count}


def diff_hist(after, before):
    b = dict(before["buckets"])
    return {
        "buckets": [(le, n - b.get(le, 0)) for le, n in after["buckets"]],
        "sum": after["sum"] - before["sum"],
        "count": after["count"] - before["count"],
    }


def quantile(q, buckets):
    """Prometheus histogram_quantile: linear inside the bucket, 0 as the first
    lower bound. Returns (estimate_s, lower_bound_s, upper_bound_s)."""
    if not buckets or buckets[-1][1] == 0:
        return None
    rank = q * buckets[-1][1]
    prev_le, prev_n = 0.0, 0.0
    for le, n in buckets:
        if n >= rank:
            if le == float("inf"):
                return prev_le, prev_le, le
            if n == prev_n:
                return le, prev_le, le
            return prev_le + (le - prev_le) * (rank - prev_n) / (n - prev_n), prev_le, le
        prev_le, prev_n = le, n
    return None


def run_wrk(port, args, conns):
    threads = min(args.threads, conns)
    cmd = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{args.duration}s", "--latency", "--timeout", "5s",
           "-s", os.path.join(HERE, "getcalleridentity.lua"), f"http://127.0.0.1:{port}/"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=args.duration + 60, check=True).stdout
    lat = dict((k, int(v)) for k, v in re.findall(r"(\w+)=(\d+)", re.search(r"^LATENCY_US (.*)$", out, re.M).group(1)))
    thr = dict((k, int(v)) for k, v in re.findall(r"(\w+)=(\d+)", re.search(r"^THROUGHPUT (.*)$", out, re.M).group(1)))
    return {
        "cmd": " ".join(cmd[:-3] + ["-s", "bench/getcalleridentity.lua", "http://127.0.0.1:PORT/"]),
        "conns": conns,
        "p50_us": lat["p50"], "p90_us": lat["p90"], "p99_us": lat["p99"], "max_us": lat["max"],
        "requests": thr["requests"], "rps": thr["requests"] / (thr["duration_us"] / 1e6),
        "non2xx": thr["non2xx"], "socket_errors": thr["socket_errors"], "raw": out,
    }


def one(target, args):
    with Server(target) as srv:
        srv.spawn()
        wait_first_success(srv)
        for _ in range(200):  # warm-up: lazy init, allocator, page faults
            r = call_once(srv.port)
            if r is None or not is_expected(*r):
                raise RuntimeError(f"{target}: warm-up call failed: {r and r[0]}")
        runs = []
        for conns in args.conns:
            runs.append(measure(srv, target, args, conns))
        return runs


def measure(srv, target, args, conns):
    stratus = target.startswith("stratus")
    before = parse_hist(scrape(srv.port)) if stratus else None
    res = run_wrk(srv.port, args, conns)
    if stratus:
        h = diff_hist(parse_hist(scrape(srv.port)), before)
        server = {"count": h["count"], "mean_us": h["sum"] / h["count"] * 1e6 if h["count"] else None,
                  "buckets": [(("+Inf" if le == float("inf") else le), n) for le, n in h["buckets"]]}
        for name, q in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99)):
            est = quantile(q, h["buckets"])
            if est:
                server[f"{name}_us"] = est[0] * 1e6
                server[f"{name}_bucket_us"] = [est[1] * 1e6, est[2] * 1e6]
        res["server"] = server
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--conns", default="16,1", help="comma list: one wrk run per connection count")
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("targets", nargs="+")
    args = ap.parse_args()
    args.conns = [int(c) for c in args.conns.split(",")]
    results = {}
    for target in args.targets:
        runs = one(target, args)
        for res in runs:
            tag = f"load {target} c{res['conns']}"
            if res["non2xx"] or res["socket_errors"]:
                log(f"{tag}: WARNING {res['non2xx']} non-2xx answers, {res['socket_errors']} socket errors")
            msg = f"{tag}: {res['rps']:.0f} req/s, client p50 {res['p50_us']} us, p99 {res['p99_us']} us"
            if "server" in res:
                s = res["server"]
                msg += f"; server p50 ~{s.get('p50_us', 0):.1f} us, mean {s['mean_us']:.1f} us over {s['count']} requests"
            log(msg)
        results[target] = runs
    json.dump(results, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
