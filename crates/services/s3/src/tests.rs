//! Service-level tests through the `Service` trait: objects streamed in and
//! out, conditions and ranges, versioning, multipart, listings, checksums,
//! copies, lifecycle and CORS preflights.

use crate::S3;
use bytes::Bytes;
use http::HeaderMap;
use serde_json::{Value, json};
use stratus_core::{AwsError, BodyFrame, BodyStream, HttpRequest, RequestContext, Service, Settings};
use stratus_store::Store;

fn s3() -> S3 {
    S3::new(Store::in_memory().expect("store"), &Settings::default())
}

fn ctx(op: &'static str) -> RequestContext {
    RequestContext::internal("s3", op)
}

async fn call(s: &S3, op: &'static str, input: Value) -> Result<Value, AwsError> {
    s.call(&ctx(op), input).await
}

async fn ok(s: &S3, op: &'static str, input: Value) -> Value {
    match call(s, op, input).await {
        Ok(v) => v,
        Err(e) => panic!("{op} failed: {e}"),
    }
}

async fn code(s: &S3, op: &'static str, input: Value) -> String {
    match call(s, op, input).await {
        Ok(v) => panic!("{op} succeeded: {v}"),
        Err(e) => e.code,
    }
}

async fn put(s: &S3, bucket: &str, key: &str, body: &[u8]) -> Value {
    let input = json!({"Bucket": bucket, "Key": key});
    s.call_streaming(&ctx("PutObject"), input, BodyStream::from_bytes(Bytes::copy_from_slice(body)))
        .await
        .expect("put")
        .output
}

async fn get(s: &S3, input: Value) -> Result<(Value, Vec<u8>), AwsError> {
    let mut out = s.call_streaming(&ctx("GetObject"), input, BodyStream::from_bytes(Bytes::new())).await?;
    let mut body = Vec::new();
    if let Some(rx) = out.body.as_mut() {
        while let Some(c) = rx.recv().await {
            body.extend_from_slice(&c);
        }
    }
    Ok((out.output, body))
}

async fn bucket(s: &S3, name: &str) {
    ok(s, "CreateBucket", json!({"Bucket": name})).await;
}

#[tokio::test]
async fn put_get_head_and_ranges() {
    let s = s3();
    bucket(&s, "bkt1").await;
    let out = put(&s, "bkt1", "k", b"hello world").await;
    assert_eq!(out["ETag"], "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");
    let (o, body) = get(&s, json!({"Bucket": "bkt1", "Key": "k"})).await.expect("get");
    assert_eq!(body, b"hello world");
    assert_eq!(o["ContentLength"], 11);
    assert_eq!(o["ContentType"], "binary/octet-stream");
    let (o, body) = get(&s, json!({"Bucket": "bkt1", "Key": "k", "Range": "bytes=6-"})).await.expect("range");
    assert_eq!(body, b"world");
    assert_eq!(o["ContentRange"], "bytes 6-10/11");
    let e = get(&s, json!({"Bucket": "bkt1", "Key": "k", "Range": "bytes=20-30"})).await.expect_err("416");
    assert_eq!((e.status, e.code.as_str()), (416, "InvalidRange"));
    let e = get(&s, json!({"Bucket": "bkt1", "Key": "k", "IfMatch": "\"nope\""})).await.expect_err("412");
    assert_eq!((e.status, e.code.as_str()), (412, "PreconditionFailed"));
    let e = get(&s, json!({"Bucket": "bkt1", "Key": "k", "IfNoneMatch": "\"5eb63bbbe01eeed093cb22bb8f5acdc3\""}))
        .await
        .expect_err("304");
    assert_eq!(e.status, 304);
    let h = ok(&s, "HeadObject", json!({"Bucket": "bkt1", "Key": "k", "ChecksumMode": "ENABLED"})).await;
    assert_eq!(h["ChecksumCRC64NVME"], "jSnVw/bqjr4=");
    assert_eq!(code(&s, "HeadObject", json!({"Bucket": "bkt1", "Key": "nope"})).await, "NoSuchKey");
    assert_eq!(code(&s, "HeadObject", json!({"Bucket": "nob", "Key": "k"})).await, "NoSuchBucket");
    // The non-streaming path (peers) carries the body as base64.
    let o = ok(&s, "GetObject", json!({"Bucket": "bkt1", "Key": "k"})).await;
    assert_eq!(o["Body"], "aGVsbG8gd29ybGQ=");
    assert_eq!(code(&s, "DeleteBucket", json!({"Bucket": "bkt1"})).await, "BucketNotEmpty");
    ok(&s, "DeleteObject", json!({"Bucket": "bkt1", "Key": "k"})).await;
    ok(&s, "DeleteBucket", json!({"Bucket": "bkt1"})).await;
}

