//! Amazon S3 through the official Rust SDK (restXml, streaming bodies with
//! aws-chunked trailers): buckets, objects with metadata and content
//! headers, ranges and conditions, checksums, multipart uploads and part
//! copies, versioning and delete markers, listings, tagging, policies,
//! lifecycle, and notifications delivered to SQS.

use crate::common;

use aws_sdk_s3::Client;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    BucketLocationConstraint, BucketVersioningStatus, ChecksumAlgorithm, ChecksumMode, CompletedMultipartUpload,
    CompletedPart, CreateBucketConfiguration, Delete, Event, NotificationConfiguration, ObjectIdentifier,
    QueueConfiguration, Tag, Tagging, VersioningConfiguration,
};
use common::{sdk_config, sdk_config_with, server};

async fn client(server: &stratus::server::Server) -> Client {
    let conf = aws_sdk_s3::config::Builder::from(&sdk_config(server).await).force_path_style(true).build();
    Client::from_conf(conf)
}

async fn put(
    c: &Client,
    bucket: &str,
    key: &str,
    body: &'static [u8],
) -> aws_sdk_s3::operation::put_object::PutObjectOutput {
    c.put_object().bucket(bucket).key(key).body(ByteStream::from_static(body)).send().await.expect("put")
}

async fn read(c: &Client, bucket: &str, key: &str) -> Vec<u8> {
    let out = c.get_object().bucket(bucket).key(key).send().await.expect("get");
    out.body.collect().await.expect("body").into_bytes().to_vec()
}

#[tokio::test]
async fn buckets_and_their_errors() {
    let server = server().await;
    let c = client(&server).await;
    c.create_bucket().bucket("alpha").send().await.expect("create");
    let e = c.create_bucket().bucket("Not_Valid").send().await.expect_err("invalid");
    assert_eq!(e.code(), Some("InvalidBucketName"));
    assert_eq!(e.message(), Some("The specified bucket is not valid."));
    c.head_bucket().bucket("alpha").send().await.expect("head");
    let loc = c.get_bucket_location().bucket("alpha").send().await.expect("location");
    // us-east-1 answers an empty <LocationConstraint/>.
    assert_eq!(loc.location_constraint().map(|l| l.as_str()).unwrap_or(""), "");

    let conf = aws_sdk_s3::config::Builder::from(&sdk_config_with(&server, "test", "test", "eu-west-1").await)
        .force_path_style(true)
        .build();
    let eu = Client::from_conf(conf);
    let e = eu.create_bucket().bucket("beta").send().await.expect_err("no constraint");
    assert_eq!(e.code(), Some("IllegalLocationConstraintException"));
    eu.create_bucket()
        .bucket("beta")
        .create_bucket_configuration(
            CreateBucketConfiguration::builder().location_constraint(BucketLocationConstraint::EuWest1).build(),
        )
        .send()
        .await
        .expect("eu bucket");
    let loc = eu.get_bucket_location().bucket("beta").send().await.expect("location");
    assert_eq!(loc.location_constraint(), Some(&BucketLocationConstraint::EuWest1));
    let e = eu
        .create_bucket()
        .bucket("beta")
        .create_bucket_configuration(
            CreateBucketConfiguration::builder().location_constraint(BucketLocationConstraint::EuWest1).build(),
        )
        .send()
        .await
        .expect_err("owned");
    assert_eq!(e.code(), Some("BucketAlreadyOwnedByYou"));

    let list = c.list_buckets().send().await.expect("list");
    let names: Vec<&str> = list.buckets().iter().filter_map(|b| b.name()).collect();
    assert_eq!(names, ["alpha", "beta"]);
    assert!(list.owner().and_then(|o| o.id()).is_some());

    put(&c, "alpha", "k", b"x").await;
    let e = c.delete_bucket().bucket("alpha").send().await.expect_err("not empty");
    assert_eq!(e.code(), Some("BucketNotEmpty"));
    let e = c.get_object().bucket("nope-bucket").key("k").send().await.expect_err("no bucket");
    assert_eq!(e.code(), Some("NoSuchBucket"));
    let e = c.get_object().bucket("alpha").key("missing").send().await.expect_err("no key");
    assert_eq!(e.code(), Some("NoSuchKey"));
    assert_eq!(e.message(), Some("The specified key does not exist."));
    c.delete_object().bucket("alpha").key("k").send().await.expect("delete");
    c.delete_bucket().bucket("alpha").send().await.expect("delete bucket");
    let e = c.head_bucket().bucket("alpha").send().await.expect_err("gone");
    assert!(e.into_service_error().is_not_found());
}

