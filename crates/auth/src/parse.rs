//! parse.rs — recognising the credentials a request carries: the SigV4 `Authorization` header,
//! presigned `X-Amz-*` query parameters, and (for routing only) Signature Version 2. Produces
//! [`SigV4`] for verification and the cheap [`credential_scope`] for the router; also owns the
//! timestamp parsing and formatting (`20130524T000000Z`, IMF-fixdate `Date` headers).
//!
//! Nothing here trusts its input: every malformed value becomes an [`AuthFailure`].

use http::HeaderMap;
use percent_encoding::percent_decode_str;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

use crate::errors::{AuthFailure, ExpiresProblem, Incomplete, Location, Malformed};
use crate::{ALGORITHM, MAX_PRESIGNED_EXPIRES, Request};

/// A parsed SigV4 signature (from the `Authorization` header or a presigned URL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigV4 {
    pub access_key: String,
    /// The credential scope date, `yyyymmdd`.
    pub date: String,
    pub region: String,
    pub service: String,
    /// The fifth scope element (must be `aws4_request`; checked by `verify`).
    pub terminal: String,
    /// The `SignedHeaders` names, lowercased, in the order given.
    pub signed_headers: Vec<String>,
    /// `SignedHeaders` exactly as sent (the canonical request's signed-headers line).
    pub signed_headers_raw: String,
    /// The signature as sent (hex).
    pub signature: String,
    /// The request timestamp (`X-Amz-Date`, else `Date`).
    pub amz_date: OffsetDateTime,
    /// `X-Amz-Expires` in seconds (presigned only).
    pub expires: Option<u32>,
    /// `X-Amz-Security-Token` (header or query).
    pub security_token: Option<String>,
    pub presigned: bool,
    /// The `x-amz-content-sha256` header (or the presigned `X-Amz-Content-Sha256` parameter).
    pub content_sha256: Option<String>,
}

impl SigV4 {
    /// `yyyymmdd/region/service/aws4_request` as the client wrote it.
    pub fn scope(&self) -> String {
        format!("{}/{}/{}/{}", self.date, self.region, self.service, self.terminal)
    }

    /// The timestamp in SigV4 basic format, `20130524T000000Z`.
    pub fn amz_date_string(&self) -> String {
        format_amz_date(self.amz_date)
    }

    pub(crate) fn location(&self) -> Location {
        if self.presigned { Location::Query } else { Location::Header }
    }
}

/// Which signing scheme a request used, as far as routing cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureVersion {
    V4,
    /// SigV4a (`AWS4-ECDSA-P256-SHA256`): no region in the scope.
    V4a,
    V2,
}

/// Who signed the request and for which region and service: enough to route and pick the
/// account, without validating anything. `region`/`service` are `None` for SigV2 (and the
/// region for SigV4a).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialScope {
    pub access_key: String,
    pub region: Option<String>,
    pub service: Option<String>,
    pub version: SignatureVersion,
}

/// Finds the credential scope in the `Authorization` header or the query string, cheaply and
/// leniently (for routing in any auth mode). `query` is the raw query string.
pub fn credential_scope(headers: &HeaderMap, query: &str) -> Option<CredentialScope> {
    if let Some(auth) = headers.get(http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let auth = auth.trim();
        if let Some(rest) = auth.strip_prefix("AWS ") {
            let key = rest.trim().split(':').next().unwrap_or("").trim();
            if !key.is_empty() {
                return Some(CredentialScope {
                    access_key: key.to_string(),
                    region: None,
                    service: None,
                    version: SignatureVersion::V2,
                });
            }
        } else if auth.starts_with("AWS4-") {
            let version =
                if auth.starts_with("AWS4-ECDSA-P256-SHA256") { SignatureVersion::V4a } else { SignatureVersion::V4 };
            let start = auth.find("Credential=")? + "Credential=".len();
            let cred = auth[start..].split([',', ' ']).next().unwrap_or("");
            return scope_from_credential(cred, version);
        }
    }
    let mut v2_key = None;
    for (name, value) in query_pairs(query) {
        if name.eq_ignore_ascii_case("X-Amz-Credential") {
            let version = if query_value(query, "X-Amz-Algorithm").as_deref() == Some("AWS4-ECDSA-P256-SHA256") {
                SignatureVersion::V4a
            } else {
                SignatureVersion::V4
            };
            return scope_from_credential(&decode(value), version);
        }
        if name == "AWSAccessKeyId" {
            v2_key = Some(decode(value));
        }
    }
    v2_key.filter(|k| !k.is_empty()).map(|access_key| CredentialScope {
        access_key,
        region: None,
        service: None,
        version: SignatureVersion::V2,
    })
}

