#!/usr/bin/env python3
"""Lambda benchmarks for Stratus (bench/lambda.py): builds the std-only
null runtime (bench/lambda_null_runtime.rs) with rustc, starts
`stratus serve --in-memory`, and measures, through the Invoke API over
loopback with keep-alive:

- warm invoke round trip (sequential, one connection) for the null
  `provided.al2023` runtime and for a Python handler through Stratus's
  bootstrap; the same connection's GET /_stratus/health round trip is the
  HTTP floor, so invoke minus health is Stratus's + the runtime loop's share;
- Stratus's own share: the same round trips through bench/lambda_bare_loop.rs
  (a std-only server that hands the request to the same null runtime over
  the Runtime API and nothing else), alone and interleaved pair by pair
  with Invokes so that the machine's drift hits both;
- warm invocations per second with wrk (WRK_CONNS connections, null runtime);
- cold start: invoke right after UpdateFunctionConfiguration (new revision,
  so a new environment) for the null runtime and Python;
- SnapStart: a new environment per sample of a published Python version,
  restored from its fork server (SnapStart on) against a plain cold start
  (SnapStart off). The handler ends its environment just after answering,
  so every sample starts a new one; Restore/Init Duration come from the
  REPORT line (LogType Tail).

Prints a markdown table and writes JSON to $BENCH_OUT/lambda.json.
- Stratus's own share with a native client: wrk -c1 runs alternating
  between the bare loop and the null function's Invokes (PAIRS of them).

Knobs: STRATUS_BIN, N=2000, COLD_N=10, SNAP_N=20, WRK_CONNS=8, WRK_DURATION=5,
PAIRS=24, PAIR_SECONDS=1.
MiniStack is not run here (see docs/benchmarks.md)."""

import base64
import http.client
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("STRATUS_BIN", os.path.join(ROOT, "target", "release", "stratus"))
OUT = os.environ.get("BENCH_OUT", os.path.join(ROOT, "bench", "out"))
N = int(os.environ.get("N", "2000"))
COLD_N = int(os.environ.get("COLD_N", "10"))
SNAP_N = int(os.environ.get("SNAP_N", "20"))
WRK_CONNS = os.environ.get("WRK_CONNS", "8")
WRK_DURATION = os.environ.get("WRK_DURATION", "5")
PAIRS = int(os.environ.get("PAIRS", "24"))
PAIR_SECONDS = os.environ.get("PAIR_SECONDS", "1")
AUTH = "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"
HEADERS = {"Content-Type": "application/json", "X-Amz-Date": "20250101T000000Z", "Authorization": AUTH}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def zip_of(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data, mode in files:
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o100000 | mode) << 16
            z.writestr(info, data)
    return buf.getvalue()


def call(conn, method, path, body=None):
    conn.request(method, path, body=body, headers=HEADERS)
    r = conn.getresponse()
    data = r.read()
    return r.status, data


def create(conn, name, runtime, handler, zipbytes, extra=None):
    import base64
    body = {"FunctionName": name, "Runtime": runtime, "Role": "arn:aws:iam::000000000000:role/r",
            "Handler": handler, "Code": {"ZipFile": base64.b64encode(zipbytes).decode()},
            "MemorySize": 128, "Timeout": 10}
    body.update(extra or {})
    st, data = call(conn, "POST", "/2015-03-31/functions", json.dumps(body))
    assert st == 201, data


# Ends its environment right after answering, so the next invoke needs a new one.
DYING_APP = ("import os, threading\n"
             "def handler(e, c):\n"
             "    threading.Timer(0.005, os._exit, (0,)).start()\n"
             "    return e\n")


def publish_active(conn, name):
    """Publishes $LATEST and waits until the version is Active; returns its number."""
    st, data = call(conn, "POST", f"/2015-03-31/functions/{name}/versions", b"{}")
    assert st == 201, data
    version = json.loads(data)["Version"]
    for _ in range(600):
        st, data = call(conn, "GET", f"/2015-03-31/functions/{name}/configuration?Qualifier={version}")
        if json.loads(data).get("State") == "Active":
            return version
        time.sleep(0.05)
    raise RuntimeError(f"{name}:{version} never became Active")