#[tokio::test]
async fn objects_headers_ranges_conditions() {
    let server = server().await;
    let c = client(&server).await;
    c.create_bucket().bucket("objs").send().await.expect("create");
    let out = c
        .put_object()
        .bucket("objs")
        .key("dir/file.txt")
        .body(ByteStream::from_static(b"hello world"))
        .content_type("text/plain")
        .content_disposition("attachment")
        .cache_control("max-age=60")
        .content_language("en")
        .metadata("color", "blue")
        .tagging("a=1&b=2")
        .send()
        .await
        .expect("put");
    assert_eq!(out.e_tag(), Some("\"5eb63bbbe01eeed093cb22bb8f5acdc3\""));
    let got = c.get_object().bucket("objs").key("dir/file.txt").send().await.expect("get");
    assert_eq!(got.content_type(), Some("text/plain"));
    assert_eq!(got.content_disposition(), Some("attachment"));
    assert_eq!(got.cache_control(), Some("max-age=60"));
    assert_eq!(got.content_language(), Some("en"));
    assert_eq!(got.metadata().and_then(|m| m.get("color")).map(String::as_str), Some("blue"));
    assert_eq!(got.tag_count(), Some(2));
    assert_eq!(got.content_length(), Some(11));
    assert_eq!(got.body.collect().await.expect("body").into_bytes().as_ref(), b"hello world");

    let ranged = c.get_object().bucket("objs").key("dir/file.txt").range("bytes=0-4").send().await.expect("range");
    assert_eq!(ranged.content_range(), Some("bytes 0-4/11"));
    assert_eq!(ranged.body.collect().await.expect("body").into_bytes().as_ref(), b"hello");
    let e = c.get_object().bucket("objs").key("dir/file.txt").range("bytes=100-200").send().await.expect_err("416");
    assert_eq!(e.code(), Some("InvalidRange"));

    let e = c.get_object().bucket("objs").key("dir/file.txt").if_match("\"nope\"").send().await.expect_err("412");
    assert_eq!(e.code(), Some("PreconditionFailed"));
    let e = c
        .get_object()
        .bucket("objs")
        .key("dir/file.txt")
        .if_none_match("\"5eb63bbbe01eeed093cb22bb8f5acdc3\"")
        .send()
        .await
        .expect_err("304");
    assert_eq!(e.raw_response().map(|r| r.status().as_u16()), Some(304));

    let over = c
        .get_object()
        .bucket("objs")
        .key("dir/file.txt")
        .response_content_type("application/json")
        .send()
        .await
        .expect("override");
    assert_eq!(over.content_type(), Some("application/json"));

    let head = c
        .head_object()
        .bucket("objs")
        .key("dir/file.txt")
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
        .expect("head");
    assert_eq!(head.content_length(), Some(11));
    assert!(head.checksum_crc32().is_some() || head.checksum_crc64_nvme().is_some());

    let tags = c.get_object_tagging().bucket("objs").key("dir/file.txt").send().await.expect("tags");
    assert_eq!(tags.tag_set().len(), 2);
    let e = c.put_object().bucket("objs").key("k").body(ByteStream::from_static(b"x")).if_none_match("*").send().await;
    assert!(e.is_ok());
    let e = c.put_object().bucket("objs").key("k").body(ByteStream::from_static(b"x")).if_none_match("*").send().await;
    assert_eq!(e.expect_err("exists").code(), Some("PreconditionFailed"));
}

