#!/usr/bin/env bash
# The whole test suite: formatting, lints, Rust tests (unit, integration with
# the AWS SDK for Rust, kill -9 durability), then the boto3 / aws CLI
# compatibility suite against the server binary. Installs what it needs
# (a Python venv with the pinned boto3, awscli and pytest) on first run.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step's heading says how far into the run it starts (CI has a budget).
step() { echo "== $1 (at $((SECONDS / 60)) min $((SECONDS % 60)) s)"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings

# The venv comes first: the SDK suite's awslambdaric function runs on it too.
step "python venv (tests/compat/requirements.txt)"
VENV="${STRATUS_VENV:-.venv}"
STAMP="$VENV/.requirements.sha256"
WANT=$(sha256sum tests/compat/requirements.txt | cut -d' ' -f1)
if [[ ! -x "$VENV/bin/pytest" || "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r tests/compat/requirements.txt
  echo "$WANT" > "$STAMP"
fi

step "cargo test"
cargo test --workspace --quiet 2>&1 | tee /tmp/stratus-cargo-test.log

# The compatibility suite runs the binary `cargo test` just built (the dev
# profile): a second, optimised build of the whole workspace cost CI about
# ten minutes, and the suite asserts behaviour, not speed (bench/ does that).
step "compatibility suite (boto3, aws CLI)"
cargo build -p stratus --quiet
STRATUS_BIN="$PWD/target/debug/stratus" PATH="$PWD/$VENV/bin:$PATH" \
  "$VENV/bin/pytest" -q tests/compat
step "done"
