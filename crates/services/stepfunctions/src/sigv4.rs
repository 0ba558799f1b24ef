//! Signing a request with SigV4 (header form), as Step Functions signs the
//! API Gateway calls of `apigateway:invoke` tasks with `AuthType:
//! IAM_ROLE`: with temporary credentials of the execution's role.

use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha2::{Digest, Sha256};
use stratus_core::HttpRequest;

const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
const PATH: &AsciiSet = &UNRESERVED.remove(b'/');

/// Who signs: a key, its secret and (temporary credentials) a session token.
pub struct Key<'a> {
    pub access_key_id: &'a str,
    pub secret: &'a str,
    pub session_token: Option<&'a str>,
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length: the error cannot happen.
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(key) else { return Vec::new() };
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// Adds `x-amz-date`, `x-amz-content-sha256`, the session token and the
/// `Authorization` header to `req` (whose `Host` header is set).
pub fn sign(req: &mut HttpRequest, key: &Key, region: &str, service: &str, now: time::OffsetDateTime) {
    let amz_date = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let date = &amz_date[..8];
    let payload = hex::encode(Sha256::digest(&req.body));
    let set = |req: &mut HttpRequest, name: &'static str, value: &str| {
        if let Ok(v) = http::HeaderValue::from_str(value) {
            req.headers.insert(name, v);
        }
    };
    set(req, "x-amz-date", &amz_date);
    set(req, "x-amz-content-sha256", &payload);
    if let Some(t) = key.session_token {
        set(req, "x-amz-security-token", t);
    }
    let mut names: Vec<&str> = vec!["host", "x-amz-content-sha256", "x-amz-date"];
    if key.session_token.is_some() {
        names.push("x-amz-security-token");
    }
    let headers: String = names.iter().map(|n| format!("{n}:{}\n", req.header(n).unwrap_or_default().trim())).collect();
    let signed = names.join(";");
    let mut pairs: Vec<(&str, &str)> =
        req.query.split('&').filter(|p| !p.is_empty()).map(|p| p.split_once('=').unwrap_or((p, ""))).collect();
    pairs.sort();
    let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let uri = utf8_percent_encode(&req.path, PATH).to_string();
    let canonical = format!("{}\n{uri}\n{}\n{headers}\n{signed}\n{payload}", req.method, query.join("&"));
    let scope = format!("{date}/{region}/{service}/aws4_request");
    let to_sign = format!("AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}", hex::encode(Sha256::digest(canonical)));
    let mut k = hmac(format!("AWS4{}", key.secret).as_bytes(), date.as_bytes());
    for part in [region, service, "aws4_request"] {
        k = hmac(&k, part.as_bytes());
    }
    let signature = hex::encode(hmac(&k, to_sign.as_bytes()));
    let auth = format!(
        "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed}, Signature={signature}",
        key.access_key_id
    );
    set(req, "authorization", &auth);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_with_the_front_doors_check() {
        let mut headers = http::HeaderMap::new();
        headers.insert("host", http::HeaderValue::from_static("abc.execute-api.us-east-1.amazonaws.com"));
        let mut req = HttpRequest {
            method: http::Method::POST,
            path: "/dev/pets/a%20b".into(),
            query: "b=2&a=1&a=0".into(),
            headers,
            body: b"{\"x\":1}".to_vec().into(),
        };
        let key = Key { access_key_id: "ASIAEXAMPLE", secret: "s3cr3t", session_token: Some("tok") };
        let now = time::OffsetDateTime::now_utc();
        sign(&mut req, &key, "us-east-1", "execute-api", now);
        let r = stratus_auth::Request::new(req.method.as_str(), &req.path, &req.query, &req.headers);
        let sig = stratus_auth::parse(&r).expect("parses").expect("signed");
        let opts = stratus_auth::VerifyOptions { expected_service: Some("execute-api"), ..Default::default() };
        stratus_auth::verify(&sig, "s3cr3t", &r, stratus_auth::Payload::Bytes(&req.body), now, &opts)
            .expect("the signature verifies");
        assert!(stratus_auth::verify(&sig, "wrong", &r, stratus_auth::Payload::Bytes(&req.body), now, &opts).is_err());
    }
}