fn scope_from_credential(cred: &str, version: SignatureVersion) -> Option<CredentialScope> {
    let parts: Vec<&str> = cred.split('/').collect();
    let non_empty = |s: &&str| !s.is_empty();
    let (key, region, service) = match (version, parts.as_slice()) {
        (SignatureVersion::V4a, [key, _date, service, _term]) => (*key, None, Some(*service)),
        (_, [key, _date, region, service, _term]) => (*key, Some(*region), Some(*service)),
        _ => return None,
    };
    if key.is_empty() {
        return None;
    }
    Some(CredentialScope {
        access_key: key.to_string(),
        region: region.filter(non_empty).map(str::to_string),
        service: service.filter(non_empty).map(str::to_string),
        version,
    })
}

/// Parses the SigV4 credentials of `req`. `Ok(None)`: the request is unsigned. Errors describe
/// what AWS would reject before looking up the key (render with [`AuthFailure::aws_error`]).
/// An `Authorization` header in a foreign scheme (`Bearer`, ...) is an error: call this only on
/// AWS API routes, not on data planes that carry their own authorization.
pub fn parse(req: &Request<'_>) -> Result<Option<SigV4>, AuthFailure> {
    let auth = req
        .headers
        .get(http::header::AUTHORIZATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_string())
        .filter(|v| !v.is_empty());
    let presigned = query_pairs(req.query).any(|(name, _)| {
        ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature"].iter().any(|p| name.eq_ignore_ascii_case(p))
    });
    match (auth, presigned) {
        (Some(auth), true) => Err(malformed(Malformed::MultipleMechanisms { authorization: auth })),
        (Some(auth), false) => parse_header(&auth, req.headers).map(Some),
        (None, true) => parse_presigned(req).map(Some),
        (None, false) => {
            let v2 = query_pairs(req.query).any(|(n, _)| n == "AWSAccessKeyId")
                && query_pairs(req.query).any(|(n, _)| n == "Signature");
            if v2 { Err(malformed(Malformed::SignatureV2)) } else { Ok(None) }
        }
    }
}

fn malformed(m: Malformed) -> AuthFailure {
    AuthFailure::MalformedAuthorization(m)
}

fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_string())
}

