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


def us(v):
    return f"{v / 1000:.1f} ms" if v >= 10000 else f"{v} µs"


def first_run(ld):
    for runs in ld.values():
        if runs:
            return runs[0]
    return None


def run_at(ld, target, conns):
    return next((r for r in ld.get(target, []) if r["conns"] == conns), None)


def met(ok):
    return "**met**" if ok else "**not met**"


def main():
    out = sys.argv[1]
    st, rss, ld = load(out, "startup.json"), load(out, "rss.json"), load(out, "load.json")
    img = load(out, "image.json")
    lines = []
    w = lines.append

    if img:
        sec = img.get("sections", {})
        v, t = img["version"], img["true"]
        w("### Loading the binary (`stratus --version`, before any server code runs)")
        w("")
        w("| binary | PIE | relative relocations | .data.rel.ro | .rela.dyn | .text | exec `--version` (median) "
          "| minor page faults | floor: `/bin/true` |")
        w("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
        mib = lambda k: f"{sec[k] / 1048576:.1f} MiB" if k in sec else "–"  # noqa: E731
        w(f"| {img['size_bytes'] / 1048576:.1f} MiB | {'yes' if sec.get('pie') else 'no'} "
          f"| {sec.get('relative_relocations', '–')} | {mib('.data.rel.ro')} | {mib('.rela.dyn')} | {mib('.text')} "
          f"| {v['median_ms']:.1f} ms | {v['minor_faults']:.0f} | {t['median_ms']:.1f} ms, {t['minor_faults']:.0f} faults |")
        w("")

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
        w("### GetCallerIdentity under load (wrk, loopback, keep-alive)")
        w("")
        w("`" + first_run(ld)["cmd"] + "` (and `-c1` for the one-at-a-time round trip)")
        w("")
        w("| server | conns | req/s | client p50 | client p90 | client p99 | non-2xx | server p50 (interp., bucket) "
          "| server p99 (interp., bucket) | server mean |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for t in ("stratus-mem", "stratus-disk", "moto"):
            for r in ld.get(t, []):
                s = r.get("server", {})

                def sv(k):
                    if k + "_us" not in s:
                        return "–"
                    lo, hi = s[k + "_bucket_us"]
                    return f"{s[k + '_us']:.0f} µs ({lo:.0f}–{hi:.0f})"

                mean = f"{s['mean_us']:.1f} µs" if s.get("mean_us") is not None else "–"
                w(f"| {NAMES[t]} | {r['conns']} | {r['rps']:.0f} | {us(r['p50_us'])} | {us(r['p90_us'])} "
                  f"| {us(r['p99_us'])} | {r['non2xx']} | {sv('p50')} | {sv('p99')} | {mean} |")
        sm, mo = run_at(ld, "stratus-mem", 16), run_at(ld, "moto", 16)
        if sm and mo:
            w("")
            w(f"At 16 connections, Stratus in-memory serves {ratio(sm['rps'], mo['rps'])} moto's throughput, "
              f"with {ratio(mo['p50_us'], sm['p50_us'])} lower client p50 and {ratio(mo['p99_us'], sm['p99_us'])} lower p99.")
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
    s = (run_at(ld, "stratus-mem", 16) or first_run(ld) or {}).get("server")
    if s and "p50_us" in s:
        lo, hi = s["p50_bucket_us"]
        if hi <= TARGET_SERVER_P50_US:
            verdict = met(True)
        elif lo >= TARGET_SERVER_P50_US:
            verdict = met(False)
        else:
            verdict = ("**undecided** (p50 falls in a bucket that straddles the target)")
        w(f"| server-side p50 of a trivial call < {TARGET_SERVER_P50_US:.0f} µs | p50 in the {lo:.0f}–{hi:.0f} µs bucket "
          f"(~{s['p50_us']:.0f} µs interpolated); exact mean {s['mean_us']:.1f} µs | {verdict} |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
