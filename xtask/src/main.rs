//! `cargo run -p xtask -- <command>`: development tasks for Stratus.
//!
//! This file owns only the command line: it parses arguments and dispatches
//! to the module that does the work. Commands:
//!
//! - `codegen [--models DIR] [--out DIR]`: regenerate
//!   `crates/protocol/src/generated/` from botocore's service models
//!   (see `codegen.rs`).
//! - `coverage [--write]`: operations implemented per service (see
//!   `coverage.rs`); `--write` saves docs/coverage.md.

mod botocore;
mod codegen;
mod coverage;
mod emit;
mod lower;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

const USAGE: &str = "\
usage: cargo run -p xtask -- <command>

commands:
  codegen [--models DIR] [--out DIR]
      Generate crates/protocol/src/generated/ from botocore's service models.
      --models DIR  botocore's `data` directory (default: $BOTOCORE_DATA)
      --out DIR     output directory (default: crates/protocol/src/generated)
  coverage [--write]
      Print implemented operations per service; --write saves docs/coverage.md.
";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<()> {
    let mut args = args.into_iter();
    match args.next().as_deref() {
        Some("codegen") => {
            let mut opts = codegen::Options { models: None, out: None };
            while let Some(arg) = args.next() {
                match arg.as_str() {
                    "--models" => opts.models = Some(path_value(&mut args, "--models")?),
                    "--out" => opts.out = Some(path_value(&mut args, "--out")?),
                    "-h" | "--help" => {
                        print!("{USAGE}");
                        return Ok(());
                    }
                    other => bail!("unknown codegen argument `{other}`\n\n{USAGE}"),
                }
            }
            codegen::run(opts)
        }
        Some("coverage") => coverage::run(args.any(|a| a == "--write")),
        Some("-h" | "--help") => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => bail!("unknown command `{other}`\n\n{USAGE}"),
        None => bail!("no command given\n\n{USAGE}"),
    }
}

fn path_value(args: &mut impl Iterator<Item = String>, flag: &str) -> Result<PathBuf> {
    args.next().map(PathBuf::from).with_context(|| format!("{flag} needs a directory argument"))
}
