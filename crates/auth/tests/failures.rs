//! Every failure kind, from real requests (mostly the AWS examples with one thing changed), and
//! the exact AWS error each family gets for it.

mod common;

use common::*;
use stratus_auth::{
    AuthFailure, ChunkVerifier, ChunkedDecoder, ChunkedMode, ExpiresProblem, Family, Incomplete, Location, Malformed,
    Payload, Request, ScopeMismatch, VerifyOptions, parse, verify,
};
use time::Duration;

const IAM_SIG: &str = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
const IAM_QUERY: &str = "Action=ListUsers&Version=2010-05-08";
const MISMATCH: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

fn iam_headers(auth: &str, date: &str) -> http::HeaderMap {
    headers(&[
        ("content-type", "application/x-www-form-urlencoded; charset=utf-8"),
        ("host", "iam.amazonaws.com"),
        ("x-amz-date", date),
        ("authorization", auth),
    ])
}

fn iam_auth(scope: &str, signature: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{scope}, SignedHeaders=content-type;host;x-amz-date, Signature={signature}"
    )
}

/// Parses and verifies the IAM example (optionally changed) at `now`.
fn iam(auth: &str, date: &str, secret: &str, now: &str) -> Result<(), AuthFailure> {
    let h = iam_headers(auth, date);
    let req = Request::new("GET", "/", IAM_QUERY, &h);
    let sig = parse(&req)?.ok_or(AuthFailure::Missing)?;
    verify(&sig, secret, &req, Payload::Bytes(b""), at(now), &VerifyOptions::default()).map(|_| ())
}

fn iam_default(now: &str) -> Result<(), AuthFailure> {
    iam(&iam_auth("20150830/us-east-1/iam/aws4_request", IAM_SIG), "20150830T123600Z", IAM_SECRET, now)
}

fn parse_err(h: &http::HeaderMap, query: &str) -> AuthFailure {
    parse(&Request::new("GET", "/", query, h)).expect_err("should not parse")
}

#[test]
fn missing() {
    let h = headers(&[("host", "x"), ("authorization", "  ")]);
    assert_eq!(parse(&Request::new("GET", "/", "a=b", &h)), Ok(None));
    let m = AuthFailure::Missing;
    assert_eq!(
        m.aws_error(Family::Query),
        (403, "MissingAuthenticationToken", "Request is missing Authentication Token".into())
    );
    assert_eq!(
        m.aws_error(Family::Json),
        (400, "MissingAuthenticationTokenException", "Request is missing Authentication Token".into())
    );
    assert_eq!(
        m.aws_error(Family::RestJson),
        (403, "MissingAuthenticationTokenException", "Missing Authentication Token".into())
    );
    assert_eq!(m.aws_error(Family::S3), (403, "AccessDenied", "Access Denied".into()));
}