#[tokio::test]
async fn checksums_and_md5() {
    let s = s3();
    bucket(&s, "bkt2").await;
    let input = json!({"Bucket": "bkt2", "Key": "k", "ChecksumCRC32": "AAAAAA=="});
    let e = s.call_streaming(&ctx("PutObject"), input, BodyStream::from_bytes("hello world")).await.expect_err("bad");
    assert_eq!(e.code, "BadDigest");
    assert_eq!(e.message, "The CRC32 you specified did not match the calculated checksum.");
    let input = json!({"Bucket": "bkt2", "Key": "k", "ContentMD5": "AAAAAAAAAAAAAAAAAAAAAA=="});
    let e = s.call_streaming(&ctx("PutObject"), input, BodyStream::from_bytes("hello world")).await.expect_err("md5");
    assert_eq!(e.code, "BadDigest");
    // A trailer carries the checksum of an aws-chunked body.
    let (tx, body) = BodyStream::channel(4, Some(11));
    tokio::spawn(async move {
        let _ = tx.send(Ok(BodyFrame::Data(Bytes::from_static(b"hello ")))).await;
        let _ = tx.send(Ok(BodyFrame::Data(Bytes::from_static(b"world")))).await;
        let mut t = HeaderMap::new();
        t.insert("x-amz-checksum-sha256", "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=".parse().expect("hv"));
        let _ = tx.send(Ok(BodyFrame::Trailers(t))).await;
    });
    let input = json!({"Bucket": "bkt2", "Key": "t", "ChecksumAlgorithm": "SHA256"});
    let out = s.call_streaming(&ctx("PutObject"), input, body).await.expect("trailer put").output;
    assert_eq!(out["ChecksumSHA256"], "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=");
    let h = ok(&s, "HeadObject", json!({"Bucket": "bkt2", "Key": "t", "ChecksumMode": "ENABLED"})).await;
    assert_eq!(h["ChecksumType"], "FULL_OBJECT");
    assert_eq!(h["ChecksumSHA256"], "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=");
}

