#!/usr/bin/env bash
# Mapping template speed: parse and render times (median of 2000 runs) of typical API
# Gateway templates with the stratus-vtl engine, as a markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run -q --release -p stratus-vtl --example bench
