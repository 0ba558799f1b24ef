//! Lambda execution-role credentials: a function runs with temporary
//! credentials of a session of its role named after the function, and
//! calls from inside it resolve to that assumed role, in permissive and in
//! strict auth mode.

use crate::common;
use crate::functions::{client, exclusive, invoke, zip_of};

use aws_sdk_lambda::Client;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, Runtime};
use serde_json::json;
use stratus::config::{AuthMode, ServeArgs};

/// Asks STS who it is twice: signed by hand with urllib (always available),
/// and through boto3 when the interpreter has it.
const WHOAMI: &str = r#"
import datetime, hashlib, hmac, os, re, urllib.parse, urllib.request

def signed_identity():
    endpoint = os.environ["AWS_ENDPOINT_URL"].rstrip("/")
    region = os.environ["AWS_REGION"]
    body = "Action=GetCallerIdentity&Version=2011-06-15"
    amz_date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    day = amz_date[:8]
    headers = {
        "content-type": "application/x-www-form-urlencoded; charset=utf-8",
        "host": urllib.parse.urlparse(endpoint).netloc,
        "x-amz-date": amz_date,
        "x-amz-security-token": os.environ["AWS_SESSION_TOKEN"],
    }
    names = sorted(headers)
    signed = ";".join(names)
    canonical = "\n".join(["POST", "/", "", "".join("%s:%s\n" % (k, headers[k]) for k in names), signed,
                           hashlib.sha256(body.encode()).hexdigest()])
    scope = "%s/%s/sts/aws4_request" % (day, region)
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + os.environ["AWS_SECRET_ACCESS_KEY"]).encode()
    for part in (day, region, "sts", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (
        os.environ["AWS_ACCESS_KEY_ID"], scope, signed, signature)
    req = urllib.request.Request(endpoint + "/", data=body.encode(), headers=headers, method="POST")
    xml = urllib.request.urlopen(req).read().decode()
    return {k: re.search("<%s>(.*?)</%s>" % (k, k), xml).group(1) for k in ("Arn", "UserId", "Account")}

def handler(event, context):
    out = {
        "key": os.environ.get("AWS_ACCESS_KEY_ID"),
        "token": os.environ.get("AWS_SESSION_TOKEN"),
        "signed": signed_identity(),
    }
    try:
        import boto3
    except ImportError:
        return out
    out["boto3"] = boto3.client("sts").get_caller_identity()["Arn"]
    return out
"#;

async fn create(c: &Client, name: &str, role: &str) {
    c.create_function()
        .function_name(name)
        .runtime(Runtime::from("python3.11"))
        .role(role)
        .handler("app.handler")
        .code(FunctionCode::builder().zip_file(Blob::new(zip_of(&[("app.py", WHOAMI, 0o644)]))).build())
        .timeout(30)
        .send()
        .await
        .expect("create function");
}

/// Invokes `name` and checks it ran as `role_name`'s session named after it;
/// returns the UserId STS answered.
async fn assert_assumed(c: &Client, name: &str, role_name: &str) -> String {
    let r = invoke(c, name, None, json!({})).await;
    assert_eq!(r.function_error, None, "{} {}", r.payload, r.log);
    let p = &r.payload;
    let key = p["key"].as_str().unwrap_or("");
    assert!(key.starts_with("ASIA") && key.len() == 20, "{p}");
    assert!(p["token"].as_str().is_some_and(|t| !t.is_empty()), "{p}");
    let arn = format!("arn:aws:sts::000000000000:assumed-role/{role_name}/{name}");
    assert_eq!(p["signed"]["Arn"], arn.as_str(), "{p}");
    assert_eq!(p["signed"]["Account"], "000000000000", "{p}");
    if !p["boto3"].is_null() {
        assert_eq!(p["boto3"], arn.as_str(), "{p}");
    }
    let user_id = p["signed"]["UserId"].as_str().unwrap_or("").to_string();
    assert!(user_id.starts_with("AROA") && user_id.ends_with(&format!(":{name}")), "{p}");
    user_id
}

#[tokio::test]
async fn function_runs_as_its_execution_role_session() {
    let _one = exclusive().await;
    let server = common::server().await;
    let c = client(&server).await;
    // A role IAM does not know still gets a session (Stratus does not
    // require the role to exist).
    create(&c, "whoami", "arn:aws:iam::000000000000:role/service/lambda-role").await;
    let first = assert_assumed(&c, "whoami", "lambda-role").await;
    // The same identity on a warm and on a fresh environment.
    assert_eq!(assert_assumed(&c, "whoami", "lambda-role").await, first);
    c.update_function_configuration().function_name("whoami").timeout(29).send().await.expect("update");
    assert_eq!(assert_assumed(&c, "whoami", "lambda-role").await, first);
}

#[tokio::test]
async fn strict_auth_accepts_the_execution_role_session() {
    let _one = exclusive().await;
    let server = common::server_with(ServeArgs { auth: AuthMode::Strict, ..ServeArgs::ephemeral() }).await;
    let iam = aws_sdk_iam::Client::new(&common::sdk_config(&server).await);
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let role = iam.create_role().role_name("exec").assume_role_policy_document(trust).send().await.expect("role");
    let role = role.role().expect("role");
    let c = client(&server).await;
    create(&c, "strict-whoami", role.arn()).await;
    let user_id = assert_assumed(&c, "strict-whoami", "exec").await;
    assert_eq!(user_id, format!("{}:strict-whoami", role.role_id()));
}