#[tokio::test]
async fn versioning_and_delete_markers() {
    let s = s3();
    bucket(&s, "bkt3").await;
    ok(&s, "PutBucketVersioning", json!({"Bucket": "bkt3", "VersioningConfiguration": {"Status": "Enabled"}})).await;
    let v1 = put(&s, "bkt3", "k", b"one").await["VersionId"].as_str().map(str::to_string).expect("v1");
    let v2 = put(&s, "bkt3", "k", b"two").await["VersionId"].as_str().map(str::to_string).expect("v2");
    assert_ne!(v1, v2);
    let (_, body) = get(&s, json!({"Bucket": "bkt3", "Key": "k", "VersionId": v1})).await.expect("v1");
    assert_eq!(body, b"one");
    let d = ok(&s, "DeleteObject", json!({"Bucket": "bkt3", "Key": "k"})).await;
    assert_eq!(d["DeleteMarker"], true);
    let e = get(&s, json!({"Bucket": "bkt3", "Key": "k"})).await.expect_err("gone");
    assert_eq!(e.code, "NoSuchKey");
    assert!(e.headers.iter().any(|(k, v)| k == "x-amz-delete-marker" && v == "true"));
    let l = ok(&s, "ListObjectVersions", json!({"Bucket": "bkt3"})).await;
    assert_eq!(l["Versions"].as_array().map(Vec::len), Some(2));
    assert_eq!(l["DeleteMarkers"][0]["IsLatest"], true);
    let marker = l["DeleteMarkers"][0]["VersionId"].as_str().map(str::to_string).expect("marker");
    let d = ok(&s, "DeleteObject", json!({"Bucket": "bkt3", "Key": "k", "VersionId": marker})).await;
    assert_eq!(d["DeleteMarker"], true);
    let (_, body) = get(&s, json!({"Bucket": "bkt3", "Key": "k"})).await.expect("back");
    assert_eq!(body, b"two");
    assert_eq!(
        code(&s, "GetObject", json!({"Bucket": "bkt3", "Key": "k", "VersionId": "bad"})).await,
        "InvalidArgument"
    );
    let bogus = format!("{:016x}AAAAAAAAAAAAAAAA", 1);
    assert_eq!(code(&s, "GetObject", json!({"Bucket": "bkt3", "Key": "k", "VersionId": bogus})).await, "NoSuchVersion");
    // Suspended: writes replace the null version, and name no version.
    ok(&s, "PutBucketVersioning", json!({"Bucket": "bkt3", "VersioningConfiguration": {"Status": "Suspended"}})).await;
    assert!(put(&s, "bkt3", "k", b"n1").await.get("VersionId").is_none());
    put(&s, "bkt3", "k", b"n2").await;
    let l = ok(&s, "ListObjectVersions", json!({"Bucket": "bkt3"})).await;
    assert_eq!(l["Versions"].as_array().map(Vec::len), Some(3));
    assert_eq!(code(&s, "DeleteBucket", json!({"Bucket": "bkt3"})).await, "BucketNotEmpty");
}

