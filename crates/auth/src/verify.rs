//! verify.rs — checking a parsed [`SigV4`] against a secret key: credential scope, the S3
//! header rules, payload hash, canonical request, constant-time signature comparison, then the
//! date window (header-signed: ±`max_skew`; presigned: `X-Amz-Expires` and not in the future).
//! The order follows S3: scope and key, then signature, then time.

use time::{Duration, OffsetDateTime};

use crate::canonical::{
    CanonicalParts, canonical_headers, canonical_queries, canonical_request, canonical_uris, ct_eq, hmac, sha256_hex,
    signing_key, string_to_sign,
};
use crate::chunked::ChunkVerifier;
use crate::errors::{AuthFailure, Incomplete, Malformed, ScopeMismatch};
use crate::parse::{SigV4, format_amz_date};
use crate::{PayloadMode, Request};

/// SHA-256 of the empty string.
pub(crate) const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// What the verifier knows about the body.
#[derive(Debug, Clone, Copy)]
pub enum Payload<'a> {
    /// The whole body.
    Bytes(&'a [u8]),
    /// The SHA-256 of the whole body, computed by the caller.
    Sha256(&'a [u8; 32]),
    /// Not read yet (S3 streaming): the declared `x-amz-content-sha256` is trusted for the
    /// signature, and the caller checks a hex hash against the body it streams (or decodes
    /// aws-chunked with a [`ChunkVerifier`]). Without that header (not S3) the canonical
    /// request falls back to `UNSIGNED-PAYLOAD`, so other services should pass the body.
    Streaming,
}

/// How to verify.
#[derive(Debug, Clone, Copy)]
pub struct VerifyOptions<'a> {
    /// S3 rules: single path encoding without normalisation, presigned `UNSIGNED-PAYLOAD`,
    /// `x-amz-content-sha256` required, every `x-amz-*` header signed.
    pub s3: bool,
    /// Allowed clock difference for header-signed requests (and how far presigned requests
    /// may be dated in the future). AWS: 15 minutes (5 for some older services).
    pub max_skew: Duration,
    /// The signing name the endpoint expects (`s3`, `sts`, `lambda`, ...), when known.
    pub expected_service: Option<&'a str>,
    /// The region the endpoint serves, when it is fixed.
    pub expected_region: Option<&'a str>,
}

impl Default for VerifyOptions<'_> {
    fn default() -> Self {
        VerifyOptions { s3: false, max_skew: Duration::minutes(15), expected_service: None, expected_region: None }
    }
}

impl<'a> VerifyOptions<'a> {
    /// Options for S3 (`s3: true`, `expected_service: "s3"`).
    pub fn s3() -> Self {
        VerifyOptions { s3: true, expected_service: Some("s3"), ..Default::default() }
    }
}

/// A verified request, with what streaming needs next.
#[derive(Debug, Clone)]
pub struct Verified {
    pub signing_key: [u8; 32],
    /// The request signature (the seed of aws-chunked chunk signatures), lowercase hex.
    pub seed_signature: String,
    /// How the body is to be read (from `x-amz-content-sha256`), when declared.
    pub payload_mode: Option<PayloadMode>,
    amz_date: String,
    scope: String,
    access_key: String,
}

impl Verified {
    /// A verifier for signed aws-chunked bodies, seeded with the request signature.
    pub fn chunk_verifier(&self) -> ChunkVerifier {
        ChunkVerifier::new(self.signing_key, self.amz_date.clone(), self.scope.clone(), self.seed_signature.clone())
            .with_access_key(self.access_key.clone())
    }
}

fn scope_failure(s: ScopeMismatch) -> AuthFailure {
    AuthFailure::ScopeMismatch(s)
}

fn check_scope(sig: &SigV4, opts: &VerifyOptions<'_>) -> Result<(), AuthFailure> {
    let location = sig.location();
    if sig.terminal != "aws4_request" {
        return Err(scope_failure(ScopeMismatch::Terminal { got: sig.terminal.clone(), location }));
    }
    if let Some(expected) = opts.expected_service
        && sig.service != expected
    {
        return Err(scope_failure(ScopeMismatch::Service {
            got: sig.service.clone(),
            expected: expected.to_string(),
            location,
        }));
    }
    if let Some(expected) = opts.expected_region
        && sig.region != expected
    {
        return Err(scope_failure(ScopeMismatch::Region {
            got: sig.region.clone(),
            expected: expected.to_string(),
            location,
        }));
    }
    let amz_date = sig.amz_date_string();
    let day = amz_date.get(..8).unwrap_or_default();
    if sig.date != day {
        return Err(scope_failure(ScopeMismatch::Date {
            scope_date: sig.date.clone(),
            request_date: day.to_string(),
            amz_date,
            location,
        }));
    }
    Ok(())
}

/// S3 wants `host` and every `x-amz-*` header signed; everyone wants `host`.
fn check_signed_headers(sig: &SigV4, req: &Request<'_>, s3: bool) -> Result<(), AuthFailure> {
    let mut unsigned = Vec::new();
    if !sig.signed_headers.iter().any(|h| h == "host" || h == ":authority") {
        unsigned.push("host".to_string());
    }
    if s3 {
        for name in req.headers.keys() {
            let name = name.as_str();
            let exempt = sig.presigned && name == "x-amz-content-sha256";
            if name.starts_with("x-amz-")
                && !exempt
                && !sig.signed_headers.iter().any(|h| h == name)
                && !unsigned.iter().any(|u| u == name)
            {
                unsigned.push(name.to_string());
            }
        }
    }
    if unsigned.is_empty() { Ok(()) } else { Err(AuthFailure::HeadersNotSigned(unsigned)) }
}

