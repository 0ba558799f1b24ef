#!/usr/bin/env python3
# SQS under concurrent clients, Stratus (durable, --data-dir: group commit
# with fsync) and in memory side by side with moto in the same run: each
# client thread sends SendMessageBatch requests of 10 messages, then
# receives (ReceiveMessage, 10 at a time) and deletes (DeleteMessageBatch)
# until its share is drained. Reports messages per second for each phase
# and per-request latency percentiles.
# Usage (from bench/, with the bench venv's python for boto3):
#   .venv/bin/python sqs.py [--clients 8] [--messages 5000]
#       [--targets stratus-disk,stratus-mem,moto] > out/sqs.json
# Prints a markdown table on stderr.

import argparse
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

from common import Server, log


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


def pct(samples, p):
    if not samples:
        return 0
    s = sorted(samples)
    return s[min(len(s) - 1, int(len(s) * p))]


def run_phase(fn, clients):
    t0 = time.time()
    with ThreadPoolExecutor(clients) as pool:
        parts = list(pool.map(fn, range(clients)))
    elapsed = time.time() - t0
    lat = [x for part in parts for x in part[1]]
    count = sum(part[0] for part in parts)
    return {
        "messages": count,
        "seconds": round(elapsed, 3),
        "msgs_per_s": round(count / elapsed, 1) if elapsed else 0,
        "requests": len(lat),
        "p50_ms": round(pct(lat, 0.50) * 1000, 2),
        "p99_ms": round(pct(lat, 0.99) * 1000, 2),
    }


def bench(target, clients, messages):
    with Server(target) as srv:
        srv.spawn()
        wait_ready(srv.port)
        c = client(srv.port, clients)
        url = c.create_queue(QueueName="bench")["QueueUrl"]
        per_client = messages // clients
        body = "x" * 200

        def send(i):
            cl = client(srv.port, 2)
            lat = []
            sent = 0
            while sent < per_client:
                n = min(10, per_client - sent)
                entries = [{"Id": f"m{j}", "MessageBody": body} for j in range(n)]
                t = time.perf_counter()
                out = cl.send_message_batch(QueueUrl=url, Entries=entries)
                lat.append(time.perf_counter() - t)
                sent += len(out.get("Successful", []))
            return sent, lat

        def receive(i):
            cl = client(srv.port, 2)
            lat = []
            got = 0
            empty = 0
            while got < per_client and empty < 3:
                t = time.perf_counter()
                out = cl.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
                msgs = out.get("Messages", [])
                if msgs:
                    cl.delete_message_batch(
                        QueueUrl=url,
                        Entries=[{"Id": str(k), "ReceiptHandle": m["ReceiptHandle"]} for k, m in enumerate(msgs)],
                    )
                    lat.append(time.perf_counter() - t)
                    empty = 0
                else:
                    empty += 1  # drained: the closing long polls are not timed
                got += len(msgs)
            return got, lat

        s = run_phase(send, clients)
        s.update(target=target, phase="send (batch 10)", clients=clients)
        log(f"   {target} send: {s}")
        r = run_phase(receive, clients)
        r.update(target=target, phase="receive+delete (batch 10)", clients=clients)
        log(f"   {target} receive: {r}")
        return [s, r]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--messages", type=int, default=5000)
    ap.add_argument("--targets", default="stratus-disk,stratus-mem,moto")
    args = ap.parse_args()
    results = []
    for target in args.targets.split(","):
        log(f"== {target}: SQS send / receive+delete, {args.clients} clients, {args.messages} messages")
        results += bench(target, args.clients, args.messages)
    json.dump({"sqs": results}, sys.stdout, indent=2)
    print(file=sys.stdout)
    log("")
    log("| target | phase | clients | msgs/s | p50 ms/request | p99 ms/request |")
    log("|---|---|---|---|---|---|")
    for r in results:
        log(f"| {r['target']} | {r['phase']} | {r['clients']} | {r['msgs_per_s']:.0f} | {r['p50_ms']} | {r['p99_ms']} |")


if __name__ == "__main__":
    main()