def new_environments(conn, name, version, n):
    """Invoke RTT (ms) of `n` invocations that each start a new environment,
    with the REPORT line's Restore Duration or Init Duration (ms)."""
    import base64
    rtt, startup = [], []
    path = f"{invoke_path(name)}?Qualifier={version}"
    for _ in range(n):
        t = time.perf_counter()
        conn.request("POST", path, body=b"{}", headers={**HEADERS, "X-Amz-Log-Type": "Tail"})
        r = conn.getresponse()
        r.read()
        rtt.append((time.perf_counter() - t) * 1e3)
        assert r.status == 200 and not r.getheader("X-Amz-Function-Error"), r.status
        log = base64.b64decode(r.getheader("X-Amz-Log-Result") or "").decode()
        report = next((l for l in log.splitlines() if l.startswith("REPORT")), "")
        for field in ("Restore Duration: ", "Init Duration: "):
            if field in report:
                startup.append(float(report.split(field, 1)[1].split(" ms", 1)[0]))
        # Let the environment end before the next sample.
        time.sleep(0.1)
    return rtt, startup


def start_bare(bare, nullrt):
    """Starts the bare loop server; returns (process, port, a connection that has answered)."""
    port = free_port()
    proc = subprocess.Popen([bare, "--port", str(port), "--", nullrt])
    for _ in range(200):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port)
            call(conn, "POST", "/", b'{"hello":"world","quiet":1}')
            return proc, port, conn
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the bare loop server did not start")


def wrk(lua, url, conns, seconds=None):
    """wrk's requests/s and latency percentiles (µs) with `conns` connections."""
    seconds = seconds or WRK_DURATION
    out = subprocess.run(["wrk", f"-t{min(conns, 2)}", f"-c{conns}", f"-d{seconds}s", "--latency", "-s", lua, url],
                         capture_output=True, text=True).stdout
    def us(label):
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == label:
                v = parts[1]
                for unit, mult in (("us", 1), ("ms", 1e3), ("s", 1e6)):
                    if v.endswith(unit):
                        return float(v[: -len(unit)]) * mult
        return None
    rps = next((float(l.split()[1]) for l in out.splitlines() if l.startswith("Requests/sec")), 0.0)
    non2xx = next((l.strip() for l in out.splitlines() if "Non-2xx" in l), "")
    assert not non2xx, non2xx
    return {"rps": rps, "p50": us("50%"), "p99": us("99%")}


def bare_loop(bare, nullrt, lua):
    """Round trips through the bare loop server (the same clients, runtime and hops, no Stratus)."""
    proc, port, conn = start_bare(bare, nullrt)
    try:
        rtts(conn, "POST", "/", b'{"hello":"world","quiet":1}', 200)
        xs = rtts(conn, "POST", "/", b'{"hello":"world","quiet":1}', N)
        url = f"http://127.0.0.1:{port}/"
        return {"p50": pct(xs, 50), "p90": pct(xs, 90), "p99": pct(xs, 99), "mean": statistics.mean(xs),
                "wrk1": wrk(lua, url, 1), "rps": wrk(lua, url, int(WRK_CONNS))["rps"]}
    finally:
        proc.kill()
        proc.wait(timeout=10)


def interleaved_share(conn, path, bare, nullrt, n):
    """Stratus's own share measured in pairs: each sample is one Invoke of the
    null function minus one round trip through the bare loop, taken back to
    back, so the machine's drift (other tenants, steal time) hits both."""
    proc, port, bconn = start_bare(bare, nullrt)
    try:
        diffs = []
        for _ in range(n):
            t0 = time.perf_counter()
            call(conn, "POST", path, b'{"hello":"world","quiet":1}')
            t1 = time.perf_counter()
            call(bconn, "POST", "/", b'{"hello":"world","quiet":1}')
            t2 = time.perf_counter()
            diffs.append(((t1 - t0) - (t2 - t1)) * 1e6)
        return {"p50": pct(diffs, 50), "p25": pct(diffs, 25), "p75": pct(diffs, 75)}
    finally:
        proc.kill()
        proc.wait(timeout=10)


