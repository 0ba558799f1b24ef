//! Function code: checking an uploaded zip against AWS's limits, its
//! CodeSha256, and unpacking it once per content hash into the code cache
//! that environments run from.

use crate::errors;
use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};
use stratus_core::AwsError;

/// Largest zip accepted directly (50 MB).
pub const MAX_ZIPPED: usize = 52_428_800;
/// Largest request carrying a zip directly: the base64 of 50 MB plus 256 KB
/// for the rest of the body, as AWS answered in 2025 (69,905,067, the
/// base64 of 50 MB alone, in earlier years).
pub const MAX_REQUEST: u64 = 70_167_211;
/// Largest unpacked size (250 MB).
pub const MAX_UNZIPPED: u64 = 262_144_000;

/// A checked upload.
pub struct Package {
    pub zip: Vec<u8>,
    /// Bytes once unpacked.
    pub unzipped: u64,
    /// Base64 SHA-256, as `CodeSha256`.
    pub sha256: String,
    /// Hex SHA-256, the cache key.
    pub hex: String,
}

/// Decodes and checks `ZipFile` (base64 from the codec) sent in `request`
/// to `operation`: first the request's size, then the zip's.
pub fn accept(zip_b64: &str, request: &Value, operation: &str) -> Result<Package, AwsError> {
    check_request_size(zip_b64, request, operation)?;
    let zip = base64::engine::general_purpose::STANDARD.decode(zip_b64).map_err(|_| {
        errors::invalid("Could not unzip uploaded file. Please check your file, then try to upload again.")
    })?;
    if zip.len() > MAX_ZIPPED {
        return Err(errors::too_large(format!("Zipped size must be smaller than {MAX_ZIPPED} bytes")));
    }
    accept_zip(zip)
}

/// The request limit, measured as the JSON body the request carried. Only a
/// request whose zip alone nears the limit is measured.
fn check_request_size(zip_b64: &str, request: &Value, operation: &str) -> Result<(), AwsError> {
    if zip_b64.len() <= MAX_ZIPPED {
        return Ok(());
    }
    let mut size = ByteCount(0);
    serde_json::to_writer(&mut size, request).map_err(|e| AwsError::internal(e.to_string()))?;
    if size.0 > MAX_REQUEST {
        return Err(errors::too_large(format!(
            "Request must be smaller than {MAX_REQUEST} bytes for the {operation} operation"
        )));
    }
    Ok(())
}

/// Counts what is written to it.
struct ByteCount(u64);

impl std::io::Write for ByteCount {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Checks a zip read from S3, where only the unzipped limit applies.
pub fn accept_zip(zip: Vec<u8>) -> Result<Package, AwsError> {
    let unzipped = unzipped_size(&zip)?;
    if unzipped > MAX_UNZIPPED {
        return Err(errors::invalid(format!("Unzipped size must be smaller than {MAX_UNZIPPED} bytes")));
    }
    let digest = Sha256::digest(&zip);
    let sha256 = base64::engine::general_purpose::STANDARD.encode(digest);
    Ok(Package { sha256, hex: hex::encode(digest), zip, unzipped })
}

/// The 250 MB limit on a function's code and its layers together, unpacked.
pub fn check_combined(function: u64, layers: u64) -> Result<(), AwsError> {
    let total = function.saturating_add(layers);
    if total > MAX_UNZIPPED {
        return Err(errors::invalid(format!(
            "Function code combined with layers exceeds the maximum allowed size of {MAX_UNZIPPED} bytes. The actual size is {total} bytes."
        )));
    }
    Ok(())
}

/// The unpacked size of the stored code whose hex SHA-256 is `hex`.
pub fn stored_unzipped(store: &stratus_store::Store, hex: &str) -> Result<u64, AwsError> {
    match store.get(crate::db::code_key(hex))? {
        Some(zip) => unzipped_size(&zip),
        None => Ok(0),
    }
}

pub fn unzipped_size(zip: &[u8]) -> Result<u64, AwsError> {
    let bad = || errors::invalid("Could not unzip uploaded file. Please check your file, then try to upload again.");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).map_err(|_| bad())?;
    let mut total = 0u64;
    for i in 0..archive.len() {
        let f = archive.by_index_raw(i).map_err(|_| bad())?;
        total = total.saturating_add(f.size());
    }
    Ok(total)
}

/// Unpacks `zip` into `root/{hex}` unless already there; returns the directory.
/// Blocking: call from a blocking thread.
pub fn unpack(root: &Path, hex: &str, zip: &[u8]) -> std::io::Result<PathBuf> {
    unpack_all(root, hex, &[zip])
}

/// Unpacks `zips` in order into `root/{key}` unless already there, a later
/// zip's files replacing an earlier one's (as layers merge into `/opt`);
/// returns the directory. Blocking: call from a blocking thread.
pub fn unpack_all(root: &Path, key: &str, zips: &[&[u8]]) -> std::io::Result<PathBuf> {
    let dir = root.join(key);
    if dir.is_dir() {
        return Ok(dir);
    }
    std::fs::create_dir_all(root)?;
    let staging = root.join(format!(".{key}.{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&staging)?;
    for zip in zips {
        if let Err(e) = extract_into(&staging, zip) {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    }
    match std::fs::rename(&staging, &dir) {
        Ok(()) => Ok(dir),
        Err(_) if dir.is_dir() => {
            let _ = std::fs::remove_dir_all(&staging);
            Ok(dir)
        }
        Err(e) => Err(e),
    }
}

/// Writes the files of `zip` under `dir`, replacing files already there.
fn extract_into(dir: &Path, zip: &[u8]) -> std::io::Result<()> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).map_err(std::io::Error::other)?;
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).map_err(std::io::Error::other)?;
        let Some(rel) = f.enclosed_name() else { continue };
        let path = dir.join(rel);
        if f.is_dir() {
            std::fs::create_dir_all(&path)?;
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut data = Vec::with_capacity(f.size() as usize);
        f.read_to_end(&mut data)?;
        // A file an earlier zip left read-only is replaced, not written through.
        let _ = std::fs::remove_file(&path);
        std::fs::write(&path, &data)?;
        // Keep the executable bits the zip recorded (bootstrap); default 0644/0755 otherwise.
        let mode = f.unix_mode().map(|m| m & 0o777).unwrap_or(0o644) | 0o444;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}