fn parse_header(auth: &str, headers: &HeaderMap) -> Result<SigV4, AuthFailure> {
    let rest = match auth.strip_prefix(ALGORITHM) {
        Some(rest) if rest.is_empty() || rest.starts_with([' ', '\t', ',']) => rest,
        _ if auth.starts_with("AWS4-") => {
            return Err(malformed(Malformed::UnsupportedAlgorithm {
                value: auth.to_string(),
                location: Location::Header,
            }));
        }
        _ if auth.starts_with("AWS ") => return Err(malformed(Malformed::SignatureV2)),
        _ => {
            return Err(malformed(Malformed::UnsupportedScheme { authorization: auth.to_string() }));
        }
    };
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split([',', ' ', '\t']).filter(|p| !p.is_empty()) {
        let Some((key, value)) = part.split_once('=') else {
            return Err(AuthFailure::IncompleteSignature(Incomplete::NotKeyValue {
                part: part.to_string(),
                authorization: auth.to_string(),
            }));
        };
        let slot = match key {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(value.to_string());
        }
    }
    let date_header = header_str(headers, "x-amz-date")
        .map(|v| (v, true))
        .or_else(|| header_str(headers, "date").map(|v| (v, false)));
    let (Some(credential), Some(signed), Some(signature), Some((date_value, amz))) =
        (&credential, &signed, &signature, &date_header)
    else {
        return Err(AuthFailure::IncompleteSignature(Incomplete::Header {
            credential: credential.is_none(),
            signed_headers: signed.is_none(),
            signature: signature.is_none(),
            date: date_header.is_none(),
            authorization: auth.to_string(),
        }));
    };
    let amz_date = if *amz { parse_amz_date(date_value) } else { parse_http_date(date_value) }
        .ok_or_else(|| AuthFailure::InvalidDate { value: date_value.clone(), location: Location::Header })?;
    let scope = split_credential(credential, amz_date, Location::Header)?;
    Ok(SigV4 {
        access_key: scope.0,
        date: scope.1,
        region: scope.2,
        service: scope.3,
        terminal: scope.4,
        signed_headers: split_signed(signed),
        signed_headers_raw: signed.clone(),
        signature: signature.clone(),
        amz_date,
        expires: None,
        security_token: header_str(headers, "x-amz-security-token"),
        presigned: false,
        content_sha256: header_str(headers, "x-amz-content-sha256"),
    })
}

fn parse_presigned(req: &Request<'_>) -> Result<SigV4, AuthFailure> {
    let get = |name: &str| query_value(req.query, name);
    let algorithm = get("X-Amz-Algorithm");
    let credential = get("X-Amz-Credential");
    let signature = get("X-Amz-Signature");
    let date = get("X-Amz-Date");
    let signed = get("X-Amz-SignedHeaders");
    let (Some(algorithm), Some(credential), Some(signature), Some(date), Some(signed)) =
        (&algorithm, &credential, &signature, &date, &signed)
    else {
        let mut missing = Vec::new();
        for (name, v) in [
            ("X-Amz-Algorithm", &algorithm),
            ("X-Amz-Credential", &credential),
            ("X-Amz-Signature", &signature),
            ("X-Amz-Date", &date),
            ("X-Amz-SignedHeaders", &signed),
        ] {
            if v.is_none() {
                missing.push(name);
            }
        }
        return Err(AuthFailure::IncompleteSignature(Incomplete::Query { missing }));
    };
    if algorithm != ALGORITHM {
        return Err(malformed(Malformed::UnsupportedAlgorithm { value: algorithm.clone(), location: Location::Query }));
    }
    let amz_date = parse_amz_date(date)
        .ok_or_else(|| AuthFailure::InvalidDate { value: date.clone(), location: Location::Query })?;
    let expires = get("X-Amz-Expires").map(|v| parse_expires(&v)).transpose()?;
    let scope = split_credential(credential, amz_date, Location::Query)?;
    Ok(SigV4 {
        access_key: scope.0,
        date: scope.1,
        region: scope.2,
        service: scope.3,
        terminal: scope.4,
        signed_headers: split_signed(signed),
        signed_headers_raw: signed.clone(),
        signature: signature.clone(),
        amz_date,
        expires,
        security_token: get("X-Amz-Security-Token"),
        presigned: true,
        content_sha256: get("X-Amz-Content-Sha256"),
    })
}

fn parse_expires(value: &str) -> Result<u32, AuthFailure> {
    let problem = match value.parse::<i64>() {
        Ok(n) if n < 0 => ExpiresProblem::Negative,
        Ok(n) if n > i64::from(MAX_PRESIGNED_EXPIRES) => ExpiresProblem::TooLarge,
        Ok(n) => return u32::try_from(n).map_err(|_| expires_err(value, ExpiresProblem::TooLarge)),
        Err(_) if value.starts_with('-') && value[1..].bytes().all(|b| b.is_ascii_digit()) => ExpiresProblem::Negative,
        Err(_) if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => ExpiresProblem::TooLarge,
        Err(_) => ExpiresProblem::NotANumber,
    };
    Err(expires_err(value, problem))
}

