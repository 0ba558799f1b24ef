//! stratus-auth — AWS Signature Version 4 on the server side.
//!
//! lib.rs owns the crate layout, the request view shared by parsing and verification
//! ([`Request`]) and the payload keywords ([`PayloadMode`]). The rest:
//! - `parse.rs`: recognise credentials (header, presigned query, SigV2 for routing) → [`SigV4`],
//!   and the cheap [`credential_scope`] the router uses;
//! - `canonical.rs`: canonical URI / query / headers, string to sign, signing key;
//! - `verify.rs`: [`verify`] — rebuild, compare in constant time, check dates and scope;
//! - `chunked.rs`: aws-chunked streaming — [`ChunkVerifier`] and the incremental [`ChunkedDecoder`];
//! - `errors.rs`: [`AuthFailure`] and its mapping to AWS's exact errors per [`Family`].
//!
//! Typical gateway flow:
//! ```text
//! let req = Request::new(method, path, query, &headers);
//! let scope = credential_scope(&headers, query);        // route + account, always
//! match parse(&req) {                                    // strict mode only from here
//!     Ok(None) => Err(AuthFailure::Missing),
//!     Ok(Some(sig)) => {
//!         let secret = lookup(&sig.access_key).ok_or(AuthFailure::UnknownAccessKey {..})?;
//!         let ok = verify(&sig, &secret, &req, Payload::Bytes(&body), now, &opts)?;
//!         // S3 streaming: ok.chunk_verifier() feeds a ChunkedDecoder
//!     }
//!     Err(e) => Err(e),
//! }
//! ```

mod canonical;
mod chunked;
mod errors;
mod form_policy;
mod parse;
mod verify;

pub use canonical::signing_key;
pub use chunked::{ChunkVerifier, ChunkedDecoder, ChunkedMode, canonical_trailers};
pub use errors::{AuthFailure, ExpiresProblem, Family, Incomplete, Location, Malformed, ScopeMismatch};
pub use form_policy::{FormSigning, form_signature, form_signature_matches};
pub use parse::{
    CredentialScope, SigV4, SignatureVersion, credential_scope, format_amz_date, format_iso8601, parse, parse_amz_date,
    parse_http_date,
};
pub use verify::{Payload, Verified, VerifyOptions, verify};

use http::HeaderMap;

/// The only SigV4 algorithm accepted.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// Longest `X-Amz-Expires` accepted (seven days).
pub const MAX_PRESIGNED_EXPIRES: u32 = 604_800;

/// The parts of an HTTP request that authentication reads. All strings are as received
/// (the path and query still percent-encoded).
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub method: &'a str,
    /// The path as on the wire, e.g. `/bucket/my%20key`.
    pub path: &'a str,
    /// The raw query string without `?` (empty when none).
    pub query: &'a str,
    pub headers: &'a HeaderMap,
    /// The authority when there is no `Host` header (HTTP/2 `:authority`).
    pub authority: Option<&'a str>,
}

impl<'a> Request<'a> {
    pub fn new(method: &'a str, path: &'a str, query: &'a str, headers: &'a HeaderMap) -> Self {
        Request { method, path, query, headers, authority: None }
    }
}

/// What `x-amz-content-sha256` declares about the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PayloadMode {
    /// A lowercase hex SHA-256 of the whole body.
    Sha256,
    /// `UNSIGNED-PAYLOAD`
    Unsigned,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: aws-chunked, every chunk signed.
    StreamingSigned,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: signed chunks plus signed trailers.
    StreamingSignedTrailer,
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: aws-chunked without signatures, with trailers.
    StreamingUnsignedTrailer,
}

impl PayloadMode {
    /// Classifies a header value; `None` for anything AWS would reject.
    pub fn classify(value: &str) -> Option<PayloadMode> {
        match value {
            "UNSIGNED-PAYLOAD" => Some(PayloadMode::Unsigned),
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" => Some(PayloadMode::StreamingSigned),
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" => Some(PayloadMode::StreamingSignedTrailer),
            "STREAMING-UNSIGNED-PAYLOAD-TRAILER" => Some(PayloadMode::StreamingUnsignedTrailer),
            v if v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()) => Some(PayloadMode::Sha256),
            _ => None,
        }
    }

    /// Whether the body is aws-chunked.
    pub fn is_chunked(self) -> bool {
        matches!(
            self,
            PayloadMode::StreamingSigned | PayloadMode::StreamingSignedTrailer | PayloadMode::StreamingUnsignedTrailer
        )
    }
}