#[tokio::test]
async fn multipart_upload() {
    let s = s3();
    bucket(&s, "bkt4").await;
    let c = ok(&s, "CreateMultipartUpload", json!({"Bucket": "bkt4", "Key": "big"})).await;
    let id = c["UploadId"].as_str().expect("id").to_string();
    let part1 = vec![b'a'; 5 * 1024 * 1024];
    let mut etags = Vec::new();
    for (n, data) in [(1, part1.clone()), (2, b"tail".to_vec())] {
        let input = json!({"Bucket": "bkt4", "Key": "big", "UploadId": id, "PartNumber": n});
        let out = s.call_streaming(&ctx("UploadPart"), input, BodyStream::from_bytes(data)).await.expect("part");
        etags.push(out.output["ETag"].as_str().expect("etag").to_string());
    }
    let lp = ok(&s, "ListParts", json!({"Bucket": "bkt4", "Key": "big", "UploadId": id})).await;
    assert_eq!(lp["Parts"].as_array().map(Vec::len), Some(2));
    let wrong_order = json!({"Bucket": "bkt4", "Key": "big", "UploadId": id, "MultipartUpload": {"Parts": [
        {"PartNumber": 2, "ETag": etags[1]}, {"PartNumber": 1, "ETag": etags[0]}]}});
    assert_eq!(code(&s, "CompleteMultipartUpload", wrong_order).await, "InvalidPartOrder");
    let wrong_etag = json!({"Bucket": "bkt4", "Key": "big", "UploadId": id, "MultipartUpload": {"Parts": [
        {"PartNumber": 1, "ETag": "\"00\""}]}});
    assert_eq!(code(&s, "CompleteMultipartUpload", wrong_etag).await, "InvalidPart");
    let done = ok(
        &s,
        "CompleteMultipartUpload",
        json!({"Bucket": "bkt4", "Key": "big", "UploadId": id,
        "MultipartUpload": {"Parts": [{"PartNumber": 1, "ETag": etags[0]}, {"PartNumber": 2, "ETag": etags[1]}]}}),
    )
    .await;
    assert!(done["ETag"].as_str().is_some_and(|e| e.ends_with("-2\"")));
    let (o, body) =
        get(&s, json!({"Bucket": "bkt4", "Key": "big", "Range": "bytes=5242878-5242881"})).await.expect("get");
    assert_eq!(body, b"aata");
    assert_eq!(o["ContentRange"], "bytes 5242878-5242881/5242884");
    let (o, body) = get(&s, json!({"Bucket": "bkt4", "Key": "big", "PartNumber": 2})).await.expect("part 2");
    assert_eq!((body.as_slice(), o["PartsCount"].clone()), (b"tail".as_slice(), json!(2)));
    assert_eq!(code(&s, "ListParts", json!({"Bucket": "bkt4", "Key": "big", "UploadId": id})).await, "NoSuchUpload");
    // Small parts are refused at completion.
    let c = ok(&s, "CreateMultipartUpload", json!({"Bucket": "bkt4", "Key": "small"})).await;
    let id = c["UploadId"].as_str().expect("id").to_string();
    let mut etags = Vec::new();
    for n in 1..=2 {
        let input = json!({"Bucket": "bkt4", "Key": "small", "UploadId": id, "PartNumber": n});
        let out = s.call_streaming(&ctx("UploadPart"), input, BodyStream::from_bytes("tiny")).await.expect("part");
        etags.push(out.output["ETag"].as_str().expect("etag").to_string());
    }
    let e = call(
        &s,
        "CompleteMultipartUpload",
        json!({"Bucket": "bkt4", "Key": "small", "UploadId": id,
        "MultipartUpload": {"Parts": [{"PartNumber": 1, "ETag": etags[0]}, {"PartNumber": 2, "ETag": etags[1]}]}}),
    )
    .await
    .expect_err("too small");
    assert_eq!(e.code, "EntityTooSmall");
    assert_eq!(e.fields["ProposedSize"], "4");
    let u = ok(&s, "ListMultipartUploads", json!({"Bucket": "bkt4"})).await;
    assert_eq!(u["Uploads"][0]["Key"], "small");
    ok(&s, "AbortMultipartUpload", json!({"Bucket": "bkt4", "Key": "small", "UploadId": id})).await;
    assert_eq!(
        code(&s, "AbortMultipartUpload", json!({"Bucket": "bkt4", "Key": "small", "UploadId": id})).await,
        "NoSuchUpload"
    );
}

