//! Known AWS examples: the SigV4 documentation and test suite (IAM ListUsers, get-vanilla, ...),
//! the S3 header-signed examples, the S3 presigned URL example, and the S3 chunked uploads
//! (with and without a trailing checksum).

mod common;

use bytes::Bytes;
use common::*;
use stratus_auth::{ChunkedDecoder, ChunkedMode, Payload, PayloadMode, Request, VerifyOptions, parse, verify};

fn verify_ok(
    (method, path, query): (&str, &str, &str),
    h: &http::HeaderMap,
    secret: &str,
    body: &[u8],
    now: &str,
    opts: &VerifyOptions<'_>,
) -> stratus_auth::Verified {
    let req = Request::new(method, path, query, h);
    let sig = parse(&req).expect("parses").expect("signed");
    match verify(&sig, secret, &req, Payload::Bytes(body), at(now), opts) {
        Ok(v) => v,
        Err(e) => panic!("{method} {path}?{query}: {e:?}"),
    }
}

#[test]
fn iam_list_users_documentation_example() {
    let h = headers(&[
        ("content-type", "application/x-www-form-urlencoded; charset=utf-8"),
        ("host", "iam.amazonaws.com"),
        ("x-amz-date", "20150830T123600Z"),
        (
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
        ),
    ]);
    let req = Request::new("GET", "/", "Action=ListUsers&Version=2010-05-08", &h);
    let sig = parse(&req).unwrap().unwrap();
    assert_eq!(sig.access_key, "AKIDEXAMPLE");
    assert_eq!(sig.date, "20150830");
    assert_eq!(sig.region, "us-east-1");
    assert_eq!(sig.service, "iam");
    assert_eq!(sig.signed_headers, ["content-type", "host", "x-amz-date"]);
    assert_eq!(sig.amz_date_string(), "20150830T123600Z");
    assert!(!sig.presigned);
    let v = verify(
        &sig,
        IAM_SECRET,
        &req,
        Payload::Bytes(b""),
        at("20150830T123600Z"),
        &VerifyOptions { expected_service: Some("iam"), ..Default::default() },
    )
    .unwrap();
    assert_eq!(v.seed_signature, "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

#[test]
fn sigv4_test_suite_vanilla_requests() {
    let cases = [
        ("GET", "", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        ("GET", "Param2=value2&Param1=value1", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        ("POST", "", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
    ];
    for (method, query, signature) in cases {
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature={signature}"
        );
        let h =
            headers(&[("host", "example.amazonaws.com"), ("x-amz-date", "20150830T123600Z"), ("authorization", &auth)]);
        verify_ok((method, "/", query), &h, IAM_SECRET, b"", "20150830T123600Z", &VerifyOptions::default());
    }
}

#[test]
fn s3_header_signed_documentation_examples() {
    let host = ("host", "examplebucket.s3.amazonaws.com");
    let date = ("x-amz-date", "20130524T000000Z");
    let opts = VerifyOptions::s3();
    // GET Object with a Range.
    let auth = s3_auth(
        "host;range;x-amz-content-sha256;x-amz-date",
        "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
    );
    let h = headers(&[host, date, ("range", "bytes=0-9"), ("x-amz-content-sha256", EMPTY), ("authorization", &auth)]);
    verify_ok(("GET", "/test.txt", ""), &h, S3_SECRET, b"", "20130524T000000Z", &opts);

    // PUT Object: a `$` in the key, a Date header beside x-amz-date, the body's hash declared.
    let body = b"Welcome to Amazon S3.";
    let auth = s3_auth(
        "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
        "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
    );
    let sha = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072";
    let h = headers(&[
        host,
        date,
        ("date", "Fri, 24 May 2013 00:00:00 GMT"),
        ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        ("x-amz-content-sha256", sha),
        ("authorization", &auth),
    ]);
    verify_ok(("PUT", "/test%24file.text", ""), &h, S3_SECRET, body, "20130524T000000Z", &opts);
    // The same key sent unencoded canonicalises to the same URI.
    verify_ok(("PUT", "/test$file.text", ""), &h, S3_SECRET, body, "20130524T000000Z", &opts);

    // GET Bucket lifecycle (a parameter without a value) and List Objects.
    for (query, signature) in [
        ("lifecycle", "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"),
        ("max-keys=2&prefix=J", "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
    ] {
        let auth = s3_auth("host;x-amz-content-sha256;x-amz-date", signature);
        let h = headers(&[host, date, ("x-amz-content-sha256", EMPTY), ("authorization", &auth)]);
        verify_ok(("GET", "/", query), &h, S3_SECRET, b"", "20130524T000000Z", &opts);
    }
}

#[test]
fn s3_accepts_the_signature_in_uppercase() {
    let auth = s3_auth(
        "host;range;x-amz-content-sha256;x-amz-date",
        &"f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41".to_uppercase(),
    );
    let h = headers(&[
        ("host", "examplebucket.s3.amazonaws.com"),
        ("x-amz-date", "20130524T000000Z"),
        ("range", "bytes=0-9"),
        ("x-amz-content-sha256", EMPTY),
        ("authorization", &auth),
    ]);
    verify_ok(("GET", "/test.txt", ""), &h, S3_SECRET, b"", "20130524T000000Z", &VerifyOptions::s3());
}

const PRESIGNED: &str = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

#[test]
fn s3_presigned_url_documentation_example() {
    let h = headers(&[("host", "examplebucket.s3.amazonaws.com")]);
    let req = Request::new("GET", "/test.txt", PRESIGNED, &h);
    let sig = parse(&req).unwrap().unwrap();
    assert!(sig.presigned);
    assert_eq!(sig.expires, Some(86400));
    assert_eq!(sig.access_key, S3_KEY);
    assert_eq!(sig.scope(), "20130524/us-east-1/s3/aws4_request");
    // Valid from X-Amz-Date through the last second of X-Amz-Expires.
    for now in ["20130524T000000Z", "20130524T120000Z", "20130525T000000Z", "20130523T234500Z"] {
        verify(&sig, S3_SECRET, &req, Payload::Streaming, at(now), &VerifyOptions::s3())
            .unwrap_or_else(|e| panic!("{now}: {e:?}"));
    }
}

const A: u8 = b'a';

fn chunked_body(signatures: &[&str], trailers: &[&str]) -> Vec<u8> {
    let mut body = Vec::new();
    for (size, sig) in [(65536usize, signatures[0]), (1024, signatures[1])] {
        body.extend_from_slice(format!("{size:x};chunk-signature={sig}\r\n").as_bytes());
        body.extend(std::iter::repeat_n(A, size));
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("0;chunk-signature={}\r\n", signatures[2]).as_bytes());
    for t in trailers {
        body.extend_from_slice(t.as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"\r\n");
    body
}

const CHUNK_SIGS: [&str; 3] = [
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
];

fn chunked_request_headers() -> http::HeaderMap {
    let auth = s3_auth(
        "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class",
        "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
    );
    headers(&[
        ("host", "s3.amazonaws.com"),
        ("x-amz-date", "20130524T000000Z"),
        ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        ("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
        ("content-encoding", "aws-chunked"),
        ("x-amz-decoded-content-length", "66560"),
        ("content-length", "66824"),
        ("authorization", &auth),
    ])
}

#[test]
fn s3_chunked_upload_documentation_example() {
    let h = chunked_request_headers();
    let req = Request::new("PUT", "/examplebucket/chunkObject.txt", "", &h);
    let sig = parse(&req).unwrap().unwrap();
    let ok = verify(&sig, S3_SECRET, &req, Payload::Streaming, at("20130524T000000Z"), &VerifyOptions::s3()).unwrap();
    assert_eq!(ok.payload_mode, Some(PayloadMode::StreamingSigned));
    let body = chunked_body(&CHUNK_SIGS, &[]);
    assert_eq!(body.len(), 66824);

    // Whole body at once, and then in pieces of many sizes (CRLFs and headers split).
    for piece in [body.len(), 1, 2, 3, 7, 100, 4096, 65537] {
        let mut dec = ChunkedDecoder::new(ChunkedMode::Signed(ok.chunk_verifier()));
        let mut out = Vec::new();
        let bytes = Bytes::from(body.clone());
        let mut start = 0;
        while start < bytes.len() {
            let end = (start + piece).min(bytes.len());
            dec.decode(&bytes.slice(start..end), &mut out).unwrap_or_else(|e| panic!("{piece}: {e:?}"));
            start = end;
        }
        dec.finish().unwrap();
        let data: Vec<u8> = out.iter().flat_map(|b| b.iter().copied()).collect();
        assert_eq!(data.len(), 66560);
        assert!(data.iter().all(|&b| b == A));
        assert_eq!(dec.decoded_len(), 66560);
        assert!(dec.trailers().is_empty());
    }
}

#[test]
fn s3_chunked_upload_with_signed_trailer_documentation_example() {
    let auth = s3_auth(
        "content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer",
        "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e",
    );
    let h = headers(&[
        ("host", "s3.amazonaws.com"),
        ("x-amz-date", "20130524T000000Z"),
        ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        ("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"),
        ("content-encoding", "aws-chunked"),
        ("x-amz-decoded-content-length", "66560"),
        ("x-amz-trailer", "x-amz-checksum-crc32c"),
        ("authorization", &auth),
    ]);
    let req = Request::new("PUT", "/examplebucket/chunkObject.txt", "", &h);
    let sig = parse(&req).unwrap().unwrap();
    let ok = verify(&sig, S3_SECRET, &req, Payload::Streaming, at("20130524T000000Z"), &VerifyOptions::s3()).unwrap();
    assert_eq!(ok.payload_mode, Some(PayloadMode::StreamingSignedTrailer));
    let body = chunked_body(
        &[
            "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
            "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
            "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
        ],
        &[
            "x-amz-checksum-crc32c:sOO8/Q==",
            "x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435",
        ],
    );
    let mut dec = ChunkedDecoder::new(ChunkedMode::Signed(ok.chunk_verifier()));
    let mut out = Vec::new();
    for piece in body.chunks(999) {
        dec.decode_slice(piece, &mut out).unwrap();
    }
    dec.finish().unwrap();
    assert_eq!(out.len(), 66560);
    assert_eq!(dec.trailers(), [("x-amz-checksum-crc32c".to_string(), "sOO8/Q==".to_string())]);
}

#[test]
fn unsigned_trailer_variant() {
    let body = b"5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";
    for piece in 1..body.len() {
        let mut dec = ChunkedDecoder::new(ChunkedMode::Unsigned);
        let mut out = Vec::new();
        for p in body.chunks(piece) {
            dec.decode_slice(p, &mut out).unwrap();
        }
        dec.finish().unwrap();
        assert_eq!(out, b"hello world");
        assert_eq!(dec.trailers()[0].0, "x-amz-checksum-crc32");
        assert_eq!(dec.trailers()[0].1, "DUoRhQ==");
    }
}

#[test]
fn credential_scope_for_routing() {
    use stratus_auth::{SignatureVersion, credential_scope};
    let h = chunked_request_headers();
    let s = credential_scope(&h, "").unwrap();
    assert_eq!(
        (s.access_key.as_str(), s.region.as_deref(), s.service.as_deref()),
        (S3_KEY, Some("us-east-1"), Some("s3"))
    );
    let s = credential_scope(&http::HeaderMap::new(), PRESIGNED).unwrap();
    assert_eq!((s.access_key.as_str(), s.service.as_deref(), s.version), (S3_KEY, Some("s3"), SignatureVersion::V4));
    let v2 = headers(&[("authorization", "AWS AKIAOLD:frJIUN8DYpKDtOLCwo//yllqDzg=")]);
    let s = credential_scope(&v2, "").unwrap();
    assert_eq!((s.access_key.as_str(), s.region, s.version), ("AKIAOLD", None, SignatureVersion::V2));
    let s = credential_scope(&http::HeaderMap::new(), "AWSAccessKeyId=AKIAQ&Expires=1&Signature=x").unwrap();
    assert_eq!(s.access_key, "AKIAQ");
    let v4a = headers(&[(
        "authorization",
        "AWS4-ECDSA-P256-SHA256 Credential=AKIDX/20250101/s3/aws4_request, SignedHeaders=host, Signature=00",
    )]);
    let s = credential_scope(&v4a, "").unwrap();
    assert_eq!((s.region, s.service.as_deref(), s.version), (None, Some("s3"), SignatureVersion::V4a));
    assert_eq!(credential_scope(&http::HeaderMap::new(), "a=b"), None);
    assert_eq!(credential_scope(&headers(&[("authorization", "Bearer x")]), ""), None);
}
