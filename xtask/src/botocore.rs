//! Finding and reading botocore's service models.
//!
//! This file owns the on-disk layout of botocore's `data` directory:
//! `<data>/<service>/<api-version>/service-2.json[.gz]`. It picks the newest
//! API version of a service and returns the parsed JSON, nothing more; the
//! meaning of the JSON is `lower.rs`'s business.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// The botocore release the generated tables are pinned to.
pub const BOTOCORE_VERSION: &str = "1.44.8";

/// Environment variable naming botocore's `data` directory.
pub const DATA_ENV: &str = "BOTOCORE_DATA";

/// How to obtain the models, for error messages.
pub fn how_to_get_models() -> String {
    format!(
        "the generator reads botocore's service models, which ship in the `botocore` PyPI package:\n  \
         python3 -m venv /tmp/botocore && /tmp/botocore/bin/pip install botocore=={BOTOCORE_VERSION}\n\
         then pass its data directory with `--models DIR` or ${DATA_ENV}, e.g.\n  \
         {DATA_ENV}=/tmp/botocore/lib/python3.X/site-packages/botocore/data cargo run -p xtask -- codegen"
    )
}

/// Resolves the models directory from `--models` or `$BOTOCORE_DATA` and
/// checks that it looks like botocore's `data` directory.
pub fn data_dir(flag: Option<PathBuf>) -> Result<PathBuf> {
    let dir = match flag.or_else(|| std::env::var_os(DATA_ENV).map(PathBuf::from)) {
        Some(dir) => dir,
        None => bail!("no models directory: pass --models DIR or set ${DATA_ENV}\n{}", how_to_get_models()),
    };
    if !dir.join("sts").is_dir() {
        bail!(
            "{} does not look like botocore's `data` directory (no `sts` folder in it)\n{}",
            dir.display(),
            how_to_get_models()
        );
    }
    Ok(dir)
}

/// One service's model as botocore ships it.
pub struct RawModel {
    pub api_version: String,
    pub path: PathBuf,
    pub json: Value,
}

/// Loads the newest API version of `service` from `data`.
pub fn load(data: &Path, service: &str) -> Result<RawModel> {
    let service_dir = data.join(service);
    let (api_version, path) = newest_model(&service_dir)
        .with_context(|| format!("finding the model of `{service}` under {}", service_dir.display()))?;
    let text = read_model_text(&path).with_context(|| format!("reading {}", path.display()))?;
    let json = serde_json::from_str(&text).with_context(|| format!("parsing {} as JSON", path.display()))?;
    Ok(RawModel { api_version, path, json })
}

/// The newest `<api-version>` folder (API versions are ISO dates, so the
/// lexically greatest) that holds a `service-2.json[.gz]`, with that file.
fn newest_model(service_dir: &Path) -> Result<(String, PathBuf)> {
    let entries = fs::read_dir(service_dir).with_context(|| format!("listing {}", service_dir.display()))?;
    let mut best: Option<(String, PathBuf)> = None;
    for entry in entries {
        let entry = entry.with_context(|| format!("listing {}", service_dir.display()))?;
        let Ok(version) = entry.file_name().into_string() else {
            continue;
        };
        let dir = entry.path();
        let file = ["service-2.json.gz", "service-2.json"].iter().map(|f| dir.join(f)).find(|p| p.is_file());
        if let Some(file) = file
            && best.as_ref().is_none_or(|(v, _)| version > *v)
        {
            best = Some((version, file));
        }
    }
    best.with_context(|| format!("no <api-version>/service-2.json[.gz] in {}", service_dir.display()))
}

fn read_model_text(path: &Path) -> Result<String> {
    let bytes = fs::read(path)?;
    if path.extension().is_some_and(|e| e == "gz") {
        let mut text = String::new();
        flate2::read::GzDecoder::new(bytes.as_slice()).read_to_string(&mut text).context("decompressing gzip")?;
        Ok(text)
    } else {
        String::from_utf8(bytes).context("file is not UTF-8")
    }
}
