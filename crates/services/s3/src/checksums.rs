//! Checksums S3 verifies and stores: CRC32, CRC32C, CRC64NVME, SHA1 and
//! SHA256 (header or aws-chunked trailer `x-amz-checksum-*`), the MD5 behind
//! ETags and `Content-MD5`, and the two multipart forms: COMPOSITE (a hash
//! of the parts' checksums, `-N`) and FULL_OBJECT (CRCs combined).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use crc_fast::CrcAlgorithm;
use serde_json::Value;
use stratus_core::AwsError;

use crate::error::invalid_request;
use crate::md5::Md5;
use sha2::Digest as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algo {
    Crc32,
    Crc32c,
    Crc64Nvme,
    Sha1,
    Sha256,
}

pub const ALL: [Algo; 5] = [Algo::Crc32, Algo::Crc32c, Algo::Crc64Nvme, Algo::Sha1, Algo::Sha256];

impl Algo {
    pub fn parse(name: &str) -> Option<Algo> {
        match name.to_ascii_uppercase().as_str() {
            "CRC32" => Some(Algo::Crc32),
            "CRC32C" => Some(Algo::Crc32c),
            "CRC64NVME" => Some(Algo::Crc64Nvme),
            "SHA1" => Some(Algo::Sha1),
            "SHA256" => Some(Algo::Sha256),
            _ => None,
        }
    }

    /// `CRC32`: the name in `ChecksumAlgorithm` members and messages.
    pub fn name(self) -> &'static str {
        match self {
            Algo::Crc32 => "CRC32",
            Algo::Crc32c => "CRC32C",
            Algo::Crc64Nvme => "CRC64NVME",
            Algo::Sha1 => "SHA1",
            Algo::Sha256 => "SHA256",
        }
    }

    pub fn lower(self) -> String {
        self.name().to_ascii_lowercase()
    }

    /// `ChecksumCRC32`: the model member carrying the value.
    pub fn member(self) -> &'static str {
        match self {
            Algo::Crc32 => "ChecksumCRC32",
            Algo::Crc32c => "ChecksumCRC32C",
            Algo::Crc64Nvme => "ChecksumCRC64NVME",
            Algo::Sha1 => "ChecksumSHA1",
            Algo::Sha256 => "ChecksumSHA256",
        }
    }

    /// `x-amz-checksum-crc32`: the header or trailer carrying the value.
    pub fn header(self) -> String {
        format!("x-amz-checksum-{}", self.lower())
    }

    fn crc(self) -> Option<CrcAlgorithm> {
        match self {
            Algo::Crc32 => Some(CrcAlgorithm::Crc32IsoHdlc),
            Algo::Crc32c => Some(CrcAlgorithm::Crc32Iscsi),
            Algo::Crc64Nvme => Some(CrcAlgorithm::Crc64Nvme),
            _ => None,
        }
    }

    fn raw_len(self) -> usize {
        match self {
            Algo::Crc32 | Algo::Crc32c => 4,
            Algo::Crc64Nvme => 8,
            Algo::Sha1 => 20,
            Algo::Sha256 => 32,
        }
    }

    /// Whether a base64 value has the length this algorithm produces.
    pub fn valid_value(self, value: &str) -> bool {
        B64.decode(value.trim()).map(|raw| raw.len() == self.raw_len()).unwrap_or(false)
    }

    pub fn supports_full_object(self) -> bool {
        self.crc().is_some()
    }

    pub fn supports_composite(self) -> bool {
        self != Algo::Crc64Nvme
    }
}

/// A running checksum of one algorithm.
pub enum Hasher {
    Crc(Algo, crc_fast::Digest),
    Sha1(sha1::Sha1),
    Sha256(sha2::Sha256),
}

impl Hasher {
    pub fn new(algo: Algo) -> Hasher {
        match algo.crc() {
            Some(crc) => Hasher::Crc(algo, crc_fast::Digest::new(crc)),
            None if algo == Algo::Sha1 => Hasher::Sha1(sha1::Sha1::new()),
            None => Hasher::Sha256(sha2::Sha256::new()),
        }
    }

    pub fn algo(&self) -> Algo {
        match self {
            Hasher::Crc(a, _) => *a,
            Hasher::Sha1(_) => Algo::Sha1,
            Hasher::Sha256(_) => Algo::Sha256,
        }
    }

    pub fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Crc(_, d) => d.update(data),
            Hasher::Sha1(h) => h.update(data),
            Hasher::Sha256(h) => h.update(data),
        }
    }

    /// The raw digest bytes (CRCs big-endian).
    pub fn finish_raw(&self) -> Vec<u8> {
        match self {
            Hasher::Crc(a, d) => crc_bytes(*a, d.finalize()),
            Hasher::Sha1(h) => h.clone().finalize().to_vec(),
            Hasher::Sha256(h) => h.clone().finalize().to_vec(),
        }
    }

    pub fn finish(&self) -> String {
        B64.encode(self.finish_raw())
    }
}

fn crc_bytes(algo: Algo, v: u64) -> Vec<u8> {
    if algo == Algo::Crc64Nvme { v.to_be_bytes().to_vec() } else { (v as u32).to_be_bytes().to_vec() }
}

/// The digest of a whole buffer, base64.
#[cfg(test)]
pub fn digest(algo: Algo, data: &[u8]) -> String {
    let mut h = Hasher::new(algo);
    h.update(data);
    h.finish()
}

