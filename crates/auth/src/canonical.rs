//! canonical.rs — the SigV4 canonical request and what is derived from it: canonical URI
//! (S3: single encoding, no normalisation; everyone else: RFC 3986 dot-segment removal and a
//! second encoding), canonical query string, canonical headers, string to sign, signing key,
//! HMAC/SHA-256 helpers and the constant-time comparison.
//!
//! Clients disagree on a few representations (a `+` in the query, a path byte left unencoded),
//! so the URI and query functions return every distinct candidate a real client could have
//! signed, the spec's form first; `verify` accepts a match with any of them.

use hmac::{Hmac, Mac};
use http::HeaderMap;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode, percent_encode};
use sha2::{Digest, Sha256};

/// Everything but the unreserved characters `A-Z a-z 0-9 - _ . ~`.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
/// As [`UNRESERVED`], keeping `/` (path segments).
const PATH: &AsciiSet = &UNRESERVED.remove(b'/');

pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

pub(crate) fn sha256_hex(data: &[u8]) -> String {
    hex::encode(sha256(data))
}

pub(crate) fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC-SHA256 takes keys of any length"),
    };
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The SigV4 signing key: `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
pub fn signing_key(secret_key: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let k_date = hmac(format!("AWS4{secret_key}").as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

/// Compares without an early exit on the first differing byte.
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

fn push_unique(out: &mut Vec<String>, candidate: String) {
    if !out.contains(&candidate) {
        out.push(candidate);
    }
}

fn encode(bytes: &[u8], set: &'static AsciiSet) -> String {
    percent_encode(bytes, set).to_string()
}

/// Canonical URI candidates for `path` as received on the wire.
pub(crate) fn canonical_uris(path: &str, s3: bool) -> Vec<String> {
    let path = if path.is_empty() { "/" } else { path };
    let mut out = Vec::with_capacity(2);
    if s3 {
        // The S3 spec: URI-encode the (decoded) absolute path once, keeping '/'.
        let decoded: Vec<u8> = percent_decode(path.as_bytes()).collect();
        push_unique(&mut out, encode(&decoded, PATH));
        // Clients (botocore, aws-sigv4) sign the wire path as they sent it.
        push_unique(&mut out, path.to_string());
    } else {
        // Other services: normalise, then encode the already-encoded path again.
        let normalized = normalize_path(path);
        push_unique(&mut out, encode(normalized.as_bytes(), PATH));
    }
    out
}

/// RFC 3986 5.2.4 dot-segment removal plus empty-segment collapsing, as the AWS SDKs do.
fn normalize_path(path: &str) -> String {
    let absolute = if path.starts_with('/') { path.to_string() } else { format!("/{path}") };
    if !absolute.contains('.') && !absolute.contains("//") {
        return absolute;
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in absolute.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut out = format!("/{}", segments.join("/"));
    let trailing = ["/", "/.", "/..", "/./", "/../"].iter().any(|s| absolute.ends_with(s));
    if trailing && !out.ends_with('/') {
        out.push('/');
    }
    out
}

fn canonical_query(pairs: &[(String, String)]) -> String {
    let mut pairs = pairs.to_vec();
    pairs.sort();
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// Canonical query string candidates. `exclude` names a parameter left out (case-insensitive),
/// `X-Amz-Signature` for presigned requests.
pub(crate) fn canonical_queries(query: &str, exclude: Option<&str>) -> Vec<String> {
    let raw: Vec<(&str, &str)> = crate::parse::query_pairs(query)
        .filter(|(name, _)| {
            exclude.is_none_or(|ex| {
                let decoded: Vec<u8> = percent_decode(name.as_bytes()).collect();
                !decoded.eq_ignore_ascii_case(ex.as_bytes())
            })
        })
        .collect();
    let reencode = |s: &str, plus_is_space: bool| {
        let s = if plus_is_space { s.replace('+', " ") } else { s.to_string() };
        let decoded: Vec<u8> = percent_decode(s.as_bytes()).collect();
        encode(&decoded, UNRESERVED)
    };
    let mut out = Vec::with_capacity(1);
    let spec: Vec<(String, String)> = raw.iter().map(|(k, v)| (reencode(k, false), reencode(v, false))).collect();
    push_unique(&mut out, canonical_query(&spec));
    if query.contains('+') {
        // Form-style decoding (aws-sigv4 and friends read `+` as a space).
        let form: Vec<(String, String)> = raw.iter().map(|(k, v)| (reencode(k, true), reencode(v, true))).collect();
        push_unique(&mut out, canonical_query(&form));
    }
    // botocore sorts and joins the pairs exactly as they appear on the wire.
    let wire: Vec<(String, String)> = raw.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    push_unique(&mut out, canonical_query(&wire));
    out
}

/// Collapses runs of spaces and trims them at both ends (SigV4 "trimall"; S3 trims spaces only).
fn trim_all(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len());
    for &b in value {
        if b == b' ' && (out.is_empty() || out.last() == Some(&b' ')) {
            continue;
        }
        out.push(b);
    }
    while out.last() == Some(&b' ') {
        out.pop();
    }
    out
}

/// The canonical headers block: `name:value\n` for each signed header, in the signed order.
/// Repeated headers are joined with `,`; a signed header the request lacks gets an empty value.
pub(crate) fn canonical_headers(signed: &[String], headers: &HeaderMap, authority: Option<&str>) -> Vec<u8> {
    let mut out = Vec::new();
    for name in signed {
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        let mut first = true;
        for value in headers.get_all(name.as_str()) {
            if !first {
                out.push(b',');
            }
            first = false;
            out.extend_from_slice(&trim_all(value.as_bytes()));
        }
        if first
            && name == "host"
            && let Some(authority) = authority
        {
            out.extend_from_slice(&trim_all(authority.as_bytes()));
        }
        out.push(b'\n');
    }
    out
}

pub(crate) struct CanonicalParts<'a> {
    pub method: &'a str,
    pub uri: &'a str,
    pub query: &'a str,
    pub headers: &'a [u8],
    pub signed_headers: &'a str,
    pub payload_hash: &'a str,
}

pub(crate) fn canonical_request(p: &CanonicalParts<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 + p.headers.len());
    for part in [p.method.as_bytes(), p.uri.as_bytes(), p.query.as_bytes(), p.headers] {
        out.extend_from_slice(part);
        out.push(b'\n');
    }
    // The headers block already ends with '\n'; the spec adds one more blank line.
    out.extend_from_slice(p.signed_headers.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(p.payload_hash.as_bytes());
    out
}

/// `AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex(sha256(canonical_request))>`
pub(crate) fn string_to_sign(amz_date: &str, scope: &str, canonical_request: &[u8]) -> String {
    format!("{}\n{amz_date}\n{scope}\n{}", crate::ALGORITHM, sha256_hex(canonical_request))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_the_sdks() {
        assert_eq!(normalize_path("/"), "/");
        assert_eq!(normalize_path("/a/./b/../c"), "/a/c");
        assert_eq!(normalize_path("//a//b/"), "/a/b/");
        assert_eq!(normalize_path("/a/b/.."), "/a/");
        assert_eq!(normalize_path("/../../x"), "/x");
    }

    #[test]
    fn uris() {
        assert_eq!(canonical_uris("/test%24file.text", true), vec!["/test%24file.text"]);
        assert_eq!(canonical_uris("/test$file.text", true), vec!["/test%24file.text", "/test$file.text"]);
        assert_eq!(canonical_uris("/a%20b/c", false), vec!["/a%2520b/c"]);
        assert_eq!(canonical_uris("", false), vec!["/"]);
        assert_eq!(canonical_uris("/%E1%88%B4", false), vec!["/%25E1%2588%25B4"]);
    }

    #[test]
    fn queries() {
        assert_eq!(canonical_queries("b=2&a=1&a=0", None)[0], "a=0&a=1&b=2");
        assert_eq!(canonical_queries("lifecycle", None)[0], "lifecycle=");
        assert_eq!(canonical_queries("a=b%2fc&X-Amz-Signature=x", Some("X-Amz-Signature"))[0], "a=b%2Fc");
        let plus = canonical_queries("q=a+b", None);
        assert_eq!(plus, vec!["q=a%2Bb", "q=a%20b", "q=a+b"]);
    }

    #[test]
    fn trims() {
        assert_eq!(trim_all(b"  a   b  c "), b"a b c");
        assert_eq!(trim_all(b""), b"");
        assert_eq!(trim_all(b"   "), b"");
    }
}
