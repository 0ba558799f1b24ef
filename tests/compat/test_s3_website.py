"""S3 static website hosting: the website configuration through boto3 and
the aws CLI (validation codes and messages as recorded from AWS in
aws-reference TestS3StaticWebsiteHosting), and the website endpoint reached
with a `{bucket}.s3-website.localhost` Host: index documents, the 302 to a
directory's slash, error documents, routing-rule and object redirects,
conditional and ranged GETs, and AWS's HTML error pages."""

import http.client
import uuid
from urllib.parse import urlparse

import pytest

from conftest import client_error




@pytest.fixture
def site(s3):
    bucket = f"site-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    for key, body, ctype in (("index.html", b"<h1>home</h1>", "text/html"), ("docs/index.html", b"docs", "text/html"),
                             ("error.html", b"oops", "text/html"), ("app.js", b"console.log(1)", "text/javascript")):
        s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=ctype)
    return bucket


def fetch(stratus, bucket, path, method="GET", headers=None):
    u = urlparse(stratus.endpoint)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    conn.request(method, path, headers={"Host": f"{bucket}.s3-website.localhost:{u.port}", **(headers or {})})
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body


def test_configuration_crud_and_validation(s3, site):
    status, err = client_error(s3.get_bucket_website, Bucket=site)
    assert (status, err["Code"]) == (404, "NoSuchWebsiteConfiguration")
    assert err["Message"] == "The specified bucket does not have a website configuration"
    assert s3.delete_bucket_website(Bucket=site)["ResponseMetadata"]["HTTPStatusCode"] == 204
    s3.put_bucket_website(Bucket=site, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}})
    got = s3.get_bucket_website(Bucket=site)
    assert got["IndexDocument"] == {"Suffix": "index.html"} and "ErrorDocument" not in got

    cases = [
        ({"IndexDocument": {"Suffix": "/index.html"}}, "InvalidArgument", "The IndexDocument Suffix is not well formed"),
        ({"IndexDocument": {"Suffix": ""}}, "InvalidArgument", "The IndexDocument Suffix is not well formed"),
        ({"RedirectAllRequestsTo": {"HostName": "test"}, "IndexDocument": {"Suffix": "index.html"}}, "InvalidArgument",
         "RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules."),
        ({"ErrorDocument": {"Key": "error.html"}}, "InvalidArgument",
         "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty"),
        ({"IndexDocument": {"Suffix": "index.html"}, "RoutingRules": [{"Redirect": {"Protocol": "ftp"}}]},
         "InvalidRequest",
         "Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically."),
        ({"IndexDocument": {"Suffix": "index.html"},
          "RoutingRules": [{"Redirect": {"ReplaceKeyWith": "a", "ReplaceKeyPrefixWith": "b"}}]},
         "InvalidRequest", "You can only define ReplaceKeyPrefix or ReplaceKey but not both."),
        ({"IndexDocument": {"Suffix": "index.html"}, "RoutingRules": [{"Condition": {}, "Redirect": {"HostName": "x"}}]},
         "InvalidRequest",
         "Condition cannot be empty. To redirect all requests without a condition, the condition element shouldn't be present."),
    ]
    for conf, code, message in cases:
        status, err = client_error(s3.put_bucket_website, Bucket=site, WebsiteConfiguration=conf)
        assert (status, err["Code"], err["Message"]) == (400, code, message), conf
    status, err = client_error(s3.put_bucket_website, Bucket=site,
                        WebsiteConfiguration={"RedirectAllRequestsTo": {"HostName": "t"}, "IndexDocument": {"Suffix": "i"}})
    assert (err["ArgumentName"], err["ArgumentValue"]) == ("RedirectAllRequestsTo", "not null")


