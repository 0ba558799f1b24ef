//! Function code: checking an uploaded zip against AWS's limits, its
//! CodeSha256, and unpacking it once per content hash into the code cache
//! that environments run from.

use crate::errors;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};
use stratus_core::AwsError;

/// Largest zip accepted directly (50 MB).
pub const MAX_ZIPPED: usize = 52_428_800;
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

/// Decodes and checks `ZipFile` (base64 from the codec).
pub fn accept(zip_b64: &str) -> Result<Package, AwsError> {
    let zip = base64::engine::general_purpose::STANDARD.decode(zip_b64).map_err(|_| {
        errors::invalid("Could not unzip uploaded file. Please check your file, then try to upload again.")
    })?;
    if zip.len() > MAX_ZIPPED {
        return Err(errors::too_large(format!("Zipped size must be smaller than {MAX_ZIPPED} bytes")));
    }
    accept_zip(zip)
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
    let dir = root.join(hex);
    if dir.is_dir() {
        return Ok(dir);
    }
    std::fs::create_dir_all(root)?;
    let staging = root.join(format!(".{hex}.{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&staging)?;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).map_err(std::io::Error::other)?;
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).map_err(std::io::Error::other)?;
        let Some(rel) = f.enclosed_name() else { continue };
        let path = staging.join(rel);
        if f.is_dir() {
            std::fs::create_dir_all(&path)?;
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut data = Vec::with_capacity(f.size() as usize);
        f.read_to_end(&mut data)?;
        std::fs::write(&path, &data)?;
        // Keep the executable bits the zip recorded (bootstrap); default 0644/0755 otherwise.
        let mode = f.unix_mode().map(|m| m & 0o777).unwrap_or(0o644) | 0o444;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))?;
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