#[tokio::test]
async fn checksums_are_verified_and_returned() {
    let server = server().await;
    let c = client(&server).await;
    c.create_bucket().bucket("sums").send().await.expect("create");
    for algo in [
        ChecksumAlgorithm::Crc32,
        ChecksumAlgorithm::Crc32C,
        ChecksumAlgorithm::Sha1,
        ChecksumAlgorithm::Sha256,
        ChecksumAlgorithm::Crc64Nvme,
    ] {
        let key = format!("k-{}", algo.as_str());
        c.put_object()
            .bucket("sums")
            .key(&key)
            .body(ByteStream::from_static(b"hello world"))
            .checksum_algorithm(algo.clone())
            .send()
            .await
            .expect("put with checksum");
        let head =
            c.head_object().bucket("sums").key(&key).checksum_mode(ChecksumMode::Enabled).send().await.expect("head");
        let value = match algo {
            ChecksumAlgorithm::Crc32 => head.checksum_crc32(),
            ChecksumAlgorithm::Crc32C => head.checksum_crc32_c(),
            ChecksumAlgorithm::Sha1 => head.checksum_sha1(),
            ChecksumAlgorithm::Sha256 => head.checksum_sha256(),
            _ => head.checksum_crc64_nvme(),
        };
        let expected = match algo {
            ChecksumAlgorithm::Crc32 => "DUoRhQ==",
            ChecksumAlgorithm::Crc32C => "yZRlqg==",
            ChecksumAlgorithm::Sha1 => "Kq5sNclPz7QV2+lfQIuc6R7oRu0=",
            ChecksumAlgorithm::Sha256 => "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=",
            _ => "jSnVw/bqjr4=",
        };
        assert_eq!(value, Some(expected), "{algo:?}");
    }
    let e = c
        .put_object()
        .bucket("sums")
        .key("bad")
        .body(ByteStream::from_static(b"hello world"))
        .checksum_crc32("AAAAAA==")
        .send()
        .await
        .expect_err("bad digest");
    assert_eq!(e.code(), Some("BadDigest"));
    assert_eq!(e.message(), Some("The CRC32 you specified did not match the calculated checksum."));
}