def wrk_pairs(lua, url, bare, nullrt, pairs):
    """Stratus's own share with a native client: wrk -c1 runs of PAIR_SECONDS
    alternate between the bare loop and Invokes of the null function, the
    bare loop first in even pairs and second in odd ones (so neither side
    always runs just after the other); the share is the median over pairs of
    (invoke p50 minus bare loop p50), so drift between runs hits both sides
    of each pair, and many short pairs make the median steadier than a few
    long ones."""
    proc, port, _ = start_bare(bare, nullrt)
    try:
        bare_url = f"http://127.0.0.1:{port}/"
        wrk(lua, bare_url, 1, 1)
        wrk(lua, url, 1, 1)
        rows = []
        for n in range(pairs):
            if n % 2 == 0:
                b = wrk(lua, bare_url, 1, PAIR_SECONDS)["p50"]
                i = wrk(lua, url, 1, PAIR_SECONDS)["p50"]
            else:
                i = wrk(lua, url, 1, PAIR_SECONDS)["p50"]
                b = wrk(lua, bare_url, 1, PAIR_SECONDS)["p50"]
            rows.append((b, i, i - b))
        diffs = [r[2] for r in rows]
        return {"bare_p50": statistics.median(r[0] for r in rows), "invoke_p50": statistics.median(r[1] for r in rows),
                "share_p50": statistics.median(diffs), "share_p25": pct(diffs, 25), "share_p75": pct(diffs, 75),
                "diffs": diffs}
    finally:
        proc.kill()
        proc.wait(timeout=10)


def invoke_metrics(conn):
    """(sum of seconds, count) of the server's own Invoke latency histogram."""
    conn.request("GET", "/_stratus/metrics")
    text = conn.getresponse().read().decode()
    total = count = 0.0
    for line in text.splitlines():
        if 'service="lambda",operation="Invoke"' in line:
            if line.startswith("stratus_request_duration_seconds_sum"):
                total = float(line.split()[-1])
            elif line.startswith("stratus_request_duration_seconds_count"):
                count = float(line.split()[-1])
    return total, count


def server_side_share(conn, name, n):
    """Stratus's share seen from inside: the mean time the front door spent on
    an Invoke (request head parsed → response ready, from /_stratus/metrics)
    minus the mean Duration its REPORT lines give the runtime (event taken →
    result posted), over n sequential invokes with LogType Tail."""
    before = invoke_metrics(conn)
    durations = []
    headers = {**HEADERS, "X-Amz-Log-Type": "Tail"}
    for _ in range(n):
        conn.request("POST", invoke_path(name), body=b'{"hello":"world","quiet":1}', headers=headers)
        r = conn.getresponse()
        r.read()
        log = base64.b64decode(r.getheader("X-Amz-Log-Result", "")).decode()
        report = next(l for l in log.splitlines() if l.startswith("REPORT"))
        durations.append(float(report.split("Duration: ")[1].split(" ms")[0]) * 1000)
    after = invoke_metrics(conn)
    server_us = (after[0] - before[0]) / max(after[1] - before[1], 1) * 1e6
    runtime_us = statistics.mean(durations)
    return {"server_mean_us": server_us, "runtime_mean_us": runtime_us, "share_mean_us": server_us - runtime_us}


def invoke_path(name):
    return f"/2015-03-31/functions/{name}/invocations"


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p / 100))]


def rtts(conn, method, path, body, n):
    out = []
    for _ in range(n):
        t = time.perf_counter()
        st, _ = call(conn, method, path, body)
        out.append((time.perf_counter() - t) * 1e6)
        assert st == 200, st
    return out


