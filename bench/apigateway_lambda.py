#!/usr/bin/env python3
# An HTTP API route to a warm Rust Lambda under load, and the gateway's own
# overhead. A provided.al2023 function (tests/functions/rust-echo, the
# official lambda_runtime client, when target/functions/release/rust-echo
# is built; else the std-only null runtime bench/lambda_null_runtime.rs)
# echoes its event; an HTTP API quick-created on it (payload format 2.0,
# route $default) is served by an in-memory Stratus.
# - load: wrk -c{conns} GETs /_aws/execute-api/{api}/bench for --duration s
#   (targets: >= 3,000 req/s, p99 < 10 ms on 2 cores);
# - overhead: --pairs alternating 1 s wrk -c1 runs of the route and of a
#   direct Invoke of the same function with the route's own event as
#   payload; overhead = median over pairs of (route p50 - invoke p50)
#   (target: < 100 µs).
# Usage (from bench/, with a python that has boto3):
#   python3 apigateway_lambda.py [--conns 16] [--duration 10] [--pairs 12] > out/apigateway_lambda.json

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import urllib.request
import zipfile

import boto3
from botocore.config import Config

from apigateway import seconds_of, wrk
from common import ROOT, Server, log

AUTH = ("AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/lambda/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=00")


def client(port, service):
    return boto3.client(service, endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 10, "mode": "standard"}))


def bootstrap(tmp):
    """The function's bootstrap binary and what it is."""
    rust = os.path.join(ROOT, "target", "functions", "release", "rust-echo")
    if os.path.exists(rust):
        return rust, "rust-echo (lambda_runtime)"
    out = os.path.join(tmp, "bootstrap")
    subprocess.run(["rustc", "-O", "--edition", "2021", os.path.join(ROOT, "bench", "lambda_null_runtime.rs"),
                    "-o", out], check=True)
    return out, "null runtime (std only)"


def deploy(port, binary):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo("bootstrap")
        info.external_attr = 0o755 << 16
        with open(binary, "rb") as f:
            z.writestr(info, f.read())
    lam = client(port, "lambda")
    arn = lam.create_function(FunctionName="echo", Runtime="provided.al2023", Handler="bootstrap",
                              Role="arn:aws:iam::000000000000:role/r", Code={"ZipFile": buf.getvalue()},
                              MemorySize=512)["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(FunctionName="echo")
    api = client(port, "apigatewayv2").create_api(Name="bench", ProtocolType="HTTP", Target=arn)["ApiId"]
    return f"/_aws/execute-api/{api}/bench"


def lua_post(tmp, body):
    path = os.path.join(tmp, "invoke.lua")
    with open(path, "w") as f:
        f.write(f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\n'
                'wrk.headers["Content-Type"] = "application/json"\n'
                'wrk.headers["X-Amz-Date"] = "20250101T000000Z"\n'
                f'wrk.headers["Authorization"] = "{AUTH}"\n')
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--conns", type=int, default=16)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--pairs", type=int, default=12)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="stratus-apigw-lambda-")
    binary, kind = bootstrap(tmp)
    with Server("stratus-mem") as srv:
        srv.spawn()
        client(srv.port, "lambda").list_functions()
        route = deploy(srv.port, binary)
        base = f"http://127.0.0.1:{srv.port}"
        event = urllib.request.urlopen(base + route).read().decode()
        invoke = "/2015-03-31/functions/echo/invocations"
        wrk(srv.port, route, args.conns, 2)  # warm-up: one environment per connection
        load = wrk(srv.port, route, args.conns, args.duration)
        lua = lua_post(tmp, event)
        overheads, pairs = [], []
        for i in range(args.pairs):
            runs = [("route", route, None), ("invoke", invoke, lua)]
            if i % 2:
                runs.reverse()
            p50 = {}
            for name, path, script in runs:
                argv = ["wrk", "-t1", "-c1", "-d1s", "--latency"] + (["-s", script] if script else [])
                out = subprocess.run(argv + [base + path], capture_output=True, text=True).stdout
                line = next(l for l in out.splitlines() if l.strip().startswith("50%"))
                p50[name] = seconds_of(line.split()[1]) * 1e6
            pairs.append(p50)
            overheads.append(p50["route"] - p50["invoke"])
    result = {
        "function": kind, "clients": args.conns, "load": load,
        "overhead_us": {"median": round(statistics.median(overheads), 1),
                        "p25": round(statistics.quantiles(overheads, n=4)[0], 1),
                        "p75": round(statistics.quantiles(overheads, n=4)[2], 1)},
        "pairs": pairs, "event_bytes": len(event), "load_avg": open("/proc/loadavg").read().split()[:3],
    }
    log(f"function: {kind}")
    log("| measure | value |")
    log("|---|---:|")
    log(f"| HTTP API -> Lambda, {args.conns} clients | {load['req_per_s']} req/s, p50 {load['p50_ms']} ms, "
        f"p99 {load['p99_ms']} ms, {load['errors']} errors |")
    o = result["overhead_us"]
    log(f"| gateway overhead (route p50 - invoke p50, median of {args.pairs} pairs) | {o['median']} µs "
        f"(p25 {o['p25']}, p75 {o['p75']}) |")
    json.dump(result, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
