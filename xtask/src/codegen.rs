//! The `codegen` command: botocore models in, `crates/protocol/src/generated/` out.
//!
//! This file owns which services are generated and where the files go. It
//! ties together `botocore.rs` (reading), `lower.rs` (mapping) and `emit.rs`
//! (writing Rust). Files are rewritten only when their content changes, so
//! an unchanged regeneration does not trigger a rebuild.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::botocore::{self, BOTOCORE_VERSION};
use crate::{emit, lower};

/// The services Stratus emulates, by botocore folder name.
pub const SERVICES: &[&str] = &[
    "sts",
    "iam",
    "logs",
    "dynamodb",
    "dynamodbstreams",
    "lambda",
    "s3",
    "sqs",
    "sns",
    "stepfunctions",
    "apigateway",
    "apigatewayv2",
    "apigatewaymanagementapi",
    "cognito-idp",
    "cognito-identity",
    "firehose",
    "rds-data",
    "ecs",
    "secretsmanager",
    "kinesis",
    "events",
    "cloudfront",
];

pub struct Options {
    /// botocore's `data` directory; `$BOTOCORE_DATA` when absent.
    pub models: Option<PathBuf>,
    /// Output directory; `crates/protocol/src/generated` when absent.
    pub out: Option<PathBuf>,
}

pub fn run(opts: Options) -> Result<()> {
    let data = botocore::data_dir(opts.models)?;
    let out_dir = opts.out.unwrap_or_else(default_out_dir);
    fs::create_dir_all(&out_dir).with_context(|| format!("creating {}", out_dir.display()))?;

    let mut modules = Vec::with_capacity(SERVICES.len());
    let mut total_bytes = 0;
    for service in SERVICES {
        let raw = botocore::load(&data, service)?;
        let model = lower::lower(service, &raw.api_version, &raw.json)
            .with_context(|| format!("mapping {}", raw.path.display()))?;
        for note in &model.notes {
            eprintln!("note: {service}: {note}");
        }
        let module = emit::module_name(service);
        let text = emit::service_rs(BOTOCORE_VERSION, &model);
        total_bytes += text.len();
        let changed = write_if_changed(&out_dir.join(format!("{module}.rs")), &text)?;
        println!(
            "{:<24} {} {:>4} operations {:>4} shapes {:>8} bytes{}",
            service,
            model.api_version,
            model.operations.len(),
            model.shapes.len(),
            text.len(),
            if changed { "" } else { " (unchanged)" }
        );
        modules.push(module);
    }
    let mod_rs = emit::mod_rs(BOTOCORE_VERSION, &modules);
    total_bytes += mod_rs.len();
    write_if_changed(&out_dir.join("mod.rs"), &mod_rs)?;
    println!(
        "wrote {} services ({total_bytes} bytes) to {} from botocore {BOTOCORE_VERSION}",
        modules.len(),
        out_dir.display()
    );
    Ok(())
}

/// `crates/protocol/src/generated`, found from this crate's manifest dir.
fn default_out_dir() -> PathBuf {
    let xtask = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask.parent().unwrap_or(xtask).join("crates/protocol/src/generated")
}

fn write_if_changed(path: &Path, text: &str) -> Result<bool> {
    if fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(false);
    }
    fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    Ok(true)
}