#[tokio::test]
async fn listings() {
    let s = s3();
    bucket(&s, "bkt5").await;
    for k in ["a/1", "a/2", "b/1", "c", "d/x/y"] {
        put(&s, "bkt5", k, b"x").await;
    }
    let l = ok(&s, "ListObjectsV2", json!({"Bucket": "bkt5", "Delimiter": "/"})).await;
    let prefixes: Vec<&str> =
        l["CommonPrefixes"].as_array().expect("cp").iter().filter_map(|p| p["Prefix"].as_str()).collect();
    assert_eq!(prefixes, ["a/", "b/", "d/"]);
    assert_eq!(l["Contents"][0]["Key"], "c");
    assert_eq!(l["KeyCount"], 4);
    let p1 = ok(&s, "ListObjectsV2", json!({"Bucket": "bkt5", "MaxKeys": 2})).await;
    assert_eq!(p1["IsTruncated"], true);
    let token = p1["NextContinuationToken"].clone();
    let p2 = ok(&s, "ListObjectsV2", json!({"Bucket": "bkt5", "MaxKeys": 2, "ContinuationToken": token})).await;
    assert_eq!(p2["Contents"][0]["Key"], "b/1");
    let p3 = ok(&s, "ListObjectsV2", json!({"Bucket": "bkt5", "Prefix": "a/", "StartAfter": "a/1"})).await;
    assert_eq!(p3["Contents"].as_array().map(Vec::len), Some(1));
    let d = ok(&s, "ListObjects", json!({"Bucket": "bkt5", "Delimiter": "/", "MaxKeys": 2})).await;
    assert_eq!(d["NextMarker"], "b/");
    let d2 = ok(&s, "ListObjects", json!({"Bucket": "bkt5", "Delimiter": "/", "Marker": "b/"})).await;
    assert_eq!(d2["Contents"][0]["Key"], "c");
    assert_eq!(d2["CommonPrefixes"][0]["Prefix"], "d/");
    assert_eq!(
        code(&s, "ListObjectsV2", json!({"Bucket": "bkt5", "ContinuationToken": "garbage"})).await,
        "InvalidArgument"
    );
    let v = ok(&s, "ListObjectVersions", json!({"Bucket": "bkt5", "MaxKeys": 2})).await;
    assert_eq!(v["Versions"][0]["VersionId"], "null");
    assert_eq!(v["NextKeyMarker"], "a/2");
    let del = ok(
        &s,
        "DeleteObjects",
        json!({"Bucket": "bkt5", "Delete": {"Objects": [{"Key": "a/1"}, {"Key": "zz"}], "Quiet": true}}),
    )
    .await;
    assert_eq!(del["Deleted"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn copy_and_tags() {
    let s = s3();
    bucket(&s, "bkt6").await;
    let input =
        json!({"Bucket": "bkt6", "Key": "src", "Metadata": {"a": "1"}, "ContentType": "text/plain", "Tagging": "t=1"});
    s.call_streaming(&ctx("PutObject"), input, BodyStream::from_bytes("data")).await.expect("put");
    let c = ok(&s, "CopyObject", json!({"Bucket": "bkt6", "Key": "dst", "CopySource": "bkt6/src"})).await;
    assert_eq!(c["CopyObjectResult"]["ETag"], "\"8d777f385d3dfec8815d20f7496026dc\"");
    let h = ok(&s, "HeadObject", json!({"Bucket": "bkt6", "Key": "dst"})).await;
    assert_eq!(
        (h["Metadata"]["a"].clone(), h["ContentType"].clone(), h["TagCount"].clone()),
        (json!("1"), json!("text/plain"), json!(1))
    );
    ok(&s, "CopyObject", json!({"Bucket": "bkt6", "Key": "dst", "CopySource": "/bkt6/src", "MetadataDirective": "REPLACE", "Metadata": {"b": "2"}})).await;
    let h = ok(&s, "HeadObject", json!({"Bucket": "bkt6", "Key": "dst"})).await;
    assert_eq!(h["Metadata"], json!({"b": "2"}));
    assert_eq!(
        code(&s, "CopyObject", json!({"Bucket": "bkt6", "Key": "src", "CopySource": "bkt6/src"})).await,
        "InvalidRequest"
    );
    assert_eq!(
        code(
            &s,
            "CopyObject",
            json!({"Bucket": "bkt6", "Key": "x", "CopySource": "bkt6/src", "CopySourceIfMatch": "\"no\""})
        )
        .await,
        "PreconditionFailed"
    );
    let t = ok(&s, "GetObjectTagging", json!({"Bucket": "bkt6", "Key": "src"})).await;
    assert_eq!(t["TagSet"], json!([{"Key": "t", "Value": "1"}]));
    assert_eq!(code(&s, "GetBucketTagging", json!({"Bucket": "bkt6"})).await, "NoSuchTagSet");
    assert_eq!(
        code(
            &s,
            "PutBucketTagging",
            json!({"Bucket": "bkt6", "Tagging": {"TagSet": [{"Key": "aws:x", "Value": "1"}]}})
        )
        .await,
        "InvalidTag"
    );
}

#[tokio::test]
async fn lifecycle_sweep_expires_and_aborts() {
    let s = s3();
    bucket(&s, "bkt7").await;
    put(&s, "bkt7", "logs/old", b"x").await;
    put(&s, "bkt7", "keep", b"x").await;
    ok(&s, "CreateMultipartUpload", json!({"Bucket": "bkt7", "Key": "logs/mpu"})).await;
    let conf = json!({"Rules": [{"ID": "r", "Status": "Enabled", "Filter": {"Prefix": "logs/"},
        "Expiration": {"Days": 1}, "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}]});
    ok(&s, "PutBucketLifecycleConfiguration", json!({"Bucket": "bkt7", "LifecycleConfiguration": conf})).await;
    assert_eq!(s.sweep_lifecycle().await, 0);
    assert_eq!(s.sweep_lifecycle_at(crate::shared::now() + 3.0 * 86_400.0).await, 2);
    let l = ok(&s, "ListObjectsV2", json!({"Bucket": "bkt7"})).await;
    assert_eq!(l["KeyCount"], 1);
    let bad = json!({"Rules": [{"Status": "Enabled", "Filter": {}, "Expiration": {"Date": 1000.0}}]});
    assert_eq!(
        code(&s, "PutBucketLifecycleConfiguration", json!({"Bucket": "bkt7", "LifecycleConfiguration": bad})).await,
        "InvalidArgument"
    );
}

#[tokio::test]
async fn cors_preflight() {
    let s = s3();
    bucket(&s, "bkt8").await;
    let conf = json!({"CORSRules": [{"AllowedOrigins": ["https://app.example"], "AllowedMethods": ["GET", "PUT"],
        "AllowedHeaders": ["x-amz-*"], "MaxAgeSeconds": 3000}]});
    ok(&s, "PutBucketCors", json!({"Bucket": "bkt8", "CORSConfiguration": conf})).await;
    let mut req = HttpRequest {
        method: http::Method::OPTIONS,
        path: "/bkt8/key".into(),
        query: String::new(),
        headers: HeaderMap::new(),
        body: Bytes::new(),
    };
    req.headers.insert("origin", "https://app.example".parse().expect("hv"));
    req.headers.insert("access-control-request-method", "PUT".parse().expect("hv"));
    req.headers.insert("access-control-request-headers", "x-amz-date".parse().expect("hv"));
    assert!(s.claims(&req));
    let resp = s.serve(req.clone()).await;
    assert_eq!(resp.status, 200);
    assert!(resp.headers.iter().any(|(k, v)| k == "Access-Control-Allow-Methods" && v == "GET, PUT"));
    req.headers.insert("access-control-request-method", "DELETE".parse().expect("hv"));
    let resp = s.serve(req.clone()).await;
    assert_eq!(resp.status, 403);
    assert!(String::from_utf8_lossy(&resp.body).contains("<ResourceType>OBJECT</ResourceType>"));
    // An actual request gets the rule's headers; another origin none.
    let mut get = req.clone();
    get.method = http::Method::GET;
    let headers = s.cors_headers(&get).expect("S3 decides");
    assert!(headers.contains(&("Access-Control-Allow-Origin".into(), "https://app.example".into())));
    get.headers.insert("origin", "https://other.example".parse().expect("hv"));
    assert_eq!(s.cors_headers(&get), Some(vec![]));
    ok(&s, "DeleteBucketCors", json!({"Bucket": "bkt8"})).await;
    // Still S3's: CORS is off for the bucket.
    assert!(s.claims(&req));
    let resp = s.serve(req.clone()).await;
    assert_eq!(resp.status, 403);
    assert!(String::from_utf8_lossy(&resp.body).contains("CORSResponse: CORS is not enabled for this bucket."));
    req.path = "/no-such-bucket/key".into();
    assert!(!s.claims(&req));
    assert_eq!(code(&s, "GetBucketCors", json!({"Bucket": "bkt8"})).await, "NoSuchCORSConfiguration");
}

#[tokio::test]
async fn bucket_rules() {
    let s = s3();
    assert_eq!(code(&s, "CreateBucket", json!({"Bucket": "Bad_Name"})).await, "InvalidBucketName");
    bucket(&s, "bkt9").await;
    // us-east-1 keeps the legacy answer for a bucket you own.
    ok(&s, "CreateBucket", json!({"Bucket": "bkt9"})).await;
    let mut c = ctx("CreateBucket");
    c.region = "eu-west-1".into();
    let e = s.call(&c, json!({"Bucket": "bkt10"})).await.expect_err("no constraint");
    assert_eq!(e.code, "IllegalLocationConstraintException");
    s.call(&c, json!({"Bucket": "bkt10", "CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"}}))
        .await
        .expect("created");
    let e = s
        .call(&c, json!({"Bucket": "bkt10", "CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"}}))
        .await
        .expect_err("owned");
    assert_eq!(e.code, "BucketAlreadyOwnedByYou");
    assert_eq!(ok(&s, "GetBucketLocation", json!({"Bucket": "bkt10"})).await["LocationConstraint"], "eu-west-1");
    let l = ok(&s, "ListBuckets", json!({})).await;
    assert_eq!(l["Buckets"].as_array().map(Vec::len), Some(2));
    assert_eq!(code(&s, "GetBucketPolicy", json!({"Bucket": "bkt9"})).await, "NoSuchBucketPolicy");
    assert_eq!(code(&s, "PutBucketPolicy", json!({"Bucket": "bkt9", "Policy": "nope"})).await, "MalformedPolicy");
    ok(
        &s,
        "PutBucketPolicy",
        json!({"Bucket": "bkt9", "Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\"}]}"}),
    )
    .await;
    assert!(ok(&s, "GetBucketPolicy", json!({"Bucket": "bkt9"})).await["Policy"].is_string());
    let enc = ok(&s, "GetBucketEncryption", json!({"Bucket": "bkt9"})).await;
    assert_eq!(
        enc["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"],
        "AES256"
    );
}

/// Inline-stored bodies in the store, and bodies in files.
fn stored(s: &S3) -> (usize, usize) {
    let inline = s.shared.store.scan_prefix(b"s3/i/", false, None).map(|r| r.len()).unwrap_or(0);
    let files = std::fs::read_dir(s.shared.files.root().join("objects"))
        .map(|shards| shards.flatten().map(|d| std::fs::read_dir(d.path()).map(|f| f.count()).unwrap_or(0)).sum())
        .unwrap_or(0);
    (inline, files)
}

#[tokio::test]
async fn small_bodies_are_stored_inline_and_go_with_their_version() {
    let s = s3();
    bucket(&s, "inl").await;
    let small = b"0123456789".repeat(100);
    let big = vec![7u8; crate::files::INLINE_MAX as usize + 1];
    put(&s, "inl", "small", &small).await;
    put(&s, "inl", "big", &big).await;
    assert_eq!(stored(&s), (1, 1));
    let (out, body) = get(&s, json!({"Bucket": "inl", "Key": "small", "Range": "bytes=10-19"})).await.expect("get");
    assert_eq!(body, b"0123456789");
    assert_eq!(out["ContentRange"], "bytes 10-19/1000");
    let (_, body) = get(&s, json!({"Bucket": "inl", "Key": "big"})).await.expect("get");
    assert_eq!(body, big);
    // A copy of a small object is inline too; overwriting and deleting
    // remove the bytes with the version.
    ok(&s, "CopyObject", json!({"Bucket": "inl", "Key": "copy", "CopySource": "inl/small"})).await;
    assert_eq!(stored(&s), (2, 1));
    let (_, body) = get(&s, json!({"Bucket": "inl", "Key": "copy"})).await.expect("get");
    assert_eq!(body, small);
    put(&s, "inl", "small", b"new").await;
    assert_eq!(stored(&s), (2, 1));
    ok(&s, "DeleteObject", json!({"Bucket": "inl", "Key": "small"})).await;
    ok(&s, "DeleteObject", json!({"Bucket": "inl", "Key": "copy"})).await;
    ok(&s, "DeleteObject", json!({"Bucket": "inl", "Key": "big"})).await;
    assert_eq!(stored(&s), (0, 0));
}
