#!/usr/bin/env python3
# DynamoDB under concurrent load, Stratus (durable, --data-dir: group commit
# with fsync) side by side with moto in the same run: GetItem and PutItem
# throughput and latency with wrk (dynamodb.lua), then Stratus's Query p50
# on a small and a large table (same partition size, 10 items) to show that
# Query cost does not grow with the table: both tables live in one server
# and are queried in alternating 3-second rounds (median of the rounds), so
# the machine's drift hits both alike.
# Usage (from bench/, with the bench venv's python for boto3):
#   .venv/bin/python dynamodb.py [--conns 32] [--duration 10]
#       [--sizes 10000,1000000] [--query-rounds 5] [--targets stratus-disk,moto] > out/dynamodb.json
# Prints a markdown table on stderr, with the server's CPU time per request
# (utime+stime from /proc, robust to steal time on a shared machine).

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

from common import HERE, Server, log

LUA = os.path.join(HERE, "dynamodb.lua")


def client(port):
    return boto3.client(
        "dynamodb",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 10, "mode": "standard"}, max_pool_connections=16),
    )


def wait_ready(port, deadline=60):
    end = time.time() + deadline
    while time.time() < end:
        try:
            client(port).list_tables()
            return
        except Exception:
            time.sleep(0.1)
    raise RuntimeError("server not ready")


def create(c, name):
    c.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST",
    )


def seed(port, name, items, per_part):
    """`items` items in partitions k0..k{items/per_part-1}, per_part items
    each, by BatchWriteItem over raw HTTP (boto3's serialisation would make
    the 1,000,000-item table take a quarter of an hour)."""
    headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.BatchWriteItem",
               "X-Amz-Date": "20250101T000000Z",
               "Authorization": "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/dynamodb/aws4_request, "
                                "SignedHeaders=host;x-amz-date, Signature=00"}

    def chunks(worker, workers):
        conn = http.client.HTTPConnection("127.0.0.1", port)
        for start in range(worker * 25, items, 25 * workers):
            reqs = []
            for i in range(start, min(start + 25, items)):
                part, sk = divmod(i, per_part)
                reqs.append({"PutRequest": {"Item": {"pk": {"S": f"k{part}"}, "sk": {"N": str(sk)}, "v": {"S": "x" * 80}}}})
            while reqs:
                conn.request("POST", "/", body=json.dumps({"RequestItems": {name: reqs}}), headers=headers)
                resp = conn.getresponse()
                out = json.loads(resp.read())
                if resp.status != 200:
                    raise RuntimeError(f"BatchWriteItem: {resp.status} {out}")
                reqs = out.get("UnprocessedItems", {}).get(name, [])

    t0 = time.time()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda w: chunks(w, 4), range(4)))
    log(f"   seeded {items} items in {time.time() - t0:.1f}s")


def cpu_seconds(pid):
    """utime+stime of a process so far, in seconds (None when unreadable)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def wrk(port, op, conns, duration, env, pid=None):
    cpu0 = cpu_seconds(pid) if pid else None
    argv = ["wrk", f"-t{min(2, conns)}", f"-c{conns}", f"-d{duration}s", "--latency", "-s", LUA, f"http://127.0.0.1:{port}/"]
    out = subprocess.run(argv, capture_output=True, text=True, env={**os.environ, "DDB_OP": op, **env}, timeout=duration + 60)
    lat = re.search(r"LATENCY_US p50=(\d+) p90=(\d+) p99=(\d+) max=(\d+)", out.stdout)
    thr = re.search(r"THROUGHPUT requests=(\d+) duration_us=(\d+) non2xx=(\d+) socket_errors=(\d+)", out.stdout)
    if not lat or not thr:
        raise RuntimeError("wrk output: " + out.stdout + out.stderr)
    reqs, dur = int(thr.group(1)), int(thr.group(2))
    cpu1 = cpu_seconds(pid) if pid else None
    # Server CPU time per request: robust to steal time on a shared machine.
    cpu_us = round((cpu1 - cpu0) * 1e6 / reqs, 1) if cpu0 is not None and cpu1 is not None and reqs else None
    return {
        "op": op,
        "conns": conns,
        "rps": round(reqs / (dur / 1e6), 1),
        "p50_us": int(lat.group(1)),
        "p90_us": int(lat.group(2)),
        "p99_us": int(lat.group(3)),
        "non2xx": int(thr.group(3)),
        "socket_errors": int(thr.group(4)),
        "cpu_us_per_req": cpu_us,
        "load1": loadavg(),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--conns", type=int, default=32)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--sizes", default="10000,1000000")
    ap.add_argument("--targets", default="stratus-disk,moto")
    ap.add_argument("--query-rounds", type=int, default=5)
    args = ap.parse_args()
    results = {"load": [], "query": []}
    for target in [t for t in args.targets.split(",") if t]:
        log(f"== {target}: GetItem / PutItem")
        with Server(target) as srv:
            srv.spawn()
            wait_ready(srv.port)
            c = client(srv.port)
            create(c, "bench")
            seed(srv.port, "bench", 1000, 1)
            for op in ("get", "put"):
                r = wrk(srv.port, op, args.conns, args.duration, {"DDB_TABLE": "bench", "DDB_KEYS": "1000"}, srv.proc.pid)
                r["target"] = target
                log(f"   {op}: {r}")
                results["load"].append(r)
    log("== stratus-disk: Query p50 by table size (one server, tables measured in alternation)")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if sizes:
        with Server("stratus-disk") as srv:
            srv.spawn()
            wait_ready(srv.port)
            c = client(srv.port)
            for size in sizes:
                create(c, f"q{size}")
                seed(srv.port, f"q{size}", size, 10)
            runs = {size: [] for size in sizes}
            for _ in range(args.query_rounds):
                for size in sizes:
                    env = {"DDB_TABLE": f"q{size}", "DDB_PARTS": str(size // 10)}
                    runs[size].append(wrk(srv.port, "query", 1, 3, env, srv.proc.pid))
            for size in sizes:
                rs = runs[size]
                r1 = {k: statistics.median(r[k] for r in rs) for k in ("rps", "p50_us", "p90_us", "p99_us", "cpu_us_per_req")}
                r1.update(op="query", conns=1, target="stratus-disk", items=size, rounds=len(rs),
                          p50s=[r["p50_us"] for r in rs])
                log(f"   {size} items: {r1}")
                results["query"].append(r1)
    json.dump(results, sys.stdout, indent=2)
    print(file=sys.stdout)
    log("")
    log("| target | op | conns | req/s | p50 µs | p99 µs | server CPU µs/req | load1 | non-2xx |")
    log("|---|---|---|---|---|---|---|---|---|")
    for r in results["load"]:
        log(
            f"| {r['target']} | {r['op']} | {r['conns']} | {r['rps']:.0f} | {r['p50_us']} | {r['p99_us']} "
            f"| {r['cpu_us_per_req']} | {r['load1']} | {r['non2xx']} |"
        )
    log("")
    log("| table items | Query p50 µs (1 conn, median of rounds) | p50 of each round | p99 µs | req/s | server CPU µs/req |")
    log("|---|---|---|---|---|---|")
    for r in results["query"]:
        log(f"| {r['items']} | {r['p50_us']:.0f} | {r['p50s']} | {r['p99_us']:.0f} | {r['rps']:.0f} | {r['cpu_us_per_req']:.1f} |")


if __name__ == "__main__":
    main()
