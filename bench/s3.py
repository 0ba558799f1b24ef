#!/usr/bin/env python3
# S3 throughput, Stratus (durable, --data-dir: bodies streamed to files,
# fsync before the metadata commit) side by side with moto in the same run:
# one 100 MiB object PUT and GET through boto3 (MB/s, median of --repeat),
# then PUTs/s of 4 KiB objects from --clients concurrent boto3 clients.
# Usage (from bench/, with the bench venv's python for boto3):
#   .venv/bin/python s3.py [--size-mib 100] [--repeat 3] [--clients 16]
#       [--duration 10] [--targets stratus-disk,moto] > out/s3.json
# Prints a markdown table on stderr (and with --markdown FILE, into FILE).

import argparse
import json
import os
import threading
import time

import boto3
from botocore.config import Config

from common import Server, log, median

MiB = 1024 * 1024


def client(port, pool=4):
    return boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 3, "mode": "standard"}, max_pool_connections=pool,
                      s3={"addressing_style": "path"}),
    )


def wait_ready(port, deadline=60):
    end = time.time() + deadline
    while time.time() < end:
        try:
            client(port).list_buckets()
            return
        except Exception:
            time.sleep(0.1)
    raise RuntimeError("server not ready")


def big_object(port, size_mib, repeat):
    c = client(port)
    data = os.urandom(size_mib * MiB)
    puts, gets = [], []
    for i in range(repeat):
        t0 = time.perf_counter()
        c.put_object(Bucket="bench", Key=f"big-{i}", Body=data)
        puts.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        body = c.get_object(Bucket="bench", Key=f"big-{i}")["Body"]
        got = 0
        for chunk in body.iter_chunks(1024 * 1024):
            got += len(chunk)
        gets.append(time.perf_counter() - t0)
        if got != len(data):
            raise RuntimeError(f"GET returned {got} bytes, expected {len(data)}")
    mb = size_mib * MiB / 1e6
    return {"put_mb_s": round(mb / median(puts), 1), "get_mb_s": round(mb / median(gets), 1),
            "put_s": [round(x, 3) for x in puts], "get_s": [round(x, 3) for x in gets]}


def small_puts(port, clients, duration):
    body = os.urandom(4096)
    counts = [0] * clients
    errors = [0] * clients
    latencies = [[] for _ in range(clients)]
    stop = time.perf_counter() + duration

    def run(n):
        c = client(port, pool=1)
        i = 0
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            try:
                c.put_object(Bucket="bench", Key=f"small/{n}/{i}", Body=body)
                counts[n] += 1
                latencies[n].append(time.perf_counter() - t0)
            except Exception:
                errors[n] += 1
            i += 1

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    lat = sorted(x for l in latencies for x in l)
    p = lambda q: round(lat[min(len(lat) - 1, int(q * len(lat)))] * 1000, 2) if lat else None
    return {"clients": clients, "puts_s": round(sum(counts) / elapsed, 1), "errors": sum(errors),
            "p50_ms": p(0.5), "p99_ms": p(0.99)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mib", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--targets", default="stratus-disk,moto")
    ap.add_argument("--markdown", default=None)
    args = ap.parse_args()
    results = []
    for target in args.targets.split(","):
        log(f"== {target}: {args.size_mib} MiB PUT/GET, 4 KiB PUTs with {args.clients} clients")
        with Server(target) as srv:
            srv.spawn()
            wait_ready(srv.port)
            client(srv.port).create_bucket(Bucket="bench")
            r = {"target": target, **big_object(srv.port, args.size_mib, args.repeat)}
            log(f"   big: {r}")
            r.update(small_puts(srv.port, args.clients, args.duration))
            log(f"   small: {r}")
            results.append(r)
    lines = [
        f"S3 through boto3: one {args.size_mib} MiB object (median of {args.repeat}), and 4 KiB PutObject "
        f"from {args.clients} concurrent clients for {args.duration} s.",
        "",
        f"| target | PUT {args.size_mib} MiB (MB/s) | GET {args.size_mib} MiB (MB/s) | 4 KiB PUTs/s | p50 (ms) | p99 (ms) | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(f"| {r['target']} | {r['put_mb_s']} | {r['get_mb_s']} | {r['puts_s']} | {r['p50_ms']} | {r['p99_ms']} | {r['errors']} |")
    table = "\n".join(lines) + "\n"
    log(table)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(table)
    json.dump({"s3": results, "args": vars(args)}, __import__("sys").stdout, indent=2)


if __name__ == "__main__":
    main()
