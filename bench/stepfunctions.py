#!/usr/bin/env python3
# Step Functions state transitions per second against Stratus:
#  - Express: StartSyncExecution of a chain of Pass states, from concurrent
#    clients (each state is one transition);
#  - Standard: StartExecution of the same chain on a disk-backed server
#    (durable: each top-level transition is journaled in the store), timed
#    from the first start until every execution has finished.
# StartSyncExecution carries the `sync-` host prefix in the API model; the
# clients here use botocore's Config(inject_host_prefix=False) so a local
# endpoint works (AWS_DISABLE_HOST_PREFIX_INJECTION=true does the same).
# Usage (from bench/, with a venv that has boto3):
#   python stepfunctions.py [--states 500] [--clients 4] [--duration 10] > out/stepfunctions.json
# Without --endpoint it starts the release binary (in memory for Express,
# on disk for Standard).

import argparse
import json
import sys
import threading
import time

import boto3
from botocore.config import Config

from common import Server, log, wait_first_success

ROLE = "arn:aws:iam::000000000000:role/bench"


def client(endpoint):
    return boto3.client("stepfunctions", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(inject_host_prefix=False, retries={"max_attempts": 1}))


def chain(states):
    names = [f"S{i}" for i in range(states)]
    body = {n: {"Type": "Pass", "Next": names[i + 1]} for i, n in enumerate(names[:-1])}
    body[names[-1]] = {"Type": "Pass", "End": True}
    return json.dumps({"StartAt": names[0], "States": body})


def express(endpoint, states, clients, duration):
    sfn = client(endpoint)
    arn = sfn.create_state_machine(name="bench-express", definition=chain(states), roleArn=ROLE,
                                   type="EXPRESS")["stateMachineArn"]
    counts, errors = [0] * clients, [0] * clients
    stop = time.time() + duration

    def worker(n):
        c = client(endpoint)
        while time.time() < stop:
            out = c.start_sync_execution(stateMachineArn=arn, input="{}")
            if out["status"] == "SUCCEEDED":
                counts[n] += 1
            else:
                errors[n] += 1

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    execs = sum(counts)
    return {"kind": "express", "states": states, "clients": clients, "executions": execs,
            "errors": sum(errors), "seconds": round(elapsed, 2),
            "transitions_per_second": round(execs * states / elapsed)}


def standard(endpoint, states, executions):
    sfn = client(endpoint)
    arn = sfn.create_state_machine(name="bench-standard", definition=chain(states),
                                   roleArn=ROLE)["stateMachineArn"]
    t0 = time.perf_counter()
    arns = [sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"] for _ in range(executions)]
    failed = 0
    for a in arns:
        while True:
            status = sfn.describe_execution(executionArn=a)["status"]
            if status != "RUNNING":
                failed += status != "SUCCEEDED"
                break
            time.sleep(0.01)
    elapsed = time.perf_counter() - t0
    return {"kind": "standard", "states": states, "executions": executions, "failed": failed,
            "seconds": round(elapsed, 2), "transitions_per_second": round(executions * states / elapsed)}


def with_server(target, endpoint, fn):
    if endpoint:
        return fn(endpoint)
    server = Server(target)
    server.spawn()
    try:
        wait_first_success(server)
        return fn(f"http://127.0.0.1:{server.port}")
    finally:
        server.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--states", type=int, default=500)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--duration", type=float, default=10)
    ap.add_argument("--standard-executions", type=int, default=20)
    ap.add_argument("--endpoint")
    args = ap.parse_args()
    results = [
        with_server("stratus-mem", args.endpoint, lambda e: express(e, args.states, args.clients, args.duration)),
        with_server("stratus-disk", args.endpoint, lambda e: standard(e, args.states, args.standard_executions)),
    ]
    print(json.dumps({"results": results}, indent=2))
    log("| kind | states | executions | seconds | transitions/s |")
    log("|---|---|---|---|---|")
    for r in results:
        log(f"| {r['kind']} | {r['states']} | {r['executions']} | {r['seconds']} | {r['transitions_per_second']} |")


if __name__ == "__main__":
    sys.exit(main())
