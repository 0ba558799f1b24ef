//! Garbled input never panics: random `Authorization` headers, dates, query strings and
//! aws-chunked bodies (cut at random points) go through every public entry point, and every
//! failure renders for every family.

mod common;

use common::*;
use http::{HeaderMap, HeaderName, HeaderValue};
use stratus_auth::{
    AuthFailure, ChunkVerifier, ChunkedDecoder, ChunkedMode, Family, Payload, PayloadMode, Request, VerifyOptions,
    credential_scope, parse, verify,
};
use time::OffsetDateTime;

const AUTH_PIECES: &[&str] = &[
    "AWS4-HMAC-SHA256",
    "AWS4-HMAC-SHA256 ",
    "AWS4-ECDSA-P256-SHA256 ",
    "AWS ",
    "Bearer ",
    " ",
    ",",
    ", ",
    "\t",
    "Credential=",
    "SignedHeaders=",
    "Signature=",
    "/",
    "AKID",
    "20150830",
    "2015083",
    "us-east-1",
    "s3",
    "iam",
    "aws4_request",
    "host",
    ";",
    "x-amz-date",
    "=",
    "==",
    ":",
    "é",
    "ሴ",
    "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
    "",
    "Credential=/////",
];
const DATES: &[&str] = &[
    "20150830T123600Z",
    "99991231T235959Z",
    "00000101T000000Z",
    "20150830T246000Z",
    "2015-08-30",
    "",
    "T",
    "20150830T123600ZZ",
    "2015083012T3600Z",
    "Mon, 30 Aug 2015 12:36:00 GMT",
    "Mon, 30 Aug 2015 12:36 GMT",
    "x, 99 Xyz 99999 99:99:99 GMT",
    "é",
];
const QUERY_PIECES: &[&str] = &[
    "X-Amz-Algorithm=",
    "X-Amz-Credential=",
    "X-Amz-Date=",
    "X-Amz-Expires=",
    "X-Amz-SignedHeaders=",
    "X-Amz-Signature=",
    "X-Amz-Security-Token=",
    "x-amz-algorithm=",
    "AWSAccessKeyId=",
    "Signature=",
    "AWS4-HMAC-SHA256",
    "AKID%2F20150830%2Fus-east-1%2Fs3%2Faws4_request",
    "20150830T123600Z",
    "604800",
    "604801",
    "-1",
    "0",
    "99999999999999999999999",
    "host",
    "%3B",
    "&",
    "=",
    "+",
    "%",
    "%zz",
    "%E1",
    "%E1%88",
    "a",
    "/",
    "..",
    "%00",
];
const HASHES: &[&str] = &[
    "UNSIGNED-PAYLOAD",
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
    "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
    EMPTY,
    "zz",
    "",
    "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
];
const PATHS: &[&str] = &["/", "", "/a/../..", "//", "/%", "/%zz/%E1", "/é", "/a b", "/..%2F", "/./."];

fn join(rng: &mut Rng, pieces: &[&str], max: usize) -> String {
    (0..rng.below(max)).map(|_| rng.pick(pieces)).collect()
}

fn render_all(e: &AuthFailure) {
    for family in [Family::Query, Family::Json, Family::RestJson, Family::S3] {
        let (status, code, message) = e.aws_error(family);
        assert!((400..500).contains(&status) && !code.is_empty() && !message.is_empty(), "{e:?}");
    }
    let _ = e.s3_details();
}

fn insert(h: &mut HeaderMap, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        h.append(HeaderName::from_static(name), v);
    }
}