/// MD5 and the checksums asked for, fed with every chunk of a body.
pub struct BodyDigest {
    pub md5: Md5,
    pub hashers: Vec<Hasher>,
    pub len: u64,
}

impl BodyDigest {
    pub fn new(algos: &[Algo]) -> BodyDigest {
        let mut hashers: Vec<Hasher> = Vec::new();
        for a in algos {
            if !hashers.iter().any(|h| h.algo() == *a) {
                hashers.push(Hasher::new(*a));
            }
        }
        BodyDigest { md5: Md5::new(), hashers, len: 0 }
    }

    pub fn update(&mut self, data: &[u8]) {
        self.md5.update(data);
        for h in &mut self.hashers {
            h.update(data);
        }
        self.len += data.len() as u64;
    }

    pub fn md5_raw(&self) -> Vec<u8> {
        self.md5.clone().finalize().to_vec()
    }

    pub fn md5_hex(&self) -> String {
        hex::encode(self.md5_raw())
    }

    pub fn value(&self, algo: Algo) -> Option<String> {
        self.hashers.iter().find(|h| h.algo() == algo).map(Hasher::finish)
    }
}

/// The one `x-amz-checksum-*` value a request carries in its headers.
pub fn declared(input: &Value) -> Result<Option<(Algo, String)>, AwsError> {
    let found: Vec<(Algo, String)> =
        ALL.iter().filter_map(|a| input.get(a.member()).and_then(Value::as_str).map(|v| (*a, v.to_string()))).collect();
    if found.len() > 1 {
        return Err(invalid_request(
            "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
        ));
    }
    match found.into_iter().next() {
        Some((a, v)) if !a.valid_value(&v) => {
            Err(invalid_request(format!("Value for {} header is invalid.", a.header())))
        }
        other => Ok(other),
    }
}

/// A `Content-MD5` header decoded, or AWS's InvalidDigest.
pub fn content_md5(value: &str) -> Result<Vec<u8>, AwsError> {
    match B64.decode(value.trim()) {
        Ok(raw) if raw.len() == 16 => Ok(raw),
        _ => Err(AwsError::bad_request("InvalidDigest", "The Content-MD5 you specified was invalid.")
            .with_field("Content-MD5", Value::from(value))),
    }
}

/// The BadDigest for a Content-MD5 that does not match the body.
pub fn md5_mismatch(expected: &[u8], calculated: &[u8]) -> AwsError {
    AwsError::bad_request("BadDigest", "The Content-MD5 you specified did not match what we received.")
        .with_field("ExpectedDigest", Value::from(hex::encode(expected)))
        .with_field("CalculatedDigest", Value::from(B64.encode(calculated)))
}

/// The ETag of a multipart object: MD5 of the parts' MD5s, `-N`.
pub fn multipart_etag(part_etags: &[String]) -> String {
    let mut md5 = Md5::new();
    for e in part_etags {
        if let Ok(raw) = hex::decode(e.trim_matches('"')) {
            md5.update(&raw);
        }
    }
    format!("\"{}-{}\"", hex::encode(md5.finalize()), part_etags.len())
}

/// COMPOSITE checksum: the hash of the parts' raw checksums, `-N`.
pub fn composite(algo: Algo, part_values: &[String]) -> String {
    let mut h = Hasher::new(algo);
    for v in part_values {
        if let Ok(raw) = B64.decode(v) {
            h.update(&raw);
        }
    }
    format!("{}-{}", h.finish(), part_values.len())
}

/// FULL_OBJECT checksum of parts (CRC algorithms only): the parts' CRCs
/// combined as if the whole object had been hashed at once.
pub fn combine(algo: Algo, parts: &[(String, u64)]) -> Option<String> {
    let crc = algo.crc()?;
    let mut acc: Option<u64> = None;
    for (value, len) in parts {
        let raw = B64.decode(value).ok()?;
        let v = match raw.len() {
            4 => u32::from_be_bytes(raw.try_into().ok()?) as u64,
            8 => u64::from_be_bytes(raw.try_into().ok()?),
            _ => return None,
        };
        acc = Some(match acc {
            None => v,
            Some(a) => crc_fast::checksum_combine(crc, a, v, *len),
        });
    }
    Some(B64.encode(crc_bytes(algo, acc.unwrap_or(0))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // Values of "hello world" as AWS SDKs compute them.
        assert_eq!(digest(Algo::Crc32, b"hello world"), "DUoRhQ==");
        assert_eq!(digest(Algo::Crc32c, b"hello world"), "yZRlqg==");
        assert_eq!(digest(Algo::Sha1, b"hello world"), "Kq5sNclPz7QV2+lfQIuc6R7oRu0=");
        assert_eq!(digest(Algo::Sha256, b"hello world"), "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=");
        assert_eq!(digest(Algo::Crc64Nvme, b"hello world"), "jSnVw/bqjr4=");
    }

    #[test]
    fn combined_crc_equals_whole() {
        let data = b"The quick brown fox jumps over the lazy dog";
        let (a, b) = data.split_at(10);
        for algo in [Algo::Crc32, Algo::Crc32c, Algo::Crc64Nvme] {
            let parts = vec![(digest(algo, a), a.len() as u64), (digest(algo, b), b.len() as u64)];
            assert_eq!(combine(algo, &parts), Some(digest(algo, data)), "{algo:?}");
        }
    }

    #[test]
    fn multipart_etag_shape() {
        let e = multipart_etag(&["\"5d41402abc4b2a76b9719d911017c592\"".into()]);
        assert!(e.ends_with("-1\"") && e.len() == 36);
    }
}
