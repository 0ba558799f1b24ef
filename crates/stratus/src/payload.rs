//! Request payloads as services receive them: aws-chunked framing removed
//! (chunk and trailer signatures checked in strict mode), trailers kept as
//! headers, declared SHA-256 hashes checked, and streaming bodies pumped
//! chunk by chunk into a `BodyStream` without ever being held whole.

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use sha2::{Digest, Sha256};
use stratus_auth::{AuthFailure, ChunkedDecoder, ChunkedMode, PayloadMode, Verified};
use stratus_core::{AwsError, BodyFrame, BodySender, HttpRequest};

/// How one request's body is framed and what must be checked while reading it.
pub struct Framing {
    decoder: Option<ChunkedDecoder>,
    /// Strict mode with a hex `x-amz-content-sha256`: the declared hash and a running one.
    hash: Option<(String, Sha256)>,
}

impl Framing {
    /// The framing `req` declares. `verified` is the strict-mode verification
    /// result (None in permissive mode), which seeds chunk-signature checks.
    pub fn of(req: &HttpRequest, verified: Option<&Verified>) -> Framing {
        let declared = req.header("x-amz-content-sha256").unwrap_or("");
        let mode = PayloadMode::classify(declared);
        let decoder = match mode {
            Some(PayloadMode::StreamingSigned | PayloadMode::StreamingSignedTrailer) => Some(match verified {
                Some(v) => ChunkedMode::Signed(v.chunk_verifier()),
                None => ChunkedMode::SignedUnchecked,
            }),
            Some(PayloadMode::StreamingUnsignedTrailer) => Some(ChunkedMode::Unsigned),
            _ => None,
        }
        .map(ChunkedDecoder::new);
        let hash = (verified.is_some() && mode == Some(PayloadMode::Sha256))
            .then(|| (declared.to_ascii_lowercase(), Sha256::new()));
        Framing { decoder, hash }
    }

    fn feed(&mut self, data: &Bytes, out: &mut Vec<Bytes>) -> Result<(), AuthFailure> {
        let before = out.len();
        match &mut self.decoder {
            Some(decoder) => decoder.decode(data, out)?,
            None => out.push(data.clone()),
        }
        if let Some((_, hasher)) = &mut self.hash {
            out[before..].iter().for_each(|b| hasher.update(b));
        }
        Ok(())
    }

    /// Ends the body: checks it was complete and matches its declared hash,
    /// and returns the aws-chunked trailers.
    fn finish(&mut self) -> Result<HeaderMap, AuthFailure> {
        let mut trailers = HeaderMap::new();
        if let Some(decoder) = &mut self.decoder {
            decoder.finish()?;
            for (name, value) in decoder.trailers() {
                if let (Ok(n), Ok(v)) = (HeaderName::try_from(name.as_str()), HeaderValue::from_str(value)) {
                    trailers.append(n, v);
                }
            }
        }
        if let Some((declared, hasher)) = self.hash.take() {
            let computed = hex::encode(hasher.finalize());
            if computed != declared {
                return Err(AuthFailure::ContentSha256Mismatch { declared, computed });
            }
        }
        Ok(trailers)
    }
}

/// The decoded length of `req`'s payload, when the client announced it.
pub fn declared_len(req: &HttpRequest) -> Option<u64> {
    req.header("x-amz-decoded-content-length")
        .or_else(|| req.header("content-length"))
        .and_then(|v| v.trim().parse().ok())
}

/// The trailing headers `req` announces in `x-amz-trailer`, lowercase.
pub fn announced_trailers(req: &HttpRequest) -> Vec<String> {
    req.header("x-amz-trailer")
        .map(|v| v.split(',').map(|n| n.trim().to_ascii_lowercase()).filter(|n| !n.is_empty()).collect())
        .unwrap_or_default()
}

/// Makes the headers describe the payload rather than its aws-chunked
/// encoding, as S3 does: `Content-Length` is the decoded length and
/// `aws-chunked` is dropped from `Content-Encoding`.
pub fn describe_decoded(req: &mut HttpRequest) {
    if let Some(decoded) = req.header("x-amz-decoded-content-length").and_then(|v| HeaderValue::from_str(v).ok()) {
        req.headers.insert(http::header::CONTENT_LENGTH, decoded);
    }
    let Some(encoding) = req.header("content-encoding") else { return };
    let rest: Vec<&str> = encoding
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty() && !e.eq_ignore_ascii_case("aws-chunked"))
        .collect();
    match HeaderValue::from_str(&rest.join(", ")) {
        Ok(v) if !rest.is_empty() => {
            req.headers.insert(http::header::CONTENT_ENCODING, v);
        }
        _ => {
            req.headers.remove(http::header::CONTENT_ENCODING);
        }
    }
}

/// Decodes a body that was read whole: aws-chunked framing is removed and
/// its trailers become headers (so checksum members decode as usual).
pub fn decode_whole(req: &mut HttpRequest, mut framing: Framing) -> Result<(), AuthFailure> {
    if framing.decoder.is_none() {
        return Ok(());
    }
    let mut parts = Vec::new();
    framing.feed(&req.body, &mut parts)?;
    let trailers = framing.finish()?;
    req.body = match parts.len() {
        1 => parts.remove(0),
        _ => parts.concat().into(),
    };
    req.headers.extend(trailers);
    describe_decoded(req);
    Ok(())
}

/// Reads `body` in a task, sending the payload to `tx` as it arrives;
/// framing and hash failures become `fail(..)` errors on the stream.
pub fn pump(
    mut body: Incoming,
    mut framing: Framing,
    tx: BodySender,
    fail: impl Fn(&AuthFailure) -> AwsError + Send + 'static,
) {
    tokio::spawn(async move {
        let mut trailers = HeaderMap::new();
        let mut out = Vec::new();
        while let Some(frame) = body.frame().await {
            let frame = match frame {
                Ok(f) => f,
                Err(e) => {
                    tracing::debug!("request body ended early: {e}");
                    let err = AwsError::bad_request("IncompleteBody", "The request body terminated unexpectedly");
                    let _ = tx.send(Err(err)).await;
                    return;
                }
            };
            match frame.into_data() {
                Ok(data) => {
                    if let Err(f) = framing.feed(&data, &mut out) {
                        let _ = tx.send(Err(fail(&f))).await;
                        return;
                    }
                    for chunk in out.drain(..) {
                        if tx.send(Ok(BodyFrame::Data(chunk))).await.is_err() {
                            return; // the service stopped reading
                        }
                    }
                }
                Err(frame) => {
                    if let Ok(t) = frame.into_trailers() {
                        trailers.extend(t);
                    }
                }
            }
        }
        match framing.finish() {
            Ok(t) => {
                trailers.extend(t);
                if !trailers.is_empty() {
                    let _ = tx.send(Ok(BodyFrame::Trailers(trailers))).await;
                }
            }
            Err(f) => {
                let _ = tx.send(Err(fail(&f))).await;
            }
        }
    });
}