#[test]
fn random_requests_never_panic() {
    let mut rng = Rng(0x0bad_cafe_f00d_0042);
    let (mut parsed, mut failed) = (0, 0);
    for _ in 0..30_000 {
        let mut h = HeaderMap::new();
        if rng.chance(40) {
            let auth = join(&mut rng, AUTH_PIECES, 14);
            insert(&mut h, "authorization", &auth);
        } else if rng.chance(60) {
            // Well-formed shape, random contents.
            let cred = join(&mut rng, &["AKID/", "20150830/", "us-east-1/", "s3/", "aws4_request", "/", "é"], 7);
            let signed = join(&mut rng, &["host", ";", "x-amz-date", "x-amz-meta-x", "HOST", ""], 5);
            let sig = join(&mut rng, &["5d672d79c15b13162d9279b0855cfba6", "00", "zz"], 3);
            insert(
                &mut h,
                "authorization",
                &format!("AWS4-HMAC-SHA256 Credential={cred}, SignedHeaders={signed}, Signature={sig}"),
            );
        }
        for (name, chance) in [("x-amz-date", 70), ("date", 20)] {
            if rng.chance(chance) {
                let d = rng.pick(DATES);
                insert(&mut h, name, d);
            }
        }
        if rng.chance(50) {
            let v = rng.pick(HASHES);
            insert(&mut h, "x-amz-content-sha256", v);
        }
        if rng.chance(30) {
            insert(&mut h, "x-amz-meta-x", "  a   b ");
        }
        insert(&mut h, "host", "example.com");
        let query = if rng.chance(30) {
            join(&mut rng, QUERY_PIECES, 16)
        } else if rng.chance(30) {
            let expires = rng.pick(&["86400", "0", "-5", "x", "604801"]);
            let date = rng.pick(DATES);
            let extra = join(&mut rng, QUERY_PIECES, 4);
            format!(
                "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20150830%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date={date}&X-Amz-Expires={expires}&X-Amz-SignedHeaders=host&X-Amz-Signature=00&{extra}"
            )
        } else {
            String::new()
        };
        let path = rng.pick(PATHS);
        let _ = credential_scope(&h, &query);
        let req = Request::new("GET", path, &query, &h);
        match parse(&req) {
            Ok(Some(sig)) => {
                parsed += 1;
                let _ = sig.scope();
                let now = rng.pick(&[
                    OffsetDateTime::UNIX_EPOCH,
                    at("20150830T123600Z"),
                    at("99991231T235959Z"),
                    at("00000101T000000Z"),
                ]);
                for s3 in [false, true] {
                    let opts = VerifyOptions { s3, ..Default::default() };
                    for payload in [Payload::Bytes(b"x"), Payload::Streaming, Payload::Sha256(&[0; 32])] {
                        if let Err(e) = verify(&sig, "secret", &req, payload, now, &opts) {
                            render_all(&e);
                        }
                    }
                }
                let _ = ChunkVerifier::from_sigv4(&sig, "secret");
            }
            Ok(None) => {}
            Err(e) => {
                failed += 1;
                render_all(&e);
            }
        }
    }
    assert!(parsed > 100 && failed > 1000, "parsed {parsed}, failed {failed}");
    let _ = PayloadMode::classify("x");
}

const CHUNK_PIECES: &[&[u8]] = &[
    b"0",
    b"5",
    b"10000",
    b"ffffffffffffffff",
    b"fffffffffffffffff",
    b";",
    b"chunk-signature=",
    b"ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
    b"\r\n",
    b"\r",
    b"\n",
    b"hello",
    b"x-amz-checksum-crc32:AAAAAA==",
    b"x-amz-trailer-signature:",
    b":",
    b"\xff\xfe",
    b"",
];

#[test]
fn random_chunked_bodies_never_panic() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let key = stratus_auth::signing_key(S3_SECRET, "20130524", "us-east-1", "s3");
    let mut finished = 0;
    for _ in 0..20_000 {
        let mut body: Vec<u8> = if rng.chance(50) {
            (0..rng.below(24)).flat_map(|_| rng.pick(CHUNK_PIECES).iter().copied()).collect()
        } else {
            let sig = "chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648";
            format!("5;{sig}\r\nhello\r\n0;{sig}\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n").into_bytes()
        };
        for _ in 0..rng.below(3) {
            if !body.is_empty() && rng.chance(50) {
                let i = rng.below(body.len());
                body[i] = rng.next() as u8;
            }
        }
        let mode = match rng.below(3) {
            0 => ChunkedMode::Unsigned,
            1 => ChunkedMode::SignedUnchecked,
            _ => ChunkedMode::Signed(ChunkVerifier::new(key, "20130524T000000Z", "s", "seed")),
        };
        let mut dec = ChunkedDecoder::new(mode);
        let mut out = Vec::new();
        let mut rest = body.as_slice();
        let mut result = Ok(());
        while !rest.is_empty() && result.is_ok() {
            let n = rng.below(rest.len()) + 1;
            result = dec.decode_slice(&rest[..n], &mut out);
            rest = &rest[n..];
        }
        let result = result.and_then(|()| dec.finish());
        match result {
            Ok(()) => finished += 1,
            Err(e) => render_all(&e),
        }
        assert!(out.len() as u64 == dec.decoded_len());
    }
    assert!(finished > 10, "{finished}");
}
