//! chunked.rs — S3's aws-chunked streaming bodies: [`ChunkVerifier`] checks the chained chunk
//! signatures (`AWS4-HMAC-SHA256-PAYLOAD`) and the trailer signature (`AWS4-HMAC-SHA256-TRAILER`);
//! [`ChunkedDecoder`] undoes the framing incrementally, over pieces of any size:
//!
//! ```text
//! signed:   <hex-size>;chunk-signature=<sig>\r\n<data>\r\n ... 0;chunk-signature=<sig>\r\n
//! unsigned: <hex-size>\r\n<data>\r\n ... 0\r\n
//! then:     [<trailer-name>:<value>\r\n ...] [x-amz-trailer-signature:<sig>\r\n] \r\n
//! ```
//!
//! Decoded data is handed out as it arrives, before its chunk's signature can be checked (the
//! signature covers the whole chunk): store it provisionally and commit only after
//! [`ChunkedDecoder::finish`] succeeds.

use bytes::Bytes;
use sha2::{Digest, Sha256};

use crate::canonical::{ct_eq, hmac, sha256_hex};
use crate::errors::AuthFailure;
use crate::parse::SigV4;
use crate::verify::EMPTY_SHA256;

/// Longest chunk-header or trailer line accepted.
const MAX_LINE: usize = 8 * 1024;
/// Most trailer lines accepted.
const MAX_TRAILERS: usize = 64;

/// Checks the signature chain of an aws-chunked body.
#[derive(Debug, Clone)]
pub struct ChunkVerifier {
    signing_key: [u8; 32],
    amz_date: String,
    scope: String,
    previous: String,
    access_key: String,
}

impl ChunkVerifier {
    /// `amz_date` as `20130524T000000Z`, `scope` as `20130524/us-east-1/s3/aws4_request`,
    /// `seed_signature` the request's own signature.
    pub fn new(
        signing_key: [u8; 32],
        amz_date: impl Into<String>,
        scope: impl Into<String>,
        seed_signature: impl Into<String>,
    ) -> Self {
        ChunkVerifier {
            signing_key,
            amz_date: amz_date.into(),
            scope: scope.into(),
            previous: seed_signature.into().to_ascii_lowercase(),
            access_key: String::new(),
        }
    }

    /// Seeds from a parsed request and its secret (use after `verify` accepted it).
    pub fn from_sigv4(sig: &SigV4, secret_key: &str) -> Self {
        let key = crate::canonical::signing_key(secret_key, &sig.date, &sig.region, &sig.service);
        ChunkVerifier::new(key, sig.amz_date_string(), sig.scope(), &sig.signature)
            .with_access_key(sig.access_key.clone())
    }

    /// Names the access key in the `SignatureMismatch` failures it reports.
    pub fn with_access_key(mut self, access_key: String) -> Self {
        self.access_key = access_key;
        self
    }

    /// The signature the last accepted chunk (or the seed) carried.
    pub fn previous_signature(&self) -> &str {
        &self.previous
    }

    fn sign(&self, algorithm: &str, payload_hash_lines: &str) -> (String, String) {
        let sts = format!("{algorithm}\n{}\n{}\n{}\n{payload_hash_lines}", self.amz_date, self.scope, self.previous);
        let sig = hex::encode(hmac(&self.signing_key, sts.as_bytes()));
        (sts, sig)
    }

    /// The signature a chunk whose data hashes to `data_sha256` must carry.
    pub fn expected_chunk_signature(&self, data_sha256: &[u8; 32]) -> String {
        let lines = format!("{EMPTY_SHA256}\n{}", hex::encode(data_sha256));
        self.sign("AWS4-HMAC-SHA256-PAYLOAD", &lines).1
    }

    fn check(&mut self, sts: String, expected: String, provided: &str) -> Result<(), AuthFailure> {
        let provided_lc = provided.to_ascii_lowercase();
        if ct_eq(expected.as_bytes(), provided_lc.as_bytes()) {
            self.previous = expected;
            Ok(())
        } else {
            Err(AuthFailure::SignatureMismatch {
                access_key: self.access_key.clone(),
                string_to_sign: sts,
                canonical_request: String::new(),
                signature_provided: provided.to_string(),
            })
        }
    }

