#!/usr/bin/env python3
# API Gateway's data plane under load: a REST API with one MOCK route
# (request template {"statusCode": 200}, a static response template) is
# deployed on an in-memory Stratus, then wrk GETs its invoke URL in the
# path form /_aws/execute-api/{api}/{stage}/mock for --duration seconds.
# Target (issue): MOCK route >= 20,000 req/s on 2 cores.
# Usage (from bench/, with a python that has boto3):
#   python3 apigateway.py [--conns 16] [--duration 10] > out/apigateway.json
# Prints a markdown table on stderr.

import argparse
import json
import os
import re
import subprocess
import sys
import time

import boto3
from botocore.config import Config

from common import Server, log


def client(port):
    return boto3.client("apigateway", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 10, "mode": "standard"}))


def wait_ready(port, deadline=60):
    end = time.time() + deadline
    while time.time() < end:
        try:
            client(port).get_rest_apis()
            return
        except Exception:
            time.sleep(0.1)
    raise RuntimeError("server not ready")


def deploy_mock(port):
    apigw = client(port)
    api = apigw.create_rest_api(name="bench")
    res = apigw.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="mock")
    kw = dict(restApiId=api["id"], resourceId=res["id"], httpMethod="GET")
    apigw.put_method(authorizationType="NONE", **kw)
    apigw.put_integration(type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'}, **kw)
    apigw.put_integration_response(statusCode="200", responseTemplates={"application/json": '{"ok": true}'}, **kw)
    apigw.create_deployment(restApiId=api["id"], stageName="bench")
    return f"/_aws/execute-api/{api['id']}/bench/mock"


def seconds_of(text):
    """A wrk duration (`812.00us`, `1.20ms`, `2.01s`) in seconds."""
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def wrk(port, path, conns, duration):
    argv = ["wrk", "-t2", f"-c{conns}", f"-d{duration}s", "--latency", "--timeout", "30s",
            f"http://127.0.0.1:{port}{path}"]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 60).stdout
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    total = re.search(r"(\d+) requests in ([\d.]+\w+)", out)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not (p50 and p99 and total and rate):
        raise RuntimeError("wrk output: " + out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "requests": int(total.group(1)),
        "seconds": round(seconds_of(total.group(2)), 2),
        "req_per_s": float(rate.group(1)),
        "p50_ms": round(seconds_of(p50.group(1)) * 1000, 3),
        "p99_ms": round(seconds_of(p99.group(1)) * 1000, 3),
        "errors": (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, socket.groups())) if socket else 0),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--conns", type=int, default=16)
    ap.add_argument("--duration", type=int, default=10)
    args = ap.parse_args()
    with Server("stratus-mem") as srv:
        srv.spawn()
        wait_ready(srv.port)
        path = deploy_mock(srv.port)
        wrk(srv.port, path, args.conns, 2)  # warm-up
        r = wrk(srv.port, path, args.conns, args.duration)
    r.update(target="stratus-mem", route="MOCK", clients=args.conns)
    log("| route | clients | req/s | p50 ms | p99 ms | errors |")
    log("|---|---:|---:|---:|---:|---:|")
    log(f"| MOCK | {args.conns} | {r['req_per_s']} | {r['p50_ms']} | {r['p99_ms']} | {r['errors']} |")
    json.dump(r, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