#[test]
fn unknown_access_key() {
    let f = AuthFailure::UnknownAccessKey { access_key: "AKIAUNKNOWN".into() };
    let invalid = "The security token included in the request is invalid.".to_string();
    assert_eq!(f.aws_error(Family::Query), (403, "InvalidClientTokenId", invalid.clone()));
    assert_eq!(f.aws_error(Family::Json), (400, "UnrecognizedClientException", invalid.clone()));
    assert_eq!(f.aws_error(Family::RestJson), (403, "UnrecognizedClientException", invalid));
    assert_eq!(
        f.aws_error(Family::S3),
        (403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.".into())
    );
    assert_eq!(f.s3_details(), [("AWSAccessKeyId", "AKIAUNKNOWN".to_string())]);
}

#[test]
fn signature_mismatch_reports_aws_canonical_request_and_string_to_sign() {
    let err = iam_default_with_secret("wrong-secret");
    let AuthFailure::SignatureMismatch { canonical_request, string_to_sign, signature_provided, access_key } = &err
    else {
        panic!("{err:?}")
    };
    // The documented canonical request and string to sign of the IAM example.
    assert_eq!(
        canonical_request,
        "GET\n/\nAction=ListUsers&Version=2010-05-08\ncontent-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        string_to_sign,
        "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\nf536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"
    );
    assert_eq!((signature_provided.as_str(), access_key.as_str()), (IAM_SIG, "AKIDEXAMPLE"));
    assert_eq!(err.aws_error(Family::Query), (403, "SignatureDoesNotMatch", MISMATCH.into()));
    assert_eq!(err.aws_error(Family::Json), (400, "InvalidSignatureException", MISMATCH.into()));
    assert_eq!(err.aws_error(Family::RestJson), (403, "InvalidSignatureException", MISMATCH.into()));
    assert_eq!(
        err.aws_error(Family::S3),
        (403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.".into())
    );
    let details = err.s3_details();
    assert_eq!(details[0], ("AWSAccessKeyId", "AKIDEXAMPLE".to_string()));
    assert!(details.iter().any(|(k, v)| *k == "StringToSignBytes" && v.starts_with("41 57 53 34 2d")));
    assert!(details.iter().any(|(k, _)| *k == "CanonicalRequest"));

    // A changed query, header value or signature also mismatch.
    let h = iam_headers(&iam_auth("20150830/us-east-1/iam/aws4_request", IAM_SIG), "20150830T123600Z");
    for (query, method) in [("Action=ListUsers&Version=2010-05-09", "GET"), (IAM_QUERY, "POST")] {
        let req = Request::new(method, "/", query, &h);
        let sig = parse(&req).unwrap().unwrap();
        let e = verify(&sig, IAM_SECRET, &req, Payload::Bytes(b""), at("20150830T123600Z"), &VerifyOptions::default());
        assert!(matches!(e, Err(AuthFailure::SignatureMismatch { .. })), "{e:?}");
    }
    assert!(matches!(
        iam(&iam_auth("20150830/us-east-1/iam/aws4_request", "00"), "20150830T123600Z", IAM_SECRET, "20150830T123600Z"),
        Err(AuthFailure::SignatureMismatch { .. })
    ));
}

fn iam_default_with_secret(secret: &str) -> AuthFailure {
    iam(&iam_auth("20150830/us-east-1/iam/aws4_request", IAM_SIG), "20150830T123600Z", secret, "20150830T123600Z")
        .expect_err("wrong secret")
}

#[test]
fn expired_and_not_yet_current() {
    // 15 minutes either way is fine; a second more is not.
    iam_default("20150830T125100Z").unwrap();
    iam_default("20150830T122100Z").unwrap();
    let late = iam_default("20150830T125101Z").unwrap_err();
    assert!(matches!(late, AuthFailure::Expired { max_skew, .. } if max_skew == Duration::minutes(15)));
    let text = "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T125101Z - 15 min.)";
    assert_eq!(late.aws_error(Family::Query), (403, "SignatureDoesNotMatch", text.into()));
    assert_eq!(late.aws_error(Family::Json), (400, "InvalidSignatureException", text.into()));
    assert_eq!(
        late.aws_error(Family::S3),
        (
            403,
            "RequestTimeTooSkewed",
            "The difference between the request time and the current time is too large.".into()
        )
    );
    assert_eq!(
        late.s3_details(),
        [
            ("RequestTime", "20150830T123600Z".to_string()),
            ("ServerTime", "2015-08-30T12:51:01Z".to_string()),
            ("MaxAllowedSkewMilliseconds", "900000".to_string())
        ]
    );

    let early = iam_default("20150830T122059Z").unwrap_err();
    assert!(matches!(early, AuthFailure::NotYetCurrent { presigned: false, .. }));
    let text =
        "Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z (20150830T122059Z + 15 min.)";
    assert_eq!(early.aws_error(Family::Query), (403, "SignatureDoesNotMatch", text.into()));
    assert_eq!(early.aws_error(Family::RestJson), (403, "InvalidSignatureException", text.into()));
    assert_eq!(early.aws_error(Family::S3).1, "RequestTimeTooSkewed");

    // A service with a 5-minute window says so.
    let h = iam_headers(&iam_auth("20150830/us-east-1/iam/aws4_request", IAM_SIG), "20150830T123600Z");
    let req = Request::new("GET", "/", IAM_QUERY, &h);
    let sig = parse(&req).unwrap().unwrap();
    let opts = VerifyOptions { max_skew: Duration::minutes(5), ..Default::default() };
    let e = verify(&sig, IAM_SECRET, &req, Payload::Bytes(b""), at("20150830T124200Z"), &opts).unwrap_err();
    assert!(e.aws_error(Family::RestJson).2.ends_with("(20150830T124200Z - 5 min.)"), "{e:?}");
}

fn presigned(query: &str, now: &str) -> Result<(), AuthFailure> {
    let h = headers(&[("host", "examplebucket.s3.amazonaws.com")]);
    let req = Request::new("GET", "/test.txt", query, &h);
    let sig = parse(&req)?.ok_or(AuthFailure::Missing)?;
    verify(&sig, S3_SECRET, &req, Payload::Streaming, at(now), &VerifyOptions::s3()).map(|_| ())
}

const PRESIGNED: &str = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

#[test]
fn presigned_expired_and_not_yet_valid() {
    presigned(PRESIGNED, "20130525T000000Z").unwrap();
    let e = presigned(PRESIGNED, "20130525T000001Z").unwrap_err();
    assert!(matches!(e, AuthFailure::PresignedExpired { expires: 86400, .. }), "{e:?}");
    assert_eq!(e.aws_error(Family::S3), (403, "AccessDenied", "Request has expired".into()));
    assert_eq!(
        e.s3_details(),
        [
            ("X-Amz-Expires", "86400".to_string()),
            ("Expires", "2013-05-25T00:00:00Z".to_string()),
            ("ServerTime", "2013-05-25T00:00:01Z".to_string())
        ]
    );
    presigned(PRESIGNED, "20130523T234500Z").unwrap();
    let e = presigned(PRESIGNED, "20130523T234459Z").unwrap_err();
    assert!(matches!(e, AuthFailure::NotYetCurrent { presigned: true, .. }), "{e:?}");
    assert_eq!(e.aws_error(Family::S3), (403, "AccessDenied", "Request is not yet valid".into()));
    // A bad signature is reported before the time.
    let bad = PRESIGNED.replace("aeeed9bb", "aeeed9bc");
    assert!(matches!(presigned(&bad, "20130601T000000Z"), Err(AuthFailure::SignatureMismatch { .. })));
    // The canonical query must not include X-Amz-Signature but must include everything else.
    let extra = format!("{PRESIGNED}&versionId=null");
    assert!(matches!(presigned(&extra, "20130524T000000Z"), Err(AuthFailure::SignatureMismatch { .. })));
}

#[test]
fn presigned_parameter_errors() {
    let none = http::HeaderMap::new();
    let e = parse_err(&none, &PRESIGNED.replace("&X-Amz-Date=20130524T000000Z", ""));
    assert_eq!(e, AuthFailure::IncompleteSignature(Incomplete::Query { missing: vec!["X-Amz-Date"] }));
    assert_eq!(
        e.aws_error(Family::S3),
        (400, "AuthorizationQueryParametersError", "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.".into())
    );
    assert_eq!(
        e.aws_error(Family::Query),
        (
            400,
            "IncompleteSignature",
            "AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters.".into()
        )
    );
    // S3 needs X-Amz-Expires.
    let e = presigned(&PRESIGNED.replace("&X-Amz-Expires=86400", ""), "20130524T000000Z").unwrap_err();
    assert_eq!(e, AuthFailure::IncompleteSignature(Incomplete::Query { missing: vec!["X-Amz-Expires"] }));

    for (value, problem, text) in [
        (
            "604801",
            ExpiresProblem::TooLarge,
            "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds",
        ),
        (
            "99999999999999999999",
            ExpiresProblem::TooLarge,
            "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds",
        ),
        ("-1", ExpiresProblem::Negative, "X-Amz-Expires must be non-negative"),
        ("1h", ExpiresProblem::NotANumber, "X-Amz-Expires should be a number"),
    ] {
        let e = parse_err(&none, &PRESIGNED.replace("X-Amz-Expires=86400", &format!("X-Amz-Expires={value}")));
        assert_eq!(e, AuthFailure::MalformedAuthorization(Malformed::Expires { value: value.into(), problem }));
        assert_eq!(e.aws_error(Family::S3), (400, "AuthorizationQueryParametersError", text.into()));
    }
    // X-Amz-Expires=0 is never valid.
    let zero = PRESIGNED.replace("X-Amz-Expires=86400", "X-Amz-Expires=0");
    assert!(matches!(parse(&Request::new("GET", "/", &zero, &none)), Ok(Some(_))));

    let e = parse_err(&none, &PRESIGNED.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1"));
    assert_eq!(
        e.aws_error(Family::S3),
        (
            400,
            "AuthorizationQueryParametersError",
            "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256\"".into()
        )
    );
    let e = parse_err(&none, &PRESIGNED.replace("X-Amz-Date=20130524T000000Z", "X-Amz-Date=2013-05-24"));
    assert_eq!(e, AuthFailure::InvalidDate { value: "2013-05-24".into(), location: Location::Query });
    assert_eq!(
        e.aws_error(Family::S3),
        (
            400,
            "AuthorizationQueryParametersError",
            "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"".into()
        )
    );
    let e = parse_err(&none, &PRESIGNED.replace("%2Fus-east-1", ""));
    assert_eq!(
        e.aws_error(Family::S3),
        (400, "AuthorizationQueryParametersError", "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".".into())
    );
    let e = presigned(&PRESIGNED.replace("%2Fs3%2F", "%2Fec2%2F"), "20130524T000000Z").unwrap_err();
    assert_eq!(
        e.aws_error(Family::S3),
        (
            400,
            "AuthorizationQueryParametersError",
            "Error parsing the X-Amz-Credential parameter; incorrect service \"ec2\". This endpoint belongs to \"s3\"."
                .into()
        )
    );
    // Header and query at once.
    let both = headers(&[("authorization", "AWS4-HMAC-SHA256 a")]);
    let e = parse_err(&both, PRESIGNED);
    assert!(matches!(e, AuthFailure::MalformedAuthorization(Malformed::MultipleMechanisms { .. })));
    assert_eq!(e.aws_error(Family::S3).1, "InvalidArgument");
}

#[test]
fn incomplete_authorization_header() {
    let h =
        iam_headers("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request", "20150830T123600Z");
    let e = parse_err(&h, "");
    assert_eq!(
        e.aws_error(Family::Query),
        (400, "IncompleteSignature", "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request".into())
    );
    assert_eq!(e.aws_error(Family::Json).1, "IncompleteSignatureException");
    assert_eq!(
        e.aws_error(Family::S3),
        (400, "AuthorizationHeaderMalformed", "The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.".into())
    );

    // No date header at all.
    let h = headers(&[("host", "h"), ("authorization", &iam_auth("20150830/us-east-1/iam/aws4_request", IAM_SIG))]);
    let e = parse_err(&h, "");
    assert!(matches!(e, AuthFailure::IncompleteSignature(Incomplete::Header { date: true, credential: false, .. })));
    assert!(e.aws_error(Family::Query).2.starts_with("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 Credential="));
    assert_eq!(
        e.aws_error(Family::S3),
        (403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header".into())
    );

    // A token that is not key=value.
    let h = iam_headers(
        "AWS4-HMAC-SHA256 Credential= AKID/20150830/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00",
        "20150830T123600Z",
    );
    let e = parse_err(&h, "");
    assert!(
        matches!(&e, AuthFailure::IncompleteSignature(Incomplete::NotKeyValue { part, .. }) if part == "AKID/20150830/us-east-1/iam/aws4_request")
    );
    assert!(e.aws_error(Family::Json).2.starts_with("'AKID/20150830/us-east-1/iam/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential= AKID"));
}

#[test]
fn malformed_authorization_header() {
    let date = "20150830T123600Z";
    let e = parse_err(&iam_headers(&iam_auth("20150830/us-east-1/aws4_request", IAM_SIG), date), "");
    assert!(matches!(e, AuthFailure::MalformedAuthorization(Malformed::Credential { location: Location::Header, .. })));
    assert_eq!(
        e.aws_error(Family::S3),
        (400, "AuthorizationHeaderMalformed", "The authorization header is malformed; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".".into())
    );
    assert_eq!(e.aws_error(Family::Query).1, "IncompleteSignature");

    let e = parse_err(&iam_headers(&iam_auth("2015083/us-east-1/iam/aws4_request", IAM_SIG), date), "");
    assert_eq!(
        e.aws_error(Family::Query),
        (403, "SignatureDoesNotMatch", "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '2015083' != '20150830', from '20150830T123600Z'.".into())
    );
    assert_eq!(
        e.aws_error(Family::S3).2,
        "The authorization header is malformed; incorrect date format \"2015083\". This date in the credential must be in the format \"yyyyMMdd\"."
    );

    let e = parse_err(&headers(&[("authorization", "AWS AKIAOLD:frJIUN8DYpKDtOLCwo//yllqDzg=")]), "");
    assert_eq!(e, AuthFailure::MalformedAuthorization(Malformed::SignatureV2));
    assert_eq!(
        e.aws_error(Family::S3),
        (
            400,
            "InvalidRequest",
            "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.".into()
        )
    );
    let e = parse_err(&http::HeaderMap::new(), "AWSAccessKeyId=AKIAOLD&Expires=1&Signature=x");
    assert_eq!(e, AuthFailure::MalformedAuthorization(Malformed::SignatureV2));

    let e = parse_err(&headers(&[("authorization", "Bearer token")]), "");
    assert_eq!(e.aws_error(Family::S3), (400, "InvalidArgument", "Unsupported Authorization Type".into()));
    assert_eq!(e.s3_details()[1], ("ArgumentValue", "Bearer token".to_string()));
    assert_eq!(
        e.aws_error(Family::RestJson),
        (403, "IncompleteSignatureException", "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=Bearer token".into())
    );
    let e = parse_err(&headers(&[("authorization", "AWS4-ECDSA-P256-SHA256 Credential=a/b/c/d")]), "");
    assert!(matches!(e, AuthFailure::MalformedAuthorization(Malformed::UnsupportedAlgorithm { .. })));
}

#[test]
fn invalid_date() {
    let e =
        parse_err(&iam_headers(&iam_auth("20150830/us-east-1/iam/aws4_request", IAM_SIG), "2015-08-30T12:36:00Z"), "");
    assert_eq!(e, AuthFailure::InvalidDate { value: "2015-08-30T12:36:00Z".into(), location: Location::Header });
    assert_eq!(
        e.aws_error(Family::Query),
        (400, "IncompleteSignature", "Date must be in ISO-8601 'basic format'. Got '2015-08-30T12:36:00Z'. See http://en.wikipedia.org/wiki/ISO_8601".into())
    );
    assert_eq!(
        e.aws_error(Family::S3),
        (403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header".into())
    );
    for bad in ["20150830T126000Z", "20151330T123600Z", "20150230T000000Z", "2015083OT123600Z", "20150830T123600"] {
        assert!(matches!(
            parse_err(&iam_headers(&iam_auth("20150830/us-east-1/iam/aws4_request", IAM_SIG), bad), ""),
            AuthFailure::InvalidDate { .. }
        ));
    }
    // The Date header when there is no X-Amz-Date.
    let h = headers(&[
        ("date", "Mon, 30 Aug 2015 12:36:00 GMT"),
        ("authorization", &iam_auth("20150830/us-east-1/iam/aws4_request", IAM_SIG)),
    ]);
    let sig = parse(&Request::new("GET", "/", "", &h)).unwrap().unwrap();
    assert_eq!(sig.amz_date_string(), "20150830T123600Z");
}

#[test]
fn scope_mismatch() {
    // The scope date is not the day of X-Amz-Date.
    let e = iam(
        &iam_auth("20150829/us-east-1/iam/aws4_request", IAM_SIG),
        "20150830T123600Z",
        IAM_SECRET,
        "20150830T123600Z",
    )
    .unwrap_err();
    assert!(matches!(e, AuthFailure::ScopeMismatch(ScopeMismatch::Date { .. })));
    assert_eq!(
        e.aws_error(Family::Query),
        (403, "SignatureDoesNotMatch", "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150829' != '20150830', from '20150830T123600Z'.".into())
    );
    assert_eq!(
        e.aws_error(Family::S3).2,
        "The authorization header is malformed; Invalid credential date \"20150829\". This date is not the same as X-Amz-Date: \"20150830\"."
    );
    let e = iam(
        &iam_auth("20150830/us-east-1/iam/aws4_reques", IAM_SIG),
        "20150830T123600Z",
        IAM_SECRET,
        "20150830T123600Z",
    )
    .unwrap_err();
    assert!(matches!(e, AuthFailure::ScopeMismatch(ScopeMismatch::Terminal { .. })));
    assert_eq!(
        e.aws_error(Family::S3).2,
        "The authorization header is malformed; incorrect terminal \"aws4_reques\". This endpoint uses \"aws4_request\"."
    );

    let h = iam_headers(&iam_auth("20150830/us-east-1/iam/aws4_request", IAM_SIG), "20150830T123600Z");
    let req = Request::new("GET", "/", IAM_QUERY, &h);
    let sig = parse(&req).unwrap().unwrap();
    let check = |opts: VerifyOptions<'_>| {
        verify(&sig, IAM_SECRET, &req, Payload::Bytes(b""), at("20150830T123600Z"), &opts).unwrap_err()
    };
    let e = check(VerifyOptions { expected_service: Some("sts"), ..Default::default() });
    assert_eq!(
        e.aws_error(Family::Query),
        (403, "SignatureDoesNotMatch", "Credential should be scoped to correct service: 'sts'. ".into())
    );
    let e = check(VerifyOptions { expected_region: Some("eu-west-1"), ..Default::default() });
    assert_eq!(e.aws_error(Family::Query).2, "Credential should be scoped to a valid region, not 'us-east-1'. ");
    assert_eq!(
        e.aws_error(Family::S3),
        (
            400,
            "AuthorizationHeaderMalformed",
            "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'".into()
        )
    );
    assert_eq!(e.s3_details(), [("Region", "eu-west-1".to_string())]);
}

fn s3_get(extra: &[(&str, &str)], signed: &str) -> Result<(), AuthFailure> {
    let auth = s3_auth(signed, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    let mut pairs = vec![
        ("host", "examplebucket.s3.amazonaws.com"),
        ("x-amz-date", "20130524T000000Z"),
        ("range", "bytes=0-9"),
        ("authorization", auth.as_str()),
    ];
    pairs.extend_from_slice(extra);
    let h = headers(&pairs);
    let req = Request::new("GET", "/test.txt", "", &h);
    let sig = parse(&req)?.ok_or(AuthFailure::Missing)?;
    verify(&sig, S3_SECRET, &req, Payload::Bytes(b""), at("20130524T000000Z"), &VerifyOptions::s3()).map(|_| ())
}

#[test]
fn s3_header_rules() {
    let signed = "host;range;x-amz-content-sha256;x-amz-date";
    s3_get(&[("x-amz-content-sha256", EMPTY)], signed).unwrap();
    let e = s3_get(&[("x-amz-content-sha256", EMPTY), ("x-amz-meta-color", "red")], signed).unwrap_err();
    assert_eq!(e, AuthFailure::HeadersNotSigned(vec!["x-amz-meta-color".into()]));
    assert_eq!(
        e.aws_error(Family::S3),
        (403, "AccessDenied", "There were headers present in the request which were not signed".into())
    );
    assert_eq!(e.s3_details(), [("HeadersNotSigned", "x-amz-meta-color".to_string())]);

    let e = s3_get(&[], "host;range;x-amz-date").unwrap_err();
    assert_eq!(e, AuthFailure::MissingContentSha256);
    assert_eq!(
        e.aws_error(Family::S3),
        (400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256".into())
    );

    let e = s3_get(&[("x-amz-content-sha256", "abc")], signed).unwrap_err();
    assert!(matches!(e, AuthFailure::MalformedAuthorization(Malformed::ContentSha256 { .. })));
    assert_eq!(e.aws_error(Family::S3).1, "InvalidArgument");

    // The body does not hash to the declared value.
    let wrong = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072";
    let e = s3_get(&[("x-amz-content-sha256", wrong)], signed).unwrap_err();
    assert!(matches!(e, AuthFailure::ContentSha256Mismatch { .. }));
    assert_eq!(
        e.aws_error(Family::S3),
        (
            400,
            "XAmzContentSHA256Mismatch",
            "The provided 'x-amz-content-sha256' header does not match what was computed.".into()
        )
    );

    // host must be signed, everywhere.
    let e = iam(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;x-amz-date, Signature=00",
        "20150830T123600Z",
        IAM_SECRET,
        "20150830T123600Z",
    )
    .unwrap_err();
    assert_eq!(e, AuthFailure::HeadersNotSigned(vec!["host".into()]));
    assert_eq!(
        e.aws_error(Family::Query).2,
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
    );
}

fn verifier() -> ChunkVerifier {
    let key = stratus_auth::signing_key(S3_SECRET, "20130524", "us-east-1", "s3");
    ChunkVerifier::new(
        key,
        "20130524T000000Z",
        "20130524/us-east-1/s3/aws4_request",
        "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
    )
}

fn decode_all(body: &[u8]) -> Result<Vec<u8>, AuthFailure> {
    let mut dec = ChunkedDecoder::new(ChunkedMode::Signed(verifier()));
    let mut out = Vec::new();
    dec.decode_slice(body, &mut out)?;
    dec.finish()?;
    Ok(out)
}

fn doc_body() -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(
        b"10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n",
    );
    body.extend(std::iter::repeat_n(b'a', 65536));
    body.extend_from_slice(
        b"\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n",
    );
    body.extend(std::iter::repeat_n(b'a', 1024));
    body.extend_from_slice(
        b"\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n",
    );
    body
}

#[test]
fn chunk_failures() {
    assert_eq!(decode_all(&doc_body()).unwrap().len(), 66560);
    // Tampered data: the chunk signature no longer matches.
    let mut tampered = doc_body();
    tampered[200] = b'b';
    let e = decode_all(&tampered).unwrap_err();
    let AuthFailure::SignatureMismatch { string_to_sign, canonical_request, .. } = &e else { panic!("{e:?}") };
    assert!(
        string_to_sign
            .starts_with("AWS4-HMAC-SHA256-PAYLOAD\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n4f232c43")
    );
    assert!(canonical_request.is_empty());
    assert_eq!(e.aws_error(Family::S3).1, "SignatureDoesNotMatch");
    // Chunks out of order / replaced signature.
    let swapped = String::from_utf8(doc_body()).unwrap().replace("ad80c730", "ad80c731");
    assert!(matches!(decode_all(swapped.as_bytes()), Err(AuthFailure::SignatureMismatch { .. })));
    // Truncated.
    let body = doc_body();
    let mut dec = ChunkedDecoder::new(ChunkedMode::Signed(verifier()));
    let mut out = Vec::new();
    dec.decode_slice(&body[..body.len() - 90], &mut out).unwrap();
    let e = dec.finish().unwrap_err();
    assert!(matches!(e, AuthFailure::MalformedChunk(_)));
    assert_eq!(e.aws_error(Family::S3).1, "IncompleteBody");
    // Framing errors.
    for bad in [
        &b"zz;chunk-signature=00\r\n"[..],
        b"5\r\nhello\r\n",
        b"5;chunk-signature=00\nhello",
        b"00000000000000001;chunk-signature=00\r\n",
    ] {
        assert!(matches!(decode_all(bad), Err(AuthFailure::MalformedChunk(_))), "{:?}", String::from_utf8_lossy(bad));
    }
    // Data after the end, and a missing CRLF after data.
    let mut after = doc_body();
    after.extend_from_slice(b"x");
    assert!(matches!(decode_all(&after), Err(AuthFailure::MalformedChunk(_))));
    let mut unsigned = ChunkedDecoder::new(ChunkedMode::Unsigned);
    assert!(unsigned.decode_slice(b"3\r\nabcX\r\n", &mut Vec::new()).is_err());
    // A signed trailer with a wrong trailer signature.
    let mut v = verifier();
    let e = v.verify_trailer(b"x-amz-checksum-crc32c:sOO8/Q==\n", &"0".repeat(64)).unwrap_err();
    let AuthFailure::SignatureMismatch { string_to_sign, .. } = e else { panic!() };
    assert!(string_to_sign.starts_with("AWS4-HMAC-SHA256-TRAILER\n"));
    // Permissive mode decodes without checking.
    let mut dec = ChunkedDecoder::new(ChunkedMode::SignedUnchecked);
    let mut out = Vec::new();
    dec.decode_slice(&tampered, &mut out).unwrap();
    dec.finish().unwrap();
    assert_eq!(out.len(), 66560);
}