/// The payload hash line of the canonical request, checking a declared hash against the body.
fn payload_hash(sig: &SigV4, payload: Payload<'_>, opts: &VerifyOptions<'_>) -> Result<String, AuthFailure> {
    let computed = match payload {
        Payload::Bytes(body) => Some(sha256_hex(body)),
        Payload::Sha256(hash) => Some(hex::encode(hash)),
        Payload::Streaming => None,
    };
    match &sig.content_sha256 {
        Some(declared) => {
            let mode = PayloadMode::classify(declared);
            if mode.is_none() && opts.s3 {
                return Err(AuthFailure::MalformedAuthorization(Malformed::ContentSha256 { value: declared.clone() }));
            }
            if mode == Some(PayloadMode::Sha256)
                && let Some(computed) = computed
                && !declared.eq_ignore_ascii_case(&computed)
            {
                return Err(AuthFailure::ContentSha256Mismatch { declared: declared.clone(), computed });
            }
            Ok(declared.clone())
        }
        None if sig.presigned && opts.s3 => Ok("UNSIGNED-PAYLOAD".to_string()),
        None if opts.s3 => Err(AuthFailure::MissingContentSha256),
        None => Ok(computed.unwrap_or_else(|| "UNSIGNED-PAYLOAD".to_string())),
    }
}

fn check_time(sig: &SigV4, now: OffsetDateTime, opts: &VerifyOptions<'_>) -> Result<(), AuthFailure> {
    let t = sig.amz_date;
    // Checked arithmetic: a request dated in year 9999 must not overflow the clock.
    if now.checked_add(opts.max_skew).is_some_and(|latest| t > latest) {
        return Err(AuthFailure::NotYetCurrent {
            request_time: t,
            now,
            max_skew: opts.max_skew,
            presigned: sig.presigned,
        });
    }
    match (sig.presigned, sig.expires) {
        (true, Some(expires)) => {
            // Valid through the last second; X-Amz-Expires=0 never is.
            let end = t.checked_add(Duration::seconds(i64::from(expires)));
            if expires == 0 || end.is_some_and(|end| now > end) {
                return Err(AuthFailure::PresignedExpired { request_time: t, expires, now });
            }
        }
        _ => {
            if now.checked_sub(opts.max_skew).is_some_and(|earliest| t < earliest) {
                return Err(AuthFailure::Expired { request_time: t, now, max_skew: opts.max_skew });
            }
        }
    }
    Ok(())
}

/// Verifies `sig` (from [`crate::parse`] on the same request) with `secret_key`.
///
/// The caller looks up the secret for `sig.access_key` first and answers
/// [`AuthFailure::UnknownAccessKey`] itself when there is none.
pub fn verify(
    sig: &SigV4,
    secret_key: &str,
    req: &Request<'_>,
    payload: Payload<'_>,
    now: OffsetDateTime,
    opts: &VerifyOptions<'_>,
) -> Result<Verified, AuthFailure> {
    check_scope(sig, opts)?;
    if opts.s3 && sig.presigned && sig.expires.is_none() {
        return Err(AuthFailure::IncompleteSignature(Incomplete::Query { missing: vec!["X-Amz-Expires"] }));
    }
    check_signed_headers(sig, req, opts.s3)?;
    let hash = payload_hash(sig, payload, opts)?;

    let amz_date = format_amz_date(sig.amz_date);
    let scope = sig.scope();
    let key = signing_key(secret_key, &sig.date, &sig.region, &sig.service);
    let provided = sig.signature.to_ascii_lowercase();
    let headers = canonical_headers(&sig.signed_headers, req.headers, req.authority);
    let exclude = sig.presigned.then_some("X-Amz-Signature");

    let mut first: Option<(String, String)> = None;
    for uri in canonical_uris(req.path, opts.s3) {
        for query in canonical_queries(req.query, exclude) {
            let creq = canonical_request(&CanonicalParts {
                method: req.method,
                uri: &uri,
                query: &query,
                headers: &headers,
                signed_headers: &sig.signed_headers_raw,
                payload_hash: &hash,
            });
            let sts = string_to_sign(&amz_date, &scope, &creq);
            let expected = hex::encode(hmac(&key, sts.as_bytes()));
            if ct_eq(expected.as_bytes(), provided.as_bytes()) {
                check_time(sig, now, opts)?;
                return Ok(Verified {
                    signing_key: key,
                    seed_signature: expected,
                    payload_mode: sig.content_sha256.as_deref().and_then(PayloadMode::classify),
                    amz_date,
                    scope,
                    access_key: sig.access_key.clone(),
                });
            }
            if first.is_none() {
                first = Some((sts, String::from_utf8_lossy(&creq).into_owned()));
            }
        }
    }
    let (string_to_sign, canonical_request) = first.unwrap_or_default();
    Err(AuthFailure::SignatureMismatch {
        access_key: sig.access_key.clone(),
        string_to_sign,
        canonical_request,
        signature_provided: sig.signature.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_hash_constant() {
        assert_eq!(sha256_hex(b""), EMPTY_SHA256);
    }
}