def cold(conn, name, n):
    out = []
    for i in range(n):
        st, data = call(conn, "PUT", f"/2015-03-31/functions/{name}/configuration", json.dumps({"Description": f"c{i}"}))
        assert st == 200, data
        t = time.perf_counter()
        st, data = call(conn, "POST", invoke_path(name), b"{}")
        out.append((time.perf_counter() - t) * 1e3)
        assert st == 200, data
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="stratus-lambda-bench-")
    nullrt = os.path.join(tmp, "bootstrap")
    subprocess.run(["rustc", "-O", "--edition", "2021", os.path.join(ROOT, "bench", "lambda_null_runtime.rs"), "-o", nullrt], check=True)
    lua = os.path.join(tmp, "invoke.lua")
    with open(lua, "w") as f:
        f.write('wrk.method = "POST"\nwrk.body = \'{"hello":"world","quiet":1}\'\n'
                'wrk.headers["Content-Type"] = "application/json"\n'
                'wrk.headers["X-Amz-Date"] = "20250101T000000Z"\n'
                f'wrk.headers["Authorization"] = "{AUTH}"\n')
    bare = os.path.join(tmp, "bare-loop")
    subprocess.run(["rustc", "-O", "--edition", "2024", os.path.join(ROOT, "bench", "lambda_bare_loop.rs"), "-o", bare], check=True)
    bare_us = bare_loop(bare, nullrt, lua)
    port = free_port()
    proc = subprocess.Popen([BIN, "serve", "--in-memory", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        for _ in range(200):
            try:
                conn.request("GET", "/_stratus/health")
                conn.getresponse().read()
                break
            except OSError:
                time.sleep(0.05)
                conn = http.client.HTTPConnection("127.0.0.1", port)
        with open(nullrt, "rb") as f:
            create(conn, "null", "provided.al2023", "x.y", zip_of([("bootstrap", f.read(), 0o755)]))
        create(conn, "py", "python3.11", "app.handler", zip_of([("app.py", "def handler(e, c):\n    return e\n", 0o644)]))
        names = ["null", "py"]
        rust = os.path.join(ROOT, "target", "functions", "release", "rust-echo")
        if os.path.exists(rust):
            with open(rust, "rb") as f:
                create(conn, "rust", "provided.al2023", "bootstrap", zip_of([("bootstrap", f.read(), 0o755)]))
            names.append("rust")
        results = {"bare_loop_us": bare_us}
        payload = b'{"hello":"world","quiet":1}'
        for name in names:
            call(conn, "POST", invoke_path(name), payload)
            rtts(conn, "POST", invoke_path(name), payload, 200)
            xs = rtts(conn, "POST", invoke_path(name), payload, N)
            results[f"warm_{name}_us"] = {"p50": pct(xs, 50), "p90": pct(xs, 90), "p99": pct(xs, 99), "mean": statistics.mean(xs)}
        results["share_pairs_us"] = interleaved_share(conn, invoke_path("null"), bare, nullrt, N)
        results["share_inside_us"] = server_side_share(conn, "null", N)
        hs = rtts(conn, "GET", "/_stratus/health", None, N)
        results["health_us"] = {"p50": pct(hs, 50), "p99": pct(hs, 99)}
        for name in names:
            cs = cold(conn, name, COLD_N)
            results[f"cold_{name}_ms"] = {"p50": pct(cs, 50), "min": min(cs), "max": max(cs)}
        create(conn, "pysnap", "python3.12", "app.handler", zip_of([("app.py", DYING_APP, 0o644)]),
               {"SnapStart": {"ApplyOn": "PublishedVersions"}})
        create(conn, "pyplain", "python3.12", "app.handler", zip_of([("app.py", DYING_APP, 0o644)]))
        for name, key in (("pysnap", "snapstart"), ("pyplain", "plain")):
            version = publish_active(conn, name)
            rtt, startup = new_environments(conn, name, version, SNAP_N)
            results[f"newenv_{key}_py_ms"] = {"p50": statistics.median(rtt), "min": min(rtt), "max": max(rtt),
                                               "startup_p50": statistics.median(startup) if startup else None,
                                               "reported": len(startup)}
        for name in [n for n in ("null", "rust") if n in names]:
            url = f"http://127.0.0.1:{port}{invoke_path(name)}"
            results[f"wrk1_{name}_us"] = wrk(lua, url, 1)
            results[f"wrk_{name}_rps"] = wrk(lua, url, int(WRK_CONNS))["rps"]
        results["share_wrk_pairs_us"] = wrk_pairs(lua, f"http://127.0.0.1:{port}{invoke_path('null')}", bare, nullrt, PAIRS)
        results["load"] = open("/proc/loadavg").read().split()[:3]
        with open(os.path.join(OUT, "lambda.json"), "w") as f:
            json.dump(results, f, indent=1)
        w = results
        print("| Measure | Stratus |")
        print("|---|---|")
        print(f"| Warm invoke RTT, null provided runtime (p50 / p99) | {w['warm_null_us']['p50']:.0f} µs / {w['warm_null_us']['p99']:.0f} µs |")
        print(f"| Warm invoke RTT, Python via Stratus bootstrap (p50 / p99) | {w['warm_py_us']['p50']:.0f} µs / {w['warm_py_us']['p99']:.0f} µs |")
        print(f"| HTTP floor: GET /_stratus/health RTT (p50) | {w['health_us']['p50']:.0f} µs |")
        b = w["bare_loop_us"]
        print(f"| Bare Runtime API loop (bench/lambda_bare_loop.rs, null runtime; p50 / p99) | {b['p50']:.0f} µs / {b['p99']:.0f} µs |")
        print(f"| Stratus's own share: warm null invoke p50 minus bare loop p50 | {w['warm_null_us']['p50'] - b['p50']:.0f} µs |")
        print(f"| wrk -c1 round trip, bare loop (p50 / p99) | {b['wrk1']['p50']:.0f} µs / {b['wrk1']['p99']:.0f} µs |")
        for name, label in (("null", "null runtime"), ("rust", "Rust lambda_runtime function")):
            if f"wrk1_{name}_us" in w:
                x = w[f"wrk1_{name}_us"]
                print(f"| wrk -c1 warm invoke round trip, {label} (p50 / p99) | {x['p50']:.0f} µs / {x['p99']:.0f} µs |")
        print(f"| Stratus's own share, wrk -c1: null invoke p50 minus bare loop p50 | {w['wrk1_null_us']['p50'] - b['wrk1']['p50']:.0f} µs |")
        wp = w["share_wrk_pairs_us"]
        diffs = ", ".join(f"{d:.0f}" for d in wp["diffs"])
        print(f"| Stratus's own share, {PAIRS} interleaved wrk -c1 pairs of {PAIR_SECONDS} s (median of invoke p50 minus bare loop p50, p25–p75 {wp['share_p25']:.0f}–{wp['share_p75']:.0f}; bare {wp['bare_p50']:.0f} µs, invoke {wp['invoke_p50']:.0f} µs; pairs: {diffs}) | {wp['share_p50']:.0f} µs |")
        print(f"| Bare loop requests/s (wrk -c{WRK_CONNS}) | {b['rps']:.0f} |")
        si = w["share_inside_us"]
        print(f"| Stratus's own share seen from inside (front door mean {si['server_mean_us']:.0f} µs minus REPORT Duration mean {si['runtime_mean_us']:.0f} µs) | {si['share_mean_us']:.0f} µs |")
        sp = w["share_pairs_us"]
        print(f"| Stratus's own share, interleaved pairs (null invoke minus bare loop; p50, p25–p75) | {sp['p50']:.0f} µs ({sp['p25']:.0f}–{sp['p75']:.0f}) |")
        for name, label in (("null", "null provided runtime"), ("rust", "Rust lambda_runtime function")):
            if f"warm_{name}_us" in w and name != "null":
                print(f"| Warm invoke RTT, {label} (p50 / p99) | {w[f'warm_{name}_us']['p50']:.0f} µs / {w[f'warm_{name}_us']['p99']:.0f} µs |")
            if f"wrk_{name}_rps" in w:
                print(f"| Warm invocations/s, {label} (wrk -c{WRK_CONNS}) | {w[f'wrk_{name}_rps']:.0f} |")
        print(f"| Cold start invoke, null runtime (p50, min–max) | {w['cold_null_ms']['p50']:.1f} ms ({w['cold_null_ms']['min']:.1f}–{w['cold_null_ms']['max']:.1f}) |")
        if "cold_rust_ms" in w:
            c = w["cold_rust_ms"]
            print(f"| Cold start invoke, Rust lambda_runtime (p50, min–max) | {c['p50']:.1f} ms ({c['min']:.1f}–{c['max']:.1f}) |")
        print(f"| Cold start invoke, Python (p50, min–max) | {w['cold_py_ms']['p50']:.1f} ms ({w['cold_py_ms']['min']:.1f}–{w['cold_py_ms']['max']:.1f}) |")
        for key, label in (("snapstart", "SnapStart restore (published version)"), ("plain", "plain cold start (published version)")):
            x = w[f"newenv_{key}_py_ms"]
            field = "Restore" if key == "snapstart" else "Init"
            startup = f"; REPORT {field} Duration p50 {x['startup_p50']:.1f} ms" if x["startup_p50"] is not None else ""
            print(f"| New environment invoke, Python {label} (median, min–max) | {x['p50']:.1f} ms ({x['min']:.1f}–{x['max']:.1f}){startup} |")
        print(f"\nload average at end: {' '.join(w['load'])}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
