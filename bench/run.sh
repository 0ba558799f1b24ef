#!/usr/bin/env bash
# Stratus vs moto, side by side in one run: builds the release binary, makes
# the moto venv (bench/.venv) if missing, installs wrk if missing, then runs
# image.py (cost of loading the binary), startup.py (spawn -> first
# successful sts GetCallerIdentity), rss.py (idle RSS) and load.py (wrk on
# loopback + Stratus's server-side histogram), and prints the markdown tables
# of docs/benchmarks.md (also saved as $BENCH_OUT/report.md; raw JSON beside
# it; default bench/out).
#
# Knobs (environment): STARTUP_N=20 MOTO_STARTUP_N=5 RSS_N=5
#   WRK_THREADS=2 WRK_CONNS=16,1 WRK_DURATION=10 BENCH_VENV=bench/.venv
#   STRATUS_BIN=target/release/stratus (set it to skip the build)
#   BENCH_ACCEPT_501=1 (accept 501 NotImplemented while STS is unwired)
#   SQS_CONNS=16 SQS_DURATION=10 (bench/sqs.py)
#   S3_SIZE_MIB=100 S3_CLIENTS=16 S3_DURATION=10 (bench/s3.py)
#   SKIP=image,startup,rss,load,sqs,s3 (parts to skip; their last JSON in $BENCH_OUT
#   is still reported)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=${BENCH_OUT:-$ROOT/bench/out}
export BENCH_VENV=${BENCH_VENV:-$ROOT/bench/.venv}
SKIP=${SKIP:-}
mkdir -p "$OUT"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

log() { printf '%s\n' "$*" >&2; }
skip() { [[ ",$SKIP," == *",$1,"* ]]; }

if [[ -z "${STRATUS_BIN:-}" ]]; then
  log "== cargo build --release"
  cargo build --release >&2
  export STRATUS_BIN=$ROOT/target/release/stratus
fi
[[ -x "$STRATUS_BIN" ]] || { log "no binary at $STRATUS_BIN"; exit 1; }

if [[ ! -x "$BENCH_VENV/bin/python" ]] || ! "$BENCH_VENV/bin/python" -c 'import moto.server' 2>/dev/null; then
  log "== creating $BENCH_VENV (moto[server]==5.2.5, boto3==1.44.8)"
  python3 -m venv "$BENCH_VENV"
  "$BENCH_VENV/bin/pip" install -q 'moto[server]==5.2.5' boto3==1.44.8 >&2
fi

if ! skip load && ! command -v wrk >/dev/null; then
  log "== installing wrk"
  if [[ $(id -u) -eq 0 ]]; then
    (apt-get update -qq && apt-get install -y -qq wrk) >&2
  else
    sudo apt-get update -qq && sudo apt-get install -y -qq wrk >&2
  fi
fi

PY=python3
cd "$ROOT/bench"

if ! skip image; then
  log "== binary image (relocations, exec cost of --version)"
  $PY image.py 30 > "$OUT/image.json"
fi

if ! skip startup; then
  log "== startup (spawn -> first successful GetCallerIdentity)"
  $PY startup.py "baseline-true:${STARTUP_N:-20}" "stratus-mem:${STARTUP_N:-20}" \
    "stratus-disk:${STARTUP_N:-20}" "moto:${MOTO_STARTUP_N:-5}" > "$OUT/startup.json"
fi

if ! skip rss; then
  log "== idle RSS"
  $PY rss.py "stratus-mem:${RSS_N:-5}" "stratus-disk:${RSS_N:-5}" "moto:${RSS_N:-5}" > "$OUT/rss.json"
fi

if ! skip load; then
  log "== load (wrk)"
  $PY load.py --threads "${WRK_THREADS:-2}" --conns "${WRK_CONNS:-16,1}" --duration "${WRK_DURATION:-10}" \
    stratus-mem stratus-disk moto > "$OUT/load.json"
fi

if ! skip sqs; then
  log "== SQS (send and receive+delete in batches of 10, concurrent clients)"
  "$BENCH_VENV/bin/python" sqs.py --clients "${SQS_CONNS:-16}" --duration "${SQS_DURATION:-10}" > "$OUT/sqs.json"
fi

if ! skip s3; then
  log "== s3 (100 MiB PUT/GET, 4 KiB PUTs/s; Stratus on disk vs moto)"
  "$BENCH_VENV/bin/python" s3.py --size-mib "${S3_SIZE_MIB:-100}" --clients "${S3_CLIENTS:-16}" \
    --duration "${S3_DURATION:-10}" --markdown "$OUT/s3.md" > "$OUT/s3.json"
fi

{
  cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
  mem=$(awk '/MemTotal/ {printf "%.0f GiB RAM", $2/1048576}' /proc/meminfo)
  echo "Machine: $(nproc) cores, $cpu, $mem, kernel $(uname -r); $(date -u '+%Y-%m-%d %H:%M UTC');" \
    "load average at start $LOAD0, at end $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "Stratus: $("$STRATUS_BIN" --version 2>/dev/null || echo '?') ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2>/dev/null || echo '+dirty')), binary $(du -h "$STRATUS_BIN" | cut -f1)"
  echo
  $PY report.py "$OUT"
  if [[ -f "$OUT/s3.md" ]]; then echo; cat "$OUT/s3.md"; fi
} | tee "$OUT/report.md"
