#!/usr/bin/env python3
# Turns the JSON of startup.py, rss.py and load.py (in OUT_DIR) into the
# markdown tables of docs/benchmarks.md, with Stratus-vs-moto ratios and the
# targets marked met / not met. Usage: report.py OUT_DIR

import json
import os
import sys

TARGET_FIRST_CALL_MS = 20.0
TARGET_RSS_MIB = 15.0
TARGET_SERVER_P50_US = 100.0

NAMES = {"stratus-mem": "Stratus `--in-memory`", "stratus-disk": "Stratus `--data-dir` (fresh)", "moto": "moto 5.2.5"}


def load(out, name):
    p = os.path.join(out, name)
    return json.load(open(p)) if os.path.exists(p) else {}


def ratio(a, b):
    return f"{a / b:.0f}×" if b and a / b >= 10 else (f"{a / b:.1f}×" if b else "–")


def met(ok):
    return "**met**" if ok else "**not met**"


def main():
    out = sys.argv[1]
    st, rss, ld = load(out, "startup.json"), load(out, "rss.json"), load(out, "load.json")
    lines = []
    w = lines.append

    if st:
        w("### Spawn → first successful GetCallerIdentity")
        w("")
        w("| server | runs | first 200: median | min – max | first accepted connection (median) | moto ÷ this |")
        w("|---|---:|---:|---:|---:|---:|")
        moto = st.get("moto", {}).get("first_ok", {}).get("median_ms")
        for t in ("stratus-mem", "stratus-disk", "moto"):
            if t not in st:
                continue
            ok, conn = st[t]["first_ok"], st[t]["first_connect"]
            w(f"| {NAMES[t]} | {ok['n']} | {ok['median_ms']:.1f} ms | {ok['min_ms']:.1f} – {ok['max_ms']:.1f} ms "
              f"| {conn['median_ms']:.1f} ms | {ratio(moto, ok['median_ms']) if moto and t != 'moto' else '–'} |")
        if "baseline-true" in st:
            b = st["baseline-true"]["first_ok"]
            w(f"| (floor: spawn+wait `/bin/true`) | {b['n']} | {b['median_ms']:.1f} ms "
              f"| {b['min_ms']:.1f} – {b['max_ms']:.1f} ms | – | – |")
        w("")

    if rss:
        w("### Idle RSS (after start + 10 calls + 2 s idle)")
        w("")
        w("| server | runs | VmRSS median | min – max | anon / file | threads | processes | ÷ Stratus in-memory |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|")
        base = rss.get("stratus-mem", {}).get("median", {}).get("VmRSS")
        for t in ("stratus-mem", "stratus-disk", "moto"):
            if t not in rss:
                continue
            m = rss[t]["median"]
            w(f"| {NAMES[t]} | {rss[t]['n']} | {m['VmRSS'] / 1024:.1f} MiB "
              f"| {rss[t]['min_VmRSS'] / 1024:.1f} – {rss[t]['max_VmRSS'] / 1024:.1f} MiB "
              f"| {m['RssAnon'] / 1024:.1f} / {m['RssFile'] / 1024:.1f} MiB | {m['Threads']:.0f} | {m['processes']:.0f} "
              f"| {ratio(m['VmRSS'], base) if base else '–'} |")
        w("")

    if ld:
        w("### GetCallerIdentity under concurrent load (wrk, loopback)")
        w("")
        any_cmd = next(iter(ld.values()))["cmd"]
        w(f"`{any_cmd}`")
        w("")
        w("| server | req/s | client p50 | client p90 | client p99 | non-2xx | server p50 (interp.) | server p99 (interp.) | server mean |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for t in ("stratus-mem", "stratus-disk", "moto"):
            if t not in ld:
                continue
            r = ld[t]
            s = r.get("server", {})

            def sv(k):
                if k not in s:
                    return "–"
                lo, hi = s[k + "_bucket_us"]
                return f"{s[k + '_us']:.0f} µs ({lo:.0f}–{hi:.0f})"

            mean = f"{s['mean_us']:.1f} µs" if s.get("mean_us") is not None else "–"
            w(f"| {NAMES[t]} | {r['rps']:.0f} | {r['p50_us']} µs | {r['p90_us']} µs | {r['p99_us']} µs | {r['non2xx']} "
              f"| {sv('p50')} | {sv('p99')} | {mean} |")
        if "moto" in ld and "stratus-mem" in ld:
            w("")
            w(f"Throughput Stratus in-memory ÷ moto: {ratio(ld['stratus-mem']['rps'], ld['moto']['rps'])}; "
              f"client p50 moto ÷ Stratus: {ratio(ld['moto']['p50_us'], ld['stratus-mem']['p50_us'])}.")
        w("")

    w("### Targets")
    w("")
    w("| target | measured | verdict |")
    w("|---|---|---|")
    if st.get("stratus-mem"):
        v = st["stratus-mem"]["first_ok"]["median_ms"]
        w(f"| first successful call < {TARGET_FIRST_CALL_MS:.0f} ms after spawn | {v:.1f} ms median (in-memory)"
          + (f", {st['stratus-disk']['first_ok']['median_ms']:.1f} ms (data-dir)" if "stratus-disk" in st else "")
          + f" | {met(v < TARGET_FIRST_CALL_MS)} |")
    if rss.get("stratus-mem"):
        v = rss["stratus-mem"]["median"]["VmRSS"] / 1024
        w(f"| idle RSS < {TARGET_RSS_MIB:.0f} MiB | {v:.1f} MiB median (in-memory)"
          + (f", {rss['stratus-disk']['median']['VmRSS'] / 1024:.1f} MiB (data-dir)" if "stratus-disk" in rss else "")
          + f" | {met(v < TARGET_RSS_MIB)} |")
    s = ld.get("stratus-mem", {}).get("server")
    if s and "p50_us" in s:
        lo, hi = s["p50_bucket_us"]
        if hi <= TARGET_SERVER_P50_US:
            verdict = met(True)
        elif lo >= TARGET_SERVER_P50_US:
            verdict = met(False)
        else:
            verdict = ("**undecided** (p50 falls in a bucket that straddles the target)")
        w(f"| server-side p50 of a trivial call < {TARGET_SERVER_P50_US:.0f} µs | ~{s['p50_us']:.0f} µs interpolated "
          f"in the {lo:.0f}–{hi:.0f} µs bucket; mean {s['mean_us']:.1f} µs | {verdict} |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