#[tokio::test]
async fn big_object_streams_both_ways() {
    let server = server().await;
    let c = client(&server).await;
    c.create_bucket().bucket("big").send().await.expect("create");
    let data: Vec<u8> = (0..24 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    c.put_object().bucket("big").key("blob").body(ByteStream::from(data.clone())).send().await.expect("put");
    let got = read(&c, "big", "blob").await;
    assert_eq!(got.len(), data.len());
    assert!(got == data);
    let part = c.get_object().bucket("big").key("blob").range("bytes=10000000-10000009").send().await.expect("range");
    let bytes = part.body.collect().await.expect("body").into_bytes();
    assert_eq!(bytes.as_ref(), &data[10_000_000..10_000_010]);
}

#[tokio::test]
async fn multipart_and_part_copy() {
    let server = server().await;
    let c = client(&server).await;
    c.create_bucket().bucket("mpu").send().await.expect("create");
    put(&c, "mpu", "src", b"0123456789").await;
    let up = c.create_multipart_upload().bucket("mpu").key("assembled").send().await.expect("create mpu");
    let id = up.upload_id().expect("id").to_string();
    let first = vec![7u8; 5 * 1024 * 1024];
    let p1 = c
        .upload_part()
        .bucket("mpu")
        .key("assembled")
        .upload_id(&id)
        .part_number(1)
        .body(ByteStream::from(first.clone()))
        .send()
        .await
        .expect("part 1");
    let p2 = c
        .upload_part_copy()
        .bucket("mpu")
        .key("assembled")
        .upload_id(&id)
        .part_number(2)
        .copy_source("mpu/src")
        .copy_source_range("bytes=2-5")
        .send()
        .await
        .expect("part copy");
    let p2_etag = p2.copy_part_result().and_then(|r| r.e_tag()).expect("etag").to_string();
    let parts = c.list_parts().bucket("mpu").key("assembled").upload_id(&id).send().await.expect("list parts");
    assert_eq!(parts.parts().len(), 2);
    let uploads = c.list_multipart_uploads().bucket("mpu").send().await.expect("uploads");
    assert_eq!(uploads.uploads().len(), 1);
    let e = c
        .complete_multipart_upload()
        .bucket("mpu")
        .key("assembled")
        .upload_id(&id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .parts(CompletedPart::builder().part_number(2).e_tag(&p2_etag).build())
                .parts(CompletedPart::builder().part_number(1).e_tag(p1.e_tag().unwrap_or_default()).build())
                .build(),
        )
        .send()
        .await
        .expect_err("order");
    assert_eq!(e.code(), Some("InvalidPartOrder"));
    let done = c
        .complete_multipart_upload()
        .bucket("mpu")
        .key("assembled")
        .upload_id(&id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .parts(CompletedPart::builder().part_number(1).e_tag(p1.e_tag().unwrap_or_default()).build())
                .parts(CompletedPart::builder().part_number(2).e_tag(&p2_etag).build())
                .build(),
        )
        .send()
        .await
        .expect("complete");
    assert!(done.e_tag().is_some_and(|e| e.ends_with("-2\"")));
    let body = read(&c, "mpu", "assembled").await;
    assert_eq!(body.len(), first.len() + 4);
    assert_eq!(&body[first.len()..], b"2345");
    let e = c.list_parts().bucket("mpu").key("assembled").upload_id(&id).send().await.expect_err("gone");
    assert_eq!(e.code(), Some("NoSuchUpload"));

    let copied = c.copy_object().bucket("mpu").key("copy").copy_source("mpu/src").send().await.expect("copy");
    assert_eq!(copied.copy_object_result().and_then(|r| r.e_tag()), Some("\"781e5e245d69b566979b86e28d23f2c7\""));
    assert_eq!(read(&c, "mpu", "copy").await, b"0123456789");
}

#[tokio::test]
async fn versioning_listing_and_batch_delete() {
    let server = server().await;
    let c = client(&server).await;
    c.create_bucket().bucket("vers").send().await.expect("create");
    c.put_bucket_versioning()
        .bucket("vers")
        .versioning_configuration(VersioningConfiguration::builder().status(BucketVersioningStatus::Enabled).build())
        .send()
        .await
        .expect("versioning");
    let v = c.get_bucket_versioning().bucket("vers").send().await.expect("get versioning");
    assert_eq!(v.status(), Some(&BucketVersioningStatus::Enabled));
    let v1 = put(&c, "vers", "doc", b"one").await.version_id().expect("v1").to_string();
    put(&c, "vers", "doc", b"two").await;
    let del = c.delete_object().bucket("vers").key("doc").send().await.expect("delete");
    assert_eq!(del.delete_marker(), Some(true));
    let e = c.get_object().bucket("vers").key("doc").send().await.expect_err("marker");
    assert_eq!(e.code(), Some("NoSuchKey"));
    let old = c.get_object().bucket("vers").key("doc").version_id(&v1).send().await.expect("old version");
    assert_eq!(old.body.collect().await.expect("body").into_bytes().as_ref(), b"one");
    let listed = c.list_object_versions().bucket("vers").send().await.expect("versions");
    assert_eq!(listed.versions().len(), 2);
    assert_eq!(listed.delete_markers().len(), 1);

    for k in ["a/1", "a/2", "b/1", "top"] {
        put(&c, "vers", k, b"x").await;
    }
    let l = c.list_objects_v2().bucket("vers").delimiter("/").send().await.expect("list");
    let prefixes: Vec<&str> = l.common_prefixes().iter().filter_map(|p| p.prefix()).collect();
    assert_eq!(prefixes, ["a/", "b/"]);
    let keys: Vec<&str> = l.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(keys, ["top"]);
    let mut pages = c.list_objects_v2().bucket("vers").max_keys(1).into_paginator().send();
    let mut all = Vec::new();
    while let Some(page) = pages.next().await {
        all.extend(page.expect("page").contents().iter().filter_map(|o| o.key().map(str::to_string)));
    }
    assert_eq!(all, ["a/1", "a/2", "b/1", "top"]);
    let v1list = c.list_objects().bucket("vers").prefix("a/").send().await.expect("v1");
    assert_eq!(v1list.contents().len(), 2);

    let batch = Delete::builder()
        .objects(ObjectIdentifier::builder().key("a/1").build().expect("id"))
        .objects(ObjectIdentifier::builder().key("a/2").build().expect("id"))
        .build()
        .expect("delete");
    let out = c.delete_objects().bucket("vers").delete(batch).send().await.expect("delete objects");
    assert_eq!(out.deleted().len(), 2);
    assert!(out.deleted().iter().all(|d| d.delete_marker() == Some(true)));
}

#[tokio::test]
async fn bucket_configurations() {
    let server = server().await;
    let c = client(&server).await;
    c.create_bucket().bucket("conf").send().await.expect("create");
    let e = c.get_bucket_tagging().bucket("conf").send().await.expect_err("no tags");
    assert_eq!(e.code(), Some("NoSuchTagSet"));
    c.put_bucket_tagging()
        .bucket("conf")
        .tagging(
            Tagging::builder()
                .tag_set(Tag::builder().key("team").value("s3").build().expect("tag"))
                .build()
                .expect("tagging"),
        )
        .send()
        .await
        .expect("tag");
    let tags = c.get_bucket_tagging().bucket("conf").send().await.expect("tags");
    assert_eq!(tags.tag_set().first().map(|t| t.key()), Some("team"));

    let e = c.get_bucket_policy().bucket("conf").send().await.expect_err("no policy");
    assert_eq!(e.code(), Some("NoSuchBucketPolicy"));
    let e = c.put_bucket_policy().bucket("conf").policy("not json").send().await.expect_err("bad policy");
    assert_eq!(e.code(), Some("MalformedPolicy"));
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::conf/*"}]}"#;
    // New buckets block public policies (BlockPublicPolicy) until the owner allows them.
    let e = c.put_bucket_policy().bucket("conf").policy(policy).send().await.expect_err("blocked");
    assert_eq!(e.code(), Some("AccessDenied"));
    c.delete_public_access_block().bucket("conf").send().await.expect("allow public policies");
    c.put_bucket_policy().bucket("conf").policy(policy).send().await.expect("policy");
    assert_eq!(c.get_bucket_policy().bucket("conf").send().await.expect("get").policy(), Some(policy));

    let acl = c.get_bucket_acl().bucket("conf").send().await.expect("acl");
    assert_eq!(acl.grants().first().and_then(|g| g.permission()).map(|p| p.as_str()), Some("FULL_CONTROL"));
    let enc = c.get_bucket_encryption().bucket("conf").send().await.expect("encryption");
    assert!(enc.server_side_encryption_configuration().is_some());
    let e = c.get_bucket_cors().bucket("conf").send().await.expect_err("no cors");
    assert_eq!(e.code(), Some("NoSuchCORSConfiguration"));
    let e = c.get_bucket_lifecycle_configuration().bucket("conf").send().await.expect_err("no lifecycle");
    assert_eq!(e.code(), Some("NoSuchLifecycleConfiguration"));
}

#[tokio::test]
async fn notifications_reach_sqs() {
    let server = server().await;
    let c = client(&server).await;
    let sqs = aws_sdk_sqs::Client::new(&sdk_config(&server).await);
    let url = sqs
        .create_queue()
        .queue_name("events")
        .send()
        .await
        .expect("queue")
        .queue_url()
        .unwrap_or_default()
        .to_string();
    let arn = "arn:aws:sqs:us-east-1:000000000000:events";
    c.create_bucket().bucket("notes").send().await.expect("create");
    c.put_bucket_notification_configuration()
        .bucket("notes")
        .notification_configuration(
            NotificationConfiguration::builder()
                .queue_configurations(
                    QueueConfiguration::builder()
                        .id("created")
                        .queue_arn(arn)
                        .events(Event::from("s3:ObjectCreated:*"))
                        .build()
                        .expect("queue config"),
                )
                .build(),
        )
        .send()
        .await
        .expect("notification config");
    let got = c.get_bucket_notification_configuration().bucket("notes").send().await.expect("get config");
    assert_eq!(got.queue_configurations().len(), 1);
    put(&c, "notes", "photos/cat one.jpg", b"meow").await;
    let mut bodies = Vec::new();
    for _ in 0..10 {
        let r = sqs
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .expect("receive");
        bodies.extend(r.messages().iter().filter_map(|m| m.body().map(str::to_string)));
        if bodies.iter().any(|b| b.contains("ObjectCreated:Put")) {
            break;
        }
    }
    assert!(bodies.iter().any(|b| b.contains("s3:TestEvent")), "{bodies:?}");
    let event = bodies.iter().find(|b| b.contains("ObjectCreated:Put")).expect("event");
    let v: serde_json::Value = serde_json::from_str(event).expect("json");
    let r = &v["Records"][0];
    assert_eq!(r["eventVersion"], "2.1");
    assert_eq!(r["eventSource"], "aws:s3");
    assert_eq!(r["s3"]["bucket"]["name"], "notes");
    assert_eq!(r["s3"]["object"]["key"], "photos/cat+one.jpg");
    assert_eq!(r["s3"]["object"]["size"], 4);
    assert_eq!(r["s3"]["configurationId"], "created");
}
