#!/usr/bin/env python3
# Cognito sign-ins per second with concurrent clients against Stratus:
# InitiateAuth USER_PASSWORD_AUTH (one PBKDF2 verification per sign-in) and
# the full USER_SRP_AUTH exchange (InitiateAuth + RespondToAuthChallenge,
# three 3072-bit modular exponentiations on the server, as pycognito's
# client computes its side). Prints the password hash cost Stratus uses.
# Usage (from bench/, with a venv that has boto3 and pycognito):
#   python cognito.py [--clients 8] [--duration 10] [--endpoint URL] > out/cognito.json
# Without --endpoint it starts the release binary in memory.

import argparse
import hashlib
import json
import sys
import threading
import time

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from pycognito.aws_srp import AWSSRP

from common import Server, log, wait_first_success

PASSWORD = "Bench-Passw0rd!"
# Stratus's stored hash: PBKDF2-HMAC-SHA256, 10,000 iterations, 16-byte
# salt (crates/services/cognito/src/passwords.rs, ITERATIONS), plus the SRP
# verifier g^x mod N computed once when the password is set.
PBKDF2_ITERATIONS = 10_000


def setup(endpoint, users):
    idp = boto3.client("cognito-idp", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="test", aws_secret_access_key="test")
    pool = idp.create_user_pool(PoolName="bench")["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="bench",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    for i in range(users):
        name = f"user{i}"
        idp.admin_create_user(UserPoolId=pool, Username=name, MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=pool, Username=name, Password=PASSWORD, Permanent=True)
    return pool, client


def run(endpoint, pool, client_id, kind, clients, duration):
    counts = [0] * clients
    errors = [0] * clients
    latencies = [[] for _ in range(clients)]
    stop = time.time() + duration

    def worker(n):
        idp = boto3.client("cognito-idp", endpoint_url=endpoint, region_name="us-east-1",
                           config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}))
        name = f"user{n}"
        while time.time() < stop:
            t0 = time.perf_counter()
            try:
                if kind == "password":
                    idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                      AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})
                else:
                    AWSSRP(username=name, password=PASSWORD, pool_id=pool, client_id=client_id,
                           client=idp).authenticate_user()
                counts[n] += 1
                latencies[n].append(time.perf_counter() - t0)
            except Exception as e:  # noqa: BLE001 - counted and reported
                errors[n] += 1
                log(f"{kind} sign-in failed: {e}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    started = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.time() - started
    lat = sorted(x for l in latencies for x in l)
    pct = lambda p: round(lat[min(len(lat) - 1, int(len(lat) * p))] * 1000, 2) if lat else None
    return {"kind": kind, "clients": clients, "seconds": round(elapsed, 2), "sign_ins": sum(counts),
            "errors": sum(errors), "per_second": round(sum(counts) / elapsed, 1),
            "p50_ms": pct(0.5), "p99_ms": pct(0.99)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--duration", type=float, default=10)
    ap.add_argument("--endpoint")
    args = ap.parse_args()
    t0 = time.perf_counter()
    hashlib.pbkdf2_hmac("sha256", PASSWORD.encode(), b"0123456789abcdef", PBKDF2_ITERATIONS)
    py_ms = (time.perf_counter() - t0) * 1000
    log(f"password hash: PBKDF2-HMAC-SHA256, {PBKDF2_ITERATIONS} iterations, 16-byte salt "
        f"(~{py_ms:.1f} ms per hash in CPython's OpenSSL here; Stratus's is of the same order)")
    server = None
    endpoint = args.endpoint
    if not endpoint:
        server = Server("stratus-mem")
        server.spawn()
        wait_first_success(server)
        endpoint = f"http://127.0.0.1:{server.port}"
    try:
        pool, client_id = setup(endpoint, args.clients)
        results = [run(endpoint, pool, client_id, k, args.clients, args.duration) for k in ("password", "srp")]
    finally:
        if server:
            server.stop()
    out = {"hash": {"algorithm": "PBKDF2-HMAC-SHA256", "iterations": PBKDF2_ITERATIONS, "python_ms": round(py_ms, 2)},
           "results": results}
    print(json.dumps(out, indent=2))
    log("| flow | clients | sign-ins/s | p50 ms | p99 ms | errors |")
    log("|---|---|---|---|---|---|")
    for r in results:
        log(f"| {r['kind']} | {r['clients']} | {r['per_second']} | {r['p50_ms']} | {r['p99_ms']} | {r['errors']} |")


if __name__ == "__main__":
    sys.exit(main())
