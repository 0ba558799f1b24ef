//! The HTTP request and response as the front door hands them around: a
//! fully read body, raw path and query, and headers. The codecs read them, and
//! services with a data plane (function URLs, API invoke URLs) answer them.

use bytes::Bytes;
use http::HeaderMap;

/// An incoming request, body already read.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub method: http::Method,
    /// The path as sent, still percent-encoded.
    pub path: String,
    /// The raw query string without `?`.
    pub query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl HttpRequest {
    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The decoded query parameters in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(self.query.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
    }

    /// The `Host` header without port.
    pub fn host(&self) -> &str {
        let h = self.header("host").unwrap_or("");
        match h.rfind(':') {
            Some(i) if !h.ends_with(']') => &h[..i],
            _ => h,
        }
    }

    /// The media type of the body, lower-cased, without parameters.
    pub fn content_type(&self) -> String {
        self.header("content-type").unwrap_or("").split(';').next().unwrap_or("").trim().to_ascii_lowercase()
    }

    /// Form fields of an `application/x-www-form-urlencoded` body merged
    /// after the query string's (the Query protocol accepts both).
    pub fn form_params(&self) -> Vec<(String, String)> {
        let mut pairs = self.query_pairs();
        if self.content_type() == "application/x-www-form-urlencoded"
            || (self.method == http::Method::POST && self.header("content-type").is_none())
        {
            pairs.extend(form_urlencoded::parse(&self.body).map(|(k, v)| (k.into_owned(), v.into_owned())));
        }
        pairs
    }
}

/// An outgoing response.
#[derive(Debug, Default)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    /// When set, the body is streamed from this channel instead (after
    /// `body`, which is then sent first); the stream ends when it closes.
    pub stream: Option<tokio::sync::mpsc::Receiver<Bytes>>,
}

impl HttpResponse {
    pub fn new(status: u16, content_type: &str, body: impl Into<Bytes>) -> Self {
        HttpResponse {
            status,
            headers: vec![("Content-Type".to_string(), content_type.to_string())],
            body: body.into(),
            stream: None,
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }
}
