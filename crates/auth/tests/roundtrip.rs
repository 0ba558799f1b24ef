//! Random requests signed by the AWS SDK's own signer (`aws-sigv4`), verified by ours: header
//! and presigned, S3 (single encoding) and other services (normalised, double encoding), with
//! odd paths, `+` and sub-delimiters in queries, padded header values, session tokens.

mod common;

use std::time::{Duration as StdDuration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SignatureLocation, SigningParams,
    SigningSettings, UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use common::Rng;
use stratus_auth::{AuthFailure, Payload, Request, VerifyOptions, parse, verify};
use time::OffsetDateTime;

const PIECES: &[&str] = &[
    "a", "Z", "0", "-", "_", ".", "~", " ", "é", "ሴ", "!", "$", "&", "'", "(", ")", "*", "+", ",", ";", "=", ":", "@",
    "%", "/", "key", "photos", "2024",
];
const RAW_OK_PATH: &str = "!$&'()*+,;=:@";
const RAW_OK_QUERY: &str = "!$'()*,;:@+";

fn encode_piece(rng: &mut Rng, piece: &str, raw_ok: &str) -> String {
    let mut out = String::new();
    for ch in piece.chars() {
        let unreserved = ch.is_ascii_alphanumeric() || "-_.~".contains(ch);
        if unreserved || (raw_ok.contains(ch) && rng.chance(40)) {
            out.push(ch);
        } else {
            let mut buf = [0u8; 4];
            for b in ch.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

fn random_text(rng: &mut Rng, max: usize) -> String {
    (0..rng.below(max) + 1).map(|_| rng.pick(PIECES)).collect()
}

fn random_path(rng: &mut Rng, s3: bool) -> String {
    let mut path = String::new();
    for _ in 0..rng.below(4) + 1 {
        path.push('/');
        if !s3 && rng.chance(10) {
            let dots: &[&str] = &[".", "..", ""];
            path.push_str(rng.pick(dots));
            continue;
        }
        let segment = random_text(rng, 5).replace('/', "");
        path.push_str(&encode_piece(rng, &segment, RAW_OK_PATH));
    }
    if rng.chance(20) {
        path.push('/');
    }
    path
}

fn random_query(rng: &mut Rng) -> String {
    let mut pairs = Vec::new();
    for _ in 0..rng.below(4) {
        let text = random_text(rng, 3);
        let key = encode_piece(rng, &text, RAW_OK_QUERY);
        if rng.chance(20) {
            pairs.push(key);
        } else {
            let text = random_text(rng, 4);
            let value = encode_piece(rng, &text, RAW_OK_QUERY);
            pairs.push(format!("{key}={value}"));
        }
    }
    pairs.join("&")
}

struct Case {
    s3: bool,
    presigned: bool,
    method: &'static str,
    uri: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    token: Option<String>,
    when: u64,
}

fn random_case(rng: &mut Rng) -> Case {
    let s3 = rng.chance(50);
    let presigned = rng.chance(40);
    let path = random_path(rng, s3);
    let query = random_query(rng);
    let uri = if query.is_empty() { path } else { format!("{path}?{query}") };
    let mut headers = vec![("host".to_string(), "example.amazonaws.com".to_string())];
    for (name, chance) in
        [("content-type", 50), ("x-amz-meta-color", 40), ("x-amz-meta-note", 30), ("range", 20), ("user-agent", 30)]
    {
        if rng.chance(chance) {
            let pad = " ".repeat(rng.below(3));
            let value = format!("{pad}v{}  x {pad}", rng.below(1000));
            headers.push((name.to_string(), value));
        }
    }
    let body: Vec<u8> = (0..rng.below(64)).map(|_| rng.next() as u8).collect();
    let token = rng.chance(30).then(|| format!("tok/{}+=", rng.below(100_000)));
    let when = 1_700_000_000 + rng.below(100_000_000) as u64;
    Case { s3, presigned, method: rng.pick(&["GET", "PUT", "POST", "DELETE", "HEAD"]), uri, headers, body, token, when }
}

fn sign_case(case: &Case) -> Option<http::Request<()>> {
    let identity: Identity = Credentials::new("AKIDROUNDTRIP", "secret/Key+1", case.token.clone(), None, "test").into();
    let mut settings = SigningSettings::default();
    if case.s3 {
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        if !case.presigned {
            settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        }
    }
    if case.presigned {
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(StdDuration::from_secs(900));
    }
    let service = if case.s3 { "s3" } else { "sts" };
    let params: SigningParams<'_> = v4::SigningParams::builder()
        .identity(&identity)
        .region("eu-west-3")
        .name(service)
        .time(UNIX_EPOCH + StdDuration::from_secs(case.when))
        .settings(settings)
        .build()
        .ok()?
        .into();
    let body = if case.s3 && case.presigned { SignableBody::UnsignedPayload } else { SignableBody::Bytes(&case.body) };
    let url = format!("https://example.amazonaws.com{}", case.uri);
    let signable = SignableRequest::new(
        case.method,
        url.clone(),
        case.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        body,
    )
    .ok()?;
    let (instructions, _) = sign(signable, &params).ok()?.into_parts();
    let mut builder = http::Request::builder().method(case.method).uri(url);
    for (k, v) in &case.headers {
        builder = builder.header(k, v);
    }
    let mut request = builder.body(()).ok()?;
    instructions.apply_to_request_http1x(&mut request);
    Some(request)
}

#[test]
fn aws_sdk_signatures_verify() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let (mut checked, mut kinds) = (0, [0usize; 4]);
    for _ in 0..800 {
        let case = random_case(&mut rng);
        let Some(request) = sign_case(&case) else { continue };
        let query = request.uri().query().unwrap_or("");
        let req = Request::new(case.method, request.uri().path(), query, request.headers());
        let sig = match parse(&req) {
            Ok(Some(sig)) => sig,
            other => panic!("{} {}: {other:?}", case.method, request.uri()),
        };
        assert_eq!(sig.security_token, case.token);
        let now = OffsetDateTime::from_unix_timestamp(case.when as i64 + 30).unwrap();
        let opts = VerifyOptions {
            s3: case.s3,
            expected_service: Some(if case.s3 { "s3" } else { "sts" }),
            expected_region: Some("eu-west-3"),
            ..Default::default()
        };
        let payload = if case.s3 && !case.presigned { Payload::Streaming } else { Payload::Bytes(&case.body) };
        if let Err(e) = verify(&sig, "secret/Key+1", &req, payload, now, &opts) {
            panic!("{} {} ({:?})\n{e:#?}", case.method, request.uri(), request.headers());
        }
        // The wrong secret never verifies.
        let wrong = verify(&sig, "secret/Key+2", &req, payload, now, &opts);
        assert!(matches!(wrong, Err(AuthFailure::SignatureMismatch { .. })), "{wrong:?}");
        checked += 1;
        kinds[usize::from(case.s3) * 2 + usize::from(case.presigned)] += 1;
    }
    assert!(checked > 600, "only {checked} cases could be signed");
    assert!(kinds.iter().all(|&k| k > 100), "{kinds:?}");
    let _ = SystemTime::now();
}
