#!/usr/bin/env python3
# S3 throughput, Stratus (durable, --data-dir: bodies streamed to files,
# fsync before the metadata commit) side by side with moto in the same run:
# one 100 MiB object PUT and GET with curl (MB/s, median of --repeat),
# then PUTs/s of 4 KiB objects from wrk with --clients connections (s3.lua);
# fast native clients, so the server is what is measured.
# Usage (from bench/, with the bench venv's python for boto3):
#   .venv/bin/python s3.py [--size-mib 100] [--repeat 3] [--clients 16]
#       [--duration 10] [--targets stratus-disk,moto] > out/s3.json
# Prints a markdown table on stderr (and with --markdown FILE, into FILE).

import argparse
import json
import os
import re
import subprocess
import tempfile
import time

import boto3
from botocore.config import Config

from common import HERE, Server, log, median

LUA = os.path.join(HERE, "s3.lua")

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


# A fixed signature, accepted by Stratus's permissive mode and by moto.
SIGNED = ["-H", "X-Amz-Content-Sha256: UNSIGNED-PAYLOAD", "-H", "X-Amz-Date: 20250101T000000Z", "-H",
          "Authorization: AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/s3/aws4_request, "
          "SignedHeaders=host;x-amz-date, Signature=00"]


def curl_seconds(argv):
    out = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", *SIGNED, *argv],
                         capture_output=True, text=True, timeout=600)
    code, seconds = out.stdout.split()
    if code != "200":
        raise RuntimeError(f"curl {argv}: HTTP {code} {out.stderr}")
    return float(seconds)


def big_object(port, size_mib, repeat):
    """PUT and GET of one object with curl, so the client is never the limit."""
    with tempfile.NamedTemporaryFile() as f:
        f.write(os.urandom(size_mib * MiB))
        f.flush()
        puts, gets = [], []
        for i in range(repeat):
            url = f"http://127.0.0.1:{port}/bench/big-{i}"
            puts.append(curl_seconds(["-T", f.name, "-H", "Content-Type: application/octet-stream", url]))
            gets.append(curl_seconds([url]))
    mb = size_mib * MiB / 1e6
    return {"put_mb_s": round(mb / median(puts), 1), "get_mb_s": round(mb / median(gets), 1),
            "put_s": [round(x, 3) for x in puts], "get_s": [round(x, 3) for x in gets]}


def small_puts(port, clients, duration):
    """4 KiB PUTs under fresh keys from wrk with `clients` connections."""
    argv = ["wrk", "-t2", f"-c{clients}", f"-d{duration}s", "-s", LUA, f"http://127.0.0.1:{port}/"]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 60)
    lat = re.search(r"LATENCY_US p50=(\d+) p90=(\d+) p99=(\d+) max=(\d+)", out.stdout)
    thr = re.search(r"THROUGHPUT requests=(\d+) duration_us=(\d+) non2xx=(\d+) socket_errors=(\d+)", out.stdout)
    if not lat or not thr:
        raise RuntimeError("wrk output: " + out.stdout + out.stderr)
    return {"clients": clients, "puts_s": round(int(thr.group(1)) / (int(thr.group(2)) / 1e6), 1),
            "errors": int(thr.group(3)) + int(thr.group(4)),
            "p50_ms": round(int(lat.group(1)) / 1000, 2), "p99_ms": round(int(lat.group(3)) / 1000, 2)}


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
        f"S3: one {args.size_mib} MiB object with curl (median of {args.repeat}), and 4 KiB PutObject "
        f"from wrk with {args.clients} connections for {args.duration} s.",
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
