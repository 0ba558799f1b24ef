#!/usr/bin/env python3
"""Lambda side by side with MiniStack (the peer that runs Python functions
without Docker), same run, same client: a Python handler created through
boto3, then invoked through the Invoke API over loopback with keep-alive
(raw http.client with a fixed signature, so the client costs the same for
both): the first invoke (cold), warm round trips (sequential, one
connection) and warm invocations/s from THREADS concurrent connections.
Usage (from bench/): .venv/bin/python lambda_peers.py [--n 500] [--threads 8]
[--duration 5] [--targets stratus,ministack] > out/lambda_peers.json
MiniStack comes from its own venv (bench/.venv-ministack, made if missing)."""

import argparse
import http.client
import io
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import zipfile

import boto3
from botocore.config import Config

from common import HERE, free_port, log, stratus_bin

HANDLER = "def handler(event, context):\n    return {'ok': True, 'echo': event}\n"
AUTH = {
    "X-Amz-Date": "20250101T000000Z",
    "Authorization": "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/lambda/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=00",
}


def ministack_bin():
    venv = os.path.join(HERE, ".venv-ministack")
    if not os.path.exists(os.path.join(venv, "bin", "ministack")):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q", "ministack==1.5.33"], check=True)
    return os.path.join(venv, "bin", "ministack")


def spawn(target, port):
    if target == "stratus":
        argv = [stratus_bin(), "serve", "--in-memory", "--port", str(port), "--log-level", "warn"]
        env = dict(os.environ)
    else:
        argv = [ministack_bin()]
        env = {**os.environ, "GATEWAY_PORT": str(port), "LOG_LEVEL": "WARNING"}
    return subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def lam(port):
    return boto3.client("lambda", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}, read_timeout=120))


def wait_ready(port):
    end = time.time() + 60
    while time.time() < end:
        try:
            lam(port).list_functions()
            return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError("server not ready")


def zipped():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", HANDLER)
    return buf.getvalue()


def invoke(conn, name):
    body = b'{"n": 1}'
    t0 = time.perf_counter()
    conn.request("POST", f"/2015-03-31/functions/{name}/invocations", body=body,
                 headers={**AUTH, "Content-Type": "application/json"})
    resp = conn.getresponse()
    out = resp.read()
    elapsed = time.perf_counter() - t0
    if resp.status != 200 or b'"ok": true' not in out.replace(b'"ok":true', b'"ok": true'):
        raise RuntimeError(f"invoke: {resp.status} {out[:200]!r}")
    return elapsed


def bench(target, n, threads, duration):
    port = free_port()
    proc = spawn(target, port)
    try:
        wait_ready(port)
        c = lam(port)
        c.create_function(FunctionName="peer", Runtime="python3.12", Role="arn:aws:iam::000000000000:role/r",
                          Handler="app.handler", Code={"ZipFile": zipped()}, Timeout=30)
        for _ in range(100):
            if c.get_function_configuration(FunctionName="peer").get("State", "Active") == "Active":
                break
            time.sleep(0.1)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        cold = invoke(conn, "peer")
        warm = [invoke(conn, "peer") for _ in range(n)]
        count = [0] * threads
        stop = time.perf_counter() + duration

        def run(i):
            cn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            while time.perf_counter() < stop:
                invoke(cn, "peer")
                count[i] += 1

        ts = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
        t0 = time.perf_counter()
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        rate = sum(count) / (time.perf_counter() - t0)
        warm.sort()
        return {"target": target, "cold_ms": round(cold * 1000, 1),
                "warm_p50_us": round(statistics.median(warm) * 1e6),
                "warm_p99_us": round(warm[int(len(warm) * 0.99) - 1] * 1e6),
                "invocations_s": round(rate, 1), "threads": threads}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--targets", default="stratus,ministack")
    args = ap.parse_args()
    results = []
    for target in args.targets.split(","):
        log(f"== {target}: Python function, cold invoke, {args.n} warm invokes, {args.threads} threads")
        r = bench(target, args.n, args.threads, args.duration)
        log(f"   {r}")
        results.append(r)
    json.dump({"lambda_peers": results}, sys.stdout, indent=2)
    print()
    log("")
    log("| target | first invoke (cold) ms | warm p50 µs | warm p99 µs | warm invocations/s |")
    log("|---|---:|---:|---:|---:|")
    for r in results:
        log(f"| {r['target']} | {r['cold_ms']} | {r['warm_p50_us']} | {r['warm_p99_us']} | {r['invocations_s']} |")


if __name__ == "__main__":
    main()