def test_serves_index_and_error_documents(stratus, s3, site):
    s3.put_bucket_website(Bucket=site, WebsiteConfiguration={
        "IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "error.html"}})
    status, headers, body = fetch(stratus, site, "/")
    assert (status, body, headers["content-type"]) == (200, b"<h1>home</h1>", "text/html")
    assert headers["etag"].startswith('"') and "last-modified" in headers
    assert fetch(stratus, site, "/docs/")[2] == b"docs"
    status, headers, _ = fetch(stratus, site, "/docs")
    assert (status, headers["location"]) == (302, "/docs/")
    assert fetch(stratus, site, "/app.js")[1]["content-type"] == "text/javascript"
    status, headers, body = fetch(stratus, site, "/missing.html")
    assert (status, body, headers["content-type"]) == (404, b"oops", "text/html")
    status, headers, body = fetch(stratus, site, "/app.js", "HEAD")
    assert (status, headers["content-length"], body) == (200, "14", b"")

    etag = fetch(stratus, site, "/app.js")[1]["etag"]
    assert fetch(stratus, site, "/app.js", headers={"If-None-Match": etag})[0] == 304
    status, headers, body = fetch(stratus, site, "/app.js", headers={"Range": "bytes=0-6"})
    assert (status, body, headers["content-range"]) == (206, b"console", "bytes 0-6/14")

    s3.delete_object(Bucket=site, Key="error.html")
    status, _, body = fetch(stratus, site, "/missing.html")
    text = body.decode()
    assert status == 404 and "<li>Code: NoSuchKey</li>" in text and "<li>Key: missing.html</li>" in text
    assert "<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document</h3>" in text
    assert "<li>Key: error.html</li>" in text


def test_error_pages(stratus, s3, site):
    status, _, body = fetch(stratus, site, "/")
    assert status == 404 and "<li>Code: NoSuchWebsiteConfiguration</li>" in body.decode()
    status, _, body = fetch(stratus, f"nobucket-{uuid.uuid4().hex[:8]}", "/")
    assert status == 404 and "<li>Code: NoSuchBucket</li>" in body.decode()
    s3.put_bucket_website(Bucket=site, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}})
    status, _, body = fetch(stratus, site, "/", "POST")
    text = body.decode()
    assert status == 405 and text.startswith("<html>\n<head><title>405 Method Not Allowed</title></head>")
    assert "<li>Method: POST</li>\n<li>ResourceType: OBJECT</li>" in text
    status, _, body = fetch(stratus, site, "/nothing/")
    assert status == 404 and "<li>Key: nothing/index.html</li>" in body.decode()


def test_redirects(stratus, s3, site):
    s3.put_bucket_website(Bucket=site, WebsiteConfiguration={
        "IndexDocument": {"Suffix": "index.html"},
        "RoutingRules": [
            {"Condition": {"KeyPrefixEquals": "old/"}, "Redirect": {"ReplaceKeyPrefixWith": "docs/"}},
            {"Condition": {"HttpErrorCodeReturnedEquals": "404"},
             "Redirect": {"HostName": "example.com", "Protocol": "https", "HttpRedirectCode": "302", "ReplaceKeyWith": "gone.html"}},
        ]})
    status, headers, _ = fetch(stratus, site, "/old/page.html")
    assert status == 301 and headers["location"].endswith(".s3-website.localhost:%d/docs/page.html" % urlparse(stratus.endpoint).port)
    status, headers, _ = fetch(stratus, site, "/nope.html")
    assert (status, headers["location"]) == (302, "https://example.com/gone.html")
    s3.put_object(Bucket=site, Key="moved.html", Body=b"", WebsiteRedirectLocation="/docs/")
    status, headers, _ = fetch(stratus, site, "/moved.html")
    assert (status, headers["location"]) == (301, "/docs/")

    s3.put_bucket_website(Bucket=site, WebsiteConfiguration={"RedirectAllRequestsTo": {"HostName": "www.example.org"}})
    status, headers, _ = fetch(stratus, site, "/a/b.html")
    assert (status, headers["location"]) == (301, "http://www.example.org/a/b.html")


def test_cli_website_command(stratus, cli, s3, site):
    cli("s3", "website", f"s3://{site}", "--index-document", "index.html", "--error-document", "error.html")
    got = s3.get_bucket_website(Bucket=site)
    assert got["IndexDocument"] == {"Suffix": "index.html"} and got["ErrorDocument"] == {"Key": "error.html"}
    assert fetch(stratus, site, "/")[2] == b"<h1>home</h1>"