    /// Checks one chunk (`data_sha256` = SHA-256 of its data) and advances the chain.
    pub fn verify_chunk(&mut self, data_sha256: &[u8; 32], signature: &str) -> Result<(), AuthFailure> {
        let lines = format!("{EMPTY_SHA256}\n{}", hex::encode(data_sha256));
        let (sts, expected) = self.sign("AWS4-HMAC-SHA256-PAYLOAD", &lines);
        self.check(sts, expected, signature)
    }

    /// Checks the trailer signature over `canonical` (see [`canonical_trailers`]).
    pub fn verify_trailer(&mut self, canonical: &[u8], signature: &str) -> Result<(), AuthFailure> {
        let (sts, expected) = self.sign("AWS4-HMAC-SHA256-TRAILER", &sha256_hex(canonical));
        self.check(sts, expected, signature)
    }
}

/// `name:value\n` per trailer, names lowercased and sorted, values trimmed — what the trailer
/// signature covers.
pub fn canonical_trailers(trailers: &[(String, String)]) -> Vec<u8> {
    let mut sorted: Vec<(String, &str)> = trailers.iter().map(|(n, v)| (n.to_ascii_lowercase(), v.trim())).collect();
    sorted.sort();
    let mut out = Vec::new();
    for (name, value) in sorted {
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        out.extend_from_slice(value.as_bytes());
        out.push(b'\n');
    }
    out
}

/// Which aws-chunked flavour the decoder reads.
#[derive(Debug, Clone)]
pub enum ChunkedMode {
    /// Signed chunks, each checked (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`).
    Signed(ChunkVerifier),
    /// Signed framing, signatures not checked (permissive mode).
    SignedUnchecked,
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: no chunk signatures.
    Unsigned,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Header,
    Data { remaining: u64 },
    DataCr,
    DataLf,
    Trailer,
    Done,
}

/// Incremental aws-chunked decoder.
#[derive(Debug, Clone)]
pub struct ChunkedDecoder {
    mode: ChunkedMode,
    state: State,
    line: Vec<u8>,
    hasher: Sha256,
    chunk_signature: String,
    trailers: Vec<(String, String)>,
    trailer_signature: Option<String>,
    decoded_len: u64,
}

fn bad(detail: impl Into<String>) -> AuthFailure {
    AuthFailure::MalformedChunk(detail.into())
}

impl ChunkedDecoder {
    pub fn new(mode: ChunkedMode) -> Self {
        ChunkedDecoder {
            mode,
            state: State::Header,
            line: Vec::new(),
            hasher: Sha256::new(),
            chunk_signature: String::new(),
            trailers: Vec::new(),
            trailer_signature: None,
            decoded_len: 0,
        }
    }

    /// Decodes `input`, appending the payload bytes it contains to `out` as zero-copy slices.
    pub fn decode(&mut self, input: &Bytes, out: &mut Vec<Bytes>) -> Result<(), AuthFailure> {
        self.run(input, |range| out.push(input.slice(range)))
    }

    /// As [`ChunkedDecoder::decode`], copying the payload into `out`.
    pub fn decode_slice(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), AuthFailure> {
        self.run(input, |range| out.extend_from_slice(&input[range]))
    }

    /// Call at the end of the body: errors if it stopped short.
    pub fn finish(&mut self) -> Result<(), AuthFailure> {
        match self.state {
            State::Done => Ok(()),
            // Tolerate a body that ends right after the final chunk, without the closing CRLF.
            State::Trailer if self.line.is_empty() && self.trailers.is_empty() => self.end_of_trailers(),
            _ => Err(bad("the body ended before the final chunk")),
        }
    }

    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// The trailing headers (without `x-amz-trailer-signature`), in arrival order.
    pub fn trailers(&self) -> &[(String, String)] {
        &self.trailers
    }

    /// Payload bytes decoded so far (compare with `x-amz-decoded-content-length`).
    pub fn decoded_len(&self) -> u64 {
        self.decoded_len
    }

    fn signed(&self) -> bool {
        !matches!(self.mode, ChunkedMode::Unsigned)
    }