fn expires_err(value: &str, problem: ExpiresProblem) -> AuthFailure {
    malformed(Malformed::Expires { value: value.to_string(), problem })
}

type Scope = (String, String, String, String, String);

fn split_credential(value: &str, amz_date: OffsetDateTime, location: Location) -> Result<Scope, AuthFailure> {
    let parts: Vec<&str> = value.split('/').collect();
    let [key, date, region, service, terminal] = parts.as_slice() else {
        return Err(malformed(Malformed::Credential { value: value.to_string(), location }));
    };
    if [key, date, region, service, terminal].iter().any(|p| p.is_empty()) {
        return Err(malformed(Malformed::Credential { value: value.to_string(), location }));
    }
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        let amz_date = format_amz_date(amz_date);
        return Err(malformed(Malformed::ScopeDate { value: date.to_string(), amz_date, location }));
    }
    Ok((key.to_string(), date.to_string(), region.to_string(), service.to_string(), terminal.to_string()))
}

fn split_signed(value: &str) -> Vec<String> {
    value.split(';').map(|h| h.trim().to_ascii_lowercase()).collect()
}

/// Raw `name=value` pairs of a query string (still percent-encoded; a bare name has value "").
pub(crate) fn query_pairs(query: &str) -> impl Iterator<Item = (&str, &str)> {
    query.split('&').filter(|p| !p.is_empty()).map(|p| p.split_once('=').unwrap_or((p, "")))
}

/// The first value of a query parameter, matched case-insensitively and percent-decoded.
fn query_value(query: &str, name: &str) -> Option<String> {
    query_pairs(query).find(|(n, _)| decode(n).eq_ignore_ascii_case(name)).map(|(_, v)| decode(v))
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn datetime(year: u32, month: u32, day: u32, hour: u32, min: u32, sec: u32) -> Option<OffsetDateTime> {
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    let date = Date::from_calendar_date(i32::try_from(year).ok()?, month, u8::try_from(day).ok()?).ok()?;
    let time = Time::from_hms(u8::try_from(hour).ok()?, u8::try_from(min).ok()?, u8::try_from(sec).ok()?).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

/// Parses SigV4's basic ISO 8601 form, `20130524T000000Z`.
pub fn parse_amz_date(s: &str) -> Option<OffsetDateTime> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s.get(r).and_then(digits);
    datetime(n(0..4)?, n(4..6)?, n(6..8)?, n(9..11)?, n(11..13)?, n(13..15)?)
}

/// Parses an IMF-fixdate `Date` header, `Fri, 24 May 2013 00:00:00 GMT`.
pub fn parse_http_date(s: &str) -> Option<OffsetDateTime> {
    let (_, rest) = s.split_once(", ")?;
    let mut it = rest.split(' ');
    let (day, month, year, hms, zone) = (it.next()?, it.next()?, it.next()?, it.next()?, it.next()?);
    if it.next().is_some() || zone != "GMT" {
        return None;
    }
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = MONTHS.iter().position(|m| *m == month)? as u32 + 1;
    let mut t = hms.split(':');
    let (h, m, sec) = (t.next()?, t.next()?, t.next()?);
    if t.next().is_some() || h.len() != 2 || m.len() != 2 || sec.len() != 2 || year.len() != 4 {
        return None;
    }
    datetime(digits(year)?, month, digits(day)?, digits(h)?, digits(m)?, digits(sec)?)
}

/// Formats as `20130524T000000Z`.
pub fn format_amz_date(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Formats as `2013-05-24T00:00:00Z` (S3's `ServerTime`).
pub fn format_iso8601(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}
