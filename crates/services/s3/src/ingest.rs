//! Receiving a body (PutObject, UploadPart): streamed to a staged file while
//! MD5 and the checksums that may be asked for are computed, then checked
//! against `Content-MD5`, `x-amz-checksum-*` headers or aws-chunked
//! trailers, and the declared length.

use serde_json::Value;
use stratus_core::input::Input;
use stratus_core::{AwsError, BodyStream};

use crate::checksums::{self, ALL, Algo, BodyDigest};
use crate::error::{bad_digest_checksum, invalid_request};
use crate::files::Staged;
use crate::shared::Shared;

/// The largest single PUT S3 accepts (5 GiB).
pub const MAX_PUT: u64 = 5 * 1024 * 1024 * 1024;

/// A body on disk (staged) and what is known of it.
pub struct Ingested {
    pub staged: Staged,
    pub md5_hex: String,
    /// The checksum the client supplied or asked for (verified), if any.
    pub requested: Option<(Algo, String)>,
    /// CRC64NVME, which S3 computes for every object.
    pub crc64: String,
    /// The `extra` algorithm's value, when one was asked for.
    pub extra: Option<String>,
}

impl Ingested {
    pub fn etag(&self) -> String {
        format!("\"{}\"", self.md5_hex)
    }

    /// The checksum to store: the requested one, else CRC64NVME.
    pub fn stored(&self) -> (Algo, String) {
        self.requested.clone().unwrap_or((Algo::Crc64Nvme, self.crc64.clone()))
    }
}

pub fn unsupported_algorithm() -> AwsError {
    invalid_request(
        "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]",
    )
}

/// The algorithm named by `x-amz-sdk-checksum-algorithm`, if any.
pub fn sdk_algorithm(input: &Value) -> Result<Option<Algo>, AwsError> {
    match input.str("ChecksumAlgorithm") {
        None => Ok(None),
        Some(name) => Algo::parse(name).map(Some).ok_or_else(unsupported_algorithm),
    }
}

/// Streams `body` to a staged file (or, with `may_inline`, keeps a small
/// one in memory) and verifies it. The staged file is removed on any error.
pub async fn ingest(
    sh: &Shared,
    input: &Value,
    body: &mut BodyStream,
    extra: Option<Algo>,
    may_inline: bool,
) -> Result<Ingested, AwsError> {
    let declared = checksums::declared(input)?;
    let sdk = sdk_algorithm(input)?;
    let md5 = input.str("ContentMD5").map(checksums::content_md5).transpose()?;
    let mut algos = vec![Algo::Crc64Nvme];
    algos.extend(ALL.iter().filter(|a| body.announced_trailers.contains(&a.header())));
    algos.extend(declared.as_ref().map(|(a, _)| *a));
    algos.extend(sdk);
    algos.extend(extra);
    let mut digest = BodyDigest::new(&algos);
    let staged = sh.files.write(body, &mut digest, MAX_PUT, may_inline).await?;
    match verify(&digest, body, declared, sdk, md5) {
        Ok(requested) => Ok(Ingested {
            md5_hex: digest.md5_hex(),
            crc64: digest.value(Algo::Crc64Nvme).unwrap_or_default(),
            extra: extra.and_then(|a| digest.value(a)),
            requested,
            staged,
        }),
        Err(e) => {
            sh.files.discard(&staged).await;
            Err(e)
        }
    }
}

fn verify(
    digest: &BodyDigest,
    body: &BodyStream,
    declared: Option<(Algo, String)>,
    sdk: Option<Algo>,
    md5: Option<Vec<u8>>,
) -> Result<Option<(Algo, String)>, AwsError> {
    if let Some(len) = body.declared_len
        && len != digest.len
    {
        return Err(AwsError::bad_request(
            "IncompleteBody",
            "You did not provide the number of bytes specified by the Content-Length HTTP header",
        ));
    }
    if let Some(expected) = md5 {
        let got = digest.md5_raw();
        if got != expected {
            return Err(checksums::md5_mismatch(&expected, &got));
        }
    }
    let trailer = ALL.iter().find_map(|a| {
        body.trailers().get(a.header().as_str()).and_then(|v| v.to_str().ok()).map(|v| (*a, v.trim().to_string()))
    });
    let supplied = declared.or(trailer);
    if let Some((algo, value)) = supplied {
        if !algo.valid_value(&value) {
            return Err(invalid_request(format!("Value for {} header is invalid.", algo.header())));
        }
        return match digest.value(algo) {
            Some(computed) if computed != value => Err(bad_digest_checksum(algo.name())),
            _ => Ok(Some((algo, value))),
        };
    }
    Ok(sdk.and_then(|a| digest.value(a).map(|v| (a, v))))
}