    fn run(&mut self, input: &[u8], mut emit: impl FnMut(std::ops::Range<usize>)) -> Result<(), AuthFailure> {
        let mut i = 0;
        while i < input.len() {
            match self.state {
                State::Header | State::Trailer => {
                    let rest = &input[i..];
                    let (take, complete) = match rest.iter().position(|&b| b == b'\n') {
                        Some(p) => (p + 1, true),
                        None => (rest.len(), false),
                    };
                    if self.line.len() + take > MAX_LINE {
                        return Err(bad("chunk header or trailer line too long"));
                    }
                    self.line.extend_from_slice(&rest[..take]);
                    i += take;
                    if complete {
                        let mut line = std::mem::take(&mut self.line);
                        if line.pop() != Some(b'\n') || line.pop() != Some(b'\r') {
                            return Err(bad("a line does not end with CRLF"));
                        }
                        if self.state == State::Header {
                            self.header_line(&line)?;
                        } else {
                            self.trailer_line(&line)?;
                        }
                    }
                }
                State::Data { remaining } => {
                    let available = (input.len() - i) as u64;
                    let n = remaining.min(available) as usize;
                    let range = i..i + n;
                    if self.signed() {
                        self.hasher.update(&input[range.clone()]);
                    }
                    if n > 0 {
                        emit(range);
                    }
                    i += n;
                    self.decoded_len += n as u64;
                    let remaining = remaining - n as u64;
                    if remaining == 0 {
                        self.end_of_chunk_data()?;
                        self.state = State::DataCr;
                    } else {
                        self.state = State::Data { remaining };
                    }
                }
                State::DataCr | State::DataLf => {
                    let want = if self.state == State::DataCr { b'\r' } else { b'\n' };
                    if input[i] != want {
                        return Err(bad("chunk data is not followed by CRLF"));
                    }
                    i += 1;
                    self.state = if self.state == State::DataCr { State::DataLf } else { State::Header };
                }
                State::Done => return Err(bad("data after the end of the body")),
            }
        }
        Ok(())
    }

    fn header_line(&mut self, line: &[u8]) -> Result<(), AuthFailure> {
        let line = std::str::from_utf8(line).map_err(|_| bad("chunk header is not text"))?;
        let (size, ext) = match line.split_once(';') {
            Some((size, ext)) => (size, Some(ext)),
            None => (line, None),
        };
        if size.is_empty() || size.len() > 16 || !size.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad(format!("invalid chunk size {size:?}")));
        }
        let size = u64::from_str_radix(size, 16).map_err(|_| bad("invalid chunk size"))?;
        self.chunk_signature.clear();
        if self.signed() {
            let sig = ext
                .and_then(|e| e.trim().strip_prefix("chunk-signature="))
                .ok_or_else(|| bad("chunk header without chunk-signature"))?;
            self.chunk_signature.push_str(sig.trim());
        }
        self.hasher = Sha256::new();
        if size == 0 {
            self.end_of_chunk_data()?;
            self.state = State::Trailer;
        } else {
            self.state = State::Data { remaining: size };
        }
        Ok(())
    }

    fn end_of_chunk_data(&mut self) -> Result<(), AuthFailure> {
        let hash: [u8; 32] = std::mem::take(&mut self.hasher).finalize().into();
        if let ChunkedMode::Signed(verifier) = &mut self.mode {
            verifier.verify_chunk(&hash, &self.chunk_signature)?;
        }
        Ok(())
    }

    fn trailer_line(&mut self, line: &[u8]) -> Result<(), AuthFailure> {
        if line.is_empty() {
            return self.end_of_trailers();
        }
        let line = std::str::from_utf8(line).map_err(|_| bad("trailer is not text"))?;
        let (name, value) = line.split_once(':').ok_or_else(|| bad("trailer without ':'"))?;
        let name = name.trim().to_ascii_lowercase();
        if name.is_empty() {
            return Err(bad("trailer without a name"));
        }
        if name == "x-amz-trailer-signature" {
            self.trailer_signature = Some(value.trim().to_string());
        } else {
            if self.trailers.len() >= MAX_TRAILERS {
                return Err(bad("too many trailers"));
            }
            self.trailers.push((name, value.trim().to_string()));
        }
        Ok(())
    }

    fn end_of_trailers(&mut self) -> Result<(), AuthFailure> {
        if let ChunkedMode::Signed(verifier) = &mut self.mode {
            match &self.trailer_signature {
                Some(sig) => verifier.verify_trailer(&canonical_trailers(&self.trailers), sig)?,
                None if !self.trailers.is_empty() => {
                    return Err(bad("signed trailers without x-amz-trailer-signature"));
                }
                None => {}
            }
        }
        self.state = State::Done;
        Ok(())
    }
}
