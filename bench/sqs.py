#!/usr/bin/env python3
# SQS under concurrent load, Stratus (durable, --data-dir: group commit
# with fsync) and in memory side by side with moto in the same run: wrk
# (sqs.lua) sends SendMessageBatch requests of 10 messages for --duration
# seconds, then receives (ReceiveMessage, 10 at a time) and deletes
# (DeleteMessageBatch) what it received for as long. Reports messages per
# second for each phase and per-request latency percentiles.
# Usage (from bench/, with the bench venv's python for boto3):
#   .venv/bin/python sqs.py [--clients 16] [--duration 10]
#       [--targets stratus-disk,stratus-mem,moto] > out/sqs.json
# Prints a markdown table on stderr.

import argparse
import json
import sys
import time
import os
import re
import subprocess

import boto3
from botocore.config import Config

from common import HERE, Server, log

LUA = os.path.join(HERE, "sqs.lua")


def client(port, pool):
    return boto3.client(
        "sqs",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 10, "mode": "standard"}, max_pool_connections=pool),
    )


def wait_ready(port, deadline=60):
    end = time.time() + deadline
    while time.time() < end:
        try:
            client(port, 1).list_queues()
            return
        except Exception:
            time.sleep(0.1)
    raise RuntimeError("server not ready")


def wrk(port, op, conns, duration, url):
    argv = ["wrk", "-t2", f"-c{conns}", f"-d{duration}s", "--timeout", "30s", "-s", LUA, f"http://127.0.0.1:{port}/"]
    env = {**os.environ, "SQS_OP": op, "SQS_QUEUE_URL": url}
    out = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=duration + 60)
    lat = re.search(r"LATENCY_US p50=(\d+) p90=(\d+) p99=(\d+) max=(\d+)", out.stdout)
    thr = re.search(r"THROUGHPUT requests=(\d+) duration_us=(\d+) non2xx=(\d+) socket_errors=(\d+) messages=(\d+)",
                    out.stdout)
    if not lat or not thr:
        raise RuntimeError("wrk output: " + out.stdout + out.stderr)
    seconds = int(thr.group(2)) / 1e6
    return {
        "requests": int(thr.group(1)),
        "messages": int(thr.group(5)),
        "seconds": round(seconds, 2),
        "msgs_per_s": round(int(thr.group(5)) / seconds, 1),
        "p50_ms": round(int(lat.group(1)) / 1000, 2),
        "p99_ms": round(int(lat.group(3)) / 1000, 2),
        "errors": int(thr.group(3)) + int(thr.group(4)),
    }


def bench(target, conns, duration):
    with Server(target) as srv:
        srv.spawn()
        wait_ready(srv.port)
        url = client(srv.port, 1).create_queue(QueueName="bench")["QueueUrl"]
        s = wrk(srv.port, "send", conns, duration, url)
        s.update(target=target, phase="send (batch 10)", clients=conns)
        log(f"   {target} send: {s}")
        r = wrk(srv.port, "consume", conns, duration, url)
        r.update(target=target, phase="receive+delete (batch 10)", clients=conns)
        log(f"   {target} receive: {r}")
        return [s, r]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--targets", default="stratus-disk,stratus-mem,moto")
    args = ap.parse_args()
    results = []
    for target in args.targets.split(","):
        log(f"== {target}: SQS send / receive+delete, {args.clients} connections, {args.duration} s each")
        results += bench(target, args.clients, args.duration)
    json.dump({"sqs": results}, sys.stdout, indent=2)
    print(file=sys.stdout)
    log("")
    log("| target | phase | clients | msgs/s | p50 ms/request | p99 ms/request |")
    log("|---|---|---|---|---|---|")
    for r in results:
        log(f"| {r['target']} | {r['phase']} | {r['clients']} | {r['msgs_per_s']:.0f} | {r['p50_ms']} | {r['p99_ms']} |")


if __name__ == "__main__":
    main()
