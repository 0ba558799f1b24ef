//! Streaming payloads: the body of a request whose operation takes a
//! streaming blob (S3 PutObject, UploadPart), delivered chunk by chunk with
//! any aws-chunked framing already removed and its trailers kept, and the
//! chunks of a streaming output (S3 GetObject).

use crate::AwsError;
use bytes::Bytes;
use http::HeaderMap;
use tokio::sync::mpsc;

/// One piece of a request body as the front door reads it.
#[derive(Debug)]
pub enum BodyFrame {
    Data(Bytes),
    /// Trailing headers (aws-chunked `x-amz-checksum-*`, HTTP trailers); last.
    Trailers(HeaderMap),
}

/// Where the front door pushes a request body.
pub type BodySender = mpsc::Sender<Result<BodyFrame, AwsError>>;

/// A request body read as it arrives.
#[derive(Debug)]
pub struct BodyStream {
    first: Option<Bytes>,
    rx: Option<mpsc::Receiver<Result<BodyFrame, AwsError>>>,
    trailers: HeaderMap,
    /// The decoded length announced by the client, if any
    /// (`x-amz-decoded-content-length` or `Content-Length`).
    pub declared_len: Option<u64>,
    /// The trailing headers the client announced in `x-amz-trailer`
    /// (lowercase), so a service can prepare to check them.
    pub announced_trailers: Vec<String>,
}

impl BodyStream {
    /// A channel the front door fills, and the stream a service reads.
    pub fn channel(capacity: usize, declared_len: Option<u64>) -> (BodySender, BodyStream) {
        let (tx, rx) = mpsc::channel(capacity);
        (
            tx,
            BodyStream {
                first: None,
                rx: Some(rx),
                trailers: HeaderMap::new(),
                declared_len,
                announced_trailers: Vec::new(),
            },
        )
    }

    /// A body that is already whole (internal callers, tests).
    pub fn from_bytes(bytes: impl Into<Bytes>) -> BodyStream {
        let bytes = bytes.into();
        let len = bytes.len() as u64;
        BodyStream {
            first: Some(bytes),
            rx: None,
            trailers: HeaderMap::new(),
            declared_len: Some(len),
            announced_trailers: Vec::new(),
        }
    }

    /// The next chunk of data; `None` at the end. Trailers are kept for
    /// [`BodyStream::trailers`].
    pub async fn chunk(&mut self) -> Option<Result<Bytes, AwsError>> {
        if let Some(first) = self.first.take() {
            return Some(Ok(first));
        }
        loop {
            let rx = self.rx.as_mut()?;
            match rx.recv().await {
                None => {
                    self.rx = None;
                    return None;
                }
                Some(Ok(BodyFrame::Data(b))) if b.is_empty() => continue,
                Some(Ok(BodyFrame::Data(b))) => return Some(Ok(b)),
                Some(Ok(BodyFrame::Trailers(t))) => self.trailers.extend(t),
                Some(Err(e)) => {
                    self.rx = None;
                    return Some(Err(e));
                }
            }
        }
    }

    /// Trailing headers seen so far (complete once `chunk` returned `None`).
    pub fn trailers(&self) -> &HeaderMap {
        &self.trailers
    }

    /// Reads the whole body, failing with `too_large` past `limit` bytes.
    pub async fn collect(&mut self, limit: usize, too_large: impl Fn() -> AwsError) -> Result<Bytes, AwsError> {
        let mut buf = Vec::new();
        while let Some(chunk) = self.chunk().await {
            let chunk = chunk?;
            if buf.len() + chunk.len() > limit {
                return Err(too_large());
            }
            if buf.is_empty() && self.rx.is_none() {
                return Ok(chunk);
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(Bytes::from(buf))
    }
}

/// What an operation with a streaming payload returns: its model-keyed
/// output (without the payload member) and, for streaming outputs, the
/// chunks of the payload (the response ends when the channel closes).
#[derive(Debug)]
pub struct Streamed {
    pub output: serde_json::Value,
    pub body: Option<mpsc::Receiver<Bytes>>,
}
